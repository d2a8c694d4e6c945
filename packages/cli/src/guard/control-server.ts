import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ControlServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * The optional control endpoint: `GET /status` and `POST /stop` on 127.0.0.1, both requiring
 * `Authorization: Bearer <token>`. It lives on the main thread, which never fires requests, so it
 * answers while the worker threads are saturated.
 */
export async function startControlServer(options: {
  port: number;
  token?: string;
  status: () => unknown;
  stop: (by: string) => void;
}): Promise<ControlServer> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server: Server = createServer((req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    req.resume();
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return json(401, { error: 'missing or wrong bearer token' });
    if (req.method === 'GET' && req.url === '/status') return json(200, options.status());
    if (req.method === 'POST' && req.url === '/stop') {
      options.stop(`POST /stop from ${req.socket.remoteAddress}`);
      return json(202, { stopping: true });
    }
    return json(404, { error: 'use GET /status or POST /stop' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderDashboardPage } from './dashboard-page.js';

/** A viewer whose socket holds more than this unsent is dropped: a slow tab must not grow our heap. */
const MAX_VIEWER_BACKLOG_BYTES = 1 << 20;
/** Events kept for a viewer that connects late, so every viewer draws the same series. */
const MAX_HISTORY_EVENTS = 3_600;

export interface DashboardServer {
  readonly url: string;
  /** The URL to open: the token rides in the fragment, which browsers never send nor log. */
  readonly openUrl: string;
  /** Sends one event to every viewer; serialised once, here, on the main thread. */
  publish(type: string, data: unknown): void;
  close(): Promise<void>;
}

/**
 * The live dashboard: `GET /` is the page (no data in it), `GET /events` the server-sent event
 * stream, and `GET /status` / `POST /stop` answer as the control endpoint does. Everything but
 * the page needs the token (Bearer header, or `?token=` for EventSource, which cannot set headers).
 */
export async function startDashboardServer(options: {
  port: number;
  host: string;
  status: () => unknown;
  stop: (by: string) => void;
}): Promise<DashboardServer> {
  const token = randomBytes(16).toString('hex');
  const viewers = new Set<ServerResponse>();
  const history: string[] = [];
  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const given = req.headers.authorization?.replace(/^Bearer /, '') ?? url.searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method === 'GET' && url.pathname === '/') {
      const page = renderDashboardPage();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp, 'cache-control': 'no-store' });
      return res.end(page.html);
    }
    if (!authorised(req, url)) return json(401, { error: 'missing or wrong token: open the URL printed on stderr, #token=... included' });
    if (req.method === 'GET' && url.pathname === '/status') return json(200, options.status());
    if (req.method === 'POST' && url.pathname === '/stop') {
      options.stop(
        `the dashboard (${req.headers['x-overload-stop-by'] === 'button' ? 'Stop button' : 'POST /stop'} from ${req.socket.remoteAddress})`,
      );
      return json(202, { stopping: true });
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      for (const e of history) res.write(e);
      viewers.add(res);
      res.on('close', () => viewers.delete(res));
      return;
    }
    return json(404, { error: 'use GET /, GET /events, GET /status or POST /stop' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const base = `http://${hostInUrl}:${port}`;
  return {
    url: base,
    openUrl: `${base}/#token=${token}`,
    publish(type, data) {
      const event = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      history.push(event);
      if (history.length > MAX_HISTORY_EVENTS) history.splice(0, history.length - MAX_HISTORY_EVENTS);
      for (const v of viewers) {
        if (v.writableLength > MAX_VIEWER_BACKLOG_BYTES) {
          viewers.delete(v);
          v.destroy();
        } else v.write(event);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const v of viewers) v.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

/** What nginx answers: the same header lines as most targets, so the parser meets their paths in the warm-up. */
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 08:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok',
  'latin1',
);

/**
 * The server the workers' JIT warm-ups send to (jit-warmup.ts), on the main thread, on loopback:
 * never the target. It runs on the main thread, not in each worker, so that during the warm-up a
 * worker's event loop, its sockets and Node's stream code serve only the client side, as in the
 * run. With the server in the worker, the shared socket and stream functions (onStreamRead,
 * Readable.read) learned from both sides, and the run's first requests threw that code away.
 */
export class WarmServer {
  readonly #server: Server;
  readonly #sockets: Set<Socket>;
  readonly origin: string;

  private constructor(server: Server, sockets: Set<Socket>, origin: string) {
    this.#server = server;
    this.#sockets = sockets;
    this.origin = origin;
  }

  static async start(): Promise<WarmServer> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      serve(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    server.unref();
    const { port } = server.address() as { port: number };
    return new WarmServer(server, sockets, `http://127.0.0.1:${port}`);
  }

  /** Stops listening and drops its connections (every worker has finished its warm-up). */
  close(): void {
    this.#server.close();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }
}

/** Answers every request head it reads with a tiny 200, skipping request bodies by content-length. */
function serve(socket: Socket): void {
  let pending = '';
  let skip = 0;
  socket.setNoDelay(true);
  socket.unref();
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    let text = chunk.toString('latin1');
    if (skip > 0) {
      const n = Math.min(skip, text.length);
      skip -= n;
      text = text.slice(n);
    }
    pending += text;
    let answers = 0;
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = pending.slice(0, end);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const body = length ? Number(length[1]) : 0;
      const available = pending.length - (end + 4);
      pending = pending.slice(end + 4 + Math.min(body, available));
      skip = Math.max(0, body - available);
      answers++;
    }
    if (answers === 1) socket.write(RESPONSE);
    else if (answers > 1) socket.write(Buffer.concat(Array.from({ length: answers }, () => RESPONSE)));
  });
}

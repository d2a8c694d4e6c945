import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderDashboardPage } from './dashboard-page.js';

/** A viewer whose socket holds more than this unsent is dropped: a slow tab must not grow our heap. */
export const MAX_VIEWER_BACKLOG_BYTES = 1 << 20;
/**
 * Events kept for a viewer that connects late, so every viewer draws the same series: by size,
 * not count (probe samples are small and many), oldest first; pinned events (who the run is,
 * what to draw) are never dropped.
 */
const MAX_HISTORY_BYTES = 8 << 20;
/** How long a browser waits before it reconnects a dropped stream (the SSE `retry:` field). */
const RECONNECT_MS = 1000;
/** How long the close waits for viewers to receive the last events before it cuts them off. */
const CLOSE_GRACE_MS = 500;

export interface DashboardServer {
  readonly url: string;
  /** The URL to open: the token rides in the fragment, which browsers never send nor log. */
  readonly openUrl: string;
  /** Viewers connected now. */
  readonly viewers: number;
  /** Resolves when the first viewer opens the event stream. */
  readonly firstViewer: Promise<void>;
  /**
   * Sends one event to every viewer; serialised once, here, on the main thread. `pinned` events
   * are replayed to every late viewer first; `transient` ones (a heartbeat) are not replayed.
   */
  publish(type: string, data: unknown, options?: { pinned?: boolean; transient?: boolean }): void;
  close(): Promise<void>;
}

interface StoredEvent {
  readonly id: number;
  readonly text: string;
}

/**
 * The live dashboard: `GET /` is the page (no data in it), `GET /events` the server-sent event
 * stream, and `GET /status` / `POST /stop` answer as the control endpoint does. Everything but
 * the page needs the token (Bearer header, or `?token=` for EventSource, which cannot set headers).
 *
 * Every event carries an id. A browser that lost the stream reconnects by itself with the last
 * id it saw (`Last-Event-ID`) and gets only what came after it, so no point is drawn twice.
 */
export async function startDashboardServer(options: {
  port: number;
  host: string;
  status: () => unknown;
  /** `atEpochMs`: when the request reached this server, read before anything else was done with it. */
  stop: (by: string, atEpochMs: number) => void;
}): Promise<DashboardServer> {
  const token = randomBytes(16).toString('hex');
  const page = renderDashboardPage();
  /** Viewer → how much it may have unsent: a late viewer's replay of the history is allowed on top, until it drains. */
  const viewers = new Map<ServerResponse, number>();
  const pinned: StoredEvent[] = [];
  const history: StoredEvent[] = [];
  let historyBytes = 0;
  let lastId = 0;
  let sawViewer!: () => void;
  const firstViewer = new Promise<void>((resolve) => (sawViewer = resolve));
  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const given = req.headers.authorization?.replace(/^Bearer /, '') ?? url.searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const server: Server = createServer((req, res) => {
    const atEpochMs = Date.now();
    req.resume();
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp, 'cache-control': 'no-store' });
      return res.end(page.html);
    }
    if (!authorised(req, url)) return json(401, { error: 'missing or wrong token: open the URL printed on stderr, #token=... included' });
    if (req.method === 'GET' && url.pathname === '/status') return json(200, options.status());
    if (req.method === 'POST' && url.pathname === '/stop') {
      options.stop(
        `the dashboard (${req.headers['x-overload-stop-by'] === 'button' ? 'Stop button' : 'POST /stop'} from ${req.socket.remoteAddress})`,
        atEpochMs,
      );
      return json(202, { stopping: true });
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const after = Number(req.headers['last-event-id'] ?? 0) || 0;
      const missed = (e: StoredEvent) => e.id > after;
      const replay = `retry: ${RECONNECT_MS}\n\n${pinned
        .filter(missed)
        .map((e) => e.text)
        .join('')}${history
        .filter(missed)
        .map((e) => e.text)
        .join('')}`;
      res.write(replay);
      viewers.set(res, MAX_VIEWER_BACKLOG_BYTES + replay.length);
      sawViewer();
      res.on('drain', () => {
        if (viewers.has(res)) viewers.set(res, MAX_VIEWER_BACKLOG_BYTES);
      });
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
    get viewers() {
      return viewers.size;
    },
    firstViewer,
    publish(type, data, publishOptions) {
      const id = ++lastId;
      const text = `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      if (publishOptions?.pinned) pinned.push({ id, text });
      else if (!publishOptions?.transient) {
        history.push({ id, text });
        historyBytes += text.length;
        let drop = 0;
        while (historyBytes > MAX_HISTORY_BYTES && drop < history.length) historyBytes -= history[drop++]!.text.length;
        if (drop > 0) history.splice(0, drop);
      }
      for (const [v, allowed] of viewers) {
        if (v.writableLength > allowed) {
          viewers.delete(v);
          v.destroy();
        } else v.write(text);
      }
    },
    async close() {
      // The last events (the end: verdict, exit code, files) leave before the sockets are cut.
      const ending = [...viewers.keys()].map((v) => new Promise((resolve) => v.end(resolve)));
      await Promise.race([Promise.all(ending), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

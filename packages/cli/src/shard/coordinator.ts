import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OverloadError, ShardStartError } from '@overload/core/internal';
import {
  API,
  type DoneMessage,
  type Fingerprint,
  fingerprintDifferences,
  type IntervalsMessage,
  type JoinReply,
  type JoinRequest,
  MAX_BODY_BYTES,
  type Order,
  type OrderBody,
  ORDERS_HOLD_MS,
  SHARD_LOST_AFTER_MS,
} from './protocol.js';

/** What a running phase hears from its shards (see RemoteRun). */
export interface PhaseListener {
  ready(index: number): void;
  intervals(index: number, message: IntervalsMessage): void;
  done(index: number, message: DoneMessage): void;
  lost(index: number, why: string): void;
}

interface ShardState {
  readonly index: number;
  readonly workers: number;
  lastSeenMs: number;
  lost?: string;
}

type Waiter = { readonly after: number; readonly res: ServerResponse; readonly timer: NodeJS.Timeout };

export interface CoordinatorOptions {
  readonly count: number;
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly runId: string;
  readonly fingerprint: Fingerprint;
  readonly maxClockSkewMs: number;
  readonly log: (line: string) => void;
  /** The clock sent to shards for their skew check (default Date.now). */
  readonly wallClockMs?: () => number;
}

/**
 * The coordinator's server: shards join, long-poll for orders, and push their intervals. It keeps
 * one list of orders for every shard (each has a sequence number; a poll returns those after the
 * one it saw) and watches every shard's last word: a shard silent for SHARD_LOST_AFTER_MS is
 * lost, for good — if it comes back, it is told to stop.
 */
export class Coordinator {
  readonly #options: CoordinatorOptions;
  readonly token: string;
  readonly #shards = new Map<number, ShardState>();
  readonly #refused = new Map<number, string>();
  readonly #orders: Order[] = [];
  readonly #waiters = new Map<number, Waiter>();
  #server: Server | undefined;
  #watch: NodeJS.Timeout | undefined;
  #listener: PhaseListener | undefined;
  #onJoin: (() => void) | undefined;
  /** Shards that have seen the `finish` order. */
  readonly #finished = new Set<number>();
  #url = '';

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.token = options.token ?? randomBytes(16).toString('hex');
  }

  get url(): string {
    return this.#url;
  }

  get count(): number {
    return this.#options.count;
  }

  /** Worker threads over every shard that joined. */
  get workers(): number {
    let n = 0;
    for (const s of this.#shards.values()) n += s.workers;
    return n;
  }

  liveShards(): number[] {
    return [...this.#shards.values()]
      .filter((s) => !s.lost)
      .map((s) => s.index)
      .sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
    this.#url = `http://${host}:${port}`;
    this.#watch = setInterval(() => this.#checkLiveness(), 250);
  }

  /**
   * Resolves once every shard has joined; rejects with ShardStartError (nothing sent) when one
   * refused to take part, or when some have not joined within `timeoutMs`.
   */
  waitForShards(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#refused.size > 0) {
          done();
          const why = [...this.#refused].map(([i, r]) => `shard ${i} refused to start: ${r}`).join('; ');
          reject(new ShardStartError(`${why}; nothing was sent`));
        } else if (this.#shards.size === this.#options.count) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        const missing = Array.from({ length: this.#options.count }, (_, i) => i).filter((i) => !this.#shards.has(i));
        reject(
          new ShardStartError(
            `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${this.#options.count} never joined ${this.#url} within ${Math.round(timeoutMs / 1000)} s; nothing was sent`,
          ),
        );
      }, timeoutMs);
      const onAbort = () => {
        done();
        reject(new OverloadError('OVL_ABORTED', 'stopped while waiting for the shards to join; nothing was sent'));
      };
      const done = () => {
        clearTimeout(timer);
        this.#onJoin = undefined;
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#onJoin = check;
      check();
    });
  }

  /** Directs what shards say about the running phase to `listener` (one phase at a time). */
  listen(listener: PhaseListener | undefined): void {
    this.#listener = listener;
  }

  /** Appends an order for every shard and wakes the polls that wait. */
  order(order: OrderBody): void {
    const full = { ...order, seq: this.#orders.length + 1 } as Order;
    this.#orders.push(full);
    for (const [index, w] of [...this.#waiters]) {
      clearTimeout(w.timer);
      this.#waiters.delete(index);
      this.#reply(index, w.after, w.res);
    }
  }

  /**
   * Tells every shard the command is over and waits (bounded) until each live one has heard it,
   * so none waits for its coordinator to vanish before it exits.
   */
  async finish(detail: string, waitMs = 3000): Promise<void> {
    this.order({ type: 'finish', detail });
    const until = performance.now() + waitMs;
    while (performance.now() < until && this.liveShards().some((i) => !this.#finished.has(i))) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#watch);
    for (const w of this.#waiters.values()) clearTimeout(w.timer);
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  #checkLiveness(): void {
    const now = performance.now();
    for (const s of this.#shards.values()) {
      if (s.lost || this.#finished.has(s.index)) continue;
      const silentMs = now - s.lastSeenMs;
      if (silentMs > SHARD_LOST_AFTER_MS)
        this.#lose(
          s,
          `shard ${s.index} of ${this.#options.count} stopped reporting for ${(silentMs / 1000).toFixed(1)} s (crashed, killed or cut off)`,
        );
    }
  }

  #lose(s: ShardState, why: string): void {
    if (s.lost) return;
    s.lost = why;
    this.#options.log(why);
    this.#listener?.lost(s.index, why);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${this.token}`);
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      req.resume();
      return json(401, { error: 'missing or wrong bearer token (--coordinator-token, or OVERLOAD_COORDINATOR_TOKEN)' });
    }
    const url = new URL(req.url ?? '/', 'http://coordinator');
    try {
      if (req.method === 'GET' && url.pathname === `${API}/orders`) {
        req.resume();
        const index = Number(url.searchParams.get('shard'));
        const after = Number(url.searchParams.get('after') ?? 0);
        const s = this.#seen(index);
        if (!s) return json(404, { error: `shard ${index} has not joined` });
        if (s.lost) return json(410, { orders: [], nowMs: this.#now(), gone: s.lost });
        return this.#poll(index, after, res);
      }
      if (req.method !== 'POST') {
        req.resume();
        return json(404, { error: 'unknown endpoint' });
      }
      const body = await readJson(req);
      switch (url.pathname) {
        case `${API}/join`:
          return json(...this.#join(body as JoinRequest));
        case `${API}/leave`: {
          const { index, reason } = body as { index: number; reason: string };
          const s = this.#shards.get(index);
          // Before the start (a clock beyond the bound) this refuses the run; later it is a loss.
          this.#refused.set(index, reason);
          if (s) this.#lose(s, `shard ${index} gave up: ${reason}`);
          this.#onJoin?.();
          return json(200, { ok: true });
        }
        case `${API}/ready`:
        case `${API}/intervals`:
        case `${API}/done`: {
          const m = body as { index: number; phaseId: number };
          const s = this.#seen(m.index);
          if (!s) return json(404, { error: `shard ${m.index} has not joined` });
          if (s.lost) return json(410, { gone: s.lost });
          const l = this.#listener;
          if (url.pathname.endsWith('/ready')) l?.ready(m.index);
          else if (url.pathname.endsWith('/intervals')) l?.intervals(m.index, m as IntervalsMessage);
          else l?.done(m.index, m as DoneMessage);
          return json(200, { ok: true });
        }
        default:
          return json(404, { error: 'unknown endpoint' });
      }
    } catch (error) {
      return json(400, { error: (error as Error).message });
    }
  }

  #now(): number {
    return (this.#options.wallClockMs ?? Date.now)();
  }

  #seen(index: number): ShardState | undefined {
    const s = this.#shards.get(index);
    if (s && !s.lost) s.lastSeenMs = performance.now();
    return s;
  }

  #join(j: JoinRequest): [number, unknown] {
    const n = this.#options.count;
    if (!j || !Number.isInteger(j.index) || j.index < 0 || j.index >= n)
      return [409, { error: `shard index ${j?.index} is not in 0..${n - 1}` }];
    if (j.count !== n)
      return [
        409,
        {
          error: `the shard was started with ${j.count} shards, the coordinator with ${n}: give every shard and the coordinator the same --shards`,
        },
      ];
    const existing = this.#shards.get(j.index);
    if (existing)
      return [
        409,
        {
          error: `shard ${j.index} has already joined${existing.lost ? ' and was lost' : ''}: each index runs once (an Indexed Job never runs an index twice with backoffLimitPerIndex 0)`,
        },
      ];
    const diff = fingerprintDifferences(this.#options.fingerprint, j.fingerprint);
    if (diff.length > 0) {
      const why = `its plan differs from the coordinator's: ${diff.join('; ')}`;
      this.#refused.set(j.index, why);
      this.#onJoin?.();
      return [409, { error: why }];
    }
    this.#shards.set(j.index, { index: j.index, workers: j.workers, lastSeenMs: performance.now() });
    this.#options.log(`shard ${j.index} of ${n} joined (${this.#shards.size}/${n})`);
    this.#onJoin?.();
    const reply: JoinReply = { runId: this.#options.runId, nowMs: this.#now(), maxClockSkewMs: this.#options.maxClockSkewMs };
    return [200, reply];
  }

  #poll(index: number, after: number, res: ServerResponse): void {
    if (this.#orders.length > after) return this.#reply(index, after, res);
    this.#waiters.get(index)?.res.end();
    const timer = setTimeout(() => {
      this.#waiters.delete(index);
      this.#reply(index, after, res);
    }, ORDERS_HOLD_MS);
    this.#waiters.set(index, { after, res, timer });
    res.on('close', () => {
      const w = this.#waiters.get(index);
      if (w?.res === res) {
        clearTimeout(w.timer);
        this.#waiters.delete(index);
      }
    });
  }

  #reply(index: number, after: number, res: ServerResponse): void {
    const orders = this.#orders.slice(Math.max(0, after));
    if (orders.some((o) => o.type === 'finish')) this.#finished.add(index);
    const s = this.#shards.get(index);
    if (s && !s.lost) s.lastSeenMs = performance.now();
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ orders, nowMs: this.#now() }));
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

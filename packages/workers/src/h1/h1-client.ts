import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { connectOptionsOf } from '../connector.js';
import type { RequestHandler } from '../request-handler.js';
import { type ConnectionOwner, H1Connection, type H1Request } from './h1-connection.js';
import type { RequestBytes } from './request-bytes.js';
import { objectArray } from '../hot-arrays.js';

export interface H1ClientOptions {
  readonly origin: string;
  /** Most connections open at once. */
  readonly connections: number;
  /** Most requests in flight on one connection (1: no pipelining). */
  readonly pipelining: number;
  /** Opens a connection (the WarmConnector's: warm sockets first, then new ones). */
  readonly connect: (options: buildConnector.Options, callback: buildConnector.Callback) => void;
  /** The connector opens its sockets with `h1ReadOptions()`: reads come to the connection, not as 'data'. */
  readonly onread: boolean;
}

/**
 * The hot path's client for one origin: up to `connections` HTTP/1.1 connections, each carrying up
 * to `pipelining` requests at a time, opened on demand (the warm ones first). A request goes out at
 * once on a connection with room, else on a new connection when the limit allows, else waits in
 * order for the first connection to have room: time spent waiting is the target's doing and shows
 * in corrected latency (its `written` time is when it leaves). A request whose connection cannot be
 * opened fails with the connect error, as undici fails it.
 */
export class H1Client implements ConnectionOwner {
  readonly #options: H1ClientOptions;
  readonly #connectOptions: buildConnector.Options;
  /** Connections with room for another request (most recently freed last: hot connections first). */
  readonly #free = objectArray<H1Connection>();
  readonly #waiting = objectArray<H1Request>();
  #waitingHead = 0;
  /** Connections open or opening. */
  #count = 0;
  #destroyed = false;
  readonly #all = new Set<H1Connection>();

  constructor(options: H1ClientOptions) {
    this.#options = options;
    this.#connectOptions = connectOptionsOf(options.origin);
  }

  dispatch(request: RequestBytes, handler: RequestHandler): void {
    const req: H1Request = { request, handler };
    const free = this.#takeFree();
    if (free) return this.#write(free, req);
    if (this.#count < this.#options.connections) return this.#open([req]);
    this.#waiting.push(req);
  }

  /** Closes every connection; requests still on them were settled by the send loop already. */
  destroy(): Promise<void> {
    this.#destroyed = true;
    for (const c of [...this.#all]) c.destroy(new Error('the run is over'));
    this.#waiting.length = 0;
    this.#free.length = 0;
    return Promise.resolve();
  }

  available(connection: H1Connection): void {
    const next = this.#nextWaiting();
    if (next) this.#write(connection, next);
    else this.#list(connection);
  }

  gone(connection: H1Connection): void {
    this.#all.delete(connection);
    this.#count--;
    if (connection.listed) {
      connection.listed = false;
      this.#free.splice(this.#free.indexOf(connection), 1);
    }
    // Requests that were waiting for room get a connection of their own instead.
    if (!this.#destroyed && this.#waitingHead < this.#waiting.length) this.#open([]);
  }

  #write(connection: H1Connection, req: H1Request): void {
    connection.write(req);
    this.#list(connection);
  }

  /**
   * Lists a connection with room, once: a response that ends on a connection already listed (with
   * pipelining, one that still had room) must not list it twice, or a later request would find it
   * twice and write past the pipelining limit.
   */
  #list(connection: H1Connection): void {
    if (connection.listed || !connection.usable || connection.inFlight >= this.#options.pipelining) return;
    connection.listed = true;
    this.#free.push(connection);
  }

  #takeFree(): H1Connection | undefined {
    for (;;) {
      const c = this.#free.pop();
      if (!c) return undefined;
      c.listed = false;
      if (c.usable && c.inFlight < this.#options.pipelining) return c;
    }
  }

  /** The oldest waiting request not yet settled (one that timed out while waiting is dropped here). */
  #nextWaiting(): H1Request | undefined {
    const w = this.#waiting;
    while (this.#waitingHead < w.length) {
      const req = w[this.#waitingHead]!;
      w[this.#waitingHead++] = undefined as unknown as H1Request;
      if (this.#waitingHead === w.length) {
        w.length = 0;
        this.#waitingHead = 0;
      }
      if (!req.handler.settled) return req;
    }
    return undefined;
  }

  /** Opens a connection for `first` (requests that wait for it); waiting requests follow when it is up. */
  #open(first: H1Request[]): void {
    this.#count++;
    this.#options.connect(this.#connectOptions, (error, socket) => {
      if (this.#destroyed) {
        socket?.destroy();
        return;
      }
      if (error || !socket) {
        this.#count--;
        for (const req of first) if (!req.handler.settled) req.handler.onError(error ?? new Error('connect failed'));
        // The next waiting request tries a connection of its own (and fails the same way if the target is down).
        const next = this.#nextWaiting();
        if (next) this.#open([next]);
        return;
      }
      const connection = new H1Connection(socket as Socket, this, this.#options.onread);
      this.#all.add(connection);
      let pending = first.filter((r) => !r.handler.settled);
      for (;;) {
        for (const req of pending) {
          if (!connection.usable) {
            // It closed at once: the rest wait for the next connection.
            this.#waiting.splice(this.#waitingHead, 0, req);
            continue;
          }
          connection.write(req);
        }
        pending = [];
        if (!connection.usable || connection.inFlight >= this.#options.pipelining) break;
        const next = this.#nextWaiting();
        if (!next) break;
        pending.push(next);
      }
      this.#list(connection);
    });
  }
}

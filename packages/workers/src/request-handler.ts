import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { type BodyReadBudget, LARGE_CHUNK_BYTES } from './body-budget.js';
import { RequestTimeoutError } from './classify-error.js';
import type { PreparedRequest } from './request-source.js';

/**
 * One request in flight, as its own undici dispatch handler, so a request costs one small object.
 * It uses undici's classic handler callbacks (onConnect/onHeaders/onData/onComplete/onError):
 * undici passes those straight through, while the newer controller API is wrapped and parses
 * every response's headers into an object — work the hot path does not need. Subclasses say
 * where its outcome goes (a plain request's, or a journey step's); the timeout sweep and the
 * drain see every one alike through `onError` and `abandon`.
 */
export abstract class RequestHandler implements Dispatcher.DispatchHandler {
  /** Intended (or, for a journey's later step, due) and actual dispatch times, in performance.now(). */
  readonly intended: number;
  readonly dispatched: number;
  readonly prepared: PreparedRequest;
  /** When the request went onto a socket (0 until then). */
  written = 0;
  status = 0;
  settled = false;
  abort: ((err?: Error) => void) | null = null;
  /** undici's resume callback (from onHeaders): a body read paused by the budget goes on with it. */
  resume: (() => void) | null = null;
  readonly #timeoutMs: number;
  readonly #bodyBudget: BodyReadBudget;

  constructor(timeoutMs: number, bodyBudget: BodyReadBudget, intended: number, dispatched: number, prepared: PreparedRequest) {
    this.#timeoutMs = timeoutMs;
    this.#bodyBudget = bodyBudget;
    this.intended = intended;
    this.dispatched = dispatched;
    this.prepared = prepared;
  }

  onConnect(abort: (err?: Error) => void): void {
    // Already timed out while queued for a connection: never put it on the wire.
    if (this.settled) return abort(new RequestTimeoutError(this.#timeoutMs));
    this.abort = abort;
    this.written = performance.now();
  }

  onHeaders(statusCode: number, _headers: Buffer[] | string[] | null, resume: () => void): boolean {
    this.status = statusCode;
    this.resume = resume;
    return true;
  }

  /**
   * Bodies are drained and counted by the socket, never buffered (unless a subclass needs them);
   * a big one yields to the schedule (see BodyReadBudget): false pauses this response's reading.
   */
  onData(chunk: Buffer): boolean {
    return chunk.length < LARGE_CHUNK_BYTES || this.#bodyBudget.take(this, chunk.length);
  }

  /** From `dispatched` (or the socket write) to `end`: the service time. */
  serviceMs(end: number): number {
    return end - (this.written || this.dispatched);
  }

  abstract onComplete(): void;
  abstract onError(err: Error): void;
  /** The drain is over and it is still in flight: counted, measured up to `now`, never waited on. */
  abstract abandon(now: number): void;
}

/**
 * Every message that crosses between the main thread and a worker thread, in one file.
 * Intervals travel as encoded histograms, one message per worker per interval — never one
 * message per request.
 */
import type { MessagePort } from 'node:worker_threads';
import type { IntervalReport, RequestMix, SerializedCurve, SerializedError, StatusExpectation, TlsOptions } from '@overload/core/internal';

/** The piscina task: one per worker thread for the whole run. */
export interface WorkerTask {
  readonly workerIndex: number;
  readonly workerCount: number;
  /**
   * The global arrival indexes this worker fires: start, start + stride, … (worker i of N on one
   * machine: i and N; inside shard s of S: s + S·i and S·N, see ShardSpec).
   */
  readonly slice: { readonly start: number; readonly stride: number };
  readonly curve: SerializedCurve;
  readonly arrivals: 'uniform' | 'poisson';
  readonly seed: number;
  /** Global arrival indexes ≥ this are never sent (the request cap, exact across workers). */
  readonly maxRequests: number | undefined;
  /**
   * With journeys (a variable number of requests per arrival) the request cap is a counter shared
   * by every worker instead: Int32 [requests taken], never more than `limit`.
   */
  readonly requestCap?: { readonly buffer: SharedArrayBuffer; readonly limit: number };
  readonly origin: string;
  /** The main thread's loopback server for the JIT warm-up (warm-server.ts): never the target. */
  readonly warmOrigin: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly connections: number;
  /** Requests per connection at once (HTTP/1.1 pipelining; 1 = none). */
  readonly pipelining: number;
  /** Connections this worker opens before t0 (see WarmConnector). */
  readonly warmConnections: number;
  /** This worker's share of the in-flight cap. */
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly drainMs: number;
  readonly lateDropMs: number;
  readonly expectStatus: readonly StatusExpectation[];
  /** A weighted request mix; when absent every request is method + path + headers + body above. */
  readonly requests: RequestMix | undefined;
  /** Budget limits by name and the shared counters every worker charges (see BudgetLedger). */
  readonly budgets: Readonly<Record<string, number>>;
  readonly budgetBuffer: SharedArrayBuffer;
  /** TLS settings of the target's connections (PEM text). */
  readonly tls: TlsOptions | undefined;
  /** Offer HTTP/2 through ALPN. */
  readonly http2: boolean;
  /** 'auto': plain HTTP/1.1 requests take the hot path (h1/), the rest undici; 'undici': undici for all. */
  readonly client: 'auto' | 'undici';
  readonly port: MessagePort;
}

export type ToWorker =
  /** Start firing: t0 is an absolute epoch time in ms, shared by all workers. */
  | { readonly type: 'start'; readonly t0EpochMs: number }
  /** Stop sending now; drain in-flight for drainMs (0 with `immediate`). */
  | { readonly type: 'stop'; readonly immediate: boolean };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'interval'; readonly report: IntervalReport }
  /** An interval of the worker's JIT warm-up (before t0, against its own server): never part of the run. */
  | { readonly type: 'warm-interval'; readonly report: IntervalReport }
  /** A request's worst-case side effects no longer fit a budget: the worker stopped sending. */
  | { readonly type: 'budget-exhausted'; readonly budget: string }
  /** --max-requests was reached (journeys: the shared request counter): the worker stopped sending. */
  | { readonly type: 'request-cap' }
  /** The last message of a worker: everything it measured has been reported. */
  | { readonly type: 'done'; readonly abandoned: number };

export interface WorkerOutcome {
  readonly workerIndex: number;
  readonly sent: number;
  readonly abandoned: number;
  readonly error?: SerializedError;
}

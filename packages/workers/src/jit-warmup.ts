import { MessageChannel } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { clientUsed, compileProfile } from '@overload/core/internal';
import { Firing } from './firing.js';
import type { FromWorker, WorkerTask } from './messages.js';

/**
 * Rate of the warm-up's main pass: one that the worker and the warm-up's server (on the main
 * thread) can carry together on one core, so that responses come back as the run's do, one read
 * each. At 20,000 req/s, pinned to one core before a run at 14,000 req/s, 24,000–26,000 of its
 * 28,000 requests were still unanswered when the pass ended: the response path (onStreamRead, the
 * parser's callbacks, the handlers) was barely warmed, and the run compiled it in its first second
 * (13–18 compiles there). At 8,000 req/s, 0–3,200 of 14,000 were left, and 4–7 compiles.
 */
const WARMUP_RPS = 8_000;
const MIN_REQUESTS = 500;
/** The first pass (see warmJit): too few requests for V8 to optimise anything. */
const PROLOGUE_REQUESTS = 200;
/**
 * The first pass's rate: slow enough that every response is back before the next request, so
 * requests find idle connections, however busy the main pass gets. With the main pass at 20,000
 * req/s, backlogged all along, and without this pass, the code that takes an idle connection
 * (H1Client's #takeFree) had no type feedback when the send loop was optimised, and the run threw
 * #fire and #send away at its first idle connection (trace-deopt-verbose, the run's first second).
 */
const PROLOGUE_RPS = 2_000;
/**
 * The warm-up sends this many seconds of the run's first-second rate (within the bounds). Pinned
 * at 14,000 req/s, a warm-up of 4,000 requests left 50–60 optimising compiles (250–400 ms of the
 * core) to the run's first second; 28,000 and more left about 30 (docs/benchmarks.md). Those were
 * sent at 20,000 req/s, mostly unanswered; at WARMUP_RPS one second's worth, answered, leaves fewer.
 */
const RUN_SECONDS = 1;
/** At WARMUP_RPS, the main pass takes 2.5 s at most. */
const MAX_REQUESTS = 20_000;
/** The warm-up's connections: the run's, up to this many (they go to the main thread's server). */
const MAX_CONNECTIONS = 256;
/**
 * The warm-up reports its intervals this often (the run: every second), so that the code that
 * encodes them here and merges them on the main thread (WarmAggregation) is optimised before t0.
 * Not more often: the merges share the main thread with the warm-up's server (at 20 ms, the
 * server answered a quarter as many requests as at 100 ms).
 */
const WARMUP_INTERVAL_MS = 100;
/** A count the warm-up never reaches, where the run has a request cap. */
const NO_LIMIT = 1_000_000_000;

/**
 * Warms this thread's JIT before t0, against the main thread's loopback server (warm-server.ts) —
 * never the target.
 *
 * A worker thread starts with cold code: undici, the parser callbacks and the send loop run
 * interpreted for their first few thousand requests, several times slower than once optimised.
 * Measured pinned to one core at 40,000 req/s, that cold start built a backlog of 11,000
 * requests in the first second, took three seconds to drain, and held the first second's lag
 * p99 above 10 ms even at 5,000 req/s. wrk2 spends a calibration period on this; we spend it
 * before t0 instead, so that the schedule starts with optimised code and the target sees nothing
 * (no request, no side effect, nothing against the request cap).
 *
 * The warm-up runs the very classes the run uses (Firing, its request source, the interval
 * buckets, the hot path or undici's Pool) on a copy of the task whose origin is that server, with
 * no budgets. Its connections live as the run's do: opened before its first request
 * (`Firing.warm`), as many as the run has. Its interval reports go to the main thread as
 * `warm-interval` (merged there and thrown away); nothing else of it is kept. The run's own
 * Firing must be made after this returns (see fireSlice).
 */
export async function warmJit(task: WorkerTask, firstSecondRps: number, post: (m: FromWorker) => void): Promise<void> {
  // A first, short pass that ends as a run ends (stop, drain, connections destroyed) before
  // anything is optimised. V8 tracks a field written only once as constant, and the code it
  // optimises relies on that; the first write at a run's end (#stopping, #drainDeadline, a
  // connection's #gone, Node's socket fields) makes the field mutable and throws that code away.
  // Measured with --trace-generalization: the warm-up's end did so to #send, #fire, #sendDue,
  // #settle, the parser's BODY_SIZED and Node's writeOrBuffer/writeGeneric, which were then
  // compiled again in the run's first second.
  await warmPass(task, PROLOGUE_REQUESTS, PROLOGUE_RPS, () => {});
  const requests = Math.round(Math.min(MAX_REQUESTS, Math.max(MIN_REQUESTS, firstSecondRps * RUN_SECONDS)));
  await warmPass(task, requests, WARMUP_RPS, post);
}

/** One warm-up schedule of `requests` requests at `rateRps` against the warm-up's server. */
async function warmPass(task: WorkerTask, requests: number, rateRps: number, post: (m: FromWorker) => void): Promise<void> {
  const durationMs = (1000 * requests) / rateRps;
  // The run's own task with the same keys in the same order and values of the same kinds, cloned
  // as the run's arrives from the main thread: its objects get the same hidden classes, so code
  // optimised here is not thrown away ("wrong map") at the run's first requests. Measured: a copy
  // without the task's port and request-cap keys deoptimised the send loop (#fire, #send) at t0.
  const { port1, port2 } = new MessageChannel();
  const own: WorkerTask = {
    ...task,
    ...(task.requestCap ? { requestCap: { buffer: new SharedArrayBuffer(4), limit: NO_LIMIT } } : {}),
    origin: task.warmOrigin,
    curve: compileProfile({ kind: 'constant', rateRps, durationMs }).toJSON(),
    arrivals: 'uniform',
    maxRequests: task.maxRequests === undefined ? undefined : NO_LIMIT,
    workerIndex: 0,
    workerCount: 1,
    slice: { start: 0, stride: 1 },
    connections: Math.min(task.connections, MAX_CONNECTIONS),
    pipelining: 1,
    warmConnections: Math.min(task.warmConnections, MAX_CONNECTIONS),
    maxInFlight: 1_000_000,
    drainMs: 500,
    intervalMs: WARMUP_INTERVAL_MS,
    budgets: {},
    budgetBuffer: new SharedArrayBuffer(8),
    tls: undefined,
    http2: false,
    // The run's client, by the one rule (HTTP/2 is off here, so the rule is applied to the run's task).
    client: clientUsed(task) === 'hot-path' ? 'auto' : 'undici',
    port: port2,
  };
  try {
    const firing = new Firing(structuredClone(own, { transfer: [port2] }), (m) => {
      if (m.type === 'interval') post({ type: 'warm-interval', report: m.report });
    });
    await firing.warm();
    firing.start(performance.timeOrigin + performance.now());
    // Journeys would go on polling and thinking against a server that answers "ok" to everything:
    // once the schedule is over, stop and abandon whatever is left.
    const stop = setTimeout(() => firing.stop(true), durationMs + 50);
    await firing.done;
    clearTimeout(stop);
  } finally {
    port1.close();
  }
}

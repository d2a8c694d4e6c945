import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  BudgetLedger,
  buildRunResult,
  type ErrorClass,
  ErrorBurstDetector,
  IntervalAggregator,
  type IntervalStats,
  formatStartAt,
  resolveRunConfig,
  type RunConfig,
  ShardStartError,
  shareOf,
  sliceOf,
  START_MARGIN_MS,
  type RunOptions,
  type RunResult,
  type RunStop,
  type SerializedError,
  type StopReason,
  WorkerCrashError,
} from '@overload/core/internal';
import { Piscina } from 'piscina';
import type { FromWorker, ToWorker, WorkerOutcome, WorkerTask } from './messages.js';
import { stopOfSignal } from './stop-signal.js';
import { WarmAggregation } from './warm-aggregation.js';
import { WarmServer } from './warm-server.js';

export interface RunHooks {
  /** Cancels the run: sending stops, in-flight requests drain, and the result so far is returned. */
  readonly signal?: AbortSignal;
  /** Called with each interval once every worker has reported it (in order). */
  readonly onInterval?: (interval: IntervalStats, run: RunHandle) => void;
  /** The wall clock `startAtEpochMs` is read against (default Date.now). */
  readonly wallClockMs?: () => number;
  /**
   * Called once every worker is ready; resolves with the start time (epoch ms) shared with other
   * machines — a coordinator's answer once all of its shards are ready. Replaces startAtEpochMs.
   */
  readonly awaitStart?: () => Promise<number>;
}

export type RunRequest = RunOptions & RunHooks;

export interface RunHandle {
  readonly config: RunConfig;
  /** Milliseconds since t0 (0 before the workers start). */
  elapsedMs(): number;
  /** Resolves with the main thread's performance.now() at t0 once the workers start firing. */
  readonly started: Promise<number>;
  /** Stops the run with a reason; `immediate` abandons in-flight requests instead of draining them. */
  stop(reason: StopReason, detail?: string, options?: { immediate?: boolean }): void;
  /**
   * How and when sending stopped, whoever stopped it (the judge, a guardrail of the run, a kill
   * switch, a crash): resolved by the first stop, or with `completed` when the schedule ran out.
   * The judge reads it so that nothing after an outside stop is held against the target.
   */
  readonly stopped: Promise<RunStop>;
  readonly result: Promise<RunResult>;
}

/** Starts each phase's run: `startRun` on this machine, or a coordinator's runner across shards. */
export type RunStarter = (config: RunConfig, hooks?: RunHooks) => RunHandle;

/** Worker threads by default: one core is left for the main thread (aggregation, probes, output). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

const TASK_URL = new URL('./task.js', import.meta.url).href;

/** Validates options and fills in every default, for this machine (see resolveRunConfig). */
export function runConfig(options: RunOptions): RunConfig {
  return resolveRunConfig(options, { defaultWorkers: defaultWorkers() });
}

/**
 * Runs a load test to the end (or until aborted) and returns its result. Validation errors throw
 * before any thread starts or any request is sent.
 */
export function run(request: RunRequest): Promise<RunResult> {
  const { signal, onInterval, wallClockMs, awaitStart, ...options } = request;
  const hooks: RunHooks = {
    ...(signal ? { signal } : {}),
    ...(onInterval ? { onInterval } : {}),
    ...(wallClockMs ? { wallClockMs } : {}),
    ...(awaitStart ? { awaitStart } : {}),
  };
  return startRun(runConfig(options), hooks).result;
}

/** Starts a run of a resolved config and returns a handle at once. */
export function startRun(config: RunConfig, hooks: RunHooks = {}): RunHandle {
  const request = hooks;
  const ports: MessagePort[] = [];
  let stopReason: StopReason = 'completed';
  let stopDetail: string | undefined;
  let stopped = false;
  let t0Perf = 0;
  let started = false;

  const send = (m: ToWorker) => {
    for (const p of ports) p.postMessage(m);
  };

  let resolveStopped!: (stop: RunStop) => void;
  const stoppedPromise = new Promise<RunStop>((r) => (resolveStopped = r));
  let resolveStarted!: (t0: number) => void;
  const startedPromise = new Promise<number>((r) => (resolveStarted = r));
  const handle: RunHandle = {
    config,
    started: startedPromise,
    elapsedMs: () => (started ? performance.now() - t0Perf : 0),
    stop(reason, detail, options) {
      if (!stopped) {
        stopped = true;
        stopReason = reason;
        stopDetail = detail;
        resolveStopped({ reason, ...(detail ? { detail } : {}), atMs: handle.elapsedMs() });
      }
      send({ type: 'stop', immediate: options?.immediate ?? false });
    },
    stopped: stoppedPromise,
    result: undefined as unknown as Promise<RunResult>,
  };

  const ledger = new BudgetLedger(config.budgets, config.budgetBuffer);
  const errorExamples: Partial<Record<ErrorClass, string>> = {};
  // The whole process's resident memory, sampled as intervals arrive: with the workers' own
  // heap figures it shows that nothing a target sends (a 1 GB body, a trickle) is buffered.
  const rss = { startBytes: process.memoryUsage.rss(), maxBytes: 0 };
  // Journeys send a variable number of requests per arrival: the cap is a shared counter then.
  // A shard's counter holds its share of the cap (shareOf), so the shards' requests add up to it.
  const requestCap =
    config.maxRequests !== undefined && (config.requests?.journeys?.length ?? 0) > 0
      ? { buffer: new SharedArrayBuffer(4), limit: config.shard ? shareOf(config.maxRequests, config.shard) : config.maxRequests }
      : undefined;
  const burst = config.errorBurst === false ? undefined : new ErrorBurstDetector(config.errorBurst);
  // With journeys an arrival is a journey: achieved counts journeys that ended ok.
  const aggregator = new IntervalAggregator(
    config.workers,
    config.intervalMs,
    (i) => {
      rss.maxBytes = Math.max(rss.maxBytes, process.memoryUsage.rss());
      const burstDetail = burst?.push(i);
      // In the drain, after the last scheduled arrival, there is nothing left to stop sending: a
      // burst of timeouts there is measured (and judged), but it does not turn a complete run partial.
      if (burstDetail && !stopped && i.startMs < config.curve.durationMs) handle.stop('error-burst', burstDetail);
      request.onInterval?.(i, handle);
    },
    config.arrivalNames,
  );
  const warmAggregation = new WarmAggregation(config.intervalMs, config.arrivalNames);
  let maxDurationTimer: NodeJS.Timeout | undefined;

  const onAbort = () => {
    const stop = stopOfSignal(request.signal);
    handle.stop(stop.reason, stop.detail);
  };
  (handle as { result: Promise<RunResult> }).result = (async () => {
    const startedAt = new Date();
    const warmServer = await WarmServer.start();
    const pool = new Piscina({
      filename: TASK_URL,
      minThreads: config.workers,
      maxThreads: config.workers,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
      idleTimeout: 1000,
    });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const workerErrors: SerializedError[] = [];
    let crashedAfterStart = false;
    try {
      let ready = 0;
      let allReady!: () => void;
      const readyPromise = new Promise<void>((r) => (allReady = r));
      const doneWorkers: Promise<void>[] = [];
      const tasks = Array.from({ length: config.workers }, (_, w) => {
        const { port1, port2 } = new MessageChannel();
        ports.push(port1);
        doneWorkers.push(
          new Promise<void>((resolve) => {
            port1.on('message', (m: FromWorker) => {
              if (m.type === 'ready' && ++ready === config.workers) allReady();
              else if (m.type === 'warm-interval') warmAggregation.add(w, m.report);
              else if (m.type === 'interval') {
                for (const [c, message] of Object.entries(m.report.errorExamples ?? {})) errorExamples[c as ErrorClass] ??= message;
                aggregator.add(w, m.report);
              } else if (m.type === 'request-cap') handle.stop('max-requests', `--max-requests ${config.maxRequests} reached`);
              else if (m.type === 'budget-exhausted') {
                const limit = config.budgets[m.budget];
                handle.stop('budget', `the ${m.budget} budget (${limit}) would be exceeded by the next request`);
              } else if (m.type === 'done') {
                aggregator.finish(w);
                port1.close();
                resolve();
              }
            });
            port1.on('close', () => resolve());
          }),
        );
        const task: WorkerTask = taskFor(config, w, port2, ledger.buffer, requestCap, warmServer.origin);
        return pool.run(task, { transferList: [port2] }).then(
          (outcome: WorkerOutcome) => {
            if (outcome.error) workerErrors.push(outcome.error);
            return outcome;
          },
          (error: unknown) => {
            if (started) crashedAfterStart = true;
            workerErrors.push({ code: 'OVL_WORKER_CRASHED', message: `worker ${w} crashed: ${(error as Error).message}` });
            aggregator.finish(w);
            ports[w]?.close();
            handle.stop('worker-crash', `worker ${w} crashed: ${(error as Error).message}`);
            return undefined;
          },
        );
      });
      await Promise.race([readyPromise, Promise.all(tasks)]);
      warmServer.close();
      let startAtEpochMs = config.startAtEpochMs;
      if (request.awaitStart && !stopped) startAtEpochMs = await Promise.race([request.awaitStart(), stoppedPromise.then(() => undefined)]);
      // Start a little in the future so every worker receives t0 before its first arrival is due;
      // a shard starts at the shared start time instead, or refuses when it is too late for it.
      const waitMs = startAtEpochMs === undefined || stopped ? START_MARGIN_MS : startAtEpochMs - (request.wallClockMs ?? Date.now)();
      if (waitMs < START_MARGIN_MS) {
        send({ type: 'stop', immediate: true });
        await Promise.all(tasks);
        throw notReadyError(startAtEpochMs!, waitMs);
      }
      t0Perf = performance.now() + waitMs;
      const t0Epoch = performance.timeOrigin + t0Perf;
      started = true;
      // Threads, their JIT warm-up and the warm connections are in place: growth from here is the run's.
      rss.startBytes = process.memoryUsage.rss();
      warmAggregation.clear();
      resolveStarted(t0Perf);
      if (config.maxDurationMs !== undefined) {
        maxDurationTimer = setTimeout(
          () => handle.stop('max-duration', `--max-duration ${config.maxDurationMs} ms reached`),
          waitMs + config.maxDurationMs,
        );
      }
      if (!stopped) send({ type: 'start', t0EpochMs: t0Epoch });
      else send({ type: 'stop', immediate: true });
      await Promise.all(tasks);
      await Promise.all(doneWorkers);
      aggregator.flush();
      // Every worker failed before t0: nothing was sent, so there is no result to keep. A crash
      // after t0 keeps what was measured, in a result marked partial (stopReason worker-crash).
      if (workerErrors.length === config.workers && aggregator.intervals.length === 0 && !crashedAfterStart) {
        throw new WorkerCrashError(`every worker failed: ${workerErrors.map((e) => e.message).join('; ')}`);
      }
      return buildRunResult({
        config: { ...config, startAtEpochMs },
        startedAt,
        durationMs: started ? performance.now() - t0Perf : 0,
        stopReason,
        ...(stopDetail ? { stopDetail } : {}),
        aggregator,
        workerErrors,
        budgets: { limits: config.budgets, used: ledger.used() },
        errorExamples,
        rss,
      });
    } finally {
      warmServer.close();
      clearTimeout(maxDurationTimer);
      request.signal?.removeEventListener('abort', onAbort);
      for (const p of ports) p.close();
      await pool.destroy();
      if (!stopped) {
        stopped = true;
        resolveStopped({ reason: 'completed', atMs: handle.elapsedMs() });
      }
    }
  })();
  if (request.signal?.aborted) onAbort();
  return handle;
}

function notReadyError(startAtEpochMs: number, waitMs: number): ShardStartError {
  const late = START_MARGIN_MS - waitMs;
  return new ShardStartError(
    `not ready by the start time: the workers were ready ${Math.round(late)} ms too late for ${formatStartAt(startAtEpochMs)} ` +
      `(they need it ${START_MARGIN_MS} ms ahead); nothing was sent. Give every shard the same, later --start-at`,
  );
}

function taskFor(
  config: RunConfig,
  w: number,
  port: MessagePort,
  budgetBuffer: SharedArrayBuffer,
  requestCap: WorkerTask['requestCap'],
  warmOrigin: string,
): WorkerTask {
  return {
    ...(requestCap ? { requestCap } : {}),
    workerIndex: w,
    workerCount: config.workers,
    slice: sliceOf(config.shard, config.workers, w),
    curve: config.curve.toJSON(),
    arrivals: config.arrivals,
    seed: config.seed,
    maxRequests: config.maxRequests,
    origin: config.origin,
    warmOrigin,
    path: config.path,
    method: config.method,
    headers: config.headers,
    body: config.body,
    connections: config.connections,
    pipelining: config.pipelining,
    warmConnections: config.warmConnections,
    maxInFlight: Math.max(1, Math.ceil(config.maxInFlight / config.workers)),
    timeoutMs: config.timeoutMs,
    intervalMs: config.intervalMs,
    drainMs: config.drainMs,
    lateDropMs: config.lateDropMs,
    expectStatus: config.expectStatus,
    requests: config.requests,
    budgets: config.budgets,
    budgetBuffer,
    tls: config.tls,
    http2: config.http2,
    client: config.client,
    port,
  };
}

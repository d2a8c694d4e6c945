import {
  asReport,
  buildRunResult,
  ErrorBurstDetector,
  IntervalAggregator,
  type IntervalStats,
  type RunConfig,
  type RunResult,
  type RunStop,
  type SerializedError,
  type StopReason,
} from '@overload/core/internal';
import { type RunHandle, type RunHooks, stopOfSignal } from '@overload/workers';
import type { Coordinator } from './coordinator.js';
import { GO_LEAD_MS, READY_TIMEOUT_MS, type DoneMessage } from './protocol.js';

/** Stop reasons a shard reports that mean it failed, not that it was told to stop. */
const SHARD_FAILURES: ReadonlySet<StopReason> = new Set<StopReason>(['worker-crash', 'coordinator-lost']);

/**
 * A run spread over every shard of a coordinator, behind the same RunHandle a run on one machine
 * has, so that `ramp()` (and its RampJudge, recovery check and guardrails) drive it unchanged.
 *
 * The same handshake as worker threads, one level up: every shard builds the phase's run and says
 * when its workers are ready; the coordinator then sets one T0 (GO_LEAD_MS ahead) for all. Each
 * shard pushes its merged intervals as they end; an IntervalAggregator with one slot per shard
 * emits interval k once every live shard has reported it, so the judge always sees all the load.
 *
 * A lost shard (crashed, silent, failed) stops every other shard; the phase's result then says
 * `shard-lost` even if something else stopped it first, and no interval after the loss reaches
 * the judge: it would describe part of the load as if it were all of it.
 */
export function startRemoteRun(coordinator: Coordinator, config: RunConfig, request: RunHooks, phaseId: number): RunHandle {
  const shards = coordinator.liveShards();
  const count = coordinator.count;
  let stopped: { reason: StopReason; detail?: string } | undefined;
  let lost: string | undefined;
  let t0Perf = 0;
  let started = false;
  const ready = new Set<number>();
  const done = new Map<number, DoneMessage>();
  const workerErrors: SerializedError[] = [];
  const burst = config.errorBurst === false ? undefined : new ErrorBurstDetector(config.errorBurst);
  let resolveStarted!: (t0: number) => void;
  const startedPromise = new Promise<number>((r) => (resolveStarted = r));
  let resolveStopped!: (stop: RunStop) => void;
  const stoppedPromise = new Promise<RunStop>((r) => (resolveStopped = r));
  let resolveAllDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveAllDone = r));
  // One aggregator slot per shard index; shards that are not live are finished from the start.
  const aggregator = new IntervalAggregator(
    count,
    config.intervalMs,
    (i: IntervalStats) => {
      if (lost) return;
      const burstDetail = burst?.push(i);
      if (burstDetail && !stopped) handle.stop('error-burst', burstDetail);
      request.onInterval?.(i, handle);
    },
    config.arrivalNames,
  );
  for (let i = 0; i < count; i++) if (!shards.includes(i)) aggregator.finish(i);

  const handle: RunHandle = {
    config,
    started: startedPromise,
    elapsedMs: () => (started ? performance.now() - t0Perf : 0),
    stop(reason, detail, options) {
      if (!stopped) {
        stopped = { reason, ...(detail ? { detail } : {}) };
        resolveStopped({ ...stopped, atMs: handle.elapsedMs() });
      }
      coordinator.order({
        type: 'stop',
        phaseId,
        reason: stopped.reason,
        detail: stopped.detail ?? stopped.reason,
        immediate: options?.immediate ?? false,
      });
    },
    stopped: stoppedPromise,
    result: undefined as unknown as Promise<RunResult>,
  };

  const gone = new Set<number>();
  const settleIfDone = () => {
    if (shards.every((i) => done.has(i) || gone.has(i))) resolveAllDone();
  };
  const loseShard = (index: number, why: string) => {
    // A shard that already reported the phase's end (and then exited, after a signal) lost nothing of it.
    if (!shards.includes(index) || gone.has(index) || done.has(index)) return;
    gone.add(index);
    lost ??= why;
    workerErrors.push({ code: 'OVL_SHARD_LOST', message: why });
    aggregator.finish(index);
    handle.stop('shard-lost', why);
    settleIfDone();
  };
  if (shards.length < count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !shards.includes(i));
    lost = `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'was' : 'were'} lost before this phase`;
    stopped = { reason: 'shard-lost', detail: lost };
    resolveStopped({ ...stopped, atMs: 0 });
  }
  let readyTimer: NodeJS.Timeout | undefined;
  coordinator.listen({
    ready(index) {
      ready.add(index);
      if (!started && !stopped && shards.every((i) => ready.has(i))) {
        clearTimeout(readyTimer);
        const startAtEpochMs = Date.now() + GO_LEAD_MS;
        t0Perf = performance.now() + GO_LEAD_MS;
        started = true;
        resolveStarted(t0Perf);
        coordinator.order({ type: 'go', phaseId, startAtEpochMs });
      }
    },
    intervals(index, m) {
      if (m.phaseId !== phaseId) return;
      for (const i of m.intervals) aggregator.add(index, asReport(i));
    },
    done(index, m) {
      if (m.phaseId !== phaseId || done.has(index) || gone.has(index)) return;
      for (const e of m.workerErrors) workerErrors.push({ ...e, message: `shard ${index}: ${e.message}` });
      const failed = m.error !== undefined || SHARD_FAILURES.has(m.stopReason);
      if (failed) return loseShard(index, `shard ${index} failed: ${m.error?.message ?? m.stopDetail ?? m.stopReason}`);
      done.set(index, m);
      aggregator.finish(index);
      // A guardrail on one shard (its budget share, its kill file, a signal) stops them all.
      if (m.stopReason !== 'completed' && !stopped) handle.stop(m.stopReason, `shard ${index}: ${m.stopDetail ?? m.stopReason}`);
      settleIfDone();
    },
    lost: loseShard,
  });
  readyTimer = setTimeout(() => {
    for (const i of shards) if (!ready.has(i)) loseShard(i, `shard ${i} did not get its workers ready within ${READY_TIMEOUT_MS / 1000} s`);
  }, READY_TIMEOUT_MS);

  let maxDurationTimer: NodeJS.Timeout | undefined;
  (handle as { result: Promise<RunResult> }).result = (async () => {
    const startedAt = new Date();
    if (shards.length < count) {
      coordinator.listen(undefined);
      clearTimeout(readyTimer);
      return buildRunResult({
        config,
        startedAt,
        durationMs: 0,
        stopReason: 'shard-lost',
        stopDetail: lost!,
        aggregator,
        workerErrors: [{ code: 'OVL_SHARD_LOST', message: lost! }],
        budgets: { limits: config.budgets, used: {} },
      });
    }
    coordinator.order({
      type: 'phase',
      phaseId,
      profile: config.profile,
      ...(config.maxRequests !== undefined ? { maxRequests: config.maxRequests } : {}),
      ...(config.errorBurst === false ? { errorBurst: false as const } : {}),
    });
    void startedPromise.then(() => {
      if (config.maxDurationMs !== undefined) {
        maxDurationTimer = setTimeout(
          () => handle.stop('max-duration', `--max-duration ${config.maxDurationMs} ms reached`),
          GO_LEAD_MS + config.maxDurationMs,
        );
      }
    });
    const onAbort = () => {
      const s = stopOfSignal(request.signal);
      handle.stop(s.reason, s.detail ?? s.reason);
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      settleIfDone();
      await allDone;
    } finally {
      clearTimeout(readyTimer);
      clearTimeout(maxDurationTimer);
      request.signal?.removeEventListener('abort', onAbort);
      coordinator.listen(undefined);
    }
    aggregator.flush();
    if (!stopped) resolveStopped({ reason: 'completed', atMs: handle.elapsedMs() });
    const used: Record<string, number> = {};
    for (const m of done.values()) for (const [k, v] of Object.entries(m.budgetsUsed)) used[k] = (used[k] ?? 0) + v;
    const stopReason: StopReason = lost ? 'shard-lost' : (stopped?.reason ?? 'completed');
    const stopDetail = lost ?? stopped?.detail;
    const result = buildRunResult({
      config,
      startedAt,
      durationMs: started ? performance.now() - t0Perf : 0,
      stopReason,
      ...(stopDetail ? { stopDetail } : {}),
      aggregator,
      workerErrors,
      budgets: { limits: config.budgets, used },
    });
    return {
      ...result,
      generator: { ...result.generator, workers: coordinator.workers },
      shards: { count, merged: shards.filter((i) => done.has(i)) },
    };
  })();
  return handle;
}

import {
  type IntervalStats,
  isOutsideStop,
  type ProbeWindow,
  type RampEvent,
  type RampJudge,
  type RampSummary,
  type RunConfig,
  type RunResult,
  type RunStop,
} from '@overload/core/internal';
import type { RunHandle, RunHooks, RunStarter } from './run.js';

/** What to do when a shard was lost: the verdict cannot rest on part of the load. */
export const SHARD_LOST_ADVICE = "rerun with every shard; see why the shard stopped (its pod's logs, or `kubectl describe`)";

export interface JudgedPhaseOptions {
  readonly config: RunConfig;
  /** Built from the config before any thread starts (bad judge options are refused there). */
  readonly judge: RampJudge;
  readonly start: RunStarter;
  readonly signal?: AbortSignal;
  /** Called once the phase's t0 is known, before its first interval (a ramp starts its probes here). */
  readonly onStarted?: (t0: number) => void;
  /** The probes' samples on this phase's clock, read at each interval. */
  readonly probes?: (t0: number) => ProbeWindow | undefined;
  readonly onInterval?: (interval: IntervalStats, handle: RunHandle) => void;
  readonly onEvent?: (event: RampEvent) => void;
}

export interface JudgedPhaseOutcome {
  readonly run: RunResult;
  readonly summary: RampSummary;
  /** How the phase ended, as the verdict sees it (an error burst the judge calls a collapse is a collapse). */
  readonly stop: Omit<RunStop, 'atMs'>;
  /** performance.now() at t0, and the moment sending stopped on the phase's clock. */
  readonly t0: number;
  readonly stoppedAtMs: number;
}

export interface JudgedPhase {
  readonly handle: RunHandle;
  readonly outcome: Promise<JudgedPhaseOutcome>;
}

/**
 * One run judged as it goes: every interval goes to the judge with the probes' samples, the
 * judge's collapse or inconclusive call stops the load at once, and a stop from outside is told
 * to the judge so that what follows it is never held against the target. Serves the ramp phase of
 * a ramp and every trial of a capacity search.
 */
export function startJudgedPhase(o: JudgedPhaseOptions): JudgedPhase {
  let decided = false;
  let t0 = 0;
  const hooks: RunHooks = {
    ...(o.signal ? { signal: o.signal } : {}),
    onInterval: (interval, h) => {
      o.onInterval?.(interval, h);
      if (decided) return;
      const event = o.judge.push(interval, o.probes?.(t0));
      if (event) o.onEvent?.(event);
      if (event?.type === 'collapse') {
        decided = true;
        h.stop('collapsed', `collapsed at ${event.step.label}`);
      } else if (event?.type === 'inconclusive') {
        decided = true;
        h.stop('inconclusive', event.reason);
      }
    },
  };
  const handle = o.start(o.config, hooks);
  void handle.stopped.then((s) => {
    if (isOutsideStop(s.reason)) o.judge.sendingStopped(s.atMs);
  });
  void handle.started.then((at) => {
    t0 = at;
    o.onStarted?.(at);
  });
  const outcome = (async (): Promise<JudgedPhaseOutcome> => {
    const run = await handle.result;
    const stopped = await handle.stopped;
    if (!decided) {
      const event =
        run.stopReason === 'shard-lost' ? o.judge.abandon(run.stopDetail ?? 'a shard was lost', SHARD_LOST_ADVICE) : o.judge.finish();
      if (event) o.onEvent?.(event);
    }
    const summary = o.judge.summary();
    // The error-burst guardrail can see a collapse before the judge's window closes: when the
    // judge, given what was measured before the stop, calls it a collapse, that is what it was.
    const burstCollapse = run.stopReason === 'error-burst' && (summary.verdict === 'collapsed' || summary.verdict === 'never-healthy');
    const stop = burstCollapse
      ? { reason: 'collapsed' as const, detail: `error burst: ${run.stopDetail ?? 'error-burst'}` }
      : { reason: run.stopReason, ...(run.stopDetail ? { detail: run.stopDetail } : {}) };
    return { run, summary, stop, t0: t0 || performance.now(), stoppedAtMs: stopped.atMs };
  })();
  return { handle, outcome };
}

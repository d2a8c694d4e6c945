import {
  DEFAULT_SUSTAIN_WINDOWS,
  type IntervalStats,
  type NameEntry,
  judgeRecovery,
  type ProbeWindow,
  type Profile,
  type RecoveryVerdict,
  type RunResult,
  type Slo,
} from '@overload/core/internal';
import type { RunHandle } from './run.js';

export interface BaselineCheck {
  readonly slo: Slo;
  readonly rateRps: number;
  /** How long the baseline may take before the SLO starts holding. */
  readonly withinMs: number;
  readonly windowMs: number;
  readonly sustainWindows?: number;
  /** performance.now() at the moment the load stopped: time to recover counts from here. */
  readonly loadStoppedAt: number;
  /** Starts the baseline run with this profile; `onInterval` must be called with each interval. */
  readonly start: (profile: Profile, onInterval: (interval: IntervalStats, run: RunHandle) => void) => RunHandle;
  /** Which `byName` entries an arrival is: with journeys, achieved counts journeys. */
  readonly arrivalNames?: readonly number[];
  /** The run's per-name entries, for scoped SLO conditions. */
  readonly names?: readonly NameEntry[];
  /** Probe samples on the baseline's clock, given the baseline's t0 (performance.now()). */
  readonly probes?: (baselineT0: number) => ProbeWindow | undefined;
}

export interface BaselineOutcome {
  readonly verdict: RecoveryVerdict;
  readonly run: RunResult;
  /** From the moment the load stopped to the baseline's t0. */
  readonly cooldownMs: number;
}

/**
 * Runs a low constant-rate baseline and judges it with the recovery rule (`judgeRecovery`) as
 * each interval arrives. It lasts `withinMs` plus the sustained stretch the rule needs, so a
 * target that starts holding the SLO just before `withinMs` can still show that it keeps
 * holding; it stops as soon as the target is recovered. Used after a ramp's collapse and between
 * the trials of a search.
 */
export async function checkBaseline(c: BaselineCheck): Promise<BaselineOutcome> {
  const sustainWindows = c.sustainWindows ?? DEFAULT_SUSTAIN_WINDOWS;
  const durationMs = c.withinMs + sustainWindows * c.windowMs;
  const seen: IntervalStats[] = [];
  let baselineT0 = 0;
  let verdict: RecoveryVerdict | undefined;
  const judgeSoFar = (intervals: readonly IntervalStats[]) => {
    const probes = c.probes?.(baselineT0);
    return judgeRecovery(intervals, c.slo, {
      windowMs: c.windowMs,
      sustainWindows,
      ...(c.arrivalNames ? { arrivalNames: c.arrivalNames } : {}),
      ...(c.names ? { names: c.names } : {}),
      cooldownMs: Math.max(0, baselineT0 - c.loadStoppedAt),
      ...(probes ? { probes } : {}),
    });
  };
  const handle = c.start({ kind: 'constant', rateRps: c.rateRps, durationMs }, (interval, h) => {
    seen.push(interval);
    if (verdict) return;
    const v = judgeSoFar(seen);
    if (v.recovered) {
      verdict = v;
      h.stop('completed', 'recovered');
    }
  });
  baselineT0 = await Promise.race([
    handle.started,
    handle.result.then(
      () => performance.now(),
      () => performance.now(),
    ),
  ]);
  const run = await handle.result;
  verdict ??= judgeSoFar(run.intervals);
  return { verdict, run, cooldownMs: Math.round(Math.max(0, baselineT0 - c.loadStoppedAt)) };
}

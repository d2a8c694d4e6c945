import type { ValidationIssue } from '../errors.js';
import type { IntervalStats } from '../run/interval.js';
import type { ConditionStatus } from './condition-status.js';
import {
  DEFAULT_MAX_DROP_RATE,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_MIN_ACHIEVED_RATIO,
  minSamplesForPercentile,
  percentileName,
  type ProbeOp,
  type ScopedSlo,
  type Slo,
} from '../slo/slo.js';
import type { NameEntry } from '../scenario/flow-plan.js';
import { decodedHistogram, percentileMs } from '../stats/histogram.js';
import { BREACHED, HELD, UNJUDGED } from './condition-status.js';
import { formatCount } from './format.js';
import { latencyWithoutLagMs } from './generator-check.js';
import { judgeProbeCondition, type ProbeWindow, samplesIn } from './probe-window.js';
import { mergeWindow, type WindowStats } from './window.js';

/**
 * One SLO condition judged on one window. `op` is the relation that must hold
 * (`observed op limit`); latency, error and drop limits are `<=`, the achieved floor `>=`.
 *
 * Units: `ms` for latency; `%` for errors and drops, in percent points (observed 2.5 = 2.5 %);
 * `ratio` for achieved (0.71 = 71 % of what was asked); `''` for probe values (the probe's own
 * unit; 1/0 for `ok`). `observed` is NaN when there was nothing to observe (no probe sample, an
 * unreachable probe, nothing offered); it serialises as null.
 */
export interface ConditionOutcome {
  /** `p99`, `p99.9`, `errors`, `achieved`, `drops`, or a probe name. */
  readonly name: string;
  readonly kind: 'latency' | 'errors' | 'achieved' | 'drops' | 'probe';
  readonly observed: number;
  readonly limit: number;
  readonly op: ProbeOp;
  readonly unit: 'ms' | '%' | 'ratio' | '';
  /**
   * `held`, `breached`, or `unjudged`: the window did not hold enough to decide (too few
   * responses for the percentile, no probe sample, nothing offered). Unjudged is neither a pass
   * nor a breach: a step with an unjudged condition cannot be the knee.
   */
  readonly status: ConditionStatus;
  /** `status === 'held'`. */
  readonly ok: boolean;
  /**
   * For a breached latency percentile: a lower bound on it with the generator's schedule lag
   * taken out (see `latencyWithoutLagMs`). The breach is the target's only if this still exceeds
   * the limit.
   */
  readonly withoutLagMs?: number;
  /**
   * What was counted, why a condition was not judged, or what broke; it reads after the name
   * (`p99 not judged: only 480 responses, p99 needs 1,000`, `health not ok: HTTP 503`).
   */
  readonly detail?: string;
}

export interface WindowJudgement {
  /** Every condition held. */
  readonly ok: boolean;
  /** At least one condition breached. */
  readonly breached: boolean;
  /** At least one condition could not be judged. */
  readonly unjudged: boolean;
  readonly conditions: readonly ConditionOutcome[];
}

/**
 * Judges a window of consecutive intervals against an SLO.
 *
 * - Latency: percentiles of the merged corrected-latency histogram (responses, and timeouts and
 *   transport errors at the moment they ended). A percentile over too few samples (see
 *   `minSamplesForPercentile`) is unjudged: a window at a low rate is judged by the other signals
 *   and cannot make a step the knee on a percentile nobody measured.
 * - Errors: errors / (responses + transport errors) — every request whose fate is known, with
 *   an unexpected status counted once (it is a response and an error). Limited to
 *   DEFAULT_MAX_ERROR_RATE (1 %) unless the SLO sets its own limit.
 * - Achieved: successful responses (with journeys: journeys that ended ok) / (offered − generator
 *   drops) over the window, i.e. achieved
 *   req/s over offered req/s (both over the same duration, so the seconds cancel). This is the
 *   throughput shortfall signal: a target that queues delivers fewer responses per second than it
 *   is sent, and one that sheds load answers fast with errors — which are not throughput.
 *   Generator drops are left out because the target was never asked to serve them (the
 *   generator verdict answers for those). Client drops at the in-flight cap stay in: those
 *   arrivals were asked of a target too slow to take them. Arrivals count in the interval of
 *   their intended time and responses in the interval they arrive, so right after a rate
 *   increase the ratio dips by about one latency's worth — the ramp judge skips a warm-up.
 * - Drops: dropped at the in-flight cap / offered.
 * - Probes: see `judgeProbeCondition` (every sample in the window; unreachable breaches).
 */
export function judgeWindow(intervals: readonly IntervalStats[], slo: Slo, probes?: ProbeWindow): WindowJudgement {
  return judgeMerged(mergeWindow(intervals), slo, probes);
}

/**
 * `judgeWindow` on an already merged window (the ramp judge reuses the merge for its step result).
 * `probesFromMs` reads probe samples from an earlier start than the window's (the ramp judge's
 * warm-up: see RampJudge).
 */
export function judgeMerged(
  w: WindowStats,
  slo: Slo,
  probes?: ProbeWindow,
  options: { readonly probesFromMs?: number; readonly names?: readonly NameEntry[] } = {},
): WindowJudgement {
  const conditions: ConditionOutcome[] = [];
  const samples = w.latency.totalCount;
  for (const limit of slo.latency) {
    const name = percentileName(limit.percentile);
    const observed = percentileMs(w.latency, limit.percentile);
    const needed = minSamplesForPercentile(limit.percentile);
    const base = { name, kind: 'latency' as const, observed, limit: limit.maxMs, op: '<=' as const, unit: 'ms' as const };
    if (samples < needed) {
      conditions.push({
        ...base,
        ...UNJUDGED,
        detail: `not judged: only ${formatCount(samples)} responses, ${name} needs ${formatCount(needed)}`,
      });
    } else if (observed <= limit.maxMs) {
      conditions.push({ ...base, ...HELD });
    } else {
      conditions.push({ ...base, ...BREACHED, withoutLagMs: Math.round(latencyWithoutLagMs(w, limit.percentile) * 1000) / 1000 });
    }
  }
  const maxErrorRate = slo.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
  const attempted = w.responses + w.transportErrors;
  const errorsBase = { name: 'errors', kind: 'errors' as const, limit: maxErrorRate * 100, op: '<=' as const, unit: '%' as const };
  if (attempted > 0) {
    const rate = w.errors / attempted;
    conditions.push({
      ...errorsBase,
      observed: rate * 100,
      ...(rate <= maxErrorRate ? HELD : BREACHED),
      ...(w.errors > 0 ? { detail: `${formatCount(w.errors)} of ${formatCount(attempted)} requests failed` } : {}),
    });
  } else {
    conditions.push({ ...errorsBase, observed: Number.NaN, ...UNJUDGED, detail: 'not judged: no request answered or failed' });
  }
  const minAchieved = slo.minAchievedRatio ?? DEFAULT_MIN_ACHIEVED_RATIO;
  const asked = w.offered - w.droppedGenerator;
  const achievedBase = { name: 'achieved', kind: 'achieved' as const, limit: minAchieved, op: '>=' as const, unit: 'ratio' as const };
  if (asked > 0) {
    const ratio = w.arrivalsOk / asked;
    const what = w.arrivalsOk === w.ok ? 'successful responses' : 'arrivals that ended ok';
    conditions.push({
      ...achievedBase,
      observed: ratio,
      ...(ratio >= minAchieved ? HELD : BREACHED),
      detail: `${formatCount(w.arrivalsOk)} ${what} for ${formatCount(asked)} arrivals`,
    });
  } else {
    conditions.push({ ...achievedBase, observed: Number.NaN, ...UNJUDGED, detail: 'not judged: nothing offered' });
  }
  const maxDrop = slo.maxDropRate ?? DEFAULT_MAX_DROP_RATE;
  const dropsBase = { name: 'drops', kind: 'drops' as const, limit: maxDrop * 100, op: '<=' as const, unit: '%' as const };
  if (w.offered > 0) {
    const dropRate = w.dropped / w.offered;
    conditions.push({
      ...dropsBase,
      observed: dropRate * 100,
      ...(dropRate <= maxDrop ? HELD : BREACHED),
      ...(w.dropped > 0 ? { detail: `${formatCount(w.dropped)} arrivals found the in-flight cap full` } : {}),
    });
  } else {
    conditions.push({ ...dropsBase, observed: Number.NaN, ...UNJUDGED, detail: 'not judged: nothing offered' });
  }
  for (const c of slo.probes ?? []) {
    const series = probes?.[c.probe];
    conditions.push(judgeProbeCondition(c, series && samplesIn(series, options.probesFromMs ?? w.startMs, w.endMs)));
  }
  for (const g of slo.scoped ?? []) conditions.push(...judgeScoped(w, g, options.names ?? []));
  return judgementOf(conditions);
}

/** The per-name entries a scoped condition is about (`step:download` matches that step in every journey; `step:get-report/download` one). */
export function scopeIndexes(names: readonly NameEntry[], scope: ScopedSlo['scope'], name: string): number[] {
  return names.flatMap((n, k) =>
    n.kind === scope && (n.name === name || (n.kind === 'step' && `${n.journey}/${n.name}` === name)) ? [k] : [],
  );
}

/**
 * `journey:get-report p99<5s`, `step:download errors<1%`: the same rules as the run-wide
 * conditions, on that name's figures in the window. A journey's latency runs from its intended
 * start to its end; errors are its failures (any class) over what ended. The generator's lag can
 * delay every request of a journey or a polling step, so the lag-free bound takes the lag out
 * once per request it sent (at most its `maxTries`).
 */
function judgeScoped(w: WindowStats, g: ScopedSlo, names: readonly NameEntry[]): ConditionOutcome[] {
  const label = `${g.scope}:${g.name}`;
  const indexes = scopeIndexes(names, g.scope, g.name);
  const stats = indexes.length > 0 ? w.nameStats(indexes) : undefined;
  const out: ConditionOutcome[] = [];
  const latency = stats ? decodedHistogram(stats.histograms.latency) : undefined;
  const samples = latency?.totalCount ?? 0;
  for (const limit of g.latency) {
    const name = `${label} ${percentileName(limit.percentile)}`;
    const observed = latency ? percentileMs(latency, limit.percentile) : Number.NaN;
    const needed = minSamplesForPercentile(limit.percentile);
    const base = { name, kind: 'latency' as const, observed, limit: limit.maxMs, op: '<=' as const, unit: 'ms' as const };
    if (!stats) out.push({ ...base, ...UNJUDGED, detail: `not judged: the run has no ${g.scope} named ${g.name}` });
    else if (samples < needed)
      out.push({
        ...base,
        ...UNJUDGED,
        detail: `not judged: only ${formatCount(samples)} ended, ${percentileName(limit.percentile)} needs ${formatCount(needed)}`,
      });
    else if (observed <= limit.maxMs) out.push({ ...base, ...HELD });
    else {
      const perRequest = latencyWithoutLagMs({ latency: latency!, lag: w.lag }, limit.percentile);
      const extraLag = (Math.max(1, stats.maxTries) - 1) * (w.lag.totalCount > 0 ? w.lag.maxValue / 1000 : 0);
      out.push({ ...base, ...BREACHED, withoutLagMs: Math.round(Math.max(0, perRequest - extraLag) * 1000) / 1000 });
    }
  }
  const maxErrorRate = g.maxErrorRate;
  if (maxErrorRate !== undefined) {
    const base = { name: `${label} errors`, kind: 'errors' as const, limit: maxErrorRate * 100, op: '<=' as const, unit: '%' as const };
    if (!stats || stats.count === 0)
      out.push({
        ...base,
        observed: Number.NaN,
        ...UNJUDGED,
        detail: stats ? `not judged: no ${g.scope} ended` : `not judged: the run has no ${g.scope} named ${g.name}`,
      });
    else {
      const rate = stats.failed / stats.count;
      out.push({
        ...base,
        observed: rate * 100,
        ...(rate <= maxErrorRate ? HELD : BREACHED),
        ...(stats.failed > 0
          ? { detail: `${formatCount(stats.failed)} of ${formatCount(stats.count)} failed (${failureSummary(stats.failures)})` }
          : {}),
      });
    }
  }
  return out;
}

function failureSummary(failures: Readonly<Record<string, number>>): string {
  return Object.entries(failures)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${formatCount(n)}`)
    .join(', ');
}

/** A window verdict from its conditions. */
export function judgementOf(conditions: readonly ConditionOutcome[]): WindowJudgement {
  return {
    ok: conditions.every((c) => c.status === 'held'),
    breached: conditions.some((c) => c.status === 'breached'),
    unjudged: conditions.some((c) => c.status === 'unjudged'),
    conditions,
  };
}

/** Scoped SLO conditions that name no journey, step or request of the run, each with its path. */
export function validateScopedNames(slo: Slo, names: readonly NameEntry[], path = 'slo'): ValidationIssue[] {
  return (slo.scoped ?? []).flatMap((g) => {
    if (scopeIndexes(names, g.scope, g.name).length > 0) return [];
    const known = names.filter((n) => n.kind === g.scope).map((n) => (n.kind === 'step' ? `${n.journey}/${n.name}` : n.name));
    return [
      { path, message: `names ${g.scope}:${g.name}, but the run has no such ${g.scope} (${g.scope}s: ${known.join(', ') || 'none'})` },
    ];
  });
}

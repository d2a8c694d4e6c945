import type { IntervalStats } from '../run/interval.js';
import {
  DEFAULT_MAX_DROP_RATE,
  DEFAULT_MIN_ACHIEVED_RATIO,
  minSamplesForPercentile,
  percentileName,
  type ProbeOp,
  type Slo,
} from '../slo/slo.js';
import { percentileMs } from '../stats/histogram.js';
import { formatCount } from './format.js';
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
export interface ConditionVerdict {
  /** `p99`, `p99.9`, `errors`, `achieved`, `drops`, or a probe name. */
  readonly name: string;
  readonly kind: 'latency' | 'errors' | 'achieved' | 'drops' | 'probe';
  readonly observed: number;
  readonly limit: number;
  readonly op: ProbeOp;
  readonly unit: 'ms' | '%' | 'ratio' | '';
  readonly ok: boolean;
  /**
   * What was counted, why a condition was not judged, or what broke; it reads after the name
   * (`p99 not judged: only 480 responses, p99 needs 1,000`, `health not ok: HTTP 503`).
   */
  readonly detail?: string;
}

export interface WindowVerdict {
  readonly ok: boolean;
  readonly conditions: readonly ConditionVerdict[];
}

/**
 * Judges a window of consecutive intervals against an SLO.
 *
 * - Latency: percentiles of the merged corrected-latency histogram. A percentile over too few
 *   responses (see `minSamplesForPercentile`) is reported but cannot breach: a window at a low
 *   rate, or one in which the target stopped answering, is judged by the other signals.
 * - Errors: errors / (responses + transport errors) — every request whose fate is known, with
 *   an unexpected status counted once (it is a response and an error).
 * - Achieved: responses / (offered − generator drops) over the window, i.e. achieved req/s over
 *   offered req/s (both over the same duration, so the seconds cancel). This is the throughput
 *   shortfall signal: a target that queues delivers fewer responses per second than it is sent.
 *   Generator drops are left out because the target was never asked to serve them (the
 *   generator verdict answers for those). Client drops at the in-flight cap stay in: those
 *   arrivals were asked of a target too slow to take them. Arrivals count in the interval of
 *   their intended time and responses in the interval they arrive, so right after a rate
 *   increase the ratio dips by about one latency's worth — the ramp judge skips a warm-up.
 * - Drops: dropped at the in-flight cap / offered.
 * - Probes: see `judgeProbeCondition` (the last sample in the window; unreachable breaches).
 */
export function judgeWindow(intervals: readonly IntervalStats[], slo: Slo, probes?: ProbeWindow): WindowVerdict {
  return judgeMerged(mergeWindow(intervals), slo, probes);
}

/** `judgeWindow` on an already merged window (the ramp judge reuses the merge for its step result). */
export function judgeMerged(w: WindowStats, slo: Slo, probes?: ProbeWindow): WindowVerdict {
  const conditions: ConditionVerdict[] = [];
  const responses = w.latency.totalCount;
  for (const limit of slo.latency) {
    const name = percentileName(limit.percentile);
    const observed = percentileMs(w.latency, limit.percentile);
    const needed = minSamplesForPercentile(limit.percentile);
    const base = { name, kind: 'latency' as const, observed, limit: limit.maxMs, op: '<=' as const, unit: 'ms' as const };
    if (responses < needed) {
      conditions.push({ ...base, ok: true, detail: `not judged: only ${formatCount(responses)} responses, ${name} needs ${formatCount(needed)}` });
    } else {
      conditions.push({ ...base, ok: observed <= limit.maxMs });
    }
  }
  if (slo.maxErrorRate !== undefined) {
    const attempted = w.responses + w.transportErrors;
    const rate = attempted > 0 ? w.errors / attempted : 0;
    conditions.push({
      name: 'errors',
      kind: 'errors',
      observed: rate * 100,
      limit: slo.maxErrorRate * 100,
      op: '<=',
      unit: '%',
      ok: rate <= slo.maxErrorRate,
      ...(w.errors > 0 ? { detail: `${formatCount(w.errors)} of ${formatCount(attempted)} requests failed` } : {}),
    });
  }
  const minAchieved = slo.minAchievedRatio ?? DEFAULT_MIN_ACHIEVED_RATIO;
  const asked = w.offered - w.droppedGenerator;
  if (asked > 0) {
    const ratio = w.responses / asked;
    conditions.push({
      name: 'achieved',
      kind: 'achieved',
      observed: ratio,
      limit: minAchieved,
      op: '>=',
      unit: 'ratio',
      ok: ratio >= minAchieved,
      detail: `${formatCount(w.responses)} responses for ${formatCount(asked)} arrivals`,
    });
  } else {
    conditions.push({ name: 'achieved', kind: 'achieved', observed: Number.NaN, limit: minAchieved, op: '>=', unit: 'ratio', ok: true, detail: 'not judged: nothing offered' });
  }
  const maxDrop = slo.maxDropRate ?? DEFAULT_MAX_DROP_RATE;
  const dropRate = w.offered > 0 ? w.dropped / w.offered : 0;
  conditions.push({
    name: 'drops',
    kind: 'drops',
    observed: dropRate * 100,
    limit: maxDrop * 100,
    op: '<=',
    unit: '%',
    ok: dropRate <= maxDrop,
    ...(w.dropped > 0 ? { detail: `${formatCount(w.dropped)} arrivals found the in-flight cap full` } : {}),
  });
  for (const c of slo.probes ?? []) {
    const series = probes?.[c.probe];
    conditions.push(judgeProbeCondition(c, series && samplesIn(series, w.startMs, w.endMs)));
  }
  return { ok: conditions.every((c) => c.ok), conditions };
}

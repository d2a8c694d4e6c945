import { DEFAULTS } from '../defaults.js';
import { bootstrapShift } from './bootstrap.js';

export type CompareOutcome = 'regressed' | 'no-regression' | 'cannot-tell';

export interface CompareOptions {
  readonly minEffectRatio: number;
  readonly minEffectMs: number;
  readonly minEffectErrorRate: number;
  readonly minEffectAchieved: number;
  readonly minIntervals: number;
  readonly resamples: number;
  readonly confidence: number;
  readonly seed: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = DEFAULTS.compare;

/** What a metric is, so its change can be oriented (positive = worse) and given a floor. */
export type MetricKind = 'latency-ms' | 'error-rate' | 'achieved-ratio';

export interface MetricComparison {
  /** e.g. `p99 at 400 req/s`, `errors (run)`. */
  readonly metric: string;
  readonly kind: MetricKind;
  readonly rateRps?: number;
  readonly baseline: number;
  readonly current: number;
  readonly change: number;
  /** The confidence interval on the change (current − baseline), or absent when it cannot be told. */
  readonly interval?: { readonly low: number; readonly high: number };
  /** The smallest worsening that counts, in the metric's unit. */
  readonly minEffect: number;
  readonly outcome: CompareOutcome;
  /** Why, in words: what is missing when it cannot be told. */
  readonly detail: string;
}

function minEffectOf(kind: MetricKind, baseline: number, o: CompareOptions): number {
  if (kind === 'latency-ms') return Math.max(o.minEffectRatio * baseline, o.minEffectMs);
  return kind === 'error-rate' ? o.minEffectErrorRate : o.minEffectAchieved;
}

/**
 * Kayenta's rule on a bootstrap interval: regressed only when the whole interval of the
 * worsening lies beyond the minimum effect; no regression when the whole interval lies below it;
 * otherwise the data cannot tell (more intervals would).
 */
export function compareMetric(
  metric: string,
  kind: MetricKind,
  baseline: readonly number[],
  current: readonly number[],
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
  rateRps?: number,
): MetricComparison {
  const at = rateRps === undefined ? {} : { rateRps };
  if (baseline.length < options.minIntervals || current.length < options.minIntervals) {
    const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
    const b = mean(baseline);
    const c = mean(current);
    return {
      metric,
      kind,
      ...at,
      baseline: b,
      current: c,
      change: c - b,
      minEffect: minEffectOf(kind, b, options),
      outcome: 'cannot-tell',
      detail: `too few intervals: ${baseline.length} in the baseline and ${current.length} in the current run, ${options.minIntervals} needed on each side`,
    };
  }
  const s = bootstrapShift(baseline, current, options);
  const minEffect = minEffectOf(kind, s.baselineMedian, options);
  // Orient so that a positive number is always a worsening.
  const sign = kind === 'achieved-ratio' ? -1 : 1;
  const worseLow = sign === 1 ? s.low : -s.high;
  const worseHigh = sign === 1 ? s.high : -s.low;
  const outcome: CompareOutcome = worseLow > minEffect ? 'regressed' : worseHigh < minEffect ? 'no-regression' : 'cannot-tell';
  const pct = Math.round(options.confidence * 100);
  const detail =
    outcome === 'regressed'
      ? `worse by more than ${round(minEffect)} (the ${pct} % interval excludes the minimum effect)`
      : outcome === 'no-regression'
        ? `any worsening is below ${round(minEffect)} (${pct} % interval)`
        : `the ${pct} % interval straddles the minimum effect ${round(minEffect)}: collect more intervals (a longer run or step)`;
  return {
    metric,
    kind,
    ...at,
    baseline: s.baselineMedian,
    current: s.currentMedian,
    change: s.change,
    interval: { low: s.low, high: s.high },
    minEffect,
    outcome,
    detail,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

import { formatMs, formatPercent } from '../collapse/format.js';
import { DEFAULTS } from '../defaults.js';
import { bootstrapShift, medianOf, pooledShare, type Samples, type Share, shiftBounds } from './bootstrap.js';

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
  /**
   * `always` (overload compare): every row gets its bootstrap interval. `when-undecided`
   * (overload history, which only shows verdicts): a row whose verdict the bounds of every
   * possible resample already decide (see shiftBounds) skips the bootstrap, and has no interval;
   * the verdict is the same by construction.
   */
  readonly bootstrap?: 'always' | 'when-undecided';
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = DEFAULTS.compare;

/** What a metric is, so its change can be oriented (positive = worse) and given a floor. */
export type MetricKind = 'latency-ms' | 'error-rate' | 'achieved-ratio';

/** Where a metric was measured: a ramp step or a search trial (by rate), or a whole run. */
export interface MetricPlace {
  readonly rateRps?: number;
  /** The rate as a person reads it: `400 journeys/s`. */
  readonly rateLabel?: string;
  /** A request, journey or step of the scenario (`journey get-report`, `get-report › poll`); absent for all requests. */
  readonly name?: string;
  /** Set on a row over every rate both results held: how many rates it pools. */
  readonly rates?: number;
}

export interface MetricComparison extends MetricPlace {
  /** e.g. `p99 at 400 req/s`, `errors journey get-report at 500 journeys/s`, `p50 (run)`. */
  readonly metric: string;
  readonly kind: MetricKind;
  readonly baseline: number;
  readonly current: number;
  readonly change: number;
  /** The confidence interval on the change (current − baseline), or absent when it cannot be told. */
  readonly interval?: { readonly low: number; readonly high: number };
  /** The smallest worsening that counts, in the metric's unit. */
  readonly minEffect: number;
  readonly outcome: CompareOutcome;
  /**
   * Whether a cannot-tell here makes the whole comparison cannot-tell. A regression decides
   * wherever it is proven; but of the dozens of rows at single rates and per name, some always
   * look worse by chance, so only the rows over all the rates (and a run's own rows) decide
   * that the data cannot tell.
   */
  readonly decides: boolean;
  /** Why, in words: what is missing when it cannot be told. */
  readonly detail: string;
}

/** A value of the metric in its unit: `12 ms`, `3.5 %` (ratios as percent points). */
export function formatMetricValue(kind: MetricKind, x: number): string {
  if (Number.isNaN(x)) return '-';
  return kind === 'latency-ms' ? formatMs(x) : formatPercent(x * 100);
}

/**
 * What one side measured, interval by interval: a latency percentile (with the next percentile of
 * the same intervals: p90 for p50, p99.9 for p99, see `rankSpread`), or a share (errors over
 * requests sent, arrivals that ended ok over arrivals offered).
 */
export type MetricSamples =
  | { readonly kind: 'latency-ms'; readonly values: readonly number[]; readonly next: readonly number[] }
  | { readonly kind: 'error-rate' | 'achieved-ratio'; readonly shares: readonly Share[] };

/**
 * The latency minimum effect: a share of the baseline, a floor in ms, and the baseline's own
 * rank spread: how far its percentile is from the next one up (p50 to p90, p99 to p99.9). A
 * percentile on a steep or two-humped distribution (a journey that either finds its report ready
 * or waits 250 ms for a poll) jumps from one hump to the other when a few percent of the requests
 * change sides; a change no larger than that spread is what a small shift in ranks gives, not a
 * slower target. It was the one false alarm the honesty benchmark found on the main job.
 */
function minEffectOf(b: MetricSamples, baselineValue: number, o: CompareOptions): number {
  if (b.kind === 'latency-ms') {
    const spread = medianOf(b.next) - baselineValue;
    return Math.max(
      o.minEffectRatio * (Number.isFinite(baselineValue) ? baselineValue : 0),
      o.minEffectMs,
      Number.isFinite(spread) ? spread : 0,
    );
  }
  return b.kind === 'error-rate' ? o.minEffectErrorRate : o.minEffectAchieved;
}

/** One metric at one place, on both sides. */
export interface MetricStratum {
  readonly baseline: MetricSamples;
  readonly current: MetricSamples;
}

const countOf = (m: MetricSamples) => (m.kind === 'latency-ms' ? m.values.length : m.shares.length);

function sampleValue(m: MetricSamples): number {
  if (countOf(m) === 0) return Number.NaN;
  return m.kind === 'latency-ms' ? medianOf(m.values) : pooledShare(m.shares);
}

const samplesOf = (m: MetricSamples): Samples => (m.kind === 'latency-ms' ? { median: m.values } : { shares: m.shares });

function shiftOf(strata: readonly MetricStratum[], o: CompareOptions) {
  return bootstrapShift(
    strata.map((s) => ({ baseline: samplesOf(s.baseline), current: samplesOf(s.current) })),
    o,
  );
}

/** One metric at one place: `compareStrata` with a single stratum. */
export function compareMetric(
  metric: string,
  baseline: MetricSamples,
  current: MetricSamples,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
  place: MetricPlace = {},
  decides = true,
): MetricComparison {
  return compareStrata(metric, [{ baseline, current }], options, place, decides);
}

/**
 * Kayenta's rule on a bootstrap interval, with the point estimate deciding the middle ground:
 * - regressed: the whole interval of the worsening lies beyond the minimum effect;
 * - cannot tell: the change itself is beyond the minimum effect, but the interval reaches below
 *   it (it looks worse, and too few intervals to be sure);
 * - no regression: the change is within the minimum effect (when the interval reaches beyond
 *   it, the detail says how large a worsening the data cannot exclude).
 * Why not "cannot tell" whenever the interval straddles the minimum effect: with the 5 judged
 * intervals of a 6 s step, the interval of a p99 on a shared machine is wider than any useful
 * minimum effect, so two runs of the same target would never compare as the same. The false
 * alarms this rule could add are measured (docs/compare.md, benchmarks/compare-honesty.mjs).
 *
 * Several strata (the same metric at every rate both held) give one row on the median change
 * across them, against the median of their minimum effects; strata with too few intervals on
 * either side are left out, and said so.
 */
export function compareStrata(
  metric: string,
  strata: readonly MetricStratum[],
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
  place: MetricPlace = {},
  decides = true,
): MetricComparison {
  const kind = strata[0]!.baseline.kind;
  const fmt = (x: number) => formatMetricValue(kind, x);
  const enough = strata.filter((s) => countOf(s.baseline) >= options.minIntervals && countOf(s.current) >= options.minIntervals);
  if (enough.length === 0) {
    const b = medianOf(strata.map((s) => sampleValue(s.baseline)));
    const c = medianOf(strata.map((s) => sampleValue(s.current)));
    const counts = (side: 'baseline' | 'current') => strata.map((s) => countOf(s[side])).join('/');
    return {
      metric,
      kind,
      ...place,
      baseline: b,
      current: c,
      change: c - b,
      minEffect: minEffectOf(strata[0]!.baseline, b, options),
      outcome: 'cannot-tell',
      decides,
      detail: `too few intervals: ${counts('baseline')} in the baseline and ${counts('current')} in the current run, ${options.minIntervals} needed on each side`,
    };
  }
  const minEffect = medianOf(enough.map((x) => minEffectOf(x.baseline, sampleValue(x.baseline), options)));
  // Orient so that a positive number is always a worsening.
  const sign = kind === 'achieved-ratio' ? -1 : 1;
  if (options.bootstrap === 'when-undecided') {
    const bounds = shiftBounds(enough.map((x) => ({ baseline: samplesOf(x.baseline), current: samplesOf(x.current) })));
    const [low, high] = sign === 1 ? [bounds.low, bounds.high] : [-bounds.high, -bounds.low];
    if (low > minEffect || high <= minEffect) {
      const b = medianOf(enough.map((x) => sampleValue(x.baseline)));
      const c = medianOf(enough.map((x) => sampleValue(x.current)));
      return {
        metric,
        kind,
        ...place,
        baseline: b,
        current: c,
        change: medianOf(enough.map((x) => sampleValue(x.current) - sampleValue(x.baseline))),
        minEffect,
        outcome: low > minEffect ? 'regressed' : 'no-regression',
        decides,
        detail:
          low > minEffect
            ? `worse by more than ${fmt(minEffect)} in every resample`
            : `any worsening is below ${fmt(minEffect)} in every resample`,
      };
    }
  }
  const s = shiftOf(enough, options);
  const worse = sign * s.change;
  const worseLow = sign === 1 ? s.low : -s.high;
  const worseHigh = sign === 1 ? s.high : -s.low;
  const outcome: CompareOutcome = worseLow > minEffect ? 'regressed' : worse > minEffect ? 'cannot-tell' : 'no-regression';
  const pct = Math.round(options.confidence * 100);
  const left = strata.length - enough.length;
  const leftOut = left > 0 ? ` (${left} of ${strata.length} rates left out: too few intervals)` : '';
  const detail =
    outcome === 'regressed'
      ? `worse by more than ${fmt(minEffect)} (the ${pct} % interval excludes the minimum effect)`
      : outcome === 'cannot-tell'
        ? `worse by ${fmt(worse)}, beyond the minimum effect ${fmt(minEffect)}, but the ${pct} % interval reaches down to ${fmt(worseLow)}: collect more intervals (a longer run or step)`
        : worseHigh <= minEffect
          ? `any worsening is below ${fmt(minEffect)} (${pct} % interval)`
          : `within the minimum effect ${fmt(minEffect)}; the ${pct} % interval cannot exclude a worsening of up to ${fmt(worseHigh)}`;
  return {
    metric,
    kind,
    ...place,
    baseline: s.baselineValue,
    current: s.currentValue,
    change: s.change,
    interval: { low: s.low, high: s.high },
    minEffect,
    outcome,
    decides,
    detail: `${detail}${leftOut}`,
  };
}

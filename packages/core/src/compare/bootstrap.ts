import { mulberry32 } from '../schedule/rng.js';

/** A bootstrap confidence interval on (current statistic − baseline statistic) of per-interval samples. */
export interface ShiftInterval {
  readonly baselineValue: number;
  readonly currentValue: number;
  /** current − baseline, on the statistic of all the samples (the median of the strata's changes). */
  readonly change: number;
  readonly low: number;
  readonly high: number;
}

/** What is computed on a set of per-interval samples: a median of values, or a ratio of sums. */
export type Statistic<T> = (samples: readonly T[]) => number;

export const medianOf: Statistic<number> = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A share over intervals: events / trials, each interval weighing what it holds (errors per request sent). */
export interface Share {
  readonly events: number;
  readonly of: number;
}

export const pooledShare: Statistic<Share> = (xs) => {
  let events = 0;
  let of = 0;
  for (const x of xs) {
    events += x.events;
    of += x.of;
  }
  return of > 0 ? events / of : Number.NaN;
};

function resample<T>(xs: readonly T[], rand: () => number, scratch: T[]): T[] {
  for (let i = 0; i < xs.length; i++) scratch[i] = xs[Math.floor(rand() * xs.length)]!;
  return scratch;
}

/** One place both results measured (a step, a trial rate, a run): its per-interval samples on each side. */
export interface Stratum<T> {
  readonly baseline: readonly T[];
  readonly current: readonly T[];
}

/**
 * Percentile bootstrap over intervals: each side's intervals are resampled with replacement, and
 * the spread of the statistic's difference gives the interval. Intervals, not requests, are the
 * unit because requests within an interval are not independent (they share the target's state),
 * while intervals of a steady step are close to it. Seeded, so the same two results always give
 * the same verdict.
 *
 * With several strata (the steps both ramps held), intervals are resampled within each, and the
 * change is the median over the strata of their changes: the typical change across the rates,
 * which one wild step (the last before the knee, where a queue starts to build) cannot move.
 */
export function bootstrapShift<T>(
  strata: readonly Stratum<T>[],
  statistic: Statistic<T>,
  options: { readonly resamples: number; readonly confidence: number; readonly seed: number },
): ShiftInterval {
  const rand = mulberry32(options.seed);
  const diffs: number[] = new Array(options.resamples);
  const scratch = strata.map((s) => ({ b: new Array<T>(s.baseline.length), c: new Array<T>(s.current.length) }));
  const perStratum: number[] = new Array(strata.length);
  for (let r = 0; r < options.resamples; r++) {
    for (let k = 0; k < strata.length; k++) {
      const s = strata[k]!;
      perStratum[k] = statistic(resample(s.current, rand, scratch[k]!.c)) - statistic(resample(s.baseline, rand, scratch[k]!.b));
    }
    diffs[r] = medianOf(perStratum);
  }
  diffs.sort((a, b) => a - b);
  const tail = (1 - options.confidence) / 2;
  const at = (q: number) => diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(q * diffs.length)))]!;
  const baselineValues = strata.map((s) => statistic(s.baseline));
  const currentValues = strata.map((s) => statistic(s.current));
  return {
    baselineValue: medianOf(baselineValues),
    currentValue: medianOf(currentValues),
    change: medianOf(currentValues.map((c, k) => c - baselineValues[k]!)),
    low: at(tail),
    high: at(1 - tail),
  };
}

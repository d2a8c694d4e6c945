import { mulberry32 } from '../schedule/rng.js';

/** A bootstrap confidence interval on (current median − baseline median) of per-interval samples. */
export interface ShiftInterval {
  readonly baselineMedian: number;
  readonly currentMedian: number;
  /** current − baseline, on the medians. */
  readonly change: number;
  readonly low: number;
  readonly high: number;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function resampledMedian(xs: readonly number[], rand: () => number, scratch: number[]): number {
  for (let i = 0; i < xs.length; i++) scratch[i] = xs[Math.floor(rand() * xs.length)]!;
  scratch.sort((a, b) => a - b);
  return median(scratch);
}

/**
 * Percentile bootstrap over intervals: each side's intervals are resampled with replacement, and
 * the spread of the median difference gives the interval. Intervals, not requests, are the unit
 * because requests within an interval are not independent (they share the target's state), while
 * intervals of a steady step are close to it. Seeded, so the same two results always give the same
 * verdict.
 */
export function bootstrapShift(
  baseline: readonly number[],
  current: readonly number[],
  options: { readonly resamples: number; readonly confidence: number; readonly seed: number },
): ShiftInterval {
  const rand = mulberry32(options.seed);
  const diffs: number[] = new Array(options.resamples);
  const sb: number[] = new Array(baseline.length);
  const sc: number[] = new Array(current.length);
  for (let r = 0; r < options.resamples; r++) {
    diffs[r] = resampledMedian(current, rand, sc) - resampledMedian(baseline, rand, sb);
  }
  diffs.sort((a, b) => a - b);
  const tail = (1 - options.confidence) / 2;
  const at = (q: number) => diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(q * diffs.length)))]!;
  const baselineMedian = median([...baseline].sort((a, b) => a - b));
  const currentMedian = median([...current].sort((a, b) => a - b));
  return { baselineMedian, currentMedian, change: currentMedian - baselineMedian, low: at(tail), high: at(1 - tail) };
}

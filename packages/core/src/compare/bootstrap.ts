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

/** The median of a sorted typed array. */
function sortedMedian(sorted: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Sorts the first n values in place. An insertion sort: the arrays here hold a step's judged
 * intervals or a ramp's steps (5 to a few dozen values), where it beats a call into the engine's
 * sort by far, two million times per comparison.
 */
function sortSmall(xs: Float64Array, n: number): Float64Array {
  for (let i = 1; i < n; i++) {
    const v = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > v) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = v;
  }
  return xs;
}

export function medianOf(xs: readonly number[]): number {
  return sortedMedian(Float64Array.from(xs).sort(), xs.length);
}

/** A share over intervals: events / trials, each interval weighing what it holds (errors per request sent). */
export interface Share {
  readonly events: number;
  readonly of: number;
}

export function pooledShare(xs: readonly Share[]): number {
  let events = 0;
  let of = 0;
  for (const x of xs) {
    events += x.events;
    of += x.of;
  }
  return of > 0 ? events / of : Number.NaN;
}

/**
 * The samples of one side, as a statistic reads them: values whose median is taken (a latency
 * percentile per interval), or shares pooled over the intervals (events over trials).
 */
export type Samples = { readonly median: readonly number[] } | { readonly shares: readonly Share[] };

/** One place both results measured (a step, a trial rate, a run): its per-interval samples on each side. */
export interface Stratum {
  readonly baseline: Samples;
  readonly current: Samples;
}

/**
 * One side's statistic over a resample with replacement, drawn index by index into preallocated
 * typed arrays: a comparison of a main-job ramp runs about a hundred rows of 2,000 resamples,
 * and `overload history` a comparison per result.
 */
class Resampler {
  readonly #n: number;
  readonly #values: Float64Array;
  readonly #of: Float64Array | undefined;
  readonly #scratch: Float64Array;
  readonly value: number;
  /** Every resample gives `value`: all its samples are the same (no errors in any interval). */
  readonly constant: boolean;

  constructor(s: Samples) {
    if ('median' in s) {
      this.#n = s.median.length;
      this.#values = Float64Array.from(s.median);
      this.#of = undefined;
      this.value = medianOf(s.median);
    } else {
      this.#n = s.shares.length;
      this.#values = Float64Array.from(s.shares, (x) => x.events);
      this.#of = Float64Array.from(s.shares, (x) => x.of);
      this.value = pooledShare(s.shares);
    }
    this.#scratch = new Float64Array(this.#n);
    // A share is constant when every interval has the same ratio (no errors in any, typically).
    this.constant = this.#n > 0 && allEqual(this.#of === undefined ? this.#values : this.#values.map((e, i) => e / this.#of![i]!));
  }

  draw(rand: () => number): number {
    const n = this.#n;
    if (this.#of === undefined) {
      for (let i = 0; i < n; i++) this.#scratch[i] = this.#values[Math.floor(rand() * n)]!;
      return sortedMedian(n <= 64 ? sortSmall(this.#scratch, n) : this.#scratch.sort(), n);
    }
    let events = 0;
    let of = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rand() * n);
      events += this.#values[k]!;
      of += this.#of[k]!;
    }
    return of > 0 ? events / of : Number.NaN;
  }
}

/**
 * The k-th smallest value (Hoare's quickselect, in place): the two quantiles of 2,000 resampled
 * changes without sorting them all. The same value a full sort would put at k.
 */
function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

function allEqual(xs: Float64Array): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return false;
  return true;
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
export function bootstrapShift(
  strata: readonly Stratum[],
  options: { readonly resamples: number; readonly confidence: number; readonly seed: number },
): ShiftInterval {
  const rand = mulberry32(options.seed);
  const sides = strata.map((s) => ({ b: new Resampler(s.baseline), c: new Resampler(s.current) }));
  const baselineValues = sides.map((s) => s.b.value);
  const currentValues = sides.map((s) => s.c.value);
  const change = medianOf(currentValues.map((c, k) => c - baselineValues[k]!));
  const values = { baselineValue: medianOf(baselineValues), currentValue: medianOf(currentValues), change };
  // Nothing varies (no errors on either side, say): every resample gives the same change.
  if (sides.every((s) => s.b.constant && s.c.constant)) return { ...values, low: change, high: change };
  const diffs = new Float64Array(options.resamples);
  const perStratum = new Float64Array(strata.length);
  for (let r = 0; r < options.resamples; r++) {
    for (let k = 0; k < sides.length; k++) perStratum[k] = sides[k]!.c.draw(rand) - sides[k]!.b.draw(rand);
    diffs[r] = sides.length === 1 ? perStratum[0]! : sortedMedian(sortSmall(perStratum, sides.length), sides.length);
  }
  const tail = (1 - options.confidence) / 2;
  const rank = (q: number) => Math.min(diffs.length - 1, Math.max(0, Math.floor(q * diffs.length)));
  return { ...values, low: select(diffs, rank(tail)), high: select(diffs, rank(1 - tail)) };
}

/** The smallest and largest value any resample of one side can give: its median, or its pooled share, lies between. */
function range(s: Samples): [number, number] {
  const xs = 'median' in s ? s.median : s.shares.filter((x) => x.of > 0).map((x) => x.events / x.of);
  return xs.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...xs), Math.max(...xs)];
}

/**
 * Where every resample's change must lie, without resampling: a resample's median (or pooled
 * share) lies within its side's range, and the median over strata is monotone in each stratum's
 * change. When the minimum effect lies outside these bounds, the bootstrap's verdict is known
 * before it runs (`overload history` skips it then: see CompareOptions.bootstrap).
 */
export function shiftBounds(strata: readonly Stratum[]): { readonly low: number; readonly high: number } {
  const lows = strata.map((s) => range(s.current)[0] - range(s.baseline)[1]);
  const highs = strata.map((s) => range(s.current)[1] - range(s.baseline)[0]);
  return { low: medianOf(lows), high: medianOf(highs) };
}

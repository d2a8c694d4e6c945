import type { RateCurve } from '../profile/curve.js';
import { mulberry32 } from './rng.js';

export type ArrivalProcess = 'uniform' | 'poisson';

export interface ArrivalCursorOptions {
  readonly arrivals?: ArrivalProcess;
  /** Seed for Poisson arrivals; the same seed gives the same schedule in every thread. */
  readonly seed?: number;
  /** This slice takes arrivals start, start + stride, start + 2·stride, … (worker i of N). */
  readonly start?: number;
  readonly stride?: number;
  /** Global arrival indexes at or above this are never produced (a hard request cap). */
  readonly limit?: number;
}

/**
 * Walks the open-loop schedule of a curve in order, yielding (global index, offset from t0).
 *
 * Uniform: arrival i is intended at A⁻¹(i + ½). Poisson: the gaps in *area* are Exp(1), so the
 * process is a non-homogeneous Poisson process with intensity r(t) — the right model of many
 * independent users under a ramp — and offsets are still A⁻¹ of an absolute area, not sums of
 * time gaps. Every slice of a Poisson schedule draws the same random stream and keeps its own
 * indexes, so N workers together send exactly the one global schedule.
 *
 * The cursor writes into `index`/`offsetMs` and returns a boolean, so the send loop allocates
 * nothing per arrival.
 */
export class ArrivalCursor {
  index = -1;
  offsetMs = 0;
  readonly #curve: RateCurve;
  readonly #stride: number;
  readonly #limit: number;
  readonly #random: (() => number) | undefined;
  readonly #totalArea: number;
  #next: number;
  #segment = 0;
  #area = 0;
  #randomIndex = -1;

  constructor(curve: RateCurve, options: ArrivalCursorOptions = {}) {
    this.#curve = curve;
    this.#stride = options.stride ?? 1;
    this.#next = options.start ?? 0;
    this.#limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.#totalArea = curve.totalArea;
    this.#random = options.arrivals === 'poisson' ? mulberry32(options.seed ?? 1) : undefined;
  }

  /** Advances to this slice's next arrival; false when the schedule (or the cap) is exhausted. */
  next(): boolean {
    const i = this.#next;
    if (i >= this.#limit) return false;
    let x: number;
    if (this.#random) {
      // Draw the shared stream up to global index i (skipping other slices' draws).
      while (this.#randomIndex < i) {
        this.#area += -Math.log(1 - this.#random());
        this.#randomIndex++;
      }
      x = this.#area;
      if (x > this.#totalArea) return false;
    } else {
      x = i + 0.5;
      if (x >= this.#totalArea) return false;
    }
    const at = this.#curve.timeAtArea(x, this.#segment);
    if (!Number.isFinite(at.timeMs)) return false;
    this.#segment = at.segment;
    this.index = i;
    this.offsetMs = at.timeMs;
    this.#next = i + this.#stride;
    return true;
  }
}

/** Number of arrivals of a slice intended in [fromMs, toMs) — used by plans and tests. */
export function countArrivals(curve: RateCurve, fromMs: number, toMs: number, options: ArrivalCursorOptions = {}): number {
  const cursor = new ArrivalCursor(curve, options);
  let n = 0;
  while (cursor.next()) {
    if (cursor.offsetMs >= toMs) break;
    if (cursor.offsetMs >= fromMs) n++;
  }
  return n;
}

import { type ProfileStep, RateCurve, type Segment } from './curve.js';

/** Appends segments and labelled steps back to back, tracking the running start time. */
export class CurveBuilder {
  readonly #segments: Segment[] = [];
  readonly #steps: ProfileStep[] = [];
  #t = 0;

  /** A phase from `fromRps` to `toRps` over `durationMs`; recorded as a step when labelled. */
  add(durationMs: number, fromRps: number, toRps = fromRps, label?: string): this {
    if (durationMs <= 0) return this;
    this.#segments.push({ startMs: this.#t, durationMs, fromRps, toRps });
    if (label !== undefined) {
      this.#steps.push({
        index: this.#steps.length,
        label,
        startMs: this.#t,
        durationMs,
        rateRps: Math.max(fromRps, toRps),
      });
    }
    this.#t += durationMs;
    return this;
  }

  build(): RateCurve {
    return new RateCurve(this.#segments, this.#steps);
  }
}

/**
 * A rate curve: the offered rate (req/s) as a piecewise-linear function of time since t0.
 * Every profile kind compiles to one. The open-loop schedule is derived from its area.
 *
 * Why area: with a rate r(t), the expected number of arrivals in [0, t] is A(t) = ∫₀ᵗ r. The
 * i-th uniform arrival is intended at the time where A reaches i + ½ (centred, so that the count
 * in [0, T] is A(T) rounded). Each time is computed from t0 directly by inverting A, never by
 * adding intervals to the previous arrival, so floating-point error never accumulates: arrival
 * 10⁶ is as exact as arrival 1 (this is how k6's ramping-arrival-rate executor does it too).
 */
export interface Segment {
  readonly startMs: number;
  readonly durationMs: number;
  readonly fromRps: number;
  readonly toRps: number;
}

/** A labelled phase of a profile (a step of a step profile, a stage, the hold of a pinch). */
export interface ProfileStep {
  readonly index: number;
  readonly label: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** The highest rate offered during the step (the step's rate for flat steps). */
  readonly rateRps: number;
}

export interface SerializedCurve {
  readonly segments: readonly Segment[];
  readonly steps: readonly ProfileStep[];
}

export class RateCurve {
  readonly segments: readonly Segment[];
  readonly steps: readonly ProfileStep[];
  readonly durationMs: number;
  /** Cumulative area (arrivals) at the start of each segment, plus the total at the end. */
  readonly #areaBefore: Float64Array;

  constructor(segments: readonly Segment[], steps: readonly ProfileStep[] = []) {
    this.segments = segments;
    this.steps = steps;
    this.#areaBefore = new Float64Array(segments.length + 1);
    let area = 0;
    let end = 0;
    segments.forEach((s, i) => {
      this.#areaBefore[i] = area;
      area += segmentArea(s, s.durationMs);
      end = s.startMs + s.durationMs;
    });
    this.#areaBefore[segments.length] = area;
    this.durationMs = end;
  }

  static from(serialized: SerializedCurve): RateCurve {
    return new RateCurve(serialized.segments, serialized.steps);
  }

  toJSON(): SerializedCurve {
    return { segments: this.segments, steps: this.steps };
  }

  /** Expected arrivals in the whole profile (the area under the curve). */
  get totalArea(): number {
    return this.#areaBefore[this.segments.length]!;
  }

  /**
   * Number of uniform arrivals the profile schedules: every i with i + ½ < area (the cursor's
   * rule). Not Math.round, which rounds an area of k + ½ up and plans one arrival more than is sent.
   */
  get totalArrivals(): number {
    return Math.max(0, Math.ceil(this.totalArea - 0.5));
  }

  get peakRps(): number {
    let peak = 0;
    for (const s of this.segments) peak = Math.max(peak, s.fromRps, s.toRps);
    return peak;
  }

  rateAt(tMs: number): number {
    const i = this.segmentIndexAt(tMs);
    if (i < 0) return 0;
    const s = this.segments[i]!;
    return s.fromRps + ((s.toRps - s.fromRps) * (tMs - s.startMs)) / s.durationMs;
  }

  /** A(t): expected arrivals in [0, tMs]. */
  areaAt(tMs: number): number {
    if (tMs <= 0 || this.segments.length === 0) return 0;
    if (tMs >= this.durationMs) return this.totalArea;
    const i = this.segmentIndexAt(tMs);
    const s = this.segments[i]!;
    return this.#areaBefore[i]! + segmentArea(s, tMs - s.startMs);
  }

  /** Areas at segment starts (index i) — used by cursors that walk the curve forwards. */
  areaBefore(segmentIndex: number): number {
    return this.#areaBefore[segmentIndex]!;
  }

  /**
   * A⁻¹(x): the earliest time at which the area reaches x, or Infinity past the end.
   * `hint` is a segment index to start searching from (cursors pass their last one).
   */
  timeAtArea(x: number, hint = 0): { timeMs: number; segment: number } {
    const n = this.segments.length;
    let i = Math.max(0, Math.min(hint, n - 1));
    while (i > 0 && this.#areaBefore[i]! > x) i--;
    while (i < n && this.#areaBefore[i + 1]! < x) i++;
    // Skip zero-rate segments (a pinch hold): the area does not grow there.
    while (i < n && this.#areaBefore[i + 1]! <= x && segmentArea(this.segments[i]!, this.segments[i]!.durationMs) === 0) i++;
    if (i >= n) return { timeMs: Number.POSITIVE_INFINITY, segment: n };
    const s = this.segments[i]!;
    return { timeMs: s.startMs + invertSegmentArea(s, x - this.#areaBefore[i]!), segment: i };
  }

  private segmentIndexAt(tMs: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    if (hi < 0 || tMs < 0 || tMs >= this.durationMs) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.startMs <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Area (arrivals) of segment `s` over its first `tauMs` milliseconds. Rates are per second. */
export function segmentArea(s: Segment, tauMs: number): number {
  const a = s.fromRps / 1000; // arrivals per ms at the segment start
  const b = (s.toRps - s.fromRps) / 1000 / s.durationMs; // per ms²
  return a * tauMs + (b * tauMs * tauMs) / 2;
}

/**
 * Solves a·τ + b·τ²/2 = x for τ ≥ 0. Written as 2x / (a + √(a² + 2bx)) rather than the textbook
 * (−a + √…)/b, which loses all precision when b is tiny (a nearly flat ramp) and divides by
 * zero when the segment is flat.
 */
function invertSegmentArea(s: Segment, x: number): number {
  const a = s.fromRps / 1000;
  const b = (s.toRps - s.fromRps) / 1000 / s.durationMs;
  const disc = Math.max(0, a * a + 2 * b * x);
  const denom = a + Math.sqrt(disc);
  if (denom <= 0) return 0;
  return Math.min(s.durationMs, (2 * x) / denom);
}

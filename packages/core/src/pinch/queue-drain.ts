import { DEFAULTS } from '../defaults.js';
import type { ProbeSample, ProbeSeries } from '../probe/series.js';

/** The moments of one pinch, in ms since t0. */
export interface PinchMoments {
  /** When the hold began (the pause was sent, or the profile's hold step started); absent when nothing marks it. */
  readonly holdAtMs?: number;
  /** When the backlog was released (the release action was sent, or the profile's release step started). */
  readonly releaseAtMs: number;
  /** When the load stopped: the drain is watched up to here. */
  readonly endMs: number;
}

/** How one queue-like probe behaved through a pinch. */
export interface QueueDrain {
  readonly probe: string;
  /** The queue's steady level: the median of its samples before the hold. */
  readonly baseline: number;
  /** The top of its steady range: back at or below this, the queue counts as drained. */
  readonly steadyMax: number;
  /** The queue rose above its steady range during the hold or after the release. */
  readonly rose: boolean;
  readonly peak: number;
  readonly peakAtMs: number;
  /** Back in its steady range after the peak and the release (false: still above it when the load stopped). */
  readonly drained: boolean;
  /** The first sample back in the steady range after the release. */
  readonly drainedAtMs?: number;
  /** From the release to that sample: the number the pinch test is run for. */
  readonly drainMs?: number;
  /**
   * The last sample still above the steady range: the drain ended between this and
   * `drainedAtMs`, so `drainedAtMs − lastAboveMs` is the figure's resolution (the probe interval).
   */
  readonly lastAboveMs?: number;
  /** After the drain, every sample to the end of the load stayed in the steady range (false: it rose again). */
  readonly stayedDrained?: boolean;
}

/** The samples that read a number, in time order. */
export function readable(series: ProbeSeries): ProbeSample[] {
  return series.points.filter((p) => p.ok && typeof p.value === 'number' && Number.isFinite(p.value));
}

/**
 * Peak and drain of one queue through a pinch, read from its probe alone. The steady range comes
 * from the samples before the hold (before the release when no hold is marked, which is the best
 * a run without a pause can do); the peak is the highest sample from the hold to the end (the
 * queue peaks at the release, or just after it when consumers start slowly); drained is the first
 * sample at or after the release, and after the peak, back in the steady range.
 */
export function analyzeQueue(series: ProbeSeries, moments: PinchMoments): QueueDrain {
  const points = readable(series).filter((p) => p.tMs <= moments.endMs);
  const steadyUntilMs = moments.holdAtMs ?? moments.releaseAtMs;
  const before = points
    .filter((p) => p.tMs < steadyUntilMs)
    .map((p) => p.value as number)
    .sort((a, b) => a - b);
  const baseline = before.length > 0 ? before[Math.floor(before.length / 2)]! : 0;
  const high = before.length > 0 ? before[Math.min(before.length - 1, Math.floor(before.length * DEFAULTS.pinch.steadyPercentile))]! : 0;
  const steadyMax = Math.max(high, baseline + DEFAULTS.pinch.steadySlack);
  let peak = baseline;
  let peakAtMs = steadyUntilMs;
  for (const p of points) {
    if (p.tMs >= steadyUntilMs && (p.value as number) > peak) {
      peak = p.value as number;
      peakAtMs = p.tMs;
    }
  }
  const rose = peak > steadyMax;
  const base = { probe: series.name, baseline, steadyMax, rose, peak, peakAtMs };
  if (!rose) return { ...base, drained: true };
  const fromMs = Math.max(peakAtMs, moments.releaseAtMs);
  const at = points.findIndex((p) => p.tMs >= fromMs && (p.value as number) <= steadyMax);
  if (at < 0) return { ...base, drained: false };
  const drainedAtMs = points[at]!.tMs;
  const lastAbove = points[at - 1];
  return {
    ...base,
    drained: true,
    drainedAtMs,
    drainMs: drainedAtMs - moments.releaseAtMs,
    ...(lastAbove ? { lastAboveMs: lastAbove.tMs } : {}),
    stayedDrained: points.slice(at).every((p) => (p.value as number) <= steadyMax),
  };
}

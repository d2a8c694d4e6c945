import type { ProbeSeries } from '../probe/series.js';
import type { RateCurve } from '../profile/curve.js';

/** How one queue-like probe behaved after a pinch's release. */
export interface QueueDrain {
  readonly probe: string;
  /** When the backlog was released (ms since t0). */
  readonly releaseAtMs: number;
  /** The queue's level before the hold (median of the samples before the release). */
  readonly baseline: number;
  readonly peak: number;
  readonly peakAtMs: number;
  /** When the queue was back to its baseline after the peak (absent when it never was). */
  readonly drainedAtMs?: number;
  /** From the release to the drain: the number the pinch test is run for. */
  readonly drainMs?: number;
  readonly drained: boolean;
}

/** The release of a pinch profile: the start of the step labelled `release …`. */
export function pinchReleaseAtMs(curve: RateCurve): number | undefined {
  return curve.steps.find((s) => s.label.startsWith('release'))?.startMs;
}

/**
 * For a pinch test: how long did each queue take to drain after the release? The queue is
 * "drained" at the first sample after its peak that is back within `tolerance` of its pre-release
 * baseline (at least 1, so a queue that idles at 0 counts 0 or 1 as drained).
 */
export function analyzeDrain(series: ProbeSeries, releaseAtMs: number, tolerance = 1): QueueDrain {
  const points = series.points.filter((p) => p.ok && p.value !== null);
  const before = points
    .filter((p) => p.tMs < releaseAtMs)
    .map((p) => p.value as number)
    .sort((a, b) => a - b);
  const baseline = before.length > 0 ? before[Math.floor(before.length / 2)]! : 0;
  const after = points.filter((p) => p.tMs >= releaseAtMs);
  let peak = baseline;
  let peakAtMs = releaseAtMs;
  for (const p of after) {
    if ((p.value as number) > peak) {
      peak = p.value as number;
      peakAtMs = p.tMs;
    }
  }
  const limit = baseline + Math.max(tolerance, 0);
  const drainedPoint = after.find((p) => p.tMs >= peakAtMs && (p.value as number) <= limit && peak > limit);
  return {
    probe: series.name,
    releaseAtMs,
    baseline,
    peak,
    peakAtMs,
    ...(drainedPoint ? { drainedAtMs: drainedPoint.tMs, drainMs: drainedPoint.tMs - releaseAtMs } : {}),
    drained: peak <= limit || drainedPoint !== undefined,
  };
}

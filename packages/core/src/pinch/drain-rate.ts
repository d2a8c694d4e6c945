import type { ProbeSample, ProbeSeries } from '../probe/series.js';
import { type PinchMoments, type QueueDrain, readable } from './queue-drain.js';

/** How fast the consumers worked through the backlog, against how fast they work in steady state. */
export interface DrainRate {
  /**
   * Where the figures come from: `counter`, the slope of a probe counting completed work (the
   * direct reading); `queue`, the queue's own slope (during the hold it grows at the arrival rate,
   * which is the consumers' steady rate if they kept up before; during the drain the consumers
   * took the backlog plus those arrivals).
   */
  readonly source: 'counter' | 'queue';
  readonly probe: string;
  /** Completed per second before the hold. */
  readonly steadyRps: number;
  /** Completed per second from the release to the drain. */
  readonly drainRps: number;
  /** drainRps / steadyRps: how much harder the consumers worked while draining. */
  readonly ratio: number;
}

/**
 * Throughput during the drain from a counter of completed work (`student_reports_done_total`):
 * its slope before the hold is the steady rate, its growth from the release to the drained sample
 * the drain rate. Undefined when the probe has too few samples to read either.
 */
export function drainRateFromCounter(counter: ProbeSeries, queue: QueueDrain, moments: PinchMoments): DrainRate | undefined {
  if (queue.drainedAtMs === undefined || moments.holdAtMs === undefined) return undefined;
  const points = readable(counter);
  const steady = slope(points.filter((p) => p.tMs >= 0 && p.tMs <= moments.holdAtMs!));
  const atRelease = lastAtOrBefore(points, moments.releaseAtMs);
  const atDrained = lastAtOrBefore(points, queue.drainedAtMs);
  if (steady === undefined || !atRelease || !atDrained || atDrained.tMs <= moments.releaseAtMs) return undefined;
  const drainRps = ((atDrained.value as number) - (atRelease.value as number)) / ((atDrained.tMs - moments.releaseAtMs) / 1000);
  return rateOf('counter', counter.name, steady, drainRps);
}

/**
 * The same from the queue alone, when no counter is probed. During the hold the queue grows at
 * the arrival rate λ (the consumers' steady rate, if the queue was flat before the hold). From the
 * release to the drain the consumers took what was queued at the release, less what is left, plus
 * what arrived meanwhile: (Q(release) − Q(drained)) / drain time + λ.
 */
export function drainRateFromQueue(series: ProbeSeries, queue: QueueDrain, moments: PinchMoments): DrainRate | undefined {
  if (queue.drainedAtMs === undefined || queue.drainMs === undefined || queue.drainMs <= 0 || moments.holdAtMs === undefined)
    return undefined;
  const points = readable(series);
  const arrivalRps = slope(points.filter((p) => p.tMs >= moments.holdAtMs! && p.tMs <= moments.releaseAtMs));
  const last = lastAtOrBefore(points, moments.releaseAtMs);
  const drained = points.find((p) => p.tMs === queue.drainedAtMs);
  // A queue that did not grow during the hold says nothing about the arrival rate.
  if (arrivalRps === undefined || arrivalRps <= 0 || !last || !drained) return undefined;
  const atRelease = (last.value as number) + arrivalRps * ((moments.releaseAtMs - last.tMs) / 1000);
  const drainRps = (atRelease - (drained.value as number)) / (queue.drainMs / 1000) + arrivalRps;
  return rateOf('queue', series.name, arrivalRps, drainRps);
}

function rateOf(source: DrainRate['source'], probe: string, steadyRps: number, drainRps: number): DrainRate {
  return {
    source,
    probe,
    steadyRps: round1(steadyRps),
    drainRps: round1(drainRps),
    ratio: steadyRps > 0 ? round2(drainRps / steadyRps) : Number.NaN,
  };
}

/** Units per second from the first to the last sample; undefined over less than two samples. */
function slope(points: readonly ProbeSample[]): number | undefined {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || last.tMs <= first.tMs) return undefined;
  return ((last.value as number) - (first.value as number)) / ((last.tMs - first.tMs) / 1000);
}

function lastAtOrBefore(points: readonly ProbeSample[], tMs: number): ProbeSample | undefined {
  let found: ProbeSample | undefined;
  for (const p of points) {
    if (p.tMs > tMs) break;
    found = p;
  }
  return found;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

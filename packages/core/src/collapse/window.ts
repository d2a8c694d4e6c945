import type { IntervalStats } from '../run/interval.js';
import { createHistogram, decodeHistogram, type Histogram } from '../stats/histogram.js';

/**
 * A run of consecutive intervals judged as one: counts added, histograms merged bucket by bucket.
 * Percentiles of a window always come from `latency` here — the average of per-interval p99s is
 * not the p99 of anything (one bad second among five would be diluted five times).
 */
export interface WindowStats {
  readonly startMs: number;
  /** End of the last interval (exclusive). */
  readonly endMs: number;
  /** Sum of interval durations (a worker's last interval may be short). */
  readonly durationMs: number;
  readonly intervals: number;
  readonly offered: number;
  readonly sent: number;
  readonly responses: number;
  readonly ok: number;
  readonly errors: number;
  /** Errors with no response at all (refused, reset, timeout, protocol, other). */
  readonly transportErrors: number;
  readonly dropped: number;
  readonly droppedGenerator: number;
  readonly latency: Histogram;
  readonly lag: Histogram;
}

export function mergeWindow(intervals: readonly IntervalStats[]): WindowStats {
  const latency = createHistogram();
  const lag = createHistogram();
  let offered = 0;
  let sent = 0;
  let responses = 0;
  let ok = 0;
  let errors = 0;
  let statusErrors = 0;
  let dropped = 0;
  let droppedGenerator = 0;
  let durationMs = 0;
  for (const i of intervals) {
    offered += i.offered;
    sent += i.sent;
    responses += i.responses;
    ok += i.ok;
    errors += i.errors;
    statusErrors += i.errorsByClass.status;
    dropped += i.dropped;
    droppedGenerator += i.droppedGenerator;
    durationMs += i.durationMs;
    if (i.histograms.latency) latency.add(decodeHistogram(i.histograms.latency));
    if (i.histograms.lag) lag.add(decodeHistogram(i.histograms.lag));
  }
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  return {
    startMs: first ? first.startMs : 0,
    endMs: last ? last.startMs + last.durationMs : 0,
    durationMs,
    intervals: intervals.length,
    offered,
    sent,
    responses,
    ok,
    errors,
    transportErrors: errors - statusErrors,
    dropped,
    droppedGenerator,
    latency,
    lag,
  };
}

/** Offered arrivals per second over the window. */
export function offeredRps(w: Pick<WindowStats, 'offered' | 'durationMs'>): number {
  return w.durationMs > 0 ? (w.offered * 1000) / w.durationMs : 0;
}

import { type IntervalStats, mergeNameReports, type NameStats } from '../run/interval.js';
import { addCounts, type Counts, zeroCounts } from '../run/counts.js';
import { createHistogram, decodedHistogram, type Histogram, percentileMs } from '../stats/histogram.js';

/** What the generator verdict needs of each interval of a window, in order. */
export interface IntervalTrace {
  readonly startMs: number;
  readonly durationMs: number;
  /** Arrivals the send loop reached in the interval (sent + dropped + dropped by the generator). */
  readonly offered: number;
  /** Median schedule lag of the arrivals sent in the interval (0 when none was sent). */
  readonly lagMsP50: number;
  readonly lagSamples: number;
  /** The busiest firing thread's event-loop utilisation (0..1). */
  readonly elu: number;
}

/**
 * A run of consecutive intervals judged as one: counts added, histograms merged bucket by bucket.
 * Percentiles of a window always come from `latency` here — the average of per-interval p99s is
 * not the p99 of anything (one bad second among five would be diluted five times).
 */
export interface WindowStats extends Counts {
  readonly startMs: number;
  /** End of the last interval (exclusive). */
  readonly endMs: number;
  /** Sum of interval durations (a worker's last interval may be short). */
  readonly durationMs: number;
  readonly intervals: number;
  /**
   * Arrivals that ended well: successful responses, or with journeys the journeys (and named
   * requests) that ended ok — what `achieved` counts, since one arrival may send many requests.
   */
  readonly arrivalsOk: number;
  /** Corrected latency of every request whose fate is known (responses, and failures at the moment they ended). */
  readonly latency: Histogram;
  readonly lag: Histogram;
  readonly trace: readonly IntervalTrace[];
  /**
   * The window's figures for the given per-name entries, merged (a scoped SLO condition's): made
   * on demand, since most SLOs name nothing and the merge decodes every interval's histograms.
   */
  nameStats(indexes: readonly number[]): NameStats;
}

/**
 * `arrivalNames`: the indexes in `byName` of what an arrival is (its request or its journey,
 * never a step), when the run's requests are named; their `ok` counts make `arrivalsOk`.
 */
export function mergeWindow(intervals: readonly IntervalStats[], arrivalNames?: readonly number[]): WindowStats {
  const latency = createHistogram();
  const lag = createHistogram();
  const trace: IntervalTrace[] = [];
  const counts = zeroCounts();
  let arrivalsOk = 0;
  let durationMs = 0;
  for (const i of intervals) {
    addCounts(counts, i);
    if (arrivalNames && i.byName) for (const k of arrivalNames) arrivalsOk += i.byName[k]?.ok ?? 0;
    else arrivalsOk += i.ok;
    durationMs += i.durationMs;
    if (i.histograms.latency) latency.add(decodedHistogram(i.histograms.latency));
    const intervalLag = i.histograms.lag ? decodedHistogram(i.histograms.lag) : undefined;
    if (intervalLag) lag.add(intervalLag);
    trace.push({
      startMs: i.startMs,
      durationMs: i.durationMs,
      offered: i.offered,
      lagMsP50: intervalLag ? percentileMs(intervalLag, 50) : 0,
      lagSamples: intervalLag?.totalCount ?? 0,
      elu: i.generatorElu ?? 0,
    });
  }
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  return {
    startMs: first ? first.startMs : 0,
    endMs: last ? last.startMs + last.durationMs : 0,
    durationMs,
    intervals: intervals.length,
    ...counts,
    arrivalsOk,
    latency,
    lag,
    trace,
    nameStats: (indexes) => mergeNameReports(intervals.flatMap((i) => indexes.flatMap((k) => (i.byName?.[k] ? [i.byName[k]] : [])))),
  };
}

/** Offered arrivals per second over the window. */
export function offeredRps(w: Pick<WindowStats, 'offered' | 'durationMs'>): number {
  return w.durationMs > 0 ? (w.offered * 1000) / w.durationMs : 0;
}

/** Arrivals that ended well per second over the window (successful responses, or journeys): what the target really delivered. */
export function achievedRps(w: Pick<WindowStats, 'arrivalsOk' | 'durationMs'>): number {
  return w.durationMs > 0 ? (w.arrivalsOk * 1000) / w.durationMs : 0;
}

/** The indexes of the names an arrival is (requests and journeys, not steps), for `mergeWindow`. */
export function arrivalNamesOf(names: readonly { readonly kind: string }[]): number[] | undefined {
  if (names.length === 0) return undefined;
  return names.flatMap((n, k) => (n.kind === 'step' ? [] : [k]));
}

/**
 * Windows of at least `windowMs` starting at each interval, in order (they slide by one
 * interval); the whole list as one window when it is shorter than that.
 */
export function* slidingWindows<T extends { readonly durationMs: number }>(
  intervals: readonly T[],
  windowMs: number,
): Generator<{ readonly start: number; readonly slice: readonly T[] }> {
  let yielded = false;
  for (let start = 0; start < intervals.length; start++) {
    let end = start;
    let coveredMs = 0;
    while (end < intervals.length && coveredMs < windowMs - 0.5) coveredMs += intervals[end++]!.durationMs;
    if (coveredMs < windowMs - 0.5) break;
    yielded = true;
    yield { start, slice: intervals.slice(start, end) };
  }
  if (!yielded && intervals.length > 0) yield { start: 0, slice: intervals };
}

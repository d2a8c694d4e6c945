import * as hdr from 'hdr-histogram-js';

/**
 * Every HdrHistogram setting of the project lives here, so that histograms recorded in worker
 * threads, merged in the main thread and merged again across shards are always compatible.
 * Values are microseconds: 1 µs resolution up to one hour, 3 significant digits (0.1 %).
 */
export const HISTOGRAM_SETTINGS = {
  bitBucketSize: 32,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
  useWebAssembly: false,
  autoResize: false,
} as const satisfies hdr.BuildRequest;

export type Histogram = hdr.Histogram;

/**
 * The settings as a result file records them (`config.histogram`): histograms recorded with other
 * settings cannot be added exactly, so `overload merge` compares these before adding anything.
 */
export interface HistogramRecordSettings {
  readonly unit: 'us';
  readonly lowestDiscernibleValue: number;
  readonly highestTrackableValue: number;
  readonly numberOfSignificantValueDigits: number;
}

export const HISTOGRAM_RECORD_SETTINGS: HistogramRecordSettings = {
  unit: 'us',
  lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
  highestTrackableValue: HISTOGRAM_SETTINGS.highestTrackableValue,
  numberOfSignificantValueDigits: HISTOGRAM_SETTINGS.numberOfSignificantValueDigits,
};

export function createHistogram(): Histogram {
  return hdr.build(HISTOGRAM_SETTINGS);
}

/** Records a value in microseconds, clamped into the trackable range (never throws on the hot path). */
export function recordMicros(h: Histogram, micros: number): void {
  const v = micros < 1 ? 1 : Math.min(micros, HISTOGRAM_SETTINGS.highestTrackableValue);
  h.recordValue(Math.round(v));
}

/** Compressed base64, as HdrHistogram's log format and autocannon use to move histograms. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, HISTOGRAM_SETTINGS.bitBucketSize, false);
}

/**
 * Decoded histograms by their encoded form, most recently used last. The judges read the same
 * interval's histograms many times (every sliding window that holds it, the step, the run
 * totals); this decodes each once. Bounded, because a histogram of these settings is about
 * 88 KB decoded: 512 of them cover every window and step a judge looks at, at ~45 MB at most.
 */
const DECODED = new Map<string, Histogram>();
const DECODED_MAX = 512;

/**
 * `decodeHistogram`, decoded once and shared: the histogram returned is read-only (add it into
 * another, read percentiles; never record into it).
 */
export function decodedHistogram(encoded: string): Histogram {
  let h = DECODED.get(encoded);
  if (h) {
    DECODED.delete(encoded);
  } else {
    h = decodeHistogram(encoded);
    if (DECODED.size >= DECODED_MAX) DECODED.delete(DECODED.keys().next().value as string);
  }
  DECODED.set(encoded, h);
  return h;
}

/** Encodes a histogram that will be read back soon, keeping it decoded for `decodedHistogram`. */
export function encodeShared(h: Histogram): string {
  const encoded = encodeHistogram(h);
  if (DECODED.size >= DECODED_MAX) DECODED.delete(DECODED.keys().next().value as string);
  DECODED.set(encoded, h);
  return encoded;
}

/**
 * Merges encoded histograms exactly (bucket counts add). Percentiles of the merge are exact to
 * the configured precision — never average percentiles across workers, intervals or shards.
 */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const out = createHistogram();
  for (const e of encoded) {
    if (e) out.add(decodedHistogram(e));
  }
  return out;
}

/** Percentiles of a latency histogram, in milliseconds (values are recorded in µs). */
export interface LatencySummaryMs {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export function summarizeMs(h: Histogram): LatencySummaryMs {
  const count = h.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count,
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/** The value at a percentile, in milliseconds. */
export function percentileMs(h: Histogram, percentile: number): number {
  return h.totalCount === 0 ? 0 : Math.round(h.getValueAtPercentile(percentile)) / 1000;
}

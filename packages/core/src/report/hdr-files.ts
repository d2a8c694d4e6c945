import * as hdr from 'hdr-histogram-js';
import type { RunResult } from '../result/run-result.js';
import { decodeHistogram } from '../stats/histogram.js';

/**
 * HdrHistogram's own file formats, so a run can be read by the tools people already use:
 * HdrHistogram's plotter (hdrhistogram.github.io/HdrHistogram/plotFiles.html) and wrk2 read the
 * `.hgrm` percentile distribution; `HistogramLogProcessor`, HdrHistogramVisualizer and
 * hdr-histogram-js's `HistogramLogReader` read the interval log.
 *
 * Values are recorded in microseconds (see stats/histogram.ts). The `.hgrm` is scaled to
 * milliseconds, the unit the plotter labels and wrk2 prints; the interval log keeps the
 * histograms exactly as recorded (µs), because re-scaling an encoded histogram would lose its
 * precision, and only its Interval_Max column is in milliseconds. With Java's
 * HistogramLogProcessor, pass `-outputValueUnitRatio 1000` to read milliseconds
 * (`-i intervals.hlog` reads the corrected latency, `-tag service` the service time).
 */

/** Ticks per half distance to 100 %: HdrHistogram's and wrk2's default, what the plotter expects. */
export const HGRM_TICKS_PER_HALF_DISTANCE = 5;

/** µs per ms: the `.hgrm` and Interval_Max unit. */
const US_PER_MS = 1000;

/**
 * The tags of the interval log's two series. The corrected latency is the untagged, default
 * series: `HistogramLogProcessor -i intervals.hlog` (and every tool built on the log reader)
 * reads only untagged lines unless given `-tag`, so the number users came for is what they get.
 * Service time is the tagged extra (`-tag service`).
 */
export const INTERVAL_LOG_TAGS = { latency: undefined, serviceTime: 'service' } as const;

/** hdr-histogram-js's marker for an untagged histogram (its `NO_TAG`, not exported from its index). */
const NO_TAG = 'NO TAG';

export interface HdrFiles {
  /** `.hgrm` of the coordinated-omission corrected latency (intended send → response), in ms. */
  readonly latencyHgrm: string;
  /** `.hgrm` of the service time (actual send → response), in ms. */
  readonly serviceTimeHgrm: string;
  /** The interval log: per interval, one untagged (corrected latency) and one `Tag=service` histogram. */
  readonly intervalLog: string;
}

/** The `.hgrm` text (`outputPercentileDistribution`) of an encoded µs histogram, values in ms. */
export function percentileDistribution(encoded: string, ticksPerHalfDistance = HGRM_TICKS_PER_HALF_DISTANCE): string {
  return decodeHistogram(encoded).outputPercentileDistribution(ticksPerHalfDistance, US_PER_MS);
}

/**
 * The interval log in HdrHistogram's log format (version 1.3), as Java's HistogramLogWriter
 * writes it: a StartTime comment (the run's start, seconds since the epoch), a legend, then
 * one line per interval and tag with timestamps relative to the start. A reader adds the start
 * time back, so every interval keeps its place on the wall clock; merging the lines of one tag
 * reproduces the run's whole histogram exactly (the whole-run histogram is their sum).
 */
export function intervalLog(run: Pick<RunResult, 'startedAt' | 'intervals' | 'target' | 'runId'>): string {
  const startMs = Date.parse(run.startedAt);
  let text = '';
  const writer = new hdr.HistogramLogWriter((line) => (text += line));
  writer.outputComment(`[Logged with overload: ${oneLine(run.target.method)} ${oneLine(run.target.url)} run ${oneLine(run.runId)}]`);
  writer.outputLogFormatVersion();
  // Written by hand rather than with outputStartTime(), which appends the start in the local
  // time zone: the same run must give the same file on every machine.
  writer.outputComment(`[StartTime: ${(startMs / 1000).toFixed(3)} (seconds since epoch), ${new Date(startMs).toISOString()}]`);
  writer.outputComment(
    `[Untagged lines: corrected latency (intended send to response); Tag=${INTERVAL_LOG_TAGS.serviceTime}: service time (actual send to response); values in microseconds, Interval_Max in milliseconds]`,
  );
  writer.outputLegend();
  for (const interval of run.intervals) {
    const startSec = interval.startMs / 1000;
    const endSec = (interval.startMs + interval.durationMs) / 1000;
    for (const [tag, encoded] of [
      [INTERVAL_LOG_TAGS.latency, interval.histograms.latency],
      [INTERVAL_LOG_TAGS.serviceTime, interval.histograms.serviceTime],
    ] as const) {
      const h = decodeHistogram(encoded);
      h.tag = tag ?? NO_TAG;
      writer.outputIntervalHistogram(h, startSec, endSec, US_PER_MS);
    }
  }
  return text;
}

/** Every HdrHistogram file of a run (for a ramp, pass its `run`: the ramp phase). */
export function hdrFilesOf(run: RunResult): HdrFiles {
  return {
    latencyHgrm: percentileDistribution(run.histograms.latency),
    serviceTimeHgrm: percentileDistribution(run.histograms.serviceTime),
    intervalLog: intervalLog(run),
  };
}

/** A comment line must stay one line, and a comma would not matter but a newline would end it. */
function oneLine(s: string): string {
  return String(s).replace(/[\r\n]+/g, ' ');
}

import {
  type ArrivalUnit,
  formatArrivalRate,
  formatStepRate,
  type IntervalStats,
  type LatencySummaryMs,
  type ProbeSeries,
  rateSymbol,
  type Slo,
  type StepResult,
} from '@overload/core/internal';
import type { StoredPinch } from '../output/pinch-summary.js';
import { arrivalUnitOf, stepRateText } from './rate-unit.js';
import type { StoredRampResult, StoredResult, StoredSearchResult } from './stored-result.js';

/**
 * The charts of a report as plain data: computed here, in Node, from the result, and embedded
 * in the page as JSON for the small client script that hands them to uPlot. Keeping the maths
 * out of the browser keeps the page dumb and makes what it draws testable without one.
 */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
  /** The y scale: `y` (left axis) or `y2` (right axis). */
  readonly scale?: 'y' | 'y2';
  /** Points only, no line (markers, failed probe polls). */
  readonly pointsOnly?: boolean;
  readonly dash?: readonly number[];
  /** Shown after the value in the legend. */
  readonly unit?: string;
  /** Join the points across x values it has none at (two runs overlaid on the union of their x values). */
  readonly spanGaps?: boolean;
}

/** A vertical line across the plot at `x`, labelled (the knee, the collapse, a phase change). */
export interface ChartMark {
  readonly x: number;
  readonly label: string;
  readonly color: string;
}

/** A horizontal line at `y` on the left axis (an SLO limit). */
export interface ChartLimit {
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

/** A shaded stretch of the x axis (the cool-down, the recovery baseline). */
export interface ChartBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** One sentence under the title: what to look for. */
  readonly caption: string;
  readonly xLabel: string;
  readonly xUnit: string;
  readonly yLabel: string;
  readonly y2Label?: string;
  readonly yLog?: boolean;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly marks: readonly ChartMark[];
  readonly limits: readonly ChartLimit[];
  readonly bands: readonly ChartBand[];
}

export const COLOR = {
  offered: '#7b8794',
  achieved: '#1f77b4',
  responses: '#17becf',
  p50: '#2ca02c',
  p90: '#ff7f0e',
  p99: '#d62728',
  max: '#9467bd',
  errors: '#d62728',
  dropped: '#ff7f0e',
  droppedGenerator: '#8c564b',
  // Overlays in darker shades than any series, so neither a reader nor a test takes a knee
  // line or an SLO limit for data.
  knee: '#006d2c',
  collapse: '#7a0010',
  limit: '#7a0010',
  probe: '#1f77b4',
  probeFailed: '#d62728',
  action: '#3f007d',
} as const;

/** Every chart that applies to the result, in reading order. */
export function chartsOf(result: StoredResult): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const timeline = timelineOf(result);
  if (timeline) {
    charts.push(
      rateChart(timeline, arrivalUnitOf(result)),
      latencyChart(timeline, sloLimits(result)),
      errorsChart(timeline, arrivalUnitOf(result)),
    );
    const run = result.kind === 'run' ? result : result.kind === 'ramp' ? result.run : undefined;
    (run?.byName ?? []).forEach((n, k) => {
      if (n.kind === 'journey') charts.push(journeyChart(timeline, n.name, k));
    });
  }
  if (result.kind === 'ramp') charts.push(rampHockeyStick(result));
  if (result.kind === 'search') charts.push(searchHockeyStick(result));
  (result.probes ?? []).forEach((p, i) => charts.push(probeChart(p, i, timeline)));
  return charts;
}

/** Intervals on one clock (seconds since the ramp's t0), with the recovery baseline appended. */
export interface Timeline {
  readonly points: readonly { readonly tSec: number; readonly interval: IntervalStats | undefined; readonly intervalMs: number }[];
  readonly marks: ChartMark[];
  readonly bands: ChartBand[];
}

function timelineOf(result: StoredResult): Timeline | undefined {
  const run = result.kind === 'run' ? result : result.kind === 'ramp' ? result.run : undefined;
  if (!run || run.intervals.length === 0) return undefined;
  const intervalMs = run.config.intervalMs;
  const at = (offsetMs: number, i: IntervalStats) => ({
    tSec: round3((offsetMs + i.startMs + i.durationMs / 2) / 1000),
    interval: i,
    intervalMs,
  });
  const points: Timeline['points'][number][] = run.intervals.map((i) => at(0, i));
  const marks: ChartMark[] = [];
  const bands: ChartBand[] = [];
  if (result.kind === 'ramp') {
    if (result.collapse) {
      const w = result.collapse.window;
      marks.push({
        x: round3((w.startMs + w.durationMs) / 1000),
        label: `collapse detected (${stepRateText(result.collapse.step, arrivalUnitOf(result))})`,
        color: COLOR.collapse,
      });
    }
    const rec = result.recovery;
    if (rec && 'run' in rec && rec.run.intervals.length > 0) {
      // The baseline ran on its own clock; it started a cool-down after the ramp's load stopped.
      const loadStoppedMs = run.durationMs;
      const baselineStartMs = loadStoppedMs + rec.cooldownMs;
      points.push({ tSec: round3(loadStoppedMs / 1000), interval: undefined, intervalMs });
      bands.push({ from: round3(loadStoppedMs / 1000), to: round3(baselineStartMs / 1000), label: 'cool-down' });
      bands.push({
        from: round3(baselineStartMs / 1000),
        to: round3((baselineStartMs + rec.run.durationMs) / 1000),
        label: 'recovery baseline',
      });
      for (const i of rec.run.intervals) points.push(at(baselineStartMs, i));
    }
  }
  // Each action at the moment it was actually sent (not when it was due), so a late one shows late.
  for (const a of result.actions ?? [])
    if (!a.skipped && a.actualAtMs !== undefined)
      marks.push({ x: round3(a.actualAtMs / 1000), label: a.ok ? a.name : `${a.name} (FAILED)`, color: COLOR.action });
  if (result.kind === 'run' && result.pinch) bands.push(...pinchBands(result.pinch));
  return { points, marks, bands };
}

/** A pinch's hold (from the hold to the release) and its queue's drain (from the release to the first sample back in range). */
function pinchBands(p: StoredPinch): ChartBand[] {
  const bands: ChartBand[] = [];
  if (p.holdAtMs !== undefined) bands.push({ from: round3(p.holdAtMs / 1000), to: round3(p.releaseAtMs / 1000), label: 'hold' });
  const q = p.queues.find((x) => x.probe === p.queue);
  if (q?.drainedAtMs !== undefined && q.rose)
    bands.push({ from: round3(p.releaseAtMs / 1000), to: round3(q.drainedAtMs / 1000), label: `${q.probe} drain` });
  return bands;
}

/** Rates of an interval shorter than half an interval (a run's ragged end) are noise: 3 responses in 10 ms is not 300 req/s. */
function rate(p: Timeline['points'][number], pick: (i: IntervalStats) => number): number | null {
  if (!p.interval || p.interval.durationMs < p.intervalMs / 2) return null;
  return round3((pick(p.interval) * 1000) / p.interval.durationMs);
}

/**
 * Offered and achieved are both rates of arrivals (requests, or journeys), so they share one axis
 * and one unit; achieved counts only the arrivals that ended well (an error is not throughput).
 * With journeys, the HTTP responses they caused go on the right axis in their own unit.
 */
export function rateChart(t: Timeline, unit: ArrivalUnit): ChartSpec {
  const per = rateSymbol(unit);
  const journeys = unit === 'journey';
  const series: ChartSeries[] = [
    {
      label: `achieved ${per}`,
      color: COLOR.achieved,
      unit: per,
      values: t.points.map((p) => rate(p, (i) => (i.achievedRps * i.durationMs) / 1000)),
    },
    // Dashed and drawn after achieved: where the target keeps up, offered lies exactly on it.
    { label: `offered ${per}`, color: COLOR.offered, unit: per, values: t.points.map((p) => rate(p, (i) => i.offered)), dash: [6, 4] },
  ];
  if (journeys)
    series.push({
      label: 'responses/s',
      color: COLOR.responses,
      unit: 'responses/s',
      values: t.points.map((p) => rate(p, (i) => i.responses)),
      scale: 'y2',
      dash: [2, 3],
    });
  return {
    ...timeAxes('rate-over-time', 'Offered vs achieved rate', per),
    ...(journeys ? { y2Label: 'HTTP responses/s (any status)' } : {}),
    caption: journeys
      ? 'Offered: journeys the schedule started per second. Achieved: journeys that ended ok per second. A gap between them is the target falling behind. Right axis: the HTTP responses of all journeys, errors included.'
      : 'Offered: requests the schedule intended per second. Achieved: responses with an expected status per second. A gap between them is the target falling behind.',
    x: t.points.map((p) => p.tSec),
    series,
    marks: t.marks,
    limits: [],
    bands: t.bands,
  };
}

export function latencyChart(t: Timeline, limits: ChartLimit[]): ChartSpec {
  const pick = (k: keyof LatencySummaryMs) =>
    t.points.map((p) => (p.interval && p.interval.latencyMs.count > 0 ? positive(p.interval.latencyMs[k]) : null));
  return {
    ...timeAxes('latency-over-time', 'Corrected latency over time (log scale)', 'ms'),
    caption: 'Per interval, from the intended send time (coordinated omission corrected): what a user would have seen.',
    yLog: true,
    x: t.points.map((p) => p.tSec),
    series: [
      { label: 'p50', color: COLOR.p50, unit: 'ms', values: pick('p50') },
      { label: 'p90', color: COLOR.p90, unit: 'ms', values: pick('p90') },
      { label: 'p99', color: COLOR.p99, unit: 'ms', values: pick('p99') },
      { label: 'max', color: COLOR.max, unit: 'ms', values: pick('max'), dash: [4, 4] },
    ],
    marks: t.marks,
    limits,
    bands: t.bands,
  };
}

/** A journey's latency, from its intended start to its last response, over time: the seed's "time to the document". */
export function journeyChart(t: Timeline, name: string, k: number): ChartSpec {
  const pick = (q: keyof LatencySummaryMs) =>
    t.points.map((p) => {
      const n = p.interval?.byName?.[k];
      return n && n.latencyMs.count > 0 ? positive(n.latencyMs[q]) : null;
    });
  const failed = t.points.map((p) => rate(p, (i) => i.byName?.[k]?.failed ?? 0));
  return {
    ...timeAxes(`journey-${k}-over-time`, `Journey ${name}: time from start to end (log scale)`, 'ms'),
    y2Label: 'failed journeys/s',
    caption: `Each ${name} journey from its intended start to its last response, polls and think time included, by the second it ended; failed journeys per second on the right.`,
    yLog: true,
    x: t.points.map((p) => p.tSec),
    series: [
      { label: 'p50', color: COLOR.p50, unit: 'ms', values: pick('p50') },
      { label: 'p99', color: COLOR.p99, unit: 'ms', values: pick('p99') },
      { label: 'failed/s', color: COLOR.errors, values: failed, scale: 'y2', dash: [4, 4] },
    ],
    marks: t.marks,
    limits: [],
    bands: t.bands,
  };
}

/** Errors count requests, drops count arrivals: with journeys those are two units, so each label names its own. */
export function errorsChart(t: Timeline, unit: ArrivalUnit): ChartSpec {
  const per = rateSymbol(unit);
  return {
    ...timeAxes('errors-over-time', 'Errors and drops', 'per second'),
    caption:
      'Errors: failed requests. Dropped: arrivals refused at the in-flight cap (target too slow). Generator drops: arrivals the load generator reached too late.',
    x: t.points.map((p) => p.tSec),
    series: [
      { label: 'failed req/s', color: COLOR.errors, unit: 'req/s', values: t.points.map((p) => rate(p, (i) => i.errors)) },
      { label: `dropped ${per}`, color: COLOR.dropped, unit: per, values: t.points.map((p) => rate(p, (i) => i.dropped)) },
      {
        label: `generator drops ${per}`,
        color: COLOR.droppedGenerator,
        unit: per,
        values: t.points.map((p) => rate(p, (i) => i.droppedGenerator)),
        dash: [4, 4],
      },
    ],
    marks: t.marks,
    limits: [],
    bands: t.bands,
  };
}

function rampHockeyStick(result: StoredRampResult): ChartSpec {
  const marks: ChartMark[] = [];
  const unit = arrivalUnitOf(result);
  if (result.knee) marks.push({ x: result.knee.rateRps, label: `knee ${formatStepRate(result.knee, unit)}`, color: COLOR.knee });
  else if (result.lastHeld)
    marks.push({ x: result.lastHeld.rateRps, label: `last held ${formatStepRate(result.lastHeld, unit)}`, color: COLOR.knee });
  if (result.collapse)
    marks.push({ x: result.collapse.step.rateRps, label: `collapse ${formatStepRate(result.collapse.step, unit)}`, color: COLOR.collapse });
  return loadChart(
    unit,
    'latency-vs-load',
    'Latency vs offered load per step',
    "Each step's corrected latency against its offered rate: flat, then the hockey stick. The right axis shows what the target achieved.",
    result.steps,
    marks,
    result,
  );
}

function searchHockeyStick(result: StoredSearchResult): ChartSpec {
  const steps = result.evidence.flatMap((e) => (e.step ? [{ ...e.step, rateRps: e.rateRps }] : [])).sort((a, b) => a.rateRps - b.rateRps);
  const [held, breached] = result.bracket;
  const unit = arrivalUnitOf(result);
  const marks: ChartMark[] = [];
  if (held !== null) marks.push({ x: held, label: `sustainable ${formatArrivalRate(held, unit)}`, color: COLOR.knee });
  if (breached !== null) marks.push({ x: breached, label: `breached ${formatArrivalRate(breached, unit)}`, color: COLOR.collapse });
  return loadChart(
    unit,
    'latency-vs-load',
    'Latency vs offered load per trial',
    "Each trial's corrected latency against its constant rate; the search brackets the highest rate that held.",
    steps,
    marks,
    result,
  );
}

function loadChart(
  unit: ArrivalUnit,
  id: string,
  title: string,
  caption: string,
  steps: readonly StepResult[],
  marks: ChartMark[],
  result: StoredResult,
): ChartSpec {
  const pick = (k: keyof LatencySummaryMs) => steps.map((s) => (s.latencyMs.count > 0 ? positive(s.latencyMs[k]) : null));
  return {
    id,
    title,
    caption,
    xLabel: 'offered rate',
    xUnit: rateSymbol(unit),
    yLabel: 'latency (ms)',
    y2Label: `achieved (${rateSymbol(unit)})`,
    x: steps.map((s) => s.rateRps),
    series: [
      { label: 'p50', color: COLOR.p50, unit: 'ms', values: pick('p50') },
      { label: 'p90', color: COLOR.p90, unit: 'ms', values: pick('p90') },
      { label: 'p99', color: COLOR.p99, unit: 'ms', values: pick('p99') },
      {
        label: `achieved ${rateSymbol(unit)}`,
        color: COLOR.achieved,
        unit: rateSymbol(unit),
        values: steps.map((s) => round3(s.achievedRps)),
        scale: 'y2',
        dash: [6, 3],
      },
    ],
    marks,
    limits: sloLimits(result),
    bands: [],
  };
}

export function probeChart(p: ProbeSeries, index: number, t: Timeline | undefined): ChartSpec {
  return {
    ...timeAxes(`probe-${index}`, `Probe ${p.name} (${p.kind})`, p.kind === 'http' ? '1 = healthy' : 'value'),
    caption:
      'Side-channel samples, on the same clock as the load. Red points: polls that failed or read no value (drawn at 0 when there was none).',
    x: p.points.map((s) => round3(s.tMs / 1000)),
    series: [
      { label: p.name, color: COLOR.probe, values: p.points.map((s) => (s.value === null || s.value === undefined ? null : s.value)) },
      {
        label: `${p.name} not ok`,
        color: COLOR.probeFailed,
        values: p.points.map((s) => (s.ok ? null : (s.value ?? 0))),
        pointsOnly: true,
      },
    ],
    marks: t?.marks ?? [],
    limits: [],
    bands: t?.bands ?? [],
  };
}

function timeAxes(id: string, title: string, yLabel: string) {
  return { id, title, xLabel: 'time since start', xUnit: 's', yLabel };
}

function sloLimits(result: StoredResult): ChartLimit[] {
  return latencyLimitsOf(result.kind === 'run' ? undefined : result.slo);
}

/** The SLO's latency limits as lines on a latency chart (the live page draws the same). */
export function latencyLimitsOf(slo: Pick<Slo, 'latency'> | undefined): ChartLimit[] {
  return (slo?.latency ?? []).map((l) => ({
    y: l.maxMs,
    label: `SLO ${l.percentile >= 100 ? 'max' : `p${l.percentile}`} < ${l.maxMs} ms`,
    color: COLOR.limit,
  }));
}

/** A log axis cannot show 0; a value of 0 ms only means "below the resolution". */
function positive(v: number | null | undefined): number | null {
  return typeof v === 'number' && v > 0 ? v : null;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

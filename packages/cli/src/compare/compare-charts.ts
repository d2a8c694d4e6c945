import { type ComparableResult, type ComparisonReport, type ProbeSeries, rateSymbol, type StepResult } from '@overload/core/internal';
import { type ChartMark, type ChartSeries, type ChartSpec, COLOR, latencyLimitsOf } from '../report/chart-model.js';

/**
 * The two results drawn over each other: the baseline dashed and lighter, the current solid, in
 * the report's colours. Each side keeps its own x values (rates, or seconds since its start); the
 * chart's x is their union, and a side's line joins its own points across the other's.
 */
const SIDES = {
  baseline: { p50: '#74c476', p99: '#fb6a4a', achieved: '#6baed6', probe: '#fd8d3c', dash: [6, 4] },
  current: { p50: COLOR.p50, p99: COLOR.p99, achieved: COLOR.achieved, probe: COLOR.probe, dash: undefined },
} as const;

type SideName = keyof typeof SIDES;

interface Points {
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
}

/** The union of both sides' x, and each side's values on it (null where it has no point). */
function overlay(sides: readonly Points[]): { x: number[]; ys: (number | null)[][] } {
  const x = [...new Set(sides.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const ys = sides.map((s) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    s.x.forEach((v, i) => (y[at.get(v)!] = s.y[i] ?? null));
    return y;
  });
  return { x, ys };
}

const positive = (v: number | undefined) => (typeof v === 'number' && v > 0 ? v : null);
const round3 = (v: number) => Math.round(v * 1000) / 1000;

function series(side: SideName, label: string, color: string, values: (number | null)[], unit: string, scale?: 'y2'): ChartSeries {
  const dash = SIDES[side].dash;
  return { label: `${side} ${label}`, color, unit, values, spanGaps: true, ...(dash ? { dash } : {}), ...(scale ? { scale } : {}) };
}

/** The steps (or judged trials) of a ramp or search, by rate. */
function stepsOf(r: ComparableResult): StepResult[] {
  if (r.kind === 'ramp') return [...r.steps];
  if (r.kind === 'search')
    return r.evidence.flatMap((e) => (e.step ? [{ ...e.step, rateRps: e.rateRps }] : [])).sort((a, b) => a.rateRps - b.rateRps);
  return [];
}

function latencyVsRate(b: ComparableResult, c: ComparableResult, report: ComparisonReport): ChartSpec {
  const per = rateSymbol(report.unit);
  const sides = [stepsOf(b), stepsOf(c)];
  const pick = (steps: StepResult[], f: (s: StepResult) => number | null) => ({ x: steps.map((s) => s.rateRps), y: steps.map(f) });
  const p50 = overlay(sides.map((s) => pick(s, (x) => (x.latencyMs.count > 0 ? positive(x.latencyMs.p50) : null))));
  const p99 = overlay(sides.map((s) => pick(s, (x) => (x.latencyMs.count > 0 ? positive(x.latencyMs.p99) : null))));
  const achieved = overlay(sides.map((s) => pick(s, (x) => round3(x.achievedRps))));
  const marks: ChartMark[] = [];
  const k = report.knee;
  if (k?.baselineRps !== undefined) marks.push({ x: k.baselineRps, label: `baseline ${k.metric} ${k.baselineLabel}`, color: COLOR.limit });
  if (k?.currentRps !== undefined) marks.push({ x: k.currentRps, label: `current ${k.metric} ${k.currentLabel}`, color: COLOR.knee });
  const names: SideName[] = ['baseline', 'current'];
  return {
    id: 'latency-vs-rate',
    title: `Latency vs offered rate per ${report.kind === 'search' ? 'trial' : 'step'}: baseline and current (log scale)`,
    caption: `Each ${report.kind === 'search' ? 'trial' : 'step'}'s corrected latency against its offered rate, the baseline dashed; right axis: what the target achieved. The vertical lines are each result's ${k?.metric ?? 'capacity'}.`,
    xLabel: 'offered rate',
    xUnit: per,
    yLabel: 'latency (ms)',
    y2Label: `achieved (${per})`,
    yLog: true,
    x: p50.x,
    series: names.flatMap((side, i) => [
      series(side, 'p50', SIDES[side].p50, p50.ys[i]!, 'ms'),
      series(side, 'p99', SIDES[side].p99, p99.ys[i]!, 'ms'),
      series(side, `achieved ${per}`, SIDES[side].achieved, achieved.ys[i]!, per, 'y2'),
    ]),
    marks,
    limits: latencyLimitsOf(c.kind === 'run' ? undefined : (c.slo as Parameters<typeof latencyLimitsOf>[0])),
    bands: [],
  };
}

/** A run's corrected latency per interval, both runs from their own start. */
function latencyOverTime(b: ComparableResult, c: ComparableResult): ChartSpec | undefined {
  if (b.kind !== 'run' || c.kind !== 'run') return undefined;
  const pick = (r: typeof b, k: 'p50' | 'p99') => ({
    x: r.intervals.map((i) => round3((i.startMs + i.durationMs / 2) / 1000)),
    y: r.intervals.map((i) => (i.latencyMs.count > 0 ? positive(i.latencyMs[k]) : null)),
  });
  const p50 = overlay([pick(b, 'p50'), pick(c, 'p50')]);
  const p99 = overlay([pick(b, 'p99'), pick(c, 'p99')]);
  const names: SideName[] = ['baseline', 'current'];
  return {
    id: 'latency-over-time',
    title: 'Corrected latency over time: baseline and current (log scale)',
    caption:
      'Per interval, from the intended send time (coordinated omission corrected), each run from its own start; the baseline dashed.',
    xLabel: 'time since start',
    xUnit: 's',
    yLabel: 'latency (ms)',
    yLog: true,
    x: p50.x,
    series: names.flatMap((side, i) => [
      series(side, 'p50', SIDES[side].p50, p50.ys[i]!, 'ms'),
      series(side, 'p99', SIDES[side].p99, p99.ys[i]!, 'ms'),
    ]),
    marks: [],
    limits: [],
    bands: [],
  };
}

/** Each probe both results sampled, from each one's start. */
function probeCharts(b: ComparableResult, c: ComparableResult): ChartSpec[] {
  const probes = (r: ComparableResult): readonly ProbeSeries[] => (r.kind === 'run' ? [] : (r.probes ?? []));
  const baseline = new Map(probes(b).map((p) => [p.name, p]));
  return probes(c).flatMap((p, index) => {
    const q = baseline.get(p.name);
    if (!q) return [];
    const pick = (s: ProbeSeries) => ({
      x: s.points.map((pt) => round3(pt.tMs / 1000)),
      y: s.points.map((pt) => (typeof pt.value === 'number' ? pt.value : null)),
    });
    const o = overlay([pick(q), pick(p)]);
    return [
      {
        id: `probe-${index}`,
        title: `Probe ${p.name} (${p.kind}): baseline and current`,
        caption: 'Side-channel samples, each result from its own start; the baseline dashed.',
        xLabel: 'time since start',
        xUnit: 's',
        yLabel: p.kind === 'http' ? '1 = healthy' : 'value',
        x: o.x,
        series: [
          series('baseline', p.name, SIDES.baseline.probe, o.ys[0]!, ''),
          series('current', p.name, SIDES.current.probe, o.ys[1]!, ''),
        ],
        marks: [],
        limits: [],
        bands: [],
      },
    ];
  });
}

/** Every chart of the comparison page, in reading order. */
export function comparisonCharts(b: ComparableResult, c: ComparableResult, report: ComparisonReport): ChartSpec[] {
  const charts: ChartSpec[] = [];
  if (stepsOf(b).length > 0 && stepsOf(c).length > 0) charts.push(latencyVsRate(b, c, report));
  const overTime = latencyOverTime(b, c);
  if (overTime) charts.push(overTime);
  charts.push(...probeCharts(b, c));
  return charts;
}

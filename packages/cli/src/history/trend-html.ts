import { formatMs, rateSymbol } from '@overload/core/internal';
import type { ChartSeries, ChartSpec } from '../report/chart-model.js';
import { COLOR } from '../report/chart-model.js';
import { escapeHtml as h } from '../report/escape.js';
import { chartFigures } from '../report/html.js';
import { renderHtmlPage } from '../report/html-page.js';
import type { HistoryEntry, HistoryGroup } from './history-model.js';
import type { SkippedFile } from './read-results.js';

/** How many of a group's most recent results the latency-vs-rate chart overlays. */
export const TREND_LAST_RUNS = 5;

/** Newest first: the newest darkest and solid, the older ones lighter and dashed. */
const RECENT = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'] as const;

/** A time axis in the unit that fits the span: seconds for a test, days for a weekly job. */
function timeAxis(entries: readonly HistoryEntry[]): { unit: string; x: number[] } {
  const t = entries.map((e) => Date.parse(e.startedAt));
  const t0 = Math.min(...t.filter(Number.isFinite));
  const span = Math.max(...t.filter(Number.isFinite)) - t0;
  const [unit, ms] =
    span >= 2 * 86_400_000
      ? ['days', 86_400_000]
      : span >= 2 * 3_600_000
        ? ['h', 3_600_000]
        : span >= 120_000
          ? ['min', 60_000]
          : ['s', 1000];
  return { unit, x: t.map((v) => (Number.isFinite(v) ? Math.round(((v - t0) / ms) * 1000) / 1000 : 0)) };
}

function kneeChart(g: HistoryGroup, k: number): ChartSpec {
  const per = rateSymbol(g.unit);
  const { unit, x } = timeAxis(g.entries);
  const what = g.kind === 'search' ? 'Sustainable rate' : 'Knee';
  const series: ChartSeries[] = [
    { label: what.toLowerCase(), color: COLOR.achieved, unit: per, values: g.entries.map((e) => e.knee?.rateRps ?? null), spanGaps: true },
    {
      label: 'regressed',
      color: COLOR.errors,
      unit: per,
      values: g.entries.map((e) => (e.verdict?.outcome === 'regressed' ? (e.knee?.rateRps ?? 0) : null)),
      pointsOnly: true,
    },
    {
      label: `p99 at the ${what.toLowerCase()}`,
      color: COLOR.p90,
      unit: 'ms',
      values: g.entries.map((e) => e.p99Ms ?? null),
      scale: 'y2',
      dash: [4, 4],
      spanGaps: true,
    },
  ];
  return {
    id: `knee-${k}`,
    title: `${what} over time: ${g.scenario} (${g.kind})`,
    caption: `Each result's ${what.toLowerCase()}, oldest first from the first one; red points: found regressed against the result before; right axis: p99 of all requests there.`,
    xLabel: 'time since the first result',
    xUnit: unit,
    yLabel: `${what.toLowerCase()} (${per})`,
    y2Label: 'p99 (ms)',
    x,
    series,
    marks: [],
    limits: [],
    bands: [],
  };
}

function curvesChart(g: HistoryGroup, k: number): ChartSpec {
  const last = g.entries.slice(-TREND_LAST_RUNS).reverse();
  const x = [...new Set(last.flatMap((e) => e.curve.map((c) => c.rateRps)))].sort((a, b) => a - b);
  const series: ChartSeries[] = last.map((e, i) => {
    const at = new Map(e.curve.map((c) => [c.rateRps, c.p99Ms > 0 ? c.p99Ms : null]));
    return {
      label: `p99 ${e.startedAt.slice(0, 16).replace('T', ' ')}`,
      color: RECENT[i]!,
      unit: 'ms',
      values: x.map((r) => at.get(r) ?? null),
      spanGaps: true,
      ...(i > 0 ? { dash: [6, 3] } : {}),
    };
  });
  return {
    id: `curves-${k}`,
    title: `Latency vs offered rate, the last ${last.length}: ${g.scenario} (${g.kind}, log scale)`,
    caption: 'p99 of all requests per step (or trial) against its offered rate; the newest solid, the older ones dashed.',
    xLabel: 'offered rate',
    xUnit: rateSymbol(g.unit),
    yLabel: 'p99 (ms)',
    yLog: true,
    x,
    series,
    marks: [],
    limits: [],
    bands: [],
  };
}

function p99Chart(g: HistoryGroup, k: number): ChartSpec {
  const { unit, x } = timeAxis(g.entries);
  return {
    id: `p99-${k}`,
    title: `p99 over time: ${g.scenario} (run)`,
    caption: "Each run's corrected p99 over the whole run, oldest first.",
    xLabel: 'time since the first result',
    xUnit: unit,
    yLabel: 'p99 (ms)',
    x,
    series: [{ label: 'p99', color: COLOR.p99, unit: 'ms', values: g.entries.map((e) => e.p99Ms ?? null), spanGaps: true }],
    marks: [],
    limits: [],
    bands: [],
  };
}

function groupTable(g: HistoryGroup): string {
  const rows = g.entries.map((e) => {
    const v = e.verdict ? `${e.verdict.outcome}${e.verdict.detail ? `: ${e.verdict.detail}` : ''}` : 'first of its series';
    return `<tr><td>${h(e.startedAt)}</td><td>${h(e.knee?.label ?? '-')}</td><td class="conds">${h(e.collapse ?? '-')}</td><td>${h(e.recovery ?? '-')}</td><td>${h(e.p99Ms === undefined ? '-' : formatMs(e.p99Ms))}</td><td class="conds">${h(v)}</td><td class="conds"><code>${h(e.file)}</code></td></tr>`;
  });
  const head = ['started (UTC)', g.kind === 'search' ? 'sustainable' : 'knee', 'collapse', 'recovery', 'p99 there', 'vs previous', 'file'];
  return `<table class="grid"><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** `overload history --html`: per scenario and target, the knee over time and the last results' curves overlaid. */
export function renderTrendHtml(dir: string, groups: readonly HistoryGroup[], skipped: readonly SkippedFile[]): string {
  const charts: ChartSpec[] = [];
  const sections = groups.map((g, k) => {
    const own = g.kind === 'run' ? [p99Chart(g, k)] : [kneeChart(g, k), curvesChart(g, k)];
    charts.push(...own);
    return `<section><h2>${h(`${g.scenario} (${g.kind}) on ${g.target}: ${g.entries.length} results`)}</h2>${chartFigures(own)}${groupTable(g)}</section>`;
  });
  const skippedHtml =
    skipped.length > 0
      ? `<section><h2>Skipped files</h2><ul>${skipped.map((s) => `<li><code>${h(s.file)}</code>: ${h(s.reason)}</li>`).join('')}</ul></section>`
      : '';
  return renderHtmlPage({
    title: `overload history: ${dir}`,
    heading: 'overload history',
    subtitle: dir,
    body: `${sections.join('\n') || '<p class="muted">No results found.</p>'}\n${skippedHtml}`,
    footer: 'Verdicts as overload compare gives them: docs/compare.md.',
    charts,
  });
}

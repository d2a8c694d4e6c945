import type { ComparableResult, ComparisonReport } from '@overload/core/internal';
import { escapeHtml as h } from '../report/escape.js';
import { chartsSection } from '../report/html.js';
import { renderHtmlPage } from '../report/html-page.js';
import { comparisonCharts } from './compare-charts.js';
import { differencesWarning } from './compare-output.js';
import { type ComparisonRow, comparisonHeadline, comparisonRows } from './compare-rows.js';

const TONE = { regressed: 'bad', 'no-regression': 'good', 'cannot-tell': 'warn' } as const;

function table(rows: readonly ComparisonRow[]): string {
  const head = ['metric', 'baseline', 'current', 'change', 'interval', 'verdict', 'why'];
  const body = rows.map((r) => {
    const verdict = r.outcome ? `<span class="badge ${TONE[r.outcome]}">${h(r.outcome)}</span>` : '<span class="muted">-</span>';
    return `<tr><td>${h(r.metric)}</td><td>${h(r.baseline)}</td><td>${h(r.current)}</td><td>${h(r.change)}</td><td>${h(r.interval)}</td><td>${verdict}</td><td class="conds">${h(r.why)}</td></tr>`;
  });
  return `<table class="grid"><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/**
 * `overload compare --html`: the verdict, the two results' latency-vs-rate curves and probes drawn
 * over each other, and every row of the comparison. The same self-contained page as the report.
 */
export function renderComparisonHtml(
  baseline: ComparableResult,
  current: ComparableResult,
  report: ComparisonReport,
  sources: { baseline: string; current: string },
): string {
  const rows = comparisonRows(report);
  const warning = differencesWarning(report);
  const c = report.collapse;
  const verdict = `<section class="verdict"><span class="badge ${TONE[report.outcome]}">${h(report.outcome)}</span>
<p class="verdict-line">${h(comparisonHeadline(report))}</p>
${warning ? `<p><strong>${h(warning)}</strong></p>` : ''}
<table class="kv"><tr><th scope="row">Baseline</th><td><code>${h(sources.baseline)}</code></td></tr><tr><th scope="row">Current</th><td><code>${h(sources.current)}</code></td></tr>
${c ? `<tr><th scope="row">Collapse, baseline</th><td>${h(c.baselineLabel)}</td></tr><tr><th scope="row">Collapse, current</th><td>${h(c.currentLabel)}</td></tr>` : ''}</table></section>`;
  const main = rows.filter((r) => r.group !== 'name');
  const names = rows.filter((r) => r.group === 'name');
  const charts = comparisonCharts(baseline, current, report);
  return renderHtmlPage({
    title: `overload compare: ${current.target.method} ${current.target.url}`,
    heading: `overload compare (${report.kind})`,
    subtitle: `${current.target.method} ${current.target.url}`,
    body: `${verdict}
${chartsSection(charts)}
<section><h2>Comparison</h2>${table(main)}</section>
${names.length > 0 ? `<section><h2>Per request, journey and step</h2>${table(names)}</section>` : ''}`,
    footer: 'How each verdict is reached: docs/compare.md.',
    charts,
  });
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatArrivalRate, formatCount, OverloadError } from '@overload/core/internal';
import { chartsOf, type ChartSpec } from './chart-model.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import { formatPinch } from '../output/pinch-summary.js';
import { namesSection } from './html-names.js';
import { runbookSection, stepsSection, totalsSection, verdictSection } from './html-sections.js';
import { arrivalUnitOf, stepRateText } from './rate-unit.js';
import { REPORT_CSS } from './report-css.js';
import type { StoredResult } from './stored-result.js';

/**
 * The self-contained HTML report: one file that opens offline, from a CI artifact or an email,
 * years later. uPlot (a maintained, MIT-licensed charting library) is inlined from
 * node_modules, the chart data is embedded as JSON, and a Content-Security-Policy allows only
 * the page's own two scripts (by hash) and no network at all — so even a string in the result
 * that escaped escaping could not run or phone home.
 *
 * Deterministic: the page depends on the result and the installed uPlot only (no clock, no
 * random ids), so `overload report result.json` reproduces the report of the run byte for byte.
 * Render from the stored JSON form (`toStored`), which is what a later run of the command sees.
 */
export function renderHtmlReport(result: StoredResult): string {
  const uplot = loadUplot();
  const charts = chartsOf(result);
  const scripts = [uplot.js, CLIENT_SCRIPT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `overload ${result.kind} report: ${result.target.method} ${result.target.url}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="overload">
<title>${h(title)}</title>
<style>${uplot.css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${h(`overload ${result.kind} report`)}</h1><p class="target">${h(`${result.target.method} ${result.target.url}`)}</p></header>
<main>
${verdictSection(result)}
${pinchSection(result)}
${runbookSection(result)}
${chartsSection(charts)}
${detailSections(result)}
</main>
<footer>Result schema v${h(result.schemaVersion)}. Charts drawn with uPlot ${h(uplot.version)} (MIT), inlined; this file needs no network.</footer>
<script type="application/json" id="overload-report-data">${jsonForScript({ charts })}</script>
<script>${uplot.js}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function chartsSection(charts: readonly ChartSpec[]): string {
  if (charts.length === 0)
    return '<section><h2>Charts</h2><p class="muted">Nothing to chart: the result holds no intervals, steps or probes.</p></section>';
  const figures = charts.map(
    (c) =>
      `<figure class="chart-box"><h3>${h(c.title)}</h3><p class="caption">${h(c.caption)}</p><div class="chart" id="chart-${h(c.id)}"></div></figure>`,
  );
  return `<section><h2>Charts</h2>${figures.join('\n')}</section>`;
}

/** A run with a pinch: the summary's findings, the queue's peak and drain first. */
function pinchSection(result: StoredResult): string {
  if (result.kind !== 'run' || !result.pinch) return '';
  const [headline, ...findings] = formatPinch(result.pinch);
  return `<section><h2>Pinch</h2><p>${h(headline!.replace(/^pinch: /, ''))}</p><ul>${findings.map((f) => `<li>${h(f.trim())}</li>`).join('')}</ul></section>`;
}

function detailSections(result: StoredResult): string {
  const parts: string[] = [];
  if (result.kind === 'ramp') {
    const unit = arrivalUnitOf(result);
    parts.push(stepsSection(result.steps, 'Steps', unit, (s) => `${s.index + 1}: ${stepRateText(s, unit)}`));
    parts.push(totalsSection(result.run, 'Ramp phase totals'));
    parts.push(namesSection(result.run, 'Per request, journey and step (ramp phase)'));
    const rec = result.recovery;
    if (rec && 'run' in rec) parts.push(totalsSection(rec.run, `Recovery baseline totals (${formatArrivalRate(rec.baselineRps, unit)})`));
  } else if (result.kind === 'search') {
    const unit = arrivalUnitOf(result);
    const judged = result.evidence.filter((e) => e.step !== undefined);
    parts.push(
      stepsSection(
        judged.map((e) => e.step!),
        'Trials',
        unit,
        (_s, i) => `${judged[i]!.index + 1}: ${formatArrivalRate(judged[i]!.rateRps, unit)}`,
        'trial',
      ),
    );
    const unjudged = result.evidence.filter((e) => e.step === undefined);
    if (unjudged.length > 0) {
      parts.push(
        `<section><h2>Trials without a judged step</h2><ul>${unjudged.map((e) => `<li>${h(`trial ${e.index + 1} at ${formatArrivalRate(e.rateRps, unit)}: ${e.verdict}${e.detail ? ` (${e.detail})` : ''}`)}</li>`).join('')}</ul></section>`,
      );
    }
  } else {
    parts.push(totalsSection(result, 'Totals'));
    parts.push(namesSection(result, 'Per request, journey and step'));
  }
  if (result.probes && result.probes.length > 0) {
    const items = result.probes.map((p) => {
      const failed = p.points.filter((s) => !s.ok).length;
      return `<li>${h(`${p.name} (${p.kind}): ${formatCount(p.points.length)} samples, ${formatCount(failed)} not ok`)}</li>`;
    });
    parts.push(`<section><h2>Probes</h2><ul>${items.join('')}</ul></section>`);
  }
  return parts.join('\n');
}

interface UplotAssets {
  readonly js: string;
  readonly css: string;
  readonly version: string;
}

let cached: UplotAssets | undefined;

/** uPlot's files as installed; read once per process (they cannot change under a running CLI). */
export function loadUplot(): UplotAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const { version } = JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string };
  // Inlined verbatim, so neither may contain what would end its element early.
  if (/<\/script|<!--/i.test(js) || /<\/style/i.test(css)) {
    throw new OverloadError('OVL_INTERNAL', 'the installed uPlot cannot be inlined safely (it contains </script>, <!-- or </style>)');
  }
  cached = { js, css, version };
  return cached;
}

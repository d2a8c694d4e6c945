import { createHash } from 'node:crypto';
import { loadUplot } from '../report/html.js';
import { REPORT_CSS } from '../report/report-css.js';
import { LIVE_SCRIPT } from './live-script.js';

/** What the live page adds to the report's stylesheet: a header that holds the Stop button, charts side by side. */
const LIVE_CSS = `
main { max-width: none; }
header .top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 16px; }
header .controls { display: flex; align-items: center; gap: 12px; }
button.stop { font: inherit; font-size: 16px; font-weight: 700; padding: 8px 28px; border: 0; border-radius: 6px; color: #fff; background: var(--bad); cursor: pointer; }
button.stop:disabled { background: #9e9e9e; cursor: default; }
.notice { margin: 8px 0 0; font-weight: 600; color: var(--bad); }
.now { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 0 24px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0 24px; }
.chart-box { min-width: 0; }
#marks { margin: 0; padding-left: 20px; }
`;

/**
 * The live page. It holds no data (see live-script.ts). uPlot is inlined from the same install
 * the HTML report inlines, with the report's stylesheet and chart drawing, so both draw alike; the
 * CSP allows only this server (connect) and the two pinned scripts, and the icon is inline so the
 * browser asks for nothing else.
 */
export function renderDashboardPage(): { html: string; csp: string } {
  const uplot = loadUplot();
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  const csp = `default-src 'none'; connect-src 'self'; script-src ${hash(uplot.js)} ${hash(LIVE_SCRIPT)}; style-src 'unsafe-inline'; img-src data:`;
  const row = (label: string, id: string) => `<tr><th>${label}</th><td id="${id}">…</td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>overload live dashboard</title><link rel="icon" href="data:,">
<style>${uplot.css}</style><style>${REPORT_CSS}${LIVE_CSS}</style></head>
<body><header><div class="top"><h1>overload live: <span id="command">connecting…</span></h1>
<div class="controls"><span id="conn" class="badge warn">connecting</span><span id="viewers" class="muted"></span><button id="stop" class="stop" type="button">Stop</button></div></div>
<p id="notice" class="notice" hidden></p></header>
<main><div class="now"><section><table class="kv">${row('verdict so far', 'verdict')}${row('phase', 'phase')}${row('rate', 'rates')}${row('latency', 'latest')}${row('errors', 'errors')}${row('budgets', 'budgets')}${row('generator', 'generator')}${row('guardrails', 'guardrails')}${row('exit code', 'exit')}${row('result files', 'files')}${row('intervals', 'intervals')}</table></section>
<section><h2>Step verdicts</h2><ul id="marks"></ul></section></div>
<section><h2>Load, latency and errors</h2><div id="charts" class="charts"></div></section>
<section id="probes-section" hidden><h2>Probes</h2><table class="grid"><thead><tr><th>probe</th><th>latest</th><th>limit</th><th>samples</th><th>not ok</th></tr></thead><tbody id="probes"></tbody></table><div id="probe-charts" class="charts"></div></section>
<section id="names-section" hidden><h2>Journeys and steps (last interval)</h2><table class="grid"><thead><tr><th>name</th><th>kind</th><th>ended</th><th>p50</th><th>p99</th><th>failed</th><th>failed so far</th><th>failures</th></tr></thead><tbody id="names"></tbody></table></section></main>
<script>${uplot.js}</script><script>${LIVE_SCRIPT}</script></body></html>`;
  return { html, csp };
}

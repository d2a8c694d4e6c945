import { createHash } from 'node:crypto';
import { loadUplot } from '../report/html.js';
import { REPORT_CSS } from '../report/report-css.js';
import { LIVE_SCRIPT } from './live-script.js';

/**
 * The live page. It holds no data (see live-script.ts). uPlot is inlined from the same install
 * the HTML report inlines, with the report's stylesheet and chart drawing, so both draw alike; the
 * CSP allows only this server (connect) and the two pinned scripts.
 */
export function renderDashboardPage(): { html: string; csp: string } {
  const uplot = loadUplot();
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  const csp = `default-src 'none'; connect-src 'self'; script-src ${hash(uplot.js)} ${hash(LIVE_SCRIPT)}; style-src 'unsafe-inline'; img-src data:`;
  const row = (label: string, id: string) => `<tr><th>${label}</th><td id="${id}">…</td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>overload live dashboard</title>
<style>${uplot.css}</style><style>${REPORT_CSS}</style></head>
<body><header><h1>overload live: <span id="command">connecting…</span></h1></header>
<main><p><button id="stop" type="button">Stop</button> <span id="stopped"></span></p>
<table class="kv">${row('verdict so far', 'verdict')}${row('exit code', 'exit')}${row('result files', 'files')}${row('phase', 'phase')}${row('rate', 'rates')}${row('latency', 'latest')}${row('errors', 'errors')}${row('budgets', 'budgets')}${row('guardrails', 'guardrails')}${row('generator', 'generator')}${row('intervals', 'intervals')}</table>
<section><h2>Step verdicts</h2><ul id="marks"></ul></section>
<section id="charts"></section>
<section id="probes-section" hidden><h2>Probes</h2><table class="grid"><thead><tr><th>probe</th><th>latest</th><th>limit</th><th>samples</th><th>not ok</th></tr></thead><tbody id="probes"></tbody></table><div id="probe-charts"></div></section>
<section id="names-section" hidden><h2>Journeys and steps (last interval)</h2><table class="grid"><thead><tr><th>name</th><th>kind</th><th>ended</th><th>p50</th><th>p99</th><th>failed</th><th>failed so far</th><th>failures</th></tr></thead><tbody id="names"></tbody></table></section></main>
<script>${uplot.js}</script><script>${LIVE_SCRIPT}</script></body></html>`;
  return { html, csp };
}

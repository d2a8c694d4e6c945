import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OverloadError } from '@overload/core/internal';
import type { ChartSpec } from './chart-model.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import { REPORT_CSS } from './report-css.js';

export interface HtmlPage {
  readonly title: string;
  readonly heading: string;
  readonly subtitle: string;
  /** The sections, already escaped HTML. */
  readonly body: string;
  /** Said first in the footer (escaped HTML), before the charts' credit. */
  readonly footer: string;
  /** Drawn into the page's `#chart-<id>` boxes by the client script. */
  readonly charts: readonly ChartSpec[];
}

/**
 * A self-contained page of overload's (the report, `compare --html`, `history --html`): one
 * file that opens offline, from a CI artifact or an email, years later. uPlot (a maintained,
 * MIT-licensed charting library) is inlined from node_modules, the chart data is embedded as
 * JSON, and a Content-Security-Policy allows only the page's own two scripts (by hash) and no
 * network at all — so even a string in the result that escaped escaping could not run or phone
 * home. Deterministic: the page depends on its input and the installed uPlot only.
 */
export function renderHtmlPage(page: HtmlPage): string {
  const uplot = loadUplot();
  const scripts = [uplot.js, CLIENT_SCRIPT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="overload">
<title>${h(page.title)}</title>
<style>${uplot.css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${h(page.heading)}</h1><p class="target">${h(page.subtitle)}</p></header>
<main>
${page.body}
</main>
<footer>${page.footer} Charts drawn with uPlot ${h(uplot.version)} (MIT), inlined; this file needs no network.</footer>
<script type="application/json" id="overload-report-data">${jsonForScript({ charts: page.charts })}</script>
<script>${uplot.js}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
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

import { createHash } from 'node:crypto';
import { loadUplot } from '../report/html.js';
import { REPORT_CSS } from '../report/report-css.js';

/**
 * The live page. It holds no data: it reads the token from the URL's fragment (never sent to a
 * server, so never in a log) and asks /events for everything. uPlot is inlined from the same
 * install the HTML report inlines, with the report's stylesheet, so both draw alike; the CSP
 * allows only this server (connect) and the two pinned scripts.
 */
const LIVE_SCRIPT = `(function () {
  'use strict';
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };
  var t = [], p50 = [], p90 = [], p99 = [], offered = [], achieved = [];
  var slo = null;
  function chart(el, title, series) {
    return new uPlot({ title: title, width: Math.min(900, window.innerWidth - 40), height: 240,
      series: [{ label: 's' }].concat(series) }, [[]].concat(series.map(function () { return []; })), el);
  }
  var lat = chart($('latency'), 'corrected latency (ms)', [
    { label: 'p50', stroke: '#2a7' }, { label: 'p90', stroke: '#e90' }, { label: 'p99', stroke: '#d33' }, { label: 'SLO p99', stroke: '#000', dash: [6, 4] }]);
  var rate = chart($('rate'), 'rate (req/s)', [{ label: 'offered', stroke: '#36c' }, { label: 'achieved', stroke: '#2a7' }]);
  function set(id, text) { $(id).textContent = text; }
  var es = new EventSource('/events?token=' + encodeURIComponent(token));
  es.addEventListener('start', function (e) {
    var d = JSON.parse(e.data); slo = d.sloP99Ms; set('command', d.command + ' ' + d.name + ' on ' + d.target);
    set('guardrails', d.guardrails);
  });
  es.addEventListener('interval', function (e) {
    var d = JSON.parse(e.data);
    t.push(d.atS); p50.push(d.p50Ms); p90.push(d.p90Ms); p99.push(d.p99Ms); offered.push(d.offeredRps); achieved.push(d.achievedRps);
    lat.setData([t, p50, p90, p99, t.map(function () { return slo; })]);
    rate.setData([t, offered, achieved]);
    set('phase', d.phase + (d.step ? ', ' + d.step : ''));
    set('rates', d.offeredRps.toFixed(1) + ' offered / ' + d.achievedRps.toFixed(1) + ' achieved req/s');
    set('latest', 'p50 ' + d.p50Ms.toFixed(1) + ' ms, p90 ' + d.p90Ms.toFixed(1) + ' ms, p99 ' + d.p99Ms.toFixed(1) + ' ms');
    set('errors', JSON.stringify(d.errorsByClass) + ', in flight ' + d.inFlight + ', dropped ' + d.dropped);
    set('budgets', Object.keys(d.budgets).map(function (k) { return k + ' ' + d.budgets[k].used + '/' + d.budgets[k].limit; }).join(', ') || 'none');
    set('generator', 'lag p99 ' + d.lagMsP99.toFixed(1) + ' ms, busiest thread ' + Math.round(d.generatorElu * 100) + ' %');
    set('intervals', String(t.length));
  });
  es.addEventListener('verdict', function (e) {
    var li = document.createElement('li'); li.textContent = JSON.parse(e.data).line; $('marks').appendChild(li);
    set('verdict', JSON.parse(e.data).line);
  });
  es.addEventListener('stop', function (e) { set('stopped', 'stopping: ' + JSON.parse(e.data).detail); });
  es.addEventListener('end', function (e) {
    var d = JSON.parse(e.data);
    set('verdict', d.verdict); set('exit', String(d.exitCode)); set('files', d.files.join(', ')); es.close();
  });
  $('stop').addEventListener('click', function () {
    if (!window.confirm('Stop the run? In-flight requests drain, partial results are written, the command exits 3.')) return;
    fetch('/stop', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'x-overload-stop-by': 'button' } });
  });
})();`;

export function renderDashboardPage(): { html: string; csp: string } {
  const uplot = loadUplot();
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  const csp = `default-src 'none'; connect-src 'self'; script-src ${hash(uplot.js)} ${hash(LIVE_SCRIPT)}; style-src 'unsafe-inline'; img-src data:`;
  const row = (label: string, id: string) => `<tr><th>${label}</th><td id="${id}">…</td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>overload live dashboard</title>
<style>${uplot.css}</style><style>${REPORT_CSS}</style></head>
<body><h1>overload live: <span id="command">connecting…</span></h1>
<p><button id="stop" type="button">Stop</button> <span id="stopped"></span></p>
<table>${row('verdict so far', 'verdict')}${row('exit code', 'exit')}${row('result files', 'files')}${row('phase', 'phase')}${row('rate', 'rates')}${row('latency', 'latest')}${row('errors', 'errors')}${row('budgets', 'budgets')}${row('guardrails', 'guardrails')}${row('generator', 'generator')}${row('intervals', 'intervals')}</table>
<div id="latency"></div><div id="rate"></div><h2>step verdicts</h2><ul id="marks"></ul>
<script>${uplot.js}</script><script>${LIVE_SCRIPT}</script></body></html>`;
  return { html, csp };
}

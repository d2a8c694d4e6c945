import { CHART_DRAWING_SCRIPT } from '../report/client-script.js';

/**
 * The live page's script. It reads the token from the URL's fragment (never sent to a server,
 * so never in a log) and asks /events for everything. Charts are the report's: the `layout`
 * event carries chart-model specs with no points, each `interval` one value per series, each
 * `probe` one sample, and CHART_DRAWING_SCRIPT turns specs into uPlot charts exactly as
 * report.html does. Text goes in with textContent only, so nothing from a run reaches HTML.
 * `window.overloadLive` holds what is drawn, for anyone (or any test) reading the numbers.
 */
export const LIVE_SCRIPT = `(function () {
  'use strict';
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };
${CHART_DRAWING_SCRIPT}
  var live = { layout: null, marks: [], verdicts: [], intervals: 0 };
  window.overloadLive = live;
  var charts = [], dirty = false, failedSoFar = [];
  function set(id, text) { $(id).textContent = text; }
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function ms(v) { return typeof v === 'number' ? v.toFixed(1) + ' ms' : '--'; }
  function redraw() {
    if (dirty) return;
    dirty = true;
    setTimeout(function () { dirty = false; charts.forEach(function (c) { c.chart.setData(c.columns); }); }, 200);
  }
  function build(layout) {
    live.layout = layout;
    layout.charts.forEach(function (spec, i) {
      spec.marks = live.marks;
      var box = document.createElement('figure'); box.className = 'chart-box';
      var h = document.createElement('h3'); h.textContent = spec.title; box.appendChild(h);
      var p = document.createElement('p'); p.className = 'caption'; p.textContent = spec.caption; box.appendChild(p);
      var el = document.createElement('div'); el.className = 'chart'; el.id = 'chart-' + spec.id; box.appendChild(el);
      $(i < layout.timeCharts ? 'charts' : 'probe-charts').appendChild(box);
      var opts = optionsOf(spec, el.clientWidth || 900);
      // The report knows its point count up front; here it grows, so dots go once the line is dense.
      opts.series.slice(1).forEach(function (s, k) { if (!spec.series[k].pointsOnly) s.points.show = function () { return spec.x.length <= 40; }; });
      var columns = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      charts.push({ spec: spec, el: el, columns: columns, chart: new uPlot(opts, columns, el) });
    });
    var body = $('names');
    layout.names.forEach(function (n) {
      var tr = document.createElement('tr');
      cell(tr, n.name); cell(tr, n.kind); ['ended', 'p50', 'p99', 'failed', 'failedSoFar', 'failures'].forEach(function (k) { cell(tr, '--', k); });
      body.appendChild(tr);
      failedSoFar.push(0);
    });
    $('names-section').hidden = layout.names.length === 0;
    layout.probes.forEach(function (name, i) {
      var tr = document.createElement('tr'); tr.setAttribute('data-probe', name);
      var limits = layout.charts[layout.timeCharts + i].limits.map(function (l) { return l.label; }).join(', ');
      cell(tr, name); cell(tr, '--', 'latest'); cell(tr, limits || 'none (not judged)'); cell(tr, '0', 'samples'); cell(tr, '0', 'failed');
      $('probes').appendChild(tr);
    });
    $('probes-section').hidden = layout.probes.length === 0;
  }
  var es = new EventSource('/events?token=' + encodeURIComponent(token));
  es.addEventListener('start', function (e) {
    var d = JSON.parse(e.data); set('command', d.command + ' ' + d.name + ' on ' + d.target);
    set('guardrails', d.guardrails);
  });
  es.addEventListener('layout', function (e) { build(JSON.parse(e.data)); });
  es.addEventListener('interval', function (e) {
    var d = JSON.parse(e.data);
    if (!live.layout) return;
    d.charts.forEach(function (values, j) {
      var c = charts[j];
      c.spec.x.push(d.atS);
      values.forEach(function (v, k) { c.spec.series[k].values.push(v); });
    });
    redraw();
    live.intervals++;
    set('phase', d.phase + (d.step ? ', ' + d.step : ''));
    set('rates', d.offeredRps.toFixed(1) + ' offered / ' + d.achievedRps.toFixed(1) + ' achieved per s');
    set('latest', 'p50 ' + ms(d.p50Ms) + ', p90 ' + ms(d.p90Ms) + ', p99 ' + ms(d.p99Ms));
    var errs = Object.keys(d.errorsByClass).filter(function (k) { return d.errorsByClass[k] > 0; }).map(function (k) { return k + ' ' + d.errorsByClass[k]; });
    set('errors', (errs.join(', ') || 'none') + '; in flight ' + d.inFlight + '; dropped ' + d.dropped);
    set('budgets', Object.keys(d.budgets).map(function (k) { var b = d.budgets[k]; return k + ' ' + b.used + ' of ' + b.limit + ' (' + (b.limit ? Math.round((b.used / b.limit) * 1000) / 10 : 0) + ' %)'; }).join(', ') || 'none');
    set('generator', 'schedule lag p99 ' + ms(d.lagMsP99) + ', busiest firing thread ' + Math.round(d.generatorElu * 100) + ' % busy');
    set('intervals', String(live.intervals));
    var rows = $('names').children;
    d.names.forEach(function (n, k) {
      var r = rows[k]; if (!r || !n) return;
      failedSoFar[k] += n[3];
      var f = Object.keys(n[4]).filter(function (c) { return n[4][c] > 0; }).map(function (c) { return c + ' ' + n[4][c]; });
      var cells = r.children;
      cells[2].textContent = String(n[0]); cells[3].textContent = n[0] ? ms(n[1]) : '--'; cells[4].textContent = n[0] ? ms(n[2]) : '--';
      cells[5].textContent = String(n[3]); cells[6].textContent = String(failedSoFar[k]); cells[7].textContent = f.join(', ') || 'none';
    });
  });
  es.addEventListener('probe', function (e) {
    var d = JSON.parse(e.data);
    if (!live.layout) return;
    var c = charts[live.layout.timeCharts + d.p];
    c.spec.x.push(d.x); c.spec.series[0].values.push(d.v); c.spec.series[1].values.push(d.bad);
    redraw();
    var cells = $('probes').children[d.p].children;
    cells[1].textContent = d.v === null ? 'no value' : String(d.v);
    cells[3].textContent = String(c.spec.x.length);
    if (d.bad !== null) cells[4].textContent = String(Number(cells[4].textContent) + 1);
  });
  es.addEventListener('verdict', function (e) {
    var d = JSON.parse(e.data);
    var li = document.createElement('li'); li.textContent = d.line;
    if (d.mark) {
      live.marks.push({ x: d.mark.x, label: d.mark.label, color: d.mark.color });
      li.setAttribute('data-step', String(d.mark.step)); li.setAttribute('data-verdict', d.mark.verdict); li.style.color = d.mark.color;
      redraw();
    }
    live.verdicts.push(d);
    $('marks').appendChild(li);
    set('verdict', d.line);
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
  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.chart.setSize({ width: c.el.clientWidth || 900, height: 320 }); }); }, 100);
  });
})();`;

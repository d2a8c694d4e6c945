import { CHART_DRAWING_SCRIPT } from '../report/client-script.js';

/**
 * The live page's script. It reads the token from the URL's fragment (never sent to a server,
 * so never in a log) and asks /events for everything. Charts are the report's: the `layout`
 * event carries chart-model specs with no points, each `interval` one value per series, each
 * `probe` one sample, and CHART_DRAWING_SCRIPT turns specs into uPlot charts exactly as
 * report.html does. Text goes in with textContent only, so nothing from a run reaches HTML.
 * `window.overloadLive` holds what is drawn and what was received, for anyone (or any test)
 * reading the numbers.
 *
 * The browser reconnects a dropped stream by itself and the server sends only what it missed
 * (event ids), so nothing is drawn twice. The server speaks at least once a second (a `status`
 * heartbeat between intervals), so a silence of 3 s means the stream is gone, and the page says so.
 */
export const LIVE_SCRIPT = `(function () {
  'use strict';
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };
${CHART_DRAWING_SCRIPT}
  var live = { layout: null, marks: [], verdicts: [], received: [], intervals: 0, stop: null, end: null };
  window.overloadLive = live;
  var charts = [], dirty = {}, flushing = false, failedSoFar = [], probeBad = [], lastNames = null, lastEventAt = Date.now(), stopping = false;
  function set(id, text) { $(id).textContent = text; }
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function ms(v) { return typeof v === 'number' ? v.toFixed(1) + ' ms' : '--'; }
  function clock(epochMs) { var d = new Date(epochMs); return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }
  function conn(text, cls) { var c = $('conn'); c.textContent = text; c.className = 'badge ' + cls; }
  function notice(text) { var n = $('notice'); n.textContent = text; n.hidden = !text; }
  // Everything that arrives often (intervals, probe samples, the heartbeat) is drawn in one batch,
  // at most twice a second: only the charts that changed, the texts last set, the probe rows. A
  // browser then repaints twice a second, not once per event (probes alone send ~20 a second).
  var texts = {}, probeRows = {};
  function later(id, text) { texts[id] = text; schedule(); }
  function redraw(k) {
    if (k === undefined) charts.forEach(function (c, j) { dirty[j] = true; }); else dirty[k] = true;
    schedule();
  }
  function schedule() {
    if (flushing) return;
    flushing = true;
    setTimeout(flush, 500);
  }
  function flush() {
    flushing = false;
    Object.keys(dirty).forEach(function (j) { var c = charts[j]; if (c) c.chart.setData(c.columns); });
    Object.keys(texts).forEach(function (id) { set(id, texts[id]); });
    Object.keys(probeRows).forEach(function (p) {
      var r = probeRows[p], cells = $('probes').children[p].children;
      cells[1].textContent = r.v === null ? 'no value' : String(r.v); cells[3].textContent = String(r.samples); cells[4].textContent = String(r.bad);
    });
    if (lastNames) drawNames(lastNames);
    dirty = {}; texts = {}; probeRows = {}; lastNames = null;
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
  function drawNames(names) {
    var rows = $('names').children;
    names.forEach(function (n, k) {
      var r = rows[k]; if (!r || !n) return;
      var f = Object.keys(n[4]).filter(function (c) { return n[4][c] > 0; }).map(function (c) { return c + ' ' + n[4][c]; });
      var cells = r.children;
      cells[2].textContent = String(n[0]); cells[3].textContent = n[0] ? ms(n[1]) : '--'; cells[4].textContent = n[0] ? ms(n[2]) : '--';
      cells[5].textContent = String(n[3]); cells[6].textContent = String(failedSoFar[k]); cells[7].textContent = f.join(', ') || 'none';
    });
  }
  function ended() {
    var b = $('stop'); b.disabled = true;
  }
  if (!token) {
    conn('no token', 'bad');
    notice('This address has no token: open the URL overload printed on stderr (dashboard: http://…/#token=…), fragment included.');
    $('stop').disabled = true;
    return;
  }
  var es = new EventSource('/events?token=' + encodeURIComponent(token));
  function on(type, handler) {
    es.addEventListener(type, function (e) { lastEventAt = Date.now(); handler(JSON.parse(e.data)); });
  }
  es.onopen = function () { if (!live.end) conn('live', 'good'); };
  es.onerror = function () {
    if (live.end) return;
    if (es.readyState === 2) {
      conn('refused', 'bad');
      notice('The server refused the stream: a wrong token, or the run is over and overload has exited.');
    } else conn('reconnecting…', 'warn');
  };
  setInterval(function () {
    var quietS = Math.floor((Date.now() - lastEventAt) / 1000);
    if (!live.end && es.readyState !== 2 && quietS >= 3) conn('no update for ' + quietS + ' s', 'bad');
  }, 1000);
  on('start', function (d) {
    set('command', d.command + ' ' + d.name + ' on ' + d.target + (d.shards ? ' (' + d.shards + ' shards, merged)' : ''));
    set('guardrails', d.guardrails.join(' · '));
  });
  on('layout', function (d) { if (!live.layout) build(d); });
  on('status', function (d) {
    var text = 'live · ' + Math.round(d.elapsedMs / 1000) + ' s';
    if (live.end) return;
    if ($('conn').className === 'badge good') later('conn', text); else conn(text, 'good');
    later('viewers', d.viewers + ' viewer' + (d.viewers === 1 ? '' : 's'));
  });
  on('interval', function (d) {
    if (!live.layout) return;
    d.charts.forEach(function (values, j) {
      var c = charts[j];
      c.spec.x.push(d.atS);
      values.forEach(function (v, k) { c.spec.series[k].values.push(v); });
      redraw(j);
    });
    live.intervals++;
    live.received.push({ phase: d.phase, index: d.index, offeredRps: d.offeredRps, achievedRps: d.achievedRps, p50Ms: d.p50Ms, p99Ms: d.p99Ms });
    later('phase', d.phase + (d.step ? ', ' + d.step : ''));
    later('rates', d.offeredRps.toFixed(1) + ' offered / ' + d.achievedRps.toFixed(1) + ' achieved per s');
    later('latest', 'p50 ' + ms(d.p50Ms) + ', p90 ' + ms(d.p90Ms) + ', p99 ' + ms(d.p99Ms) + ' (corrected)');
    var errs = Object.keys(d.errorsByClass).filter(function (k) { return d.errorsByClass[k] > 0; }).map(function (k) { return k + ' ' + d.errorsByClass[k]; });
    later('errors', (errs.join(', ') || 'none') + '; in flight ' + d.inFlight + '; dropped at the in-flight cap ' + d.dropped + '; generator drops ' + d.droppedGenerator);
    later('budgets', Object.keys(d.budgets).map(function (k) { var b = d.budgets[k]; return k + ' ' + b.used + ' of ' + b.limit + ' (' + (b.limit ? Math.round((b.used / b.limit) * 1000) / 10 : 0) + ' %)'; }).join(', ') || 'none');
    later('generator', 'schedule lag p99 ' + ms(d.lagMsP99) + ', busiest firing thread ' + Math.round(d.generatorElu * 100) + ' % busy: ' + (d.saturated ? 'SATURATED (' + d.saturated + ')' : 'keeping up'));
    later('intervals', String(live.intervals));
    d.names.forEach(function (n, k) { if (n) failedSoFar[k] += n[3]; });
    lastNames = d.names;
  });
  on('probe', function (d) {
    if (!live.layout) return;
    var k = live.layout.timeCharts + d.p, c = charts[k];
    c.spec.x.push(d.x); c.spec.series[0].values.push(d.v); c.spec.series[1].values.push(d.bad);
    if (d.bad !== null) probeBad[d.p] = (probeBad[d.p] || 0) + 1;
    probeRows[d.p] = { v: d.v, samples: c.spec.x.length, bad: probeBad[d.p] || 0 };
    redraw(k);
  });
  on('verdict', function (d) {
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
  on('stop', function (d) {
    live.stop = d;
    ended();
    $('stop').textContent = 'Stopped';
    notice('Stopping at ' + clock(d.atEpochMs) + ': ' + d.detail + '. Sending has stopped; in-flight requests drain and the partial results are written.');
  });
  on('end', function (d) {
    flush();
    live.end = d;
    es.close();
    ended();
    conn('ended', 'bad');
    set('verdict', d.verdict);
    set('exit', d.exitCode === null ? 'none (failed)' : String(d.exitCode));
    set('files', d.files.join(', ') || 'none');
    if (live.stop) notice('Stopped at ' + clock(live.stop.atEpochMs) + ': ' + live.stop.detail + '. Exit code ' + d.exitCode + '; partial results written.');
  });
  $('stop').addEventListener('click', function () {
    if (stopping || live.stop || live.end) return;
    if (!window.confirm('Stop the run? In-flight requests drain, partial results are written, the command exits 3.')) return;
    stopping = true;
    var b = $('stop'); b.disabled = true; b.textContent = 'Stopping…';
    fetch('/stop', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'x-overload-stop-by': 'button' } }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
    }).catch(function (error) {
      stopping = false;
      if (live.stop || live.end) return;
      b.disabled = false; b.textContent = 'Stop';
      notice('The stop did not reach overload (' + error.message + '): use another kill switch (Ctrl-C, the kill file).');
    });
  });
  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.chart.setSize({ width: c.el.clientWidth || 900, height: 320 }); }); }, 100);
  });
})();`;

/**
 * How a chart spec becomes a uPlot chart (scales, axes, SLO lines, marks, bands, legend values):
 * shared by the report and the live dashboard, so both draw alike. It needs only `uPlot` in scope.
 */
export const CHART_DRAWING_SCRIPT = `  var px = function (n) { return Math.round(n * uPlot.pxRatio); };

  function extentOf(values, extra) {
    var min = Infinity, max = -Infinity;
    values.concat(extra).forEach(function (v) {
      if (typeof v === 'number' && isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
    });
    return min === Infinity ? null : [min, max];
  }

  function yRange(spec, scale) {
    return function (u) {
      var values = [], extra = [];
      spec.series.forEach(function (s) { if ((s.scale || 'y') === scale) values = values.concat(s.values); });
      if (scale === 'y') spec.limits.forEach(function (l) { extra.push(l.y); });
      var e = extentOf(values, extra);
      if (spec.yLog && scale === 'y') {
        if (!e) return [0.1, 10];
        return uPlot.rangeLog(Math.max(e[0], 0.001), Math.max(e[1], e[0] * 10), 10, true);
      }
      if (!e) return [0, 1];
      return uPlot.rangeNum(Math.min(0, e[0]), e[1] > 0 ? e[1] : 1, 0.1, true);
    };
  }

  function xRange(spec) {
    return function () {
      var extra = spec.marks.map(function (m) { return m.x; });
      spec.bands.forEach(function (b) { extra.push(b.from, b.to); });
      var e = extentOf(spec.x, extra) || [0, 1];
      if (e[0] === e[1]) return [e[0] - (Math.abs(e[0]) * 0.1 || 1), e[1] + (Math.abs(e[1]) * 0.1 || 1)];
      return [e[0], e[1]];
    };
  }

  function label(ctx, text, x, y, color, align) {
    ctx.font = px(11) + 'px sans-serif';
    ctx.textAlign = align || 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    var w = ctx.measureText(text).width;
    var left = align === 'right' ? x - w : x;
    ctx.fillRect(left - px(2), y - px(1), w + px(4), px(14));
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
  }

  function drawBands(spec) {
    return function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      spec.bands.forEach(function (b, i) {
        var x0 = u.valToPos(b.from, 'x', true), x1 = u.valToPos(b.to, 'x', true);
        ctx.fillStyle = i % 2 ? 'rgba(31,119,180,0.08)' : 'rgba(0,0,0,0.06)';
        ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
      });
    };
  }

  function drawOverlays(spec) {
    return function (u) {
      var ctx = u.ctx, bb = u.bbox;
      ctx.save();
      ctx.lineWidth = px(1.5);
      ctx.setLineDash([px(6), px(4)]);
      spec.limits.forEach(function (l) {
        var y = u.valToPos(l.y, 'y', true);
        if (!(y >= bb.top && y <= bb.top + bb.height)) return;
        ctx.strokeStyle = l.color;
        ctx.beginPath(); ctx.moveTo(bb.left, y); ctx.lineTo(bb.left + bb.width, y); ctx.stroke();
        label(ctx, l.label, bb.left + bb.width - px(4), y + px(3), l.color, 'right');
      });
      spec.marks.forEach(function (m, i) {
        var x = u.valToPos(m.x, 'x', true);
        ctx.strokeStyle = m.color;
        ctx.beginPath(); ctx.moveTo(x, bb.top); ctx.lineTo(x, bb.top + bb.height); ctx.stroke();
        var right = x > bb.left + bb.width * 0.7;
        label(ctx, m.label, right ? x - px(4) : x + px(4), bb.top + px(4) + i * px(16), m.color, right ? 'right' : 'left');
      });
      ctx.setLineDash([]);
      // A band narrower than its label (a short cool-down) would run into the next one's: each
      // label takes the lowest row where it clears the labels already placed.
      var rowEnds = [];
      ctx.font = px(11) + 'px sans-serif';
      spec.bands.forEach(function (b) {
        var x = u.valToPos(b.from, 'x', true) + px(4);
        var w = ctx.measureText(b.label).width;
        var row = 0;
        while (rowEnds[row] !== undefined && rowEnds[row] > x - px(6)) row++;
        rowEnds[row] = x + w + px(2);
        label(ctx, b.label, x, bb.top + bb.height - px(18) - row * px(16), '#444');
      });
      ctx.restore();
    };
  }

  // uPlot passes null for the ticks it leaves unlabelled (a log axis's minor gridlines): they get
  // no text, where the legend's '--' for a missing value would print over the labels.
  function tick(v) { return v == null ? '' : fmt(v); }

  function fmt(v, unit) {
    if (v == null) return '--';
    var n = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000;
    return n + (unit ? ' ' + unit : '');
  }

  function optionsOf(spec, width) {
    var hasY2 = spec.series.some(function (s) { return s.scale === 'y2'; });
    var scales = { x: { time: false, range: xRange(spec) }, y: { distr: spec.yLog ? 3 : 1, range: yRange(spec, 'y') } };
    if (hasY2) scales.y2 = { range: yRange(spec, 'y2') };
    var axes = [
      { label: spec.xLabel + ' (' + spec.xUnit + ')', values: function (u, vals) { return vals.map(tick); } },
      { label: spec.yLabel, size: 60, values: function (u, vals) { return vals.map(tick); } },
    ];
    if (hasY2) axes.push({ scale: 'y2', side: 1, label: spec.y2Label, size: 60, grid: { show: false }, values: function (u, vals) { return vals.map(tick); } });
    var series = [{ label: spec.xLabel, value: function (u, v) { return fmt(v, spec.xUnit); } }];
    spec.series.forEach(function (s) {
      var opts = {
        label: s.label,
        stroke: s.color,
        width: 2,
        scale: s.scale || 'y',
        spanGaps: !!s.spanGaps,
        value: function (u, v) { return fmt(v, s.unit); },
        points: { show: spec.x.length <= 40, size: 6, fill: s.color },
      };
      if (s.dash) opts.dash = s.dash;
      if (s.pointsOnly) {
        opts.paths = function () { return null; };
        opts.points = { show: true, space: 0, size: 9, fill: s.color, stroke: s.color };
      }
      series.push(opts);
    });
    return {
      width: width,
      height: 320,
      scales: scales,
      axes: axes,
      series: series,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: { drawClear: [drawBands(spec)], draw: [drawOverlays(spec)] },
    };
  }

`;

/**
 * The only script of the report besides uPlot itself: it reads the chart specs (see
 * chart-model.ts) from the page's JSON block and draws them. Plain ES2017 for any browser that
 * opens a file from disk; no network, no storage, no eval. Labels go through uPlot, which sets
 * them as textContent, and through canvas fillText, so no string from a result reaches HTML.
 *
 * Kept as a string (not compiled TypeScript) because it runs in the browser, where the
 * package's Node types do not apply; `renderHtmlReport` pins its hash in the page's CSP.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('overload-report-data').textContent);
  var charts = [];
${CHART_DRAWING_SCRIPT}  data.charts.forEach(function (spec) {
    var el = document.getElementById('chart-' + spec.id);
    if (!el) return;
    try {
      var columns = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      var chart = new uPlot(optionsOf(spec, el.clientWidth || 900), columns, el);
      charts.push({ el: el, chart: chart });
    } catch (error) {
      el.textContent = 'This chart could not be drawn: ' + error;
      console.error(error);
    }
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { c.chart.setSize({ width: c.el.clientWidth || 900, height: 320 }); });
    });
  });
})();
`;

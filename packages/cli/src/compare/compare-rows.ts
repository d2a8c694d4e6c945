import {
  type CompareOutcome,
  type ComparisonReport,
  formatArrivalRate,
  formatMetricValue,
  formatMs,
  type MetricComparison,
} from '@overload/core/internal';

/**
 * One row of a comparison as every output shows it (terminal, Markdown, JUnit, HTML). `group`
 * says where it belongs: the capacity, collapse and recovery rows first, then the metrics of all
 * requests at each rate, then those of each request, journey and step of the scenario.
 */
export interface ComparisonRow {
  readonly group: 'capacity' | 'all' | 'name';
  /** Where it was measured, for JUnit's classname: `knee`, `at 400 req/s`, `(run)`. */
  readonly place: string;
  /** The metric without its place, for JUnit's testcase name: `p99`, `p99 journey get-report`. */
  readonly name: string;
  readonly metric: string;
  readonly baseline: string;
  readonly current: string;
  readonly change: string;
  readonly interval: string;
  /** A row over every rate both results held. */
  readonly pooled?: boolean;
  /** Absent on the collapse row: it describes, the knee row judges. */
  readonly outcome?: CompareOutcome;
  readonly why: string;
}

/** A change with its sign: `+12 ms`, `-3 %`; no sign on what rounds to zero. */
const signed = (x: string, v: number) => (/^0(\s|$)/.test(x) ? x : v > 0 ? `+${x}` : v < 0 ? `-${x.replace(/^-/, '')}` : x);

function metricRow(m: MetricComparison): ComparisonRow {
  const fmt = (x: number) => formatMetricValue(m.kind, x);
  const where = m.rates !== undefined ? `at the ${m.rates} rates both held` : m.rateLabel ? `at ${m.rateLabel}` : '(run)';
  return {
    group: m.name ? 'name' : 'all',
    ...(m.rates !== undefined ? { pooled: true } : {}),
    place: m.rates !== undefined ? 'at every rate both held' : where,
    name: m.metric.endsWith(` ${where}`) ? m.metric.slice(0, -where.length - 1) : m.metric,
    metric: m.metric,
    baseline: fmt(m.baseline),
    current: fmt(m.current),
    change: Number.isNaN(m.change) ? '-' : signed(fmt(Math.abs(m.change)), m.change),
    interval: m.interval
      ? `[${signed(fmt(Math.abs(m.interval.low)), m.interval.low)}, ${signed(fmt(Math.abs(m.interval.high)), m.interval.high)}]`
      : '-',
    outcome: m.outcome,
    why: m.detail,
  };
}

/** Every row of the report, in reading order. */
export function comparisonRows(report: ComparisonReport): ComparisonRow[] {
  const out: ComparisonRow[] = [];
  const k = report.knee;
  if (k) {
    const change =
      k.baselineRps !== undefined && k.currentRps !== undefined && k.currentRps !== k.baselineRps
        ? signed(formatArrivalRate(Math.abs(k.currentRps - k.baselineRps), report.unit), k.currentRps - k.baselineRps)
        : '';
    out.push({
      group: 'capacity',
      place: 'capacity',
      name: k.metric,
      metric: k.metric,
      baseline: k.baselineLabel,
      current: k.currentLabel,
      change,
      interval: '',
      outcome: k.outcome,
      why: k.detail,
    });
  }
  const c = report.collapse;
  if (c) {
    out.push({
      group: 'capacity',
      place: 'capacity',
      name: 'collapse signature',
      metric: 'collapse',
      baseline: c.baselineStep,
      current: c.currentStep,
      change: '',
      interval: '',
      why: c.detail,
    });
  }
  const r = report.recovery;
  if (r) {
    const change =
      r.baselineMs !== undefined && r.currentMs !== undefined
        ? signed(formatMs(Math.abs(r.currentMs - r.baselineMs)), r.currentMs - r.baselineMs)
        : '';
    out.push({
      group: 'capacity',
      place: 'capacity',
      name: 'recovery',
      metric: 'recovery',
      baseline: r.baselineLabel,
      current: r.currentLabel,
      change,
      interval: '',
      outcome: r.outcome,
      why: r.detail,
    });
  }
  // All requests first at each place, then the names, so the terminal can stop after the first part.
  const metrics = report.metrics.map(metricRow);
  out.push(...metrics.filter((m) => m.group === 'all'), ...metrics.filter((m) => m.group === 'name'));
  return out;
}

/** How many regressed rows the headline names (capacity first, then the rows over every rate, then single rates). */
const HEADLINE_ROWS = 4;

/** The one-line verdict: what regressed, what is missing, or that nothing did. */
export function comparisonHeadline(report: ComparisonReport): string {
  if (report.outcome === 'regressed') {
    const rows = comparisonRows(report).filter((r) => r.outcome === 'regressed');
    const named = rows.slice(0, HEADLINE_ROWS).map((r) => `${r.metric} ${r.baseline} -> ${r.current}`);
    const more = rows.length > HEADLINE_ROWS ? `; and ${rows.length - HEADLINE_ROWS} more (see the table)` : '';
    return `REGRESSED: ${named.join('; ')}${more}`;
  }
  if (report.outcome === 'cannot-tell') return `CANNOT TELL: ${report.missing.join('; ')}`;
  const unsure = report.metrics.filter((m) => m.outcome === 'cannot-tell').length;
  return unsure > 0
    ? `NO REGRESSION (${unsure} ${unsure === 1 ? 'row' : 'rows'} at a single rate or name ${unsure === 1 ? 'looks' : 'look'} worse, unproven: such rows decide only when they prove a regression)`
    : 'NO REGRESSION';
}

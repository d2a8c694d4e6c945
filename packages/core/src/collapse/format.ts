import type { ArrivalUnit } from '../run/config.js';
import type { ProbeOp } from '../slo/slo.js';
import type { ConditionOutcome } from './judge-window.js';

/**
 * Numbers as a person reads them in a verdict line. Written by hand rather than with
 * `toLocaleString` so the output does not depend on the ICU data Node was built with.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac ? `.${frac}` : ''}`;
}

/** `1,800 req/s`, `25.5 req/s`: whole numbers from 100 up, one decimal below. */
export function formatRate(rps: number): string {
  return `${formatCount(rps >= 100 ? Math.round(rps) : Math.round(rps * 10) / 10)} req/s`;
}

/** The symbol of a rate of arrivals: requests or journeys per second. */
export function rateSymbol(unit: ArrivalUnit): string {
  return unit === 'journey' ? 'journeys/s' : 'req/s';
}

/** A rate of arrivals in their unit: `500 journeys/s`, `1,800 req/s`. */
export function formatArrivalRate(rps: number, unit: ArrivalUnit): string {
  return `${formatCount(rps >= 100 ? Math.round(rps) : Math.round(rps * 10) / 10)} ${rateSymbol(unit)}`;
}

/**
 * A profile step's label in the run's unit. Profiles are written in arrivals per second and
 * label their steps with the request symbol (`500 req/s`, `release 500 req/s`, `stage 2: 100→200 req/s`);
 * with journeys each arrival is a journey, so every rate in the label is journeys/s.
 */
export function formatStepLabel(label: string, unit: ArrivalUnit): string {
  return unit === 'journey' ? label.replaceAll(' req/s', ` ${rateSymbol(unit)}`) : label;
}

/** `2.3 s`, `500 ms`, `4.5 ms`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${formatCount(Math.round(ms / 100) / 10)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${Math.round(ms * 10) / 10} ms`;
}

/** Percent points: `71 %`, `1.5 %`, `0 %`, `0.04 %`. */
export function formatPercent(pct: number): string {
  if (!Number.isFinite(pct)) return 'n/a';
  if (pct === 0 || Math.abs(pct) >= 10) return `${Math.round(pct)} %`;
  if (Math.abs(pct) >= 0.1) return `${Math.round(pct * 10) / 10} %`;
  return `${Number(pct.toPrecision(1))} %`;
}

const NEGATION: Record<Exclude<ProbeOp, 'ok'>, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=' };

function formatValue(v: ConditionOutcome, x: number): string {
  switch (v.unit) {
    case 'ms':
      return formatMs(x);
    case '%':
      return formatPercent(x);
    case 'ratio':
      return formatPercent(x * 100);
    default:
      return formatCount(Math.round(x * 1000) / 1000);
  }
}

/**
 * A breached condition the way the verdict line shows it: `p99 2.3 s > 500 ms`,
 * `errors 12 % > 1 %`, `achieved 71 % < 95 %`, `breaker_open 1 != 0`, `health not ok: HTTP 503`, `queue_depth unreachable: ECONNREFUSED`.
 * A condition that holds is shown as `p99 120 ms <= 500 ms`; one that was not judged as
 * `p99 not judged: only 480 responses, p99 needs 1,000`.
 */
export function formatCondition(v: ConditionOutcome): string {
  if (v.status === 'unjudged') return `${v.name} ${v.detail ?? 'not judged'}`;
  if (v.op === 'ok') return v.ok ? `${v.name} ok` : `${v.name} ${v.detail ?? 'not ok'}`;
  if (!Number.isFinite(v.observed) || (v.kind === 'probe' && !v.ok && v.detail)) return `${v.name} ${v.detail ?? 'n/a'}`;
  const op = v.ok ? v.op : NEGATION[v.op];
  return `${v.name} ${formatValue(v, v.observed)} ${op} ${formatValue(v, v.limit)}`;
}

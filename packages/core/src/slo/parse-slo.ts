import { ValidationError, type ValidationIssue } from '../errors.js';
import { formatExactDurationMs, isUnitlessDuration, parseDurationMs } from '../units.js';
import {
  type LatencyLimit,
  type ProbeCondition,
  type ProbeOp,
  type ScopedSlo,
  type Slo,
  type SloScopeKind,
  percentileName,
  validateSlo,
} from './slo.js';

const LATENCY_TERM = /^(?:p(\d+(?:\.\d+)?)|(max))\s*(<=?)\s*(\S.*)$/i;
const SIGNAL_TERM = /^(errors?|achieved|drops?|dropped)\s*(<=?|>=?)\s*(\S.*)$/i;
const PROBE_TERM = /^([A-Za-z_][\w.:-]*)\s*(<=|>=|==|<|>)\s*(\S.*)$/;
const PROBE_OK_TERM = /^([A-Za-z_][\w.:-]*)\s+ok$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const SCOPED_TERM = /^(journey|step|request):([A-Za-z0-9_./-]+)\s+(\S.*)$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

const EXAMPLES =
  'p99<500ms, p50<100ms, errors<1%, achieved>95%, drops<1%, queue_depth<1000, health ok, journey:get-report p99<5s or step:download errors<1%';

/**
 * Reads the one-line SLO form used on the command line:
 * `p99<500ms,p50<100ms,errors<1%,achieved>95%,drops<1%,queue_depth<1000,health ok`.
 *
 * Percentiles follow the HdrHistogram habit: `p999` is p99.9 and `p9999` p99.99 (digits after
 * the leading two are decimals); `p99.9` is accepted too, and `max` is p100. Limits are
 * inclusive whether written `<` or `<=`, as in `Slo`; probe comparisons keep the operator given.
 * Throws a ValidationError listing every bad term, not just the first.
 */
export function parseSlo(text: string, path = 'slo'): Slo {
  const issues: ValidationIssue[] = [];
  const latency: LatencyLimit[] = [];
  const probes: ProbeCondition[] = [];
  const signals: { maxErrorRate?: number; minAchievedRatio?: number; maxDropRate?: number } = {};
  const scopedOut: { scope: SloScopeKind; name: string; latency: LatencyLimit[]; maxErrorRate?: number }[] = [];
  const terms = text.split(',').map((t) => t.trim());
  if (terms.length === 1 && terms[0] === '') {
    throw new ValidationError(path, [{ path, message: `must list at least one condition, e.g. ${EXAMPLES}` }]);
  }
  terms.forEach((term, i) => {
    const at = `${path}[${i}]`;
    if (term === '') {
      issues.push({ path: at, message: 'is empty (two commas in a row?)' });
      return;
    }
    const scoped = SCOPED_TERM.exec(term);
    if (scoped) {
      readScoped(term, scoped[1] as SloScopeKind, scoped[2]!, scoped[3]!.trim(), at, scopedOut, issues);
      return;
    }
    const lat = LATENCY_TERM.exec(term);
    if (lat) {
      const percentile = lat[2] ? 100 : parsePercentileDigits(lat[1]!);
      const maxMs = limitMs(term, lat[4]!, at, issues);
      if (maxMs === undefined) return;
      if (!Number.isFinite(maxMs))
        issues.push({ path: at, message: `"${term}": ${JSON.stringify(lat[4])} is not a duration such as 500ms or 2s` });
      else latency.push({ percentile, maxMs });
      return;
    }
    const sig = SIGNAL_TERM.exec(term);
    if (sig) {
      readSignal(term, sig[1]!.toLowerCase(), sig[2]!, sig[3]!.trim(), at, signals, issues);
      return;
    }
    const okTerm = PROBE_OK_TERM.exec(term);
    if (okTerm) {
      probes.push({ probe: okTerm[1]!, op: 'ok' });
      return;
    }
    const probe = PROBE_TERM.exec(term);
    if (probe) {
      const value = probe[3]!.trim();
      if (!NUMBER.test(value)) issues.push({ path: at, message: `"${term}": ${JSON.stringify(value)} is not a number` });
      else probes.push({ probe: probe[1]!, op: probe[2] as ProbeOp, value: Number(value) });
      return;
    }
    issues.push({ path: at, message: `"${term}" is not an SLO condition; expected e.g. ${EXAMPLES}` });
  });
  const slo: Slo = {
    latency,
    ...signals,
    ...(probes.length > 0 ? { probes } : {}),
    ...(scopedOut.length > 0 ? { scoped: scopedOut as ScopedSlo[] } : {}),
  };
  if (issues.length === 0) issues.push(...validateSlo(slo, path));
  if (issues.length > 0) throw new ValidationError(path, issues);
  return slo;
}

/** `journey:get-report p99<5s` or `step:download errors<1%`: a latency or error term about one name. */
function readScoped(
  term: string,
  scope: SloScopeKind,
  name: string,
  inner: string,
  at: string,
  out: { scope: SloScopeKind; name: string; latency: LatencyLimit[]; maxErrorRate?: number }[],
  issues: ValidationIssue[],
): void {
  let group = out.find((g) => g.scope === scope && g.name === name);
  if (!group) out.push((group = { scope, name, latency: [] }));
  const lat = LATENCY_TERM.exec(inner);
  if (lat) {
    const maxMs = limitMs(term, lat[4]!, at, issues);
    if (maxMs === undefined) return;
    if (!Number.isFinite(maxMs))
      issues.push({ path: at, message: `"${term}": ${JSON.stringify(lat[4])} is not a duration such as 500ms or 2s` });
    else group.latency.push({ percentile: lat[2] ? 100 : parsePercentileDigits(lat[1]!), maxMs });
    return;
  }
  const sig = SIGNAL_TERM.exec(inner);
  if (sig && sig[1]!.toLowerCase().startsWith('error')) {
    const signals: { maxErrorRate?: number } = group.maxErrorRate !== undefined ? { maxErrorRate: group.maxErrorRate } : {};
    readSignal(term, 'errors', sig[2]!, sig[3]!.trim(), at, signals, issues);
    if (signals.maxErrorRate !== undefined) group.maxErrorRate = signals.maxErrorRate;
    return;
  }
  issues.push({
    path: at,
    message: `"${term}": a ${scope} condition is a latency percentile or an error rate, e.g. ${scope}:${name} p99<5s or ${scope}:${name} errors<1%`,
  });
}

/** `99` → 99, `999` → 99.9, `9999` → 99.99, `99.9` → 99.9, `100` → 100, `50` → 50. */
function parsePercentileDigits(digits: string): number {
  if (digits.includes('.') || digits.length <= 2 || digits === '100') return Number(digits);
  return Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

function readSignal(
  term: string,
  name: string,
  op: string,
  value: string,
  at: string,
  out: { maxErrorRate?: number; minAchievedRatio?: number; maxDropRate?: number },
  issues: ValidationIssue[],
): void {
  const key = name.startsWith('error') ? 'maxErrorRate' : name === 'achieved' ? 'minAchievedRatio' : 'maxDropRate';
  const wantsAbove = key === 'minAchievedRatio';
  if (wantsAbove !== op.startsWith('>')) {
    issues.push({
      path: at,
      message: `"${term}": ${name} takes ${wantsAbove ? '> (a floor, e.g. achieved>95%)' : '< (a ceiling, e.g. errors<1%)'}`,
    });
    return;
  }
  const pct = PERCENT.exec(value);
  if (!pct) {
    issues.push({ path: at, message: `"${term}": ${JSON.stringify(value)} is not a percentage such as 1% or 0.5%` });
    return;
  }
  if (out[key] !== undefined) {
    issues.push({ path: at, message: `"${term}": ${name} is limited twice; keep one` });
    return;
  }
  out[key] = Number(pct[1]) / 100;
}

/**
 * A latency limit as typed; undefined, with an issue, when it has no unit (`p99<500`): k6 and
 * Gatling read a bare number there as milliseconds, but overload's other durations refuse one.
 */
function limitMs(term: string, text: string, at: string, issues: ValidationIssue[]): number | undefined {
  const t = text.trim();
  if (!isUnitlessDuration(t)) return parseDurationMs(t);
  const fixed = (unit: string) => term.replace(new RegExp(`${t.replace('.', '\\.')}\\s*$`), `${t}${unit}`);
  issues.push({ path: at, message: `"${term}" needs a unit on its limit: ${fixed('ms')} or ${fixed('s')}` });
  return undefined;
}

/** The one-line form of an SLO; `parseSlo(formatSlo(s))` gives `s` back. */
export function formatSlo(slo: Slo): string {
  const terms: string[] = [];
  for (const l of slo.latency) terms.push(`${percentileName(l.percentile)}<${formatExactDurationMs(l.maxMs)}`);
  if (slo.maxErrorRate !== undefined) terms.push(`errors<${percent(slo.maxErrorRate)}%`);
  if (slo.minAchievedRatio !== undefined) terms.push(`achieved>${percent(slo.minAchievedRatio)}%`);
  if (slo.maxDropRate !== undefined) terms.push(`drops<${percent(slo.maxDropRate)}%`);
  for (const c of slo.probes ?? []) terms.push(formatProbeCondition(c));
  for (const g of slo.scoped ?? []) {
    for (const l of g.latency) terms.push(`${g.scope}:${g.name} ${percentileName(l.percentile)}<${formatExactDurationMs(l.maxMs)}`);
    if (g.maxErrorRate !== undefined) terms.push(`${g.scope}:${g.name} errors<${percent(g.maxErrorRate)}%`);
  }
  return terms.join(',');
}

/** `queue_depth<1000`, `breaker_open==0`, `health ok`. */
export function formatProbeCondition(c: ProbeCondition): string {
  return c.op === 'ok' ? `${c.probe} ok` : `${c.probe}${c.op}${c.value}`;
}

// 0.07 * 100 is 7.000000000000001 in floating point; twelve digits is far beyond any real SLO.
function percent(fraction: number): number {
  return Number((fraction * 100).toPrecision(12));
}

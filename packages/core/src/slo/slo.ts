import type { ValidationIssue } from '../errors.js';
import { describe } from '../units.js';
import { DEFAULTS } from '../defaults.js';
import { SCENARIO_FIELDS, unknownFields } from '../scenario/known-fields.js';

/** A limit on a corrected-latency percentile: the percentile must be at most `maxMs`. */
export interface LatencyLimit {
  /** 0 < percentile ≤ 100; 99.9 is p99.9 (written `p999` or `p99.9`). */
  readonly percentile: number;
  readonly maxMs: number;
}

export type ProbeOp = '<' | '<=' | '>' | '>=' | '==' | 'ok';
export const PROBE_OPS: readonly ProbeOp[] = ['<', '<=', '>', '>=', '==', 'ok'];

/** A condition on a side-channel probe: `queue_depth < 1000`, `breaker_open == 0`, `health ok`. */
export interface ProbeCondition {
  readonly probe: string;
  readonly op: ProbeOp;
  /** Required for every op but `ok`. */
  readonly value?: number;
}

/**
 * What "the target is coping" means. Every limit is inclusive (`errors<1%` holds at exactly
 * 1 %): a limit of 0 must be satisfiable, and the default drop limit is 0.
 */
export interface Slo {
  readonly latency: readonly LatencyLimit[];
  /**
   * Failed / attempted (responses + transport errors), as a fraction: 0.01 is 1 %. When absent,
   * DEFAULT_MAX_ERROR_RATE applies: a target that sheds load as fast errors has collapsed whatever
   * its latency says. `errors<100%` judges without an error limit.
   */
  readonly maxErrorRate?: number;
  /** Responses / arrivals the target was asked to serve, as a fraction (default 0.95). */
  readonly minAchievedRatio?: number;
  /** Arrivals dropped at the in-flight cap / offered, as a fraction (default 0: any drop breaches). */
  readonly maxDropRate?: number;
  readonly probes?: readonly ProbeCondition[];
  /** Conditions on a journey, a step or a named request (scenarios only). */
  readonly scoped?: readonly ScopedSlo[];
}

export const DEFAULT_MAX_ERROR_RATE = DEFAULTS.slo.maxErrorRate;
/** What a scoped condition is about: a journey, a step (of any journey, or `journey/step`), or a named request. */
export type SloScopeKind = 'journey' | 'step' | 'request';

/**
 * Conditions on one name of a scenario: `journey:get-report p99<5s`, `step:download errors<1%`.
 * Latency is that name's corrected latency (a journey's from its intended start to its end, a
 * step's from when it was due to its last response); errors are its failures over what ended.
 */
export interface ScopedSlo {
  readonly scope: SloScopeKind;
  readonly name: string;
  readonly latency: readonly LatencyLimit[];
  readonly maxErrorRate?: number;
}

export const DEFAULT_MIN_ACHIEVED_RATIO = DEFAULTS.slo.minAchievedRatio;
export const DEFAULT_MAX_DROP_RATE = DEFAULTS.slo.maxDropRate;

/** Names that mean an SLO signal, so they cannot be probe names in the text form. */
export const RESERVED_CONDITION_NAMES = ['errors', 'achieved', 'drops'] as const;

const PROBE_NAME = /^[A-Za-z_][\w.:-]*$/;

/**
 * Responses needed before a percentile means anything. A p99 over 50 responses is decided by
 * its single worst one; asking for ten samples beyond the percentile (10 / (1 − p)) makes the
 * estimate rest on a tail of at least ten: 20 for p50, 1,000 for p99, 10,000 for p99.9. The max
 * (p100) is exact with any count.
 */
export function minSamplesForPercentile(percentile: number): number {
  if (percentile >= 100) return 1;
  // The epsilon keeps 10 / 0.010000000000000009 (p99 in floating point) at 1,000, not 1,001.
  return Math.max(1, Math.ceil(10 / (1 - percentile / 100) - 1e-6));
}

/** The highest percentile an SLO limits (the one that needs the most samples), if any. */
export function strictestPercentile(slo: Slo): number | undefined {
  let max: number | undefined;
  for (const l of slo.latency) if (max === undefined || l.percentile > max) max = l.percentile;
  return max;
}

/** `p99`, `p50`, `p99.9`, `max` for 100. */
export function percentileName(percentile: number): string {
  return percentile >= 100 ? 'max' : `p${Number(percentile.toFixed(4))}`;
}

/** Every problem with an SLO, each with its path (`slo.latency[1].maxMs must be > 0`). */
export function validateSlo(slo: unknown, path = 'slo'): ValidationIssue[] {
  if (typeof slo !== 'object' || slo === null || Array.isArray(slo)) {
    return [{ path, message: `must be an object such as { latency: [{ percentile: 99, maxMs: 500 }] } (got ${describe(slo)})` }];
  }
  const s = slo as Record<string, unknown>;
  const issues: ValidationIssue[] = unknownFields(s, SCENARIO_FIELDS.slo, path, 'an SLO');
  if (!Array.isArray(s['latency'])) {
    issues.push({ path: `${path}.latency`, message: `must be a list of { percentile, maxMs } (got ${describe(s['latency'])})` });
  } else {
    const seen = new Map<number, number>();
    s['latency'].forEach((l: unknown, i) => {
      const at = `${path}.latency[${i}]`;
      if (typeof l !== 'object' || l === null) {
        issues.push({ path: at, message: `must be an object { percentile, maxMs } (got ${describe(l)})` });
        return;
      }
      issues.push(...unknownFields(l, SCENARIO_FIELDS.sloLatency, at, 'a latency limit'));
      const { percentile, maxMs } = l as Record<string, unknown>;
      if (typeof percentile !== 'number' || !Number.isFinite(percentile) || percentile <= 0 || percentile > 100) {
        issues.push({ path: `${at}.percentile`, message: `must be a number > 0 and <= 100 (got ${describe(percentile)})` });
      } else if (seen.has(percentile)) {
        issues.push({
          path: `${at}.percentile`,
          message: `repeats ${path}.latency[${seen.get(percentile)}] (${percentileName(percentile)}); give each percentile one limit`,
        });
      } else {
        seen.set(percentile, i);
      }
      if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs <= 0) {
        issues.push({ path: `${at}.maxMs`, message: `must be > 0 (got ${describe(maxMs)})` });
      }
    });
  }
  fraction(s['maxErrorRate'], `${path}.maxErrorRate`, issues);
  fraction(s['minAchievedRatio'], `${path}.minAchievedRatio`, issues);
  fraction(s['maxDropRate'], `${path}.maxDropRate`, issues);
  if (s['scoped'] !== undefined) {
    if (!Array.isArray(s['scoped']))
      issues.push({
        path: `${path}.scoped`,
        message: `must be a list of { scope, name, latency, maxErrorRate? } (got ${describe(s['scoped'])})`,
      });
    else
      s['scoped'].forEach((c: unknown, i) => {
        const at = `${path}.scoped[${i}]`;
        const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
        issues.push(...unknownFields(o, SCENARIO_FIELDS.sloScoped, at, 'a scoped condition'));
        if (!['journey', 'step', 'request'].includes(String(o['scope'])))
          issues.push({ path: `${at}.scope`, message: `must be journey, step or request (got ${describe(o['scope'])})` });
        if (typeof o['name'] !== 'string' || o['name'] === '')
          issues.push({
            path: `${at}.name`,
            message: `must name a ${String(o['scope'] ?? 'journey')} of the scenario (got ${describe(o['name'])})`,
          });
        issues.push(
          ...validateSlo({ latency: o['latency'], ...(o['maxErrorRate'] !== undefined ? { maxErrorRate: o['maxErrorRate'] } : {}) }, at),
        );
      });
  }
  if (s['probes'] !== undefined) {
    if (!Array.isArray(s['probes'])) {
      issues.push({ path: `${path}.probes`, message: `must be a list of { probe, op, value } (got ${describe(s['probes'])})` });
    } else {
      s['probes'].forEach((c: unknown, i) => issues.push(...validateProbeCondition(c, `${path}.probes[${i}]`)));
    }
  }
  return issues;
}

export function validateProbeCondition(condition: unknown, path: string): ValidationIssue[] {
  if (typeof condition !== 'object' || condition === null) {
    return [{ path, message: `must be an object { probe, op, value } (got ${describe(condition)})` }];
  }
  const { probe, op, value } = condition as Record<string, unknown>;
  const issues: ValidationIssue[] = unknownFields(condition, SCENARIO_FIELDS.sloProbe, path, 'a probe condition');
  if (typeof probe !== 'string' || !PROBE_NAME.test(probe)) {
    issues.push({
      path: `${path}.probe`,
      message: `must be a probe name such as queue_depth (letters, digits, _ . : -) (got ${describe(probe)})`,
    });
  } else if ((RESERVED_CONDITION_NAMES as readonly string[]).includes(probe)) {
    issues.push({ path: `${path}.probe`, message: `cannot be "${probe}", which names an SLO signal; rename the probe` });
  }
  if (typeof op !== 'string' || !(PROBE_OPS as readonly string[]).includes(op)) {
    issues.push({ path: `${path}.op`, message: `must be one of ${PROBE_OPS.join(' ')} (got ${describe(op)})` });
  } else if (op === 'ok') {
    if (value !== undefined) issues.push({ path: `${path}.value`, message: `must be left out with op "ok" (got ${describe(value)})` });
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push({ path: `${path}.value`, message: `must be a number to compare with (got ${describe(value)})` });
  }
  return issues;
}

function fraction(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    issues.push({ path, message: `must be a fraction between 0 and 1, e.g. 0.01 for 1 % (got ${describe(value)})` });
  }
}

/**
 * Every condition on a probe must name a probe the run reads. `latency<5` or a misspelt
 * `queue_dpeth<100` would otherwise be judged on no samples: never a breach, and never a knee.
 */
export function validateSloProbeNames(slo: Slo, probeNames: readonly string[], path = 'slo'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [i, c] of (slo.probes ?? []).entries()) {
    if (probeNames.includes(c.probe)) continue;
    const declared = probeNames.length > 0 ? `the probes of this run are ${probeNames.join(', ')}` : 'this run has no probes';
    issues.push({
      path: path.startsWith('--') ? path : `${path}.probes[${i}]`,
      message:
        `condition "${c.probe}${c.op === 'ok' ? ' ok' : `${c.op}${c.value}`}" names no probe (${declared}): the built-in conditions are pNN<time, errors<N%, achieved>N%, drops<N%; ` +
        `a condition on the target's own metrics needs a probe of that name (--probe "${c.probe}=prometheus:URL#metric", or probes in the scenario)`,
    });
  }
  return issues;
}

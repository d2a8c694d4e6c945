import { type ActionSpec, validateActions } from '../action/action.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { validateBudgets } from '../guard/budgets.js';
import { type ProbeSpec, validateProbes } from '../probe/spec.js';
import { type Profile, validateProfile } from '../profile/index.js';
import { parseSlo } from '../slo/parse-slo.js';
import { type Slo, validateSlo } from '../slo/slo.js';
import { validateScopedNames } from '../collapse/judge-window.js';
import { type DurationInput, describe, readDurationMs, readNumber } from '../units.js';
import { DEFAULT_EXPECT_STATUS, type StatusExpectation, validateStatuses } from '../run/config.js';
import { type Feeder, validateFeeders } from './feeder.js';
import { compileFlows } from './flow-plan.js';
import { type JourneyTemplate, validateJourneys } from './journey.js';
import { type RequestTemplate, validateRequests } from './request-template.js';
import { SCENARIO_FIELDS, unknownFields } from './known-fields.js';
import { validateScenarioTls } from './scenario-tls.js';

/** Guardrails a scenario declares; command-line flags can only tighten them. */
export interface ScenarioSafety {
  /** Hosts this scenario may load besides loopback (`staging.example.com`, `*.staging.example.com`). */
  readonly allowedHosts?: readonly string[];
  /** Side-effect budgets, e.g. `{ emails: 100, reports: 5000 }`. */
  readonly budgets?: Readonly<Record<string, number>>;
  readonly maxRps?: number;
  readonly maxRequests?: number;
  readonly maxDurationMs?: DurationInput;
  /** Error-burst abort: `false` to disable, or a limit such as `{ maxErrorRate: 0.5, windowMs: 5000 }`. */
  readonly errorBurst?: false | { readonly maxErrorRate?: number; readonly windowMs?: DurationInput };
  /** Header carrying the run id on every request (default `x-overload-run`). */
  readonly runIdHeader?: string;
}

export interface ScenarioRecovery {
  /** Baseline rate as a fraction of the knee (default 0.1). */
  readonly baselineRatio?: number;
  /** Quiet time after the load stops, before the baseline (default 2 s). */
  readonly cooldownMs?: DurationInput;
  /** How long the baseline may take to meet the SLO (default 15 s). */
  readonly withinMs?: DurationInput;
  /** Length of the window that must meet the SLO (default 3 s). */
  readonly windowMs?: DurationInput;
}

/** A simulated target a scenario can start by itself when no --target is given (demo mode). */
export interface EmbeddedTarget {
  /** Module (relative to the scenario file) whose process prints `{"url": …}` once listening. */
  readonly module: string;
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Base URL of the target; `--target` overrides it. */
  readonly target?: string;
  readonly embeddedTarget?: EmbeddedTarget;
  /** Single requests in the weighted mix (optional when there are journeys). */
  readonly requests?: readonly RequestTemplate[];
  /** Multi-step user flows in the same weighted mix: the profile's rate is a rate of arrivals, each a request or a journey. */
  readonly journeys?: readonly JourneyTemplate[];
  readonly feeders?: Readonly<Record<string, Feeder>>;
  /** `'p99<500ms,errors<1%'` or an Slo object. */
  readonly slo?: string | Slo;
  /** Probe URLs may be relative to the target (`/metrics`). */
  readonly probes?: readonly ProbeSpec[];
  /** HTTP calls on the target at moments of the run (pause the consumers, resume them `always`). */
  readonly actions?: readonly ActionSpec[];
  readonly profile?: Profile;
  readonly safety?: ScenarioSafety;
  readonly recovery?: ScenarioRecovery;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: DurationInput;
  /** TLS for an https target: PEM file paths relative to the scenario file; `--ca/--cert/--key/--insecure` override them. */
  readonly tls?: ScenarioTls;
  /** Offer HTTP/2 (ALPN h2) to an https target; `--http2` sets it too. */
  readonly http2?: boolean;
}

export interface ScenarioTls {
  readonly ca?: string | readonly string[];
  readonly cert?: string;
  readonly key?: string;
  readonly insecure?: boolean;
}

/** Identity with types: `export default defineScenario({ … })` gives editors the whole shape. */
export function defineScenario<const S extends Scenario>(scenario: S): S {
  return scenario;
}

/**
 * Every problem with a scenario, each with its path. Checks run before anything is sent. With
 * `env`, `{{env.NAME}}` placeholders must name variables that are set.
 */
export function validateScenario(value: unknown, options: { env?: Readonly<Record<string, string | undefined>> } = {}): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: '', message: `a scenario must be an object (export default defineScenario({ … })) (got ${describe(value)})` }];
  }
  const s = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [...misspeltFields(s)];
  if (typeof s['name'] !== 'string' || s['name'] === '')
    issues.push({ path: 'name', message: `must be a non-empty string (got ${describe(s['name'])})` });
  if (s['description'] !== undefined && typeof s['description'] !== 'string')
    issues.push({ path: 'description', message: 'must be a string' });
  if (s['target'] !== undefined) {
    try {
      const u = new URL(String(s['target']));
      if (typeof s['target'] !== 'string' || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new Error();
    } catch {
      issues.push({ path: 'target', message: `must be an absolute http(s) URL (got ${describe(s['target'])})` });
    }
  }
  const feederIssues = validateFeeders(s['feeders'], 'feeders');
  issues.push(...feederIssues);
  const feederNames = s['feeders'] && typeof s['feeders'] === 'object' ? Object.keys(s['feeders']) : [];
  let parsedSlo: Slo | undefined;
  if (s['slo'] !== undefined) {
    if (typeof s['slo'] === 'string') {
      try {
        parsedSlo = parseSlo(s['slo']);
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
        else issues.push({ path: 'slo', message: (error as Error).message });
      }
    } else {
      const found = validateSlo(s['slo'], 'slo');
      issues.push(...found);
      if (found.length === 0) parsedSlo = s['slo'] as Slo;
    }
  }
  const hasJourneys = s['journeys'] !== undefined;
  const requestIssues = validateRequests(s['requests'], 'requests', hasJourneys);
  const checkStatus = (list: unknown, at: string) => validateStatuses(list as readonly StatusExpectation[], at, issues);
  const journeyIssues = validateJourneys(s['journeys'], 'journeys', checkStatus);
  issues.push(...requestIssues, ...journeyIssues);
  if (s['requests'] === undefined && !hasJourneys)
    issues.push({ path: 'requests', message: 'a scenario needs requests or journeys (or both)' });
  // Placeholders and captures, in every part of every request and step, once the shapes are sound.
  if (requestIssues.length === 0 && journeyIssues.length === 0 && (s['requests'] !== undefined || hasJourneys)) {
    const { names } = compileFlows(
      { templates: (s['requests'] as RequestTemplate[] | undefined) ?? [], journeys: s['journeys'] as JourneyTemplate[] | undefined },
      { feederNames, defaultExpect: DEFAULT_EXPECT_STATUS, ...(options.env ? { env: options.env } : {}) },
      issues,
    );
    if (parsedSlo) issues.push(...validateScopedNames(parsedSlo, names));
  }
  if (s['profile'] !== undefined) issues.push(...validateProfile(s['profile'], 'profile'));
  issues.push(...validateActions(s['actions']));
  if (s['probes'] !== undefined) issues.push(...validateScenarioProbes(s['probes']));
  if (s['timeoutMs'] !== undefined) readDurationMs(s['timeoutMs'], 'timeoutMs', issues);
  issues.push(...validateSafety(s['safety']));
  issues.push(...validateRecovery(s['recovery']));
  issues.push(...validateScenarioTls(s['tls'], s['http2']));
  return issues;
}

/** Fields no part of overload reads, at every level of the scenario (see known-fields.ts). */
function misspeltFields(s: Record<string, unknown>): ValidationIssue[] {
  const F = SCENARIO_FIELDS;
  const issues = unknownFields(s, F.scenario, '', 'a scenario');
  issues.push(...unknownFields(s['embeddedTarget'], F.embeddedTarget, 'embeddedTarget', 'embeddedTarget'));
  issues.push(...unknownFields(s['safety'], F.safety, 'safety', 'safety'));
  const safety = s['safety'] as Record<string, unknown> | undefined;
  if (safety && typeof safety === 'object')
    issues.push(...unknownFields(safety['errorBurst'], F.errorBurst, 'safety.errorBurst', 'safety.errorBurst'));
  issues.push(...unknownFields(s['recovery'], F.recovery, 'recovery', 'recovery'));
  issues.push(...unknownFields(s['tls'], F.tls, 'tls', 'tls'));
  const each = (list: unknown, at: string, check: (item: Record<string, unknown>, path: string) => void) => {
    if (Array.isArray(list)) list.forEach((item, i) => check(item as Record<string, unknown>, `${at}[${i}]`));
  };
  each(s['requests'], 'requests', (r, at) => issues.push(...unknownFields(r, F.request, at, 'a request')));
  each(s['journeys'], 'journeys', (j, at) => {
    issues.push(...unknownFields(j, F.journey, at, 'a journey'));
    each(j?.['steps'], `${at}.steps`, (step, stepAt) => {
      issues.push(...unknownFields(step, F.step, stepAt, 'a journey step'));
      issues.push(...unknownFields(step?.['poll'], F.poll, `${stepAt}.poll`, 'a poll'));
    });
  });
  return issues;
}

/**
 * A scenario's probes, checked with the rest of the scenario, before any target is started. A URL
 * relative to the target (`/metrics`) is checked against a stand-in base: which target it will be
 * is only known once `--target` or the demo target is.
 */
function validateScenarioProbes(value: unknown): ValidationIssue[] {
  if (!Array.isArray(value)) return [{ path: 'probes', message: `must be a list of probes (got ${describe(value)})` }];
  const base = 'http://target.invalid';
  return validateProbes(
    value.map((p: unknown) => {
      const url = (p as { url?: unknown } | null)?.url;
      return typeof url === 'string' && url.startsWith('/') ? { ...(p as object), url: `${base}${url}` } : p;
    }),
  );
}

function validateSafety(value: unknown): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) return [{ path: 'safety', message: 'must be an object' }];
  const s = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (s['allowedHosts'] !== undefined && (!Array.isArray(s['allowedHosts']) || s['allowedHosts'].some((h) => typeof h !== 'string'))) {
    issues.push({ path: 'safety.allowedHosts', message: 'must be a list of host names, e.g. ["staging.example.com"]' });
  }
  issues.push(...validateBudgets(s['budgets'], 'safety.budgets'));
  if (s['maxRps'] !== undefined) readNumber(s['maxRps'], 'safety.maxRps', issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  if (s['maxRequests'] !== undefined) readNumber(s['maxRequests'], 'safety.maxRequests', issues, { min: 1, integer: true });
  if (s['maxDurationMs'] !== undefined) readDurationMs(s['maxDurationMs'], 'safety.maxDurationMs', issues);
  if (s['runIdHeader'] !== undefined && (typeof s['runIdHeader'] !== 'string' || !/^[A-Za-z0-9-]+$/.test(s['runIdHeader']))) {
    issues.push({ path: 'safety.runIdHeader', message: 'must be a header name' });
  }
  const eb = s['errorBurst'];
  if (eb !== undefined && eb !== false) {
    if (typeof eb !== 'object' || eb === null)
      issues.push({ path: 'safety.errorBurst', message: 'must be false or { maxErrorRate, windowMs }' });
    else {
      const e = eb as Record<string, unknown>;
      if (e['maxErrorRate'] !== undefined)
        readNumber(e['maxErrorRate'], 'safety.errorBurst.maxErrorRate', issues, { min: 0, what: 'a fraction 0–1' });
      if (e['windowMs'] !== undefined) readDurationMs(e['windowMs'], 'safety.errorBurst.windowMs', issues);
    }
  }
  return issues;
}

function validateRecovery(value: unknown): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) return [{ path: 'recovery', message: 'must be an object' }];
  const r = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (r['baselineRatio'] !== undefined) {
    const v = readNumber(r['baselineRatio'], 'recovery.baselineRatio', issues, { min: 0, allowMin: false, what: 'a fraction of the knee' });
    if (v > 1) issues.push({ path: 'recovery.baselineRatio', message: `must be <= 1 (got ${v})` });
  }
  for (const k of ['cooldownMs', 'withinMs', 'windowMs'])
    if (r[k] !== undefined) readDurationMs(r[k], `recovery.${k}`, issues, { allowZero: k === 'cooldownMs' });
  return issues;
}

export type { RequestTemplate, Feeder, JourneyTemplate };

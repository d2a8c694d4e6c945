import type { ValidationIssue } from '../errors.js';
import { parseJsonPath } from '../probe/json-path.js';
import type { StatusExpectation } from '../run/config.js';
import { type DurationInput, describe, readDurationMs, readNumber } from '../units.js';
import { SCENARIO_FIELDS, unknownFields } from './known-fields.js';
import { type RequestTemplate, validateRequestShape } from './request-template.js';

/** A JSON scalar a response field can be compared with. */
export type JsonScalar = string | number | boolean | null;

/**
 * A value taken from a response for later steps (`{{name}}`):
 * - `{ json: 'id' }` or `{ json: '$.report.id' }`: a field of the JSON body (the probes' path
 *   language; a leading `$.` is accepted, as JSONPath users write it);
 * - `{ header: 'location' }`: a response header;
 * - `{ regex: 'id=(\\w+)', group?: 1 }`: a regular expression over the body (group 1 by default,
 *   the whole match when it has no group).
 */
export type CaptureSpec = { readonly json: string } | { readonly header: string } | { readonly regex: string; readonly group?: number };

/** A condition on a response: its status, or a JSON field equal to a value or one of several. */
export type ResponseCondition =
  | { readonly status: readonly StatusExpectation[] }
  | { readonly json: string; readonly equals: JsonScalar }
  | { readonly json: string; readonly in: readonly JsonScalar[] };

/** Repeat a step until `until` holds, every `intervalMs`, for at most `maxTries` tries or `maxMs`. */
export interface PollSpec {
  readonly until: ResponseCondition;
  readonly intervalMs: DurationInput;
  readonly maxTries?: number;
  readonly maxMs?: DurationInput;
}

/**
 * Time a user waits before a step: a constant (`'2s'`), `{ uniform: ['1s', '3s'] }` or
 * `{ exponential: '2s' }` (the mean). Seeded by the arrival index, so reruns wait the same. Each
 * duration carries its unit: the field's name does not, and `thinkTime: 2` reads as seconds to a
 * k6 or Locust user.
 */
export type ThinkTime = string | { readonly uniform: readonly [string, string] } | { readonly exponential: string };

/** One step of a journey: a request, and what to do with its response. */
export interface StepTemplate extends Omit<RequestTemplate, 'weight'> {
  readonly capture?: Readonly<Record<string, CaptureSpec>>;
  readonly poll?: PollSpec;
  /** Must hold of the (final) response for the step to succeed, after `expectStatus`. */
  readonly check?: ResponseCondition;
  readonly thinkTime?: ThinkTime;
  /** A failed step stops the journey (default) or lets it go on. */
  readonly onFailure?: 'stop' | 'continue';
}

/** A user flow: steps in order, started on the profile's schedule like any arrival. */
export interface JourneyTemplate {
  readonly name: string;
  /** Relative weight against other journeys and single requests (default 1). */
  readonly weight?: number;
  readonly steps: readonly StepTemplate[];
}

/** A JSON path with JSONPath's optional `$.` prefix removed. */
export function normaliseJsonPath(path: string): string {
  return path.replace(/^\$\.?/, '');
}

export function validateCapture(spec: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof spec !== 'object' || spec === null) {
    issues.push({ path, message: `must be { json: 'path' }, { header: 'name' } or { regex: '…', group? } (got ${describe(spec)})` });
    return;
  }
  const c = spec as Record<string, unknown>;
  issues.push(...unknownFields(c, SCENARIO_FIELDS.capture, path, 'a capture'));
  const kinds = ['json', 'header', 'regex'].filter((k) => c[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({
      path,
      message: `must have exactly one of json, header or regex (got ${kinds.length === 0 ? 'none' : kinds.join(' and ')})`,
    });
    return;
  }
  if (c['json'] !== undefined) checkJsonPath(c['json'], `${path}.json`, issues);
  if (c['header'] !== undefined && (typeof c['header'] !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(c['header']))) {
    issues.push({ path: `${path}.header`, message: `must be a header name such as "location" (got ${describe(c['header'])})` });
  }
  if (c['regex'] !== undefined) {
    if (typeof c['regex'] !== 'string')
      issues.push({ path: `${path}.regex`, message: `must be a regular expression as a string (got ${describe(c['regex'])})` });
    else {
      try {
        const groups = new RegExp(`${c['regex']}|`).exec('')!.length - 1;
        if (c['group'] !== undefined) {
          const g = readNumber(c['group'], `${path}.group`, issues, { min: 0, integer: true, what: 'a capture group number' });
          if (Number.isInteger(g) && g > groups)
            issues.push({ path: `${path}.group`, message: `must be <= ${groups}, the number of groups in the regex (got ${g})` });
        }
      } catch (error) {
        issues.push({ path: `${path}.regex`, message: `is not a valid regular expression: ${(error as Error).message}` });
      }
    }
  }
}

function checkJsonPath(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof value !== 'string') {
    issues.push({ path, message: `must be a JSON path such as "id" or "$.report.id" (got ${describe(value)})` });
    return;
  }
  const parsed = parseJsonPath(normaliseJsonPath(value));
  if (!parsed.ok) issues.push({ path, message: `${JSON.stringify(value)} ${parsed.error}` });
}

export function validateCondition(
  spec: unknown,
  path: string,
  issues: ValidationIssue[],
  checkStatus: (list: unknown, at: string) => void,
): void {
  if (typeof spec !== 'object' || spec === null) {
    issues.push({
      path,
      message: `must be { status: [...] } or { json: 'path', equals: value } or { json: 'path', in: [values] } (got ${describe(spec)})`,
    });
    return;
  }
  const c = spec as Record<string, unknown>;
  const unknown = unknownFields(c, SCENARIO_FIELDS.condition, path, 'a condition');
  if (unknown.length > 0) {
    issues.push(...unknown);
    return;
  }
  if (c['status'] !== undefined) {
    if (c['json'] !== undefined) issues.push({ path, message: 'must have either status or json, not both' });
    checkStatus(c['status'], `${path}.status`);
    return;
  }
  if (c['json'] === undefined) {
    issues.push({ path, message: 'must have status or json' });
    return;
  }
  checkJsonPath(c['json'], `${path}.json`, issues);
  const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  if ('equals' in c === 'in' in c) issues.push({ path, message: 'with json, must have exactly one of equals or in' });
  else if ('equals' in c && !scalar(c['equals']))
    issues.push({ path: `${path}.equals`, message: `must be a string, number, boolean or null (got ${describe(c['equals'])})` });
  else if ('in' in c && (!Array.isArray(c['in']) || c['in'].length === 0 || !c['in'].every(scalar))) {
    issues.push({
      path: `${path}.in`,
      message: `must be a non-empty list of strings, numbers, booleans or null (got ${describe(c['in'])})`,
    });
  }
}

export function validatePoll(
  spec: unknown,
  path: string,
  issues: ValidationIssue[],
  checkStatus: (list: unknown, at: string) => void,
): void {
  if (typeof spec !== 'object' || spec === null) {
    issues.push({ path, message: `must be { until, intervalMs, maxTries?, maxMs? } (got ${describe(spec)})` });
    return;
  }
  const p = spec as Record<string, unknown>;
  validateCondition(p['until'], `${path}.until`, issues, checkStatus);
  readDurationMs(p['intervalMs'], `${path}.intervalMs`, issues);
  if (p['maxTries'] !== undefined)
    readNumber(p['maxTries'], `${path}.maxTries`, issues, { min: 1, integer: true, what: 'a positive integer' });
  if (p['maxMs'] !== undefined) readDurationMs(p['maxMs'], `${path}.maxMs`, issues);
  if (p['maxTries'] === undefined && p['maxMs'] === undefined) {
    issues.push({ path, message: 'needs maxTries or maxMs (or both): a poll must end, or a journey could wait forever' });
  }
}

export function validateThinkTime(spec: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof spec === 'number' || typeof spec === 'string') {
    readDurationMs(spec, path, issues, { allowZero: true, numberNeedsUnit: true });
    return;
  }
  if (typeof spec === 'object' && spec !== null) {
    const t = spec as Record<string, unknown>;
    const unknown = unknownFields(t, SCENARIO_FIELDS.thinkTime, path, 'a think time');
    if (unknown.length > 0) {
      issues.push(...unknown);
      return;
    }
    if (Array.isArray(t['uniform']) && t['uniform'].length === 2 && Object.keys(t).length === 1) {
      const lo = readDurationMs(t['uniform'][0], `${path}.uniform[0]`, issues, { allowZero: true, numberNeedsUnit: true });
      const hi = readDurationMs(t['uniform'][1], `${path}.uniform[1]`, issues, { allowZero: true, numberNeedsUnit: true });
      if (lo > hi) issues.push({ path: `${path}.uniform`, message: `must be [min, max] with min <= max (got ${lo} ms > ${hi} ms)` });
      return;
    }
    if (t['exponential'] !== undefined && Object.keys(t).length === 1) {
      readDurationMs(t['exponential'], `${path}.exponential`, issues, { numberNeedsUnit: true });
      return;
    }
  }
  issues.push({ path, message: `must be a duration ('2s'), { uniform: ['1s', '3s'] } or { exponential: '2s' } (got ${describe(spec)})` });
}

/** The shape of every journey and step; placeholders and captures are checked by compileFlows. */
export function validateJourneys(journeys: unknown, path: string, checkStatus: (list: unknown, at: string) => void): ValidationIssue[] {
  if (journeys === undefined) return [];
  if (!Array.isArray(journeys) || journeys.length === 0) {
    return [{ path, message: `must be a non-empty list of journeys { name, steps: [...] } (got ${describe(journeys)})` }];
  }
  const issues: ValidationIssue[] = [];
  const names = new Set<string>();
  journeys.forEach((j: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof j !== 'object' || j === null || Array.isArray(j)) {
      issues.push({ path: at, message: `must be an object { name, steps: [...] } (got ${describe(j)})` });
      return;
    }
    const o = j as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(o['name'])) {
      issues.push({
        path: `${at}.name`,
        message: `must be a name of letters, digits, '_', '.' or '-' (it is used in SLO conditions such as journey:${typeof o['name'] === 'string' ? o['name'].replace(/[^A-Za-z0-9_.-]/g, '-') : 'get-report'} p99<5s) (got ${describe(o['name'])})`,
      });
    } else if (names.has(o['name'])) issues.push({ path: `${at}.name`, message: `must be unique ("${o['name']}" is used twice)` });
    else names.add(o['name']);
    if (o['weight'] !== undefined && (typeof o['weight'] !== 'number' || !(o['weight'] > 0) || !Number.isFinite(o['weight']))) {
      issues.push({ path: `${at}.weight`, message: `must be a number > 0 (got ${describe(o['weight'])})` });
    }
    if (!Array.isArray(o['steps']) || o['steps'].length === 0) {
      issues.push({ path: `${at}.steps`, message: `must be a non-empty list of steps { name, path, … } (got ${describe(o['steps'])})` });
      return;
    }
    o['steps'].forEach((s: unknown, k) => validateStep(s, `${at}.steps[${k}]`, issues, checkStatus));
  });
  return issues;
}

function validateStep(s: unknown, at: string, issues: ValidationIssue[], checkStatus: (list: unknown, at: string) => void): void {
  if (!validateRequestShape(s, at, issues)) return;
  const o = s as Record<string, unknown>;
  if (typeof o['name'] === 'string' && !/^[A-Za-z0-9_.-]+$/.test(o['name'])) {
    issues.push({
      path: `${at}.name`,
      message: `must be letters, digits, '_', '.' or '-' (it is used in SLO conditions such as step:${o['name'].replace(/[^A-Za-z0-9_.-]/g, '-')} errors<1%)`,
    });
  }
  if (o['weight'] !== undefined) issues.push({ path: `${at}.weight`, message: 'a step has no weight: weigh the journey instead' });
  if (o['expectStatus'] !== undefined) checkStatus(o['expectStatus'], `${at}.expectStatus`);
  if (o['capture'] !== undefined) {
    if (typeof o['capture'] !== 'object' || o['capture'] === null || Array.isArray(o['capture'])) {
      issues.push({
        path: `${at}.capture`,
        message: `must be an object of name → { json } | { header } | { regex } (got ${describe(o['capture'])})`,
      });
    } else {
      for (const [name, spec] of Object.entries(o['capture'])) {
        if (!/^[A-Za-z_]\w*$/.test(name))
          issues.push({ path: `${at}.capture.${name}`, message: 'capture names are identifiers (letters, digits, _), used as {{name}}' });
        validateCapture(spec, `${at}.capture.${name}`, issues);
      }
    }
  }
  if (o['poll'] !== undefined) validatePoll(o['poll'], `${at}.poll`, issues, checkStatus);
  if (o['check'] !== undefined) validateCondition(o['check'], `${at}.check`, issues, checkStatus);
  if (o['thinkTime'] !== undefined) validateThinkTime(o['thinkTime'], `${at}.thinkTime`, issues);
  if (o['onFailure'] !== undefined && o['onFailure'] !== 'stop' && o['onFailure'] !== 'continue') {
    issues.push({ path: `${at}.onFailure`, message: `must be "stop" (the default) or "continue" (got ${describe(o['onFailure'])})` });
  }
}

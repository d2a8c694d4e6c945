import type { ValidationIssue } from '../errors.js';
import type { StatusExpectation } from '../run/config.js';
import { describe } from '../units.js';

/** One kind of request in a scenario's weighted mix. */
export interface RequestTemplate {
  readonly name: string;
  /** Relative weight in the mix (default 1). */
  readonly weight?: number;
  readonly method?: string;
  /** Path and query on the target, with placeholders (`{{feeder.field}}`, `{{index}}`, `{{runId}}`, `{{env.NAME}}`, captures). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; an object is sent as JSON (placeholders work in string values). */
  readonly body?: string | Readonly<Record<string, unknown>>;
  /** Statuses that count as success for this request (default 200–399). */
  readonly expectStatus?: readonly StatusExpectation[];
  /**
   * What one request may cause on the target, charged against budgets:
   * `{ reports: 1, emailsOnFailure: 1 }` — see BudgetLedger for how `…OnFailure` is charged.
   */
  readonly sideEffects?: Readonly<Record<string, number>>;
}

const METHOD = /^[A-Z]+$/;

export function validateRequests(requests: unknown, path: string, allowEmpty = false): ValidationIssue[] {
  if (allowEmpty && requests === undefined) return [];
  if (!Array.isArray(requests) || (requests.length === 0 && !allowEmpty)) {
    return [{ path, message: `must be a non-empty list of request templates { name, path, … } (got ${describe(requests)})` }];
  }
  const issues: ValidationIssue[] = [];
  const names = new Set<string>();
  requests.forEach((r: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!validateRequestShape(r, at, issues)) return;
    const t = r as Record<string, unknown>;
    if (typeof t['name'] === 'string' && t['name'] !== '') {
      if (names.has(t['name'])) issues.push({ path: `${at}.name`, message: `must be unique ("${t['name']}" is used twice)` });
      names.add(t['name']);
    }
    if (t['weight'] !== undefined && (typeof t['weight'] !== 'number' || !(t['weight'] > 0) || !Number.isFinite(t['weight']))) {
      issues.push({ path: `${at}.weight`, message: `must be a number > 0 (got ${describe(t['weight'])})` });
    }
  });
  return issues;
}

/**
 * The fields a request and a journey step share: name, method, path, headers, body, statuses and
 * side effects. Placeholders are checked where the plan is compiled (see compileFlows). Returns
 * false when the value is not even an object.
 */
export function validateRequestShape(r: unknown, at: string, issues: ValidationIssue[]): boolean {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    issues.push({ path: at, message: `must be an object { name, path, … } (got ${describe(r)})` });
    return false;
  }
  const t = r as Record<string, unknown>;
  if (typeof t['name'] !== 'string' || t['name'] === '')
    issues.push({ path: `${at}.name`, message: `must be a non-empty string (got ${describe(t['name'])})` });
  if (t['method'] !== undefined && (typeof t['method'] !== 'string' || !METHOD.test(t['method'].toUpperCase()))) {
    issues.push({ path: `${at}.method`, message: `must be an HTTP method such as GET or POST (got ${describe(t['method'])})` });
  }
  if (typeof t['path'] !== 'string' || !t['path'].startsWith('/')) {
    issues.push({ path: `${at}.path`, message: `must be a string starting with "/" (got ${describe(t['path'])})` });
  }
  if (t['headers'] !== undefined) {
    if (typeof t['headers'] !== 'object' || t['headers'] === null || Array.isArray(t['headers']))
      issues.push({ path: `${at}.headers`, message: 'must be an object of name → value' });
    else
      for (const [k, v] of Object.entries(t['headers']))
        if (typeof v !== 'string') issues.push({ path: `${at}.headers.${k}`, message: `must be a string (got ${describe(v)})` });
  }
  if (t['body'] !== undefined && typeof t['body'] !== 'string' && (typeof t['body'] !== 'object' || t['body'] === null)) {
    issues.push({ path: `${at}.body`, message: `must be a string or an object (sent as JSON) (got ${describe(t['body'])})` });
  }
  if (t['sideEffects'] !== undefined) {
    if (typeof t['sideEffects'] !== 'object' || t['sideEffects'] === null)
      issues.push({ path: `${at}.sideEffects`, message: 'must be an object such as { reports: 1, emailsOnFailure: 1 }' });
    else
      for (const [k, v] of Object.entries(t['sideEffects'])) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          issues.push({ path: `${at}.sideEffects.${k}`, message: `must be an integer >= 0 (got ${describe(v)})` });
      }
  }
  return true;
}

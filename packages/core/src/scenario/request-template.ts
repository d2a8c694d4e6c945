import type { ValidationIssue } from '../errors.js';
import type { StatusExpectation } from '../run/config.js';
import { describe } from '../units.js';

/** One kind of request in a scenario's weighted mix. */
export interface RequestTemplate {
  readonly name: string;
  /** Relative weight in the mix (default 1). */
  readonly weight?: number;
  readonly method?: string;
  /** Path and query on the target, with `{{feeder.field}}`, `{{index}}` and `{{runId}}` placeholders. */
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

export function validateRequests(requests: unknown, path: string, feederNames: readonly string[]): ValidationIssue[] {
  if (!Array.isArray(requests) || requests.length === 0) {
    return [{ path, message: `must be a non-empty list of request templates { name, path, … } (got ${describe(requests)})` }];
  }
  const issues: ValidationIssue[] = [];
  const names = new Set<string>();
  requests.forEach((r: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof r !== 'object' || r === null) {
      issues.push({ path: at, message: `must be an object { name, path, … } (got ${describe(r)})` });
      return;
    }
    const t = r as Record<string, unknown>;
    if (typeof t['name'] !== 'string' || t['name'] === '') issues.push({ path: `${at}.name`, message: `must be a non-empty string (got ${describe(t['name'])})` });
    else if (names.has(t['name'])) issues.push({ path: `${at}.name`, message: `must be unique ("${t['name']}" is used twice)` });
    else names.add(t['name']);
    if (t['weight'] !== undefined && (typeof t['weight'] !== 'number' || !(t['weight'] > 0) || !Number.isFinite(t['weight']))) {
      issues.push({ path: `${at}.weight`, message: `must be a number > 0 (got ${describe(t['weight'])})` });
    }
    if (t['method'] !== undefined && (typeof t['method'] !== 'string' || !METHOD.test(t['method'].toUpperCase()))) {
      issues.push({ path: `${at}.method`, message: `must be an HTTP method such as GET or POST (got ${describe(t['method'])})` });
    }
    if (typeof t['path'] !== 'string' || !t['path'].startsWith('/')) {
      issues.push({ path: `${at}.path`, message: `must be a string starting with "/" (got ${describe(t['path'])})` });
    } else {
      checkPlaceholders(t['path'], `${at}.path`, feederNames, issues);
    }
    if (t['headers'] !== undefined) {
      if (typeof t['headers'] !== 'object' || t['headers'] === null) issues.push({ path: `${at}.headers`, message: 'must be an object of name → value' });
      else for (const [k, v] of Object.entries(t['headers'])) if (typeof v !== 'string') issues.push({ path: `${at}.headers.${k}`, message: `must be a string (got ${describe(v)})` });
    }
    if (t['body'] !== undefined && typeof t['body'] !== 'string' && (typeof t['body'] !== 'object' || t['body'] === null)) {
      issues.push({ path: `${at}.body`, message: `must be a string or an object (sent as JSON) (got ${describe(t['body'])})` });
    }
    if (t['sideEffects'] !== undefined) {
      if (typeof t['sideEffects'] !== 'object' || t['sideEffects'] === null) issues.push({ path: `${at}.sideEffects`, message: 'must be an object such as { reports: 1, emailsOnFailure: 1 }' });
      else
        for (const [k, v] of Object.entries(t['sideEffects'])) {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) issues.push({ path: `${at}.sideEffects.${k}`, message: `must be an integer >= 0 (got ${describe(v)})` });
        }
    }
  });
  return issues;
}

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

function checkPlaceholders(text: string, path: string, feederNames: readonly string[], issues: ValidationIssue[]): void {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const ref = m[1]!;
    if (ref === 'index' || ref === 'runId') continue;
    const feeder = ref.split('.')[0]!;
    if (!feederNames.includes(feeder)) {
      issues.push({ path, message: `uses {{${ref}}} but there is no feeder "${feeder}" (feeders: ${feederNames.join(', ') || 'none'})` });
    }
  }
}

/** A template string split into literal parts and placeholder references, compiled once. */
export type CompiledText = readonly (string | { readonly feeder: string; readonly field: string | undefined })[];

export function compileText(text: string): CompiledText {
  const parts: (string | { feeder: string; field: string | undefined })[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push(text.slice(last, m.index));
    const [feeder, ...rest] = m[1]!.split('.');
    parts.push({ feeder: feeder!, field: rest.length > 0 ? rest.join('.') : undefined });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

import type { ValidationIssue } from '../errors.js';
import { describe } from '../units.js';
import { SCENARIO_FIELDS, unknownFields } from './known-fields.js';
import { parseCsvFeeder } from './feeder-file.js';

export type FeederValue = string | number | boolean;
export type FeederRow = Readonly<Record<string, FeederValue>>;

/**
 * Per-request data. Arrival i takes row i mod length (deterministic whatever the worker count,
 * so shards and reruns send the same requests). A function is called with the arrival index.
 * Files are read once, before the run: `{ csv: 'students.csv' }` (header row, comma-separated)
 * or `{ json: 'students.json' }` (an array of objects), relative to the scenario file.
 */
export type Feeder = readonly FeederRow[] | { readonly csv: string } | { readonly json: string } | ((index: number) => FeederRow);

/** Function feeders are evaluated for this many indexes before the run, then cycle. */
export const MAX_GENERATED_ROWS = 100_000;

export function validateFeeders(feeders: unknown, path: string): ValidationIssue[] {
  if (feeders === undefined) return [];
  if (typeof feeders !== 'object' || feeders === null || Array.isArray(feeders)) {
    return [
      {
        path,
        message: `must be an object of name → feeder (an array of rows, a function, { csv } or { json }) (got ${describe(feeders)})`,
      },
    ];
  }
  const issues: ValidationIssue[] = [];
  for (const [name, f] of Object.entries(feeders)) {
    const at = `${path}.${name}`;
    if (!/^[A-Za-z_]\w*$/.test(name)) issues.push({ path: at, message: 'feeder names must be identifiers (letters, digits, _)' });
    if (typeof f === 'function') continue;
    if (Array.isArray(f)) {
      if (f.length === 0) issues.push({ path: at, message: 'must have at least one row' });
      f.slice(0, 1000).forEach((row: unknown, i) => {
        if (typeof row !== 'object' || row === null || Array.isArray(row))
          issues.push({ path: `${at}[${i}]`, message: `must be an object of field → value (got ${describe(row)})` });
      });
      continue;
    }
    if (typeof f === 'object' && f !== null) {
      const o = f as Record<string, unknown>;
      const unknown = unknownFields(o, SCENARIO_FIELDS.feederFile, at, 'a feeder file');
      issues.push(...unknown);
      if (unknown.length > 0 || typeof o['csv'] === 'string' || typeof o['json'] === 'string') continue;
    }
    issues.push({
      path: at,
      message: `must be an array of rows, a function (index) => row, { csv: "file.csv" } or { json: "file.json" } (got ${describe(f)})`,
    });
  }
  return issues;
}

/**
 * Parses CSV with a header row (RFC 4180, as feeder files are: see `parseCsvFeeder`); values stay
 * strings. Throws on a malformed file, naming the line and the problem.
 */
export function parseCsv(text: string): FeederRow[] {
  const parsed = parseCsvFeeder(text);
  if ('problem' in parsed) throw new Error(`CSV line ${parsed.line}: ${parsed.problem}`);
  return parsed.rows;
}

import type { ValidationIssue } from '../errors.js';
import { describe } from '../units.js';

/** A scenario's `tls` (file paths, read by the CLI) and `http2` fields. */
export function validateScenarioTls(tls: unknown, http2: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (http2 !== undefined && typeof http2 !== 'boolean')
    issues.push({ path: 'http2', message: `must be true or false (got ${describe(http2)})` });
  if (tls === undefined) return issues;
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    return [
      ...issues,
      {
        path: 'tls',
        message: `must be an object { ca?, cert?, key?, insecure? } of PEM file paths relative to the scenario (got ${describe(tls)})`,
      },
    ];
  }
  const t = tls as Record<string, unknown>;
  for (const k of Object.keys(t))
    if (!['ca', 'cert', 'key', 'insecure'].includes(k))
      issues.push({ path: `tls.${k}`, message: 'is not a TLS option (ca, cert, key, insecure)' });
  const isPath = (v: unknown) => typeof v === 'string' && v !== '';
  if (t['ca'] !== undefined && !(isPath(t['ca']) || (Array.isArray(t['ca']) && t['ca'].length > 0 && t['ca'].every(isPath)))) {
    issues.push({ path: 'tls.ca', message: `must be the path of a PEM CA file, or a list of them (got ${describe(t['ca'])})` });
  }
  for (const k of ['cert', 'key'])
    if (t[k] !== undefined && !isPath(t[k]))
      issues.push({ path: `tls.${k}`, message: `must be the path of a PEM file (got ${describe(t[k])})` });
  if ((t['cert'] === undefined) !== (t['key'] === undefined)) {
    issues.push({
      path: t['cert'] === undefined ? 'tls.cert' : 'tls.key',
      message: 'is required with the other: mutual TLS needs both a certificate and its key',
    });
  }
  if (t['insecure'] !== undefined && typeof t['insecure'] !== 'boolean')
    issues.push({ path: 'tls.insecure', message: `must be true or false (got ${describe(t['insecure'])})` });
  return issues;
}

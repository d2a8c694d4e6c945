import type { ValidationIssue } from '../errors.js';
import { describe } from '../units.js';

/**
 * TLS settings for the connections to an https target (and to https probes and the pre-flight
 * check, so that all three trust the same certificates). PEM text, never file names: core reads
 * no files; the CLI reads `--ca`, `--cert`, `--key` and a scenario's `tls` paths.
 */
export interface TlsOptions {
  /**
   * CA certificates to trust (PEM; several may be concatenated), as curl's `--cacert`: they
   * replace the default trust store for these connections, which is what a private staging CA
   * needs.
   */
  readonly ca?: string | readonly string[];
  /** Client certificate (PEM) for mutual TLS; needs `key`. */
  readonly cert?: string;
  /** Private key (PEM) of the client certificate. A secret: never logged nor stored in results. */
  readonly key?: string;
  /**
   * Accept any certificate (self-signed, expired, another host's). Only for a target you own;
   * the CLI prints a warning and the result records it.
   */
  readonly insecure?: boolean;
}

/** What a result records about TLS: which settings were in force, never their contents. */
export interface TlsSummary {
  readonly ca: boolean;
  readonly clientCertificate: boolean;
  readonly insecure: boolean;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/** Every problem with TLS options, by path. Messages never quote the key. */
export function validateTls(value: unknown, path: string): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: `must be an object { ca?, cert?, key?, insecure? } (got ${describe(value)})` }];
  }
  const t = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const known = new Set(['ca', 'cert', 'key', 'insecure']);
  for (const k of Object.keys(t))
    if (!known.has(k)) issues.push({ path: `${path}.${k}`, message: 'is not a TLS option (ca, cert, key, insecure)' });
  const ca = t['ca'];
  if (ca !== undefined) {
    const list = Array.isArray(ca) ? ca : [ca];
    if (list.length === 0 || list.some((c) => typeof c !== 'string' || !PEM_CERT.test(c))) {
      issues.push({ path: `${path}.ca`, message: 'must be PEM certificate text (-----BEGIN CERTIFICATE-----), or a list of them' });
    }
  }
  if (t['cert'] !== undefined && (typeof t['cert'] !== 'string' || !PEM_CERT.test(t['cert']))) {
    issues.push({ path: `${path}.cert`, message: 'must be PEM certificate text (-----BEGIN CERTIFICATE-----)' });
  }
  if (t['key'] !== undefined && (typeof t['key'] !== 'string' || !PEM_KEY.test(t['key']))) {
    issues.push({ path: `${path}.key`, message: 'must be PEM private key text (-----BEGIN PRIVATE KEY-----)' });
  }
  if ((t['cert'] === undefined) !== (t['key'] === undefined)) {
    issues.push({
      path: t['cert'] === undefined ? `${path}.cert` : `${path}.key`,
      message: 'is required with the other: mutual TLS needs both a certificate and its key',
    });
  }
  if (t['insecure'] !== undefined && typeof t['insecure'] !== 'boolean') {
    issues.push({ path: `${path}.insecure`, message: `must be true or false (got ${describe(t['insecure'])})` });
  }
  return issues;
}

export function summarizeTls(tls: TlsOptions | undefined): TlsSummary | undefined {
  if (!tls) return undefined;
  return { ca: tls.ca !== undefined, clientCertificate: tls.cert !== undefined, insecure: tls.insecure === true };
}

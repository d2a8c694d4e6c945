import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TlsOptions, ValidationIssue } from '@overload/core/internal';

/** TLS settings as files: from `--ca/--cert/--key/--insecure`, or a scenario's `tls` (paths relative to the scenario file). */
export interface TlsFiles {
  readonly ca?: string | readonly string[];
  readonly cert?: string;
  readonly key?: string;
  readonly insecure?: boolean;
}

/** Where each setting came from, for messages: `--ca` or `tls.ca` in the scenario. */
interface Source {
  readonly label: string;
  readonly baseDir: string;
}

/**
 * Reads and checks the PEM files of the flags over the scenario's, before anything is sent: a
 * file that is missing, not PEM, or a key that does not belong to its certificate is a usage
 * error naming the flag (or scenario field) and the file — never a TLS failure on every request.
 * Messages never quote a key's contents.
 */
export function readTlsFiles(
  flags: TlsFiles,
  scenario: TlsFiles | undefined,
  scenarioDir: string | undefined,
  issues: ValidationIssue[],
): TlsOptions | undefined {
  const cwd = process.cwd();
  const pick = <K extends keyof TlsFiles>(k: K, flag: string): [TlsFiles[K], Source] | undefined => {
    if (flags[k] !== undefined) return [flags[k], { label: flag, baseDir: cwd }];
    if (scenario?.[k] !== undefined) return [scenario[k], { label: `tls.${k} in the scenario`, baseDir: scenarioDir ?? cwd }];
    return undefined;
  };
  const ca = pick('ca', '--ca');
  const cert = pick('cert', '--cert');
  const key = pick('key', '--key');
  const insecure = flags.insecure === true || scenario?.insecure === true;
  if (!ca && !cert && !key && !insecure) return undefined;

  const out: { ca?: string[]; cert?: string; key?: string; insecure?: boolean } = {};
  if (ca) {
    const files = Array.isArray(ca[0]) ? (ca[0] as readonly string[]) : [ca[0] as string];
    const pems = files.map((f) => readPem(f, ca[1], 'certificate', issues));
    if (pems.every((p) => p !== undefined)) out.ca = pems as string[];
  }
  let certificate: X509Certificate | undefined;
  if (cert) {
    const pem = readPem(cert[0] as string, cert[1], 'certificate', issues);
    if (pem !== undefined) {
      out.cert = pem;
      certificate = new X509Certificate(pem);
    }
  }
  if (key) {
    const pem = readPem(key[0] as string, key[1], 'key', issues);
    if (pem !== undefined) {
      out.key = pem;
      if (certificate && !certificate.checkPrivateKey(createPrivateKey(pem))) {
        issues.push({
          path: key[1].label,
          message: `${fileOf(key[0] as string, key[1])} is not the private key of the client certificate ${fileOf(cert![0] as string, cert![1])}`,
        });
      }
    }
  }
  if ((cert === undefined) !== (key === undefined)) {
    issues.push({
      path: cert ? '--key' : '--cert',
      message: 'is required with the other: mutual TLS needs both a client certificate (--cert) and its private key (--key)',
    });
  }
  if (insecure) out.insecure = true;
  return out;
}

function fileOf(file: string, source: Source): string {
  return resolve(source.baseDir, file);
}

function readPem(file: string, source: Source, kind: 'certificate' | 'key', issues: ValidationIssue[]): string | undefined {
  if (typeof file !== 'string' || file === '') {
    issues.push({ path: source.label, message: `must be the path of a PEM ${kind} file` });
    return undefined;
  }
  const path = fileOf(file, source);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    issues.push({
      path: source.label,
      message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    });
    return undefined;
  }
  try {
    if (kind === 'certificate') new X509Certificate(text);
    else createPrivateKey(text);
  } catch {
    const form = kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN PRIVATE KEY----- (unencrypted)';
    issues.push({ path: source.label, message: `${path} is not a PEM ${kind} (expected ${form})` });
    return undefined;
  }
  return text;
}

import { OverloadError } from '../errors.js';

/** Hosts that are always allowed: this machine's loopback addresses. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** What an empty allowlist means: this machine only. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['loopback'];

/**
 * Is this URL's host on the allowlist? Entries are host names or addresses, optionally with a
 * port (`staging.example.com`, `10.0.0.5:8080`), a wildcard for subdomains
 * (`*.staging.example.com`), or `loopback` (127.0.0.0/8, ::1, localhost). An empty list means
 * `loopback` only. Anything else must be listed, so a typo in a URL can never point a load test
 * at production.
 */
export function isHostAllowed(url: string | URL, allowed: readonly string[]): boolean {
  const u = typeof url === 'string' ? new URL(url) : url;
  const list = allowed.length === 0 ? DEFAULT_ALLOWED_HOSTS : allowed;
  if (list.includes('loopback') && isLoopbackHost(u.hostname)) return true;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return list.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e === '') return false;
    const m = /^(.*?)(?::(\d+))?$/.exec(e.replace(/^\[|\]$/g, ''))!;
    const [pattern, p] = [m[1]!, m[2]];
    if (p !== undefined && p !== port) return false;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
    return host === pattern;
  });
}

export class TargetNotAllowedError extends OverloadError {
  constructor(url: string, allowed: readonly string[]) {
    super(
      'OVL_TARGET_NOT_ALLOWED',
      `target ${new URL(url).host} is not in the allowlist (${allowed.length > 0 ? allowed.join(', ') : 'empty, which means loopback only'}); nothing was sent. ` +
        "Add it to the scenario's safety.allowedHosts or to OVERLOAD_ALLOWED_HOSTS (comma-separated) if you really mean to load it.",
    );
  }
}

/** Throws before a single request is sent when any URL's host is not allowed. */
export function assertHostsAllowed(urls: readonly string[], allowed: readonly string[]): void {
  for (const url of urls) if (!isHostAllowed(url, allowed)) throw new TargetNotAllowedError(url, allowed);
}

/** The allowlist from a scenario plus the `OVERLOAD_ALLOWED_HOSTS` environment value. */
export function combineAllowlists(scenario: readonly string[] | undefined, env: string | undefined): string[] {
  return [
    ...(scenario ?? []),
    ...(env ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

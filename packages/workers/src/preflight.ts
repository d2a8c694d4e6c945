import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import {
  DEFAULTS,
  isHostAllowed,
  OverloadError,
  resolveProbes,
  type ProbeSpec,
  type RunConfig,
  TargetUnreachableError,
  type TlsOptions,
} from '@overload/core/internal';
import { Agent } from 'undici';
import { classifyError, explainError } from './classify-error.js';
import { tlsConnectOptions, tlsConnector } from './tls-connect.js';

export interface PreflightOptions {
  /** The target; only its origin is used (a TCP connect, and the TLS handshake for https). */
  readonly url: string;
  /** Every probe gets one HTTP GET; any HTTP answer counts as reachable. */
  readonly probes?: readonly ProbeSpec[];
  /** Hosts probes may reach (the load's own allowlist is checked when the run is configured). */
  readonly allowedHosts?: readonly string[];
  /** How long each check may take (default 5 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The run's TLS settings: the handshake and the probes trust what the load will trust. */
  readonly tls?: TlsOptions;
}

export interface PreflightResult {
  readonly target: { readonly hostPort: string; readonly connectMs: number };
  readonly probes: readonly { readonly name: string; readonly url: string; readonly status: number }[];
}

export const DEFAULT_PREFLIGHT_TIMEOUT_MS = DEFAULTS.preflight.timeoutMs;

/**
 * Checks, before any load is sent, that the target and every probe can be reached. A target that
 * is down from the start has not collapsed and cannot recover: measuring it would report
 * refused connections as a collapse and exit 4, which sends a team looking for a metastable
 * failure in a service that was never up. So it is refused here instead, with the host:port and
 * the error (OVL_TARGET_UNREACHABLE, exit 6 in the CLI).
 *
 * The target gets a TCP connect (and the TLS handshake for https) and no HTTP request: a target
 * that accepts connections and never answers is a real finding (a hang) that the run must
 * measure. Each probe gets one GET, since a probe is read over HTTP; its status does not matter
 * here (a health probe may well read "not ok" during the run, which is a signal).
 */
export async function preflight(options: PreflightOptions): Promise<PreflightResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  const url = new URL(options.url);
  const probes = options.probes && options.probes.length > 0 ? resolveProbes(options.probes) : [];
  if (options.allowedHosts) {
    for (const p of probes) {
      if (!isHostAllowed(p.url, options.allowedHosts)) {
        throw new OverloadError(
          'OVL_TARGET_NOT_ALLOWED',
          `probe "${p.name}" polls ${new URL(p.url).host}, which is not an allowed host (${options.allowedHosts.join(', ') || 'loopback only'}); add it to the allowed hosts to probe it`,
        );
      }
    }
  }
  const problems: string[] = [];
  const hostPort = hostPortOf(url);
  let connectMs = 0;
  const agent = new Agent({
    connections: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(options.tls ? { connect: tlsConnector(options.tls, timeoutMs) } : { connectTimeout: timeoutMs }),
  });
  const checkedProbes: { name: string; url: string; status: number }[] = [];
  try {
    const [target, ...probeResults] = await Promise.allSettled([
      connectOnce(url, timeoutMs, options.signal, options.tls),
      ...probes.map(async (p) => {
        const res = await agent.request({
          origin: new URL(p.url).origin,
          path: pathOf(p.url),
          method: 'GET',
          headers: { 'user-agent': 'overload-preflight' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        await res.body.dump();
        return { name: p.name, url: p.url, status: res.statusCode };
      }),
    ]);
    if (target!.status === 'fulfilled') connectMs = target!.value;
    else problems.push(`the target ${hostPort} (${url.protocol}//${hostPort}): ${describe(target!.reason, timeoutMs)}`);
    probeResults.forEach((r, i) => {
      if (r.status === 'fulfilled') checkedProbes.push(r.value);
      else problems.push(`probe "${probes[i]!.name}" at ${probes[i]!.url}: ${describe(r.reason, timeoutMs)}`);
    });
  } finally {
    await agent.close().catch(() => undefined);
  }
  if (options.signal?.aborted) throw new OverloadError('OVL_ABORTED', 'aborted during the pre-flight check; nothing was sent');
  if (problems.length > 0) {
    throw new TargetUnreachableError(
      `pre-flight check failed, nothing was sent: cannot reach ${problems.join('; ')}. Check that it is running and listening there, and the URL.`,
    );
  }
  return { target: { hostPort, connectMs }, probes: checkedProbes };
}

/** Opens one connection (TCP, plus TLS for https), closes it, and resolves with how long it took. */
function connectOnce(url: URL, timeoutMs: number, signal: AbortSignal | undefined, tlsOptions: TlsOptions | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const started = performance.now();
    const tls = url.protocol === 'https:';
    const socket: Socket = tls
      ? tlsConnect({
          host,
          port,
          ...(isIp(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
          ...tlsConnectOptions(tlsOptions),
        })
      : netConnect({ host, port });
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(performance.now() - started);
    };
    const onAbort = () => done(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(
      () => done(Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(tls ? 'secureConnect' : 'connect', () => done());
    socket.once('error', (error) => done(error));
  });
}

function describe(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const errorClass = classifyError(error);
  if (errorClass === 'timeout') return `timed out after ${timeoutMs} ms (${typeof code === 'string' ? code : 'timeout'})`;
  // A TLS failure says which one, and what fixes it (--ca, --cert/--key, --insecure).
  if (errorClass.startsWith('tls')) return explainError(error, errorClass);
  if (typeof code === 'string' && !message.includes(code)) return `${code}: ${message}`;
  return message;
}

function hostPortOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * The pre-flight of a ramp or a search, from its checked run config and its options: the target
 * and TLS the load will use, its probes and their allowlist, at most 5 s per check.
 */
export function preflightRun(
  checked: RunConfig,
  options: { readonly probes?: readonly ProbeSpec[]; readonly allowedHosts?: readonly string[]; readonly signal?: AbortSignal },
): Promise<PreflightResult> {
  return preflight({
    url: checked.url,
    ...(options.probes ? { probes: options.probes } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    timeoutMs: Math.min(checked.timeoutMs, DEFAULT_PREFLIGHT_TIMEOUT_MS),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(checked.tls ? { tls: checked.tls } : {}),
  });
}

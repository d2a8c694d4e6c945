import { performance } from 'node:perf_hooks';
import {
  DEFAULTS,
  isHostAllowed,
  OverloadError,
  probeReadsBody,
  readProbeResponse,
  resolveProbes,
  type ProbeReading,
  type ProbeSample,
  type ProbeSeries,
  type ProbeSpec,
  type ResolvedProbe,
  type TlsOptions,
} from '@overload/core/internal';
import { Pool } from 'undici';
import { classifyError } from './classify-error.js';
import { tlsConnector } from './tls-connect.js';

export interface ProbeOptions {
  /** performance.now() at the run's t0; sample times are relative to it (default: when probes start). */
  readonly t0Perf?: number;
  /** Called after each sample is recorded. If it throws, polling goes on and stop() rejects with the first error. */
  readonly onSample?: (name: string, sample: ProbeSample) => void;
  /** Hosts probes may reach (`127.0.0.1`, `localhost:9000`); a probe elsewhere is refused at start. */
  readonly allowedHosts?: readonly string[];
  /** Largest response body read (default 1 MiB); a bigger one aborts the poll with `body too large`. */
  readonly maxBodyBytes?: number;
  /** The run's TLS settings: an https probe trusts what the load trusts (its CA, client certificate, insecure mode). */
  readonly tls?: TlsOptions;
}

export interface ProbeHandle {
  /** A snapshot of every probe's samples so far, in the order the probes were given. */
  series(): ProbeSeries[];
  /** Stops polling, abandons polls in flight (they record nothing) and closes every probe connection. */
  stop(): Promise<void>;
}

export const DEFAULT_PROBE_MAX_BODY_BYTES = DEFAULTS.probe.maxBodyBytes;

/**
 * Starts polling every probe at once (first poll now, then every `intervalMs`). Validation and
 * host problems throw here, before any request; after that nothing a target does makes a probe
 * throw: an unreachable, slow or broken endpoint becomes a sample with `ok: false` — during an
 * overload run that is a signal about the target, not a failure of the harness.
 */
export function startProbes(specs: readonly ProbeSpec[], options: ProbeOptions = {}): ProbeHandle {
  const probes = resolveProbes(specs);
  checkHosts(probes, options.allowedHosts);
  const t0Perf = options.t0Perf ?? performance.now();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_PROBE_MAX_BODY_BYTES;
  let callbackError: { error: unknown } | undefined;
  const onSample = options.onSample
    ? (name: string, sample: ProbeSample) => {
        try {
          options.onSample!(name, sample);
        } catch (error) {
          callbackError ??= { error };
        }
      }
    : undefined;
  const pollers = probes.map((p) => new ProbePoller(p, t0Perf, maxBodyBytes, onSample, options.tls));
  for (const p of pollers) p.start();
  let stopping: Promise<void> | undefined;
  return {
    series: () => pollers.map((p) => p.snapshot()),
    stop() {
      stopping ??= Promise.all(pollers.map((p) => p.stop())).then(() => {
        if (callbackError) throw callbackError.error;
      });
      return stopping;
    },
  };
}

/**
 * One probe: its own single-connection pool (never shared with the load's pools, so a probe is
 * not stuck in a queue behind thousands of load requests and measures the target, not the
 * generator), one poll at a time, no retries (a retry would turn "unreachable" into "slow").
 */
class ProbePoller {
  readonly #probe: ResolvedProbe;
  readonly #t0Perf: number;
  readonly #onSample: ((name: string, sample: ProbeSample) => void) | undefined;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #points: ProbeSample[] = [];
  #startPerf = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #stopped = false;

  constructor(
    probe: ResolvedProbe,
    t0Perf: number,
    maxBodyBytes: number,
    onSample: ((name: string, sample: ProbeSample) => void) | undefined,
    tls: TlsOptions | undefined,
  ) {
    this.#probe = probe;
    this.#t0Perf = t0Perf;
    this.#onSample = onSample;
    const url = new URL(probe.url);
    this.#path = `${url.pathname}${url.search}`;
    this.#headers = { 'user-agent': 'overload-probe', accept: ACCEPT[probe.kind] };
    this.#pool = new Pool(url.origin, {
      connections: 1,
      pipelining: 1,
      ...(tls ? { connect: tlsConnector(tls, probe.timeoutMs) } : { connectTimeout: probe.timeoutMs }),
      headersTimeout: probe.timeoutMs,
      bodyTimeout: probe.timeoutMs,
      maxResponseSize: maxBodyBytes,
    });
  }

  snapshot(): ProbeSeries {
    return { name: this.#probe.name, kind: this.#probe.kind, points: this.#points.slice() };
  }

  start(): void {
    this.#startPerf = performance.now();
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    await this.#inFlight;
    await this.#pool.destroy();
  }

  #tick = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    // A poll still running when the next is due (only possible when the event loop itself was
    // late, since timeoutMs < intervalMs) makes the tick skip: overlapping polls of one probe
    // would load the target from the side channel exactly when it is struggling.
    if (!this.#inFlight) this.#inFlight = this.#poll().finally(() => (this.#inFlight = undefined));
    // Ticks sit on a grid from the start, so a late tick does not push every later poll back.
    const elapsed = performance.now() - this.#startPerf;
    const next = (Math.floor(elapsed / this.#probe.intervalMs) + 1) * this.#probe.intervalMs;
    this.#timer = setTimeout(this.#tick, next - elapsed);
    // The schedule alone never keeps a process alive: a harness that forgets stop() still exits.
    // A poll in flight does (its socket and deadline), for at most timeoutMs.
    this.#timer.unref();
  };

  async #poll(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    let timedOut = false;
    // One deadline for the whole poll (connect, headers and body): undici's own timeouts are
    // per phase and reset on every chunk, so a slow trickle could otherwise outlive the interval.
    // A plain timer rather than AbortSignal.timeout(), whose timer cannot be cleared and would
    // outlive stop().
    const deadline = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.#probe.timeoutMs);
    const tMs = performance.now() - this.#t0Perf;
    let reading: ProbeReading;
    try {
      const res = await this.#pool.request({ path: this.#path, method: 'GET', headers: this.#headers, signal: abort.signal });
      let body = '';
      if (probeReadsBody(this.#probe)) body = await res.body.text();
      else await res.body.dump();
      reading = readProbeResponse(this.#probe, res.statusCode, body);
    } catch (err) {
      reading = { value: null, ok: false, error: timedOut ? 'timeout' : errorLabel(err) };
    } finally {
      clearTimeout(deadline);
      this.#abort = undefined;
    }
    // A poll cut short by stop() says nothing about the target.
    if (this.#stopped) return;
    const sample: ProbeSample = { tMs, ...reading };
    this.#points.push(sample);
    this.#onSample?.(this.#probe.name, sample);
  }
}

const ACCEPT: Record<ResolvedProbe['kind'], string> = {
  http: '*/*',
  json: 'application/json',
  // Ask for the text format explicitly: a server that negotiates may otherwise send protobuf.
  prometheus: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
};

/** A short, stable reason: `timeout`, `body too large`, or the error code (`ECONNREFUSED`, …). */
function errorLabel(err: unknown): string {
  if (classifyError(err) === 'timeout') return 'timeout';
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return 'body too large';
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}

/** Probes obey the same allowlist as the load (an empty list means loopback only). */
function checkHosts(probes: readonly ResolvedProbe[], allowedHosts: readonly string[] | undefined): void {
  if (!allowedHosts) return;
  for (const p of probes) {
    if (isHostAllowed(p.url, allowedHosts)) continue;
    throw new OverloadError(
      'OVL_TARGET_NOT_ALLOWED',
      `probe "${p.name}" polls ${new URL(p.url).host}, which is not an allowed host (${allowedHosts.join(', ') || 'loopback only'}); add it to the allowed hosts to probe it`,
    );
  }
}

import { ValidationError, type ValidationIssue } from '../errors.js';
import type { RateCurve } from '../profile/curve.js';
import { compileProfile, type Profile, validateProfile } from '../profile/index.js';
import type { ArrivalProcess } from '../schedule/arrivals.js';
import { clampCurve } from '../guard/max-rate.js';
import { assertHostsAllowed } from '../guard/allowlist.js';
import type { ErrorBurstOptions } from '../guard/error-burst.js';
import { validateBudgets } from '../guard/budgets.js';
import { compileFlows, type NameEntry, type RequestMix } from '../scenario/flow-plan.js';
import { arrivalNamesOf } from '../collapse/window.js';
import { validateJourneys } from '../scenario/journey.js';
import { validateRequests } from '../scenario/request-template.js';
import { type TlsOptions, validateTls } from './tls.js';
import { type DurationInput, describe, readDurationMs, readNumber } from '../units.js';
import { type ShardSpec, validateShard } from '../shard/shard-spec.js';
import { DEFAULTS } from '../defaults.js';

/** A status expectation: one code, or an inclusive range [from, to]. */
export type StatusExpectation = number | readonly [number, number];

/** What a library user passes to `run()`; everything but the target and the profile has a default. */
export interface RunOptions {
  /** Absolute http(s) URL of the target, e.g. `http://127.0.0.1:8080/reports`. */
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The offered load over time. `rateRps` + `durationMs` is a shortcut for a constant profile. */
  readonly profile?: Profile;
  readonly rateRps?: number;
  readonly durationMs?: DurationInput;
  readonly arrivals?: ArrivalProcess;
  readonly seed?: number;
  /** Worker threads (default: cores − 1, at least 1). */
  readonly workers?: number;
  /** Connections per worker (default: fits the rate, see `defaultConnections`). */
  readonly connections?: number;
  /**
   * Requests sent on one connection before the first answer (HTTP/1.1 pipelining; default 1: none,
   * as browsers and wrk2). More lets a fast target be loaded with fewer connections and fewer
   * writes, at the price of head-of-line blocking that real users do not cause.
   */
  readonly pipelining?: number;
  /** Requests in flight across all workers; an arrival that finds the cap full is dropped and counted. */
  readonly maxInFlight?: number;
  /** Per-request timeout from the moment it is sent (default 10 s). */
  readonly timeoutMs?: DurationInput;
  /** Statuses that count as success (default 200–399, as k6). */
  readonly expectStatus?: readonly StatusExpectation[];
  /** Length of a reporting interval (default 1 s). */
  readonly intervalMs?: number;
  /** After a stop, how long in-flight requests may finish before they are abandoned (default min(timeout, 5 s)). */
  readonly drainMs?: DurationInput;
  /**
   * Generator lag p99 above this is noted in the result (the corrected latencies include that
   * much of the generator's own delay); it does not make the run saturated (default 5 ms).
   */
  readonly lagThresholdMs?: number;
  /** An arrival this late when the generator gets to it is dropped as a generator drop (default 1 s). */
  readonly lateDropMs?: number;
  /** A hard cap on requests in total (arrival indexes ≥ cap are never sent). */
  readonly maxRequests?: number;
  /** A hard rate ceiling: the profile is clamped so no 1 s window exceeds it. */
  readonly maxRps?: number;
  /** Stop the run after this long, whatever the profile says. */
  readonly maxDurationMs?: DurationInput;
  /** Stop when errors exceed a rate over a window (default 50 % over 5 s); `false` disables. */
  readonly errorBurst?: false | Partial<ErrorBurstOptions>;
  /** Hosts this run may load besides loopback; anything else is refused before a request is sent. */
  readonly allowedHosts?: readonly string[];
  /** A weighted mix of request templates with feeder data (instead of one url/method/body). */
  readonly requests?: RequestMix;
  /** Side-effect budgets: `{ emails: 100 }` (see BudgetLedger). */
  readonly budgets?: Readonly<Record<string, number>>;
  /**
   * The shared memory behind the budgets, when several runs (a ramp and its recovery) must draw
   * on one budget. Created by the first run when absent.
   */
  readonly budgetBuffer?: SharedArrayBuffer;
  /** Run id sent in `runIdHeader` on every request, so the target can tag synthetic traffic. */
  readonly runId?: string;
  /** Default `x-overload-run`. */
  readonly runIdHeader?: string;
  /**
   * This machine's shard of a run spread over several: it fires only the arrivals k ≡ index
   * (mod count) of the schedule, and the journeys' request cap is split (see ShardSpec).
   */
  readonly shard?: ShardSpec;
  /**
   * Start the schedule (T0) at this wall-clock time (epoch ms) instead of as soon as the workers
   * are ready, so that shards on several machines start together. A run whose workers are not
   * ready START_MARGIN_MS before it refuses to start (ShardStartError).
   */
  readonly startAtEpochMs?: number;
  /** CA, client certificate and insecure mode for an https target (see TlsOptions). */
  readonly tls?: TlsOptions;
  /**
   * Offer HTTP/2 (ALPN `h2`) on https connections, through undici's own HTTP/2 client; a server
   * that does not speak it answers in HTTP/1.1. Requires an https:// target.
   */
  readonly http2?: boolean;
  /**
   * The HTTP client: 'auto' (default) sends plain HTTP/1.1 requests through overload's own client
   * (requests built once as bytes, responses parsed by http-parser-js, bodies dropped) and anything
   * else through undici; 'undici' sends every request through undici.
   */
  readonly client?: HttpClient;
}

export type HttpClient = 'auto' | 'undici';

/** The client that sent a run's HTTP/1.1 requests, as result.json records it. */
export type ClientUsed = 'hot-path' | 'undici';

/**
 * The one rule for which client sends: the hot path takes plain HTTP/1.1 requests unless
 * `--client undici` forces undici, or HTTP/2 is offered (undici's own HTTP/2 client).
 */
export function clientUsed(config: { readonly client?: HttpClient | undefined; readonly http2?: boolean | undefined }): ClientUsed {
  return config.client !== 'undici' && !config.http2 ? 'hot-path' : 'undici';
}

/** What an arrival of the schedule is: one request, or one journey (which sends several). */
export type ArrivalUnit = 'request' | 'journey';

/**
 * Options after validation, with every default filled in and the request mix compiled: the one
 * currency below the CLI. `resolveRunConfig` makes it once; a later phase of the same command
 * (a recovery baseline, a search trial) is `withProfile` of it, which changes only what depends
 * on the profile.
 */
export interface RunConfig {
  readonly url: string;
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly profile: Profile;
  readonly curve: RateCurve;
  readonly arrivals: ArrivalProcess;
  readonly seed: number;
  readonly workers: number;
  readonly connections: number;
  readonly pipelining: number;
  /** Connections each worker opens before t0 (the rest open on demand, up to `connections`). */
  readonly warmConnections: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly expectStatus: readonly StatusExpectation[];
  readonly intervalMs: number;
  readonly drainMs: number;
  readonly lagThresholdMs: number;
  readonly lateDropMs: number;
  readonly maxRequests: number | undefined;
  readonly maxDurationMs: number | undefined;
  readonly errorBurst: false | Partial<ErrorBurstOptions>;
  readonly requests: RequestMix | undefined;
  /** What results are kept per name: every request, journey and step of the mix (empty without one). */
  readonly names: readonly NameEntry[];
  /** Which `names` an arrival is (requests and journeys, not steps); undefined without a mix. */
  readonly arrivalNames: readonly number[] | undefined;
  /** A journey per arrival when the mix has journeys: rates are then journeys/s. */
  readonly arrivalUnit: ArrivalUnit;
  /** The connection and in-flight sizes the user gave (the rest are sized from the profile's peak). */
  readonly sizing: { readonly connections?: number; readonly maxInFlight?: number };
  readonly budgets: Readonly<Record<string, number>>;
  readonly budgetBuffer: SharedArrayBuffer | undefined;
  readonly runId: string;
  readonly maxRps: number | undefined;
  readonly shard: ShardSpec | undefined;
  readonly startAtEpochMs: number | undefined;
  readonly tls: TlsOptions | undefined;
  readonly http2: boolean;
  readonly client: HttpClient;
}

export const DEFAULT_TIMEOUT_MS = DEFAULTS.run.timeoutMs;
export const DEFAULT_EXPECT_STATUS: readonly StatusExpectation[] = DEFAULTS.run.expectStatus;

/**
 * Connections per worker when the user gives none: enough for each worker's share of the peak
 * rate at 500 ms latency (at least 16, at most 1,024). Past that, requests wait in the client for
 * a free connection: still measured from their intended time, but the target no longer sees the
 * concurrency real users would bring, so its own queues (what probes watch) stop growing. Open
 * connections cost the generator only when they are needed (undici opens them on demand); against
 * a very fast target at tens of thousands of req/s, fewer connections (--connections 64) sustain
 * a higher rate (see benchmarks/run.mjs).
 */
export function defaultConnections(peakRps: number, workers: number): number {
  return Math.min(1024, Math.max(16, Math.ceil((peakRps / workers) * 0.5)));
}

/**
 * Connections each worker opens before t0: enough to carry its share of the first second's rate
 * at 50 ms latency (at least 8, at most `connections`). Opening them ahead of time, as wrk2 does,
 * keeps connects out of the schedule: a pool that opens its connections on demand opens one for
 * almost every arrival of the first milliseconds. A target slower than that makes the pool grow
 * on demand, a few connections at a time as latency rises, which costs little.
 */
export function defaultWarmConnections(firstSecondRps: number, workers: number, connections: number): number {
  return Math.min(connections, Math.max(8, Math.ceil((firstSecondRps / workers) * 0.05)));
}

/** In-flight cap when the user gives none: every request of one timeout window at the peak rate. */
export function defaultMaxInFlight(peakRps: number, timeoutMs: number): number {
  return Math.min(100_000, Math.max(100, Math.ceil((peakRps * timeoutMs) / 1000)));
}

const METHOD = /^[A-Z]+$/;

/** Validates options, collecting every problem with its path, and fills in defaults. */
export function resolveRunConfig(options: RunOptions, env: { defaultWorkers: number }): RunConfig {
  const issues: ValidationIssue[] = [];
  let url: URL | undefined;
  if (typeof options.url !== 'string') {
    issues.push({ path: 'url', message: `must be an absolute http:// or https:// URL (got ${describe(options.url)})` });
  } else {
    try {
      url = new URL(options.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        issues.push({ path: 'url', message: `must use http:// or https:// (got ${url.protocol})` });
      }
    } catch {
      issues.push({ path: 'url', message: `must be an absolute http:// or https:// URL (got ${describe(options.url)})` });
    }
  }
  const method = (options.method ?? 'GET').toUpperCase();
  if (!METHOD.test(method))
    issues.push({ path: 'method', message: `must be an HTTP method such as GET or POST (got ${describe(options.method)})` });
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (typeof v !== 'string') issues.push({ path: `headers.${k}`, message: `must be a string (got ${describe(v)})` });
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) issues.push({ path: `headers.${k}`, message: 'is not a valid header name' });
  }

  const profile = profileFrom(options, issues);
  if (options.arrivals !== undefined && options.arrivals !== 'uniform' && options.arrivals !== 'poisson') {
    issues.push({ path: 'arrivals', message: `must be "uniform" or "poisson" (got ${describe(options.arrivals)})` });
  }
  if (options.seed !== undefined) readNumber(options.seed, 'seed', issues, { integer: true });
  const workers = options.workers ?? env.defaultWorkers;
  readNumber(workers, 'workers', issues, { min: 1, integer: true, what: 'a positive integer' });
  if (options.connections !== undefined)
    readNumber(options.connections, 'connections', issues, { min: 1, integer: true, what: 'a positive integer' });
  if (options.pipelining !== undefined)
    readNumber(options.pipelining, 'pipelining', issues, { min: 1, integer: true, what: 'a positive integer (1: no pipelining)' });
  if (options.maxInFlight !== undefined)
    readNumber(options.maxInFlight, 'maxInFlight', issues, { min: 1, integer: true, what: 'a positive integer' });
  if (options.maxRequests !== undefined)
    readNumber(options.maxRequests, 'maxRequests', issues, { min: 1, integer: true, what: 'a positive integer' });
  const timeoutMs = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : readDurationMs(options.timeoutMs, 'timeoutMs', issues);
  const intervalMs = options.intervalMs ?? DEFAULTS.run.intervalMs;
  readNumber(intervalMs, 'intervalMs', issues, { min: 10, what: 'a number of milliseconds' });
  const drainMs =
    options.drainMs === undefined
      ? Math.min(timeoutMs, DEFAULTS.run.drainMaxMs)
      : readDurationMs(options.drainMs, 'drainMs', issues, { allowZero: true });
  const lagThresholdMs = options.lagThresholdMs ?? DEFAULTS.run.lagThresholdMs;
  readNumber(lagThresholdMs, 'lagThresholdMs', issues, { min: 0, allowMin: false });
  const lateDropMs = options.lateDropMs ?? DEFAULTS.run.lateDropMs;
  readNumber(lateDropMs, 'lateDropMs', issues, { min: 0, allowMin: false });
  const expectStatus = options.expectStatus ?? DEFAULT_EXPECT_STATUS;
  validateStatuses(expectStatus, 'expectStatus', issues);
  if (options.maxRps !== undefined) readNumber(options.maxRps, 'maxRps', issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  const maxDurationMs = options.maxDurationMs === undefined ? undefined : readDurationMs(options.maxDurationMs, 'maxDurationMs', issues);
  issues.push(...validateBudgets(options.budgets, 'budgets'));
  let names: readonly NameEntry[] = [];
  if (options.requests !== undefined) {
    const mix = validateMix(options.requests, expectStatus);
    issues.push(...mix.issues);
    names = mix.names;
  }
  if (options.shard !== undefined) issues.push(...validateShard(options.shard, 'shard'));
  if (options.startAtEpochMs !== undefined)
    readNumber(options.startAtEpochMs, 'startAtEpochMs', issues, { min: 0, what: 'an epoch time in ms' });
  issues.push(...validateTls(options.tls, 'tls'));
  if (options.http2 !== undefined && typeof options.http2 !== 'boolean')
    issues.push({ path: 'http2', message: `must be true or false (got ${describe(options.http2)})` });
  if (options.http2 === true && url && url.protocol !== 'https:') {
    issues.push({
      path: 'http2',
      message: `needs an https:// target: HTTP/2 is negotiated in the TLS handshake (ALPN), and cleartext h2c is not offered (got ${url.protocol}//)`,
    });
  }
  if (options.client !== undefined && options.client !== 'auto' && options.client !== 'undici')
    issues.push({ path: 'client', message: `must be "auto" or "undici" (got ${describe(options.client)})` });
  const runIdHeader = options.runIdHeader ?? DEFAULTS.run.runIdHeader;
  if (!/^[A-Za-z0-9-]+$/.test(runIdHeader))
    issues.push({ path: 'runIdHeader', message: `must be a header name (got ${describe(runIdHeader)})` });

  if (issues.length > 0 || !url || !profile) throw new ValidationError('run options', issues);
  assertHostsAllowed([url.href], options.allowedHosts ?? []);
  const runId = options.runId ?? randomRunId();
  const journeys = (options.requests?.journeys?.length ?? 0) > 0;
  const base: Omit<RunConfig, 'profile' | 'curve' | 'connections' | 'warmConnections' | 'maxInFlight'> = {
    url: url.href,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method,
    headers: { ...(options.headers ?? {}), [runIdHeader]: runId },
    body: options.body,
    arrivals: options.arrivals ?? DEFAULTS.run.arrivals,
    seed: options.seed ?? DEFAULTS.run.seed,
    workers,
    pipelining: options.pipelining ?? DEFAULTS.run.pipelining,
    timeoutMs,
    expectStatus,
    intervalMs,
    drainMs,
    lagThresholdMs,
    lateDropMs,
    maxRequests: options.maxRequests,
    maxDurationMs,
    errorBurst: options.errorBurst ?? {},
    requests: options.requests,
    names,
    arrivalNames: arrivalNamesOf(names),
    arrivalUnit: journeys ? 'journey' : 'request',
    sizing: {
      ...(options.connections !== undefined ? { connections: options.connections } : {}),
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    },
    budgets: options.budgets ?? {},
    budgetBuffer: options.budgetBuffer,
    runId,
    maxRps: options.maxRps,
    shard: options.shard,
    startAtEpochMs: options.startAtEpochMs,
    tls: options.tls,
    http2: options.http2 === true,
    client: options.client ?? DEFAULTS.run.client,
  };
  return sizedFor(base, profile);
}

/**
 * The same run with another profile (the next phase of a command: a recovery baseline, a search
 * trial), and optionally its own request cap and error-burst guard. Nothing is validated or
 * compiled again but the profile; connections and the in-flight cap follow the new peak unless
 * the user set them.
 */
export function withProfile(
  config: RunConfig,
  profile: Profile,
  overrides: { readonly maxRequests?: number; readonly errorBurst?: false } = {},
): RunConfig {
  const issues = validateProfile(profile);
  if (issues.length > 0) throw new ValidationError('run options', issues);
  const next = {
    ...config,
    ...('maxRequests' in overrides ? { maxRequests: overrides.maxRequests } : {}),
    ...(overrides.errorBurst === false ? { errorBurst: false as const } : {}),
  };
  return sizedFor(next, profile);
}

/** Fills in what depends on the profile: its curve (clamped to maxRps) and the sizes that fit its peak. */
function sizedFor(
  base: Omit<RunConfig, 'profile' | 'curve' | 'connections' | 'warmConnections' | 'maxInFlight'>,
  profile: Profile,
): RunConfig {
  const compiled = compileProfile(profile);
  const curve = base.maxRps !== undefined ? clampCurve(compiled, base.maxRps) : compiled;
  // Connections and the in-flight cap are per machine: a shard sizes them for its share of the rate.
  const shards = base.shard?.count ?? 1;
  const peak = curve.peakRps / shards;
  const connections = base.sizing.connections ?? defaultConnections(peak, base.workers);
  return {
    ...base,
    profile,
    curve,
    connections,
    warmConnections: defaultWarmConnections(firstSecondRps(curve) / shards, base.workers, connections),
    maxInFlight: base.sizing.maxInFlight ?? defaultMaxInFlight(peak, base.timeoutMs),
  };
}

/** Mean rate of the first second of a curve (of the whole curve if it is shorter). */
function firstSecondRps(curve: RateCurve): number {
  const ms = Math.min(1000, curve.durationMs);
  return ms > 0 ? (curve.areaAt(ms) * 1000) / ms : 0;
}

/** Every problem with a request mix given to `run()` directly (the CLI validated its scenario already). */
function validateMix(
  mix: RequestMix,
  expectStatus: readonly StatusExpectation[],
): { issues: ValidationIssue[]; names: readonly NameEntry[] } {
  const issues: ValidationIssue[] = [];
  const hasJourneys = mix.journeys !== undefined;
  issues.push(...validateRequests(mix.templates, 'requests.templates', hasJourneys));
  issues.push(
    ...validateJourneys(mix.journeys, 'requests.journeys', (list, at) =>
      validateStatuses(list as readonly StatusExpectation[], at, issues),
    ),
  );
  if (issues.length > 0) return { issues, names: [] };
  const compiled = compileFlows(
    mix,
    { feederNames: Object.keys(mix.feeders ?? {}), env: mix.env ?? {}, defaultExpect: expectStatus },
    issues,
  );
  const at = (path: string) =>
    path.startsWith('requests[')
      ? path.replace(/^requests/, 'requests.templates')
      : path.startsWith('journeys')
        ? `requests.${path}`
        : path;
  return { issues: issues.map((i) => ({ ...i, path: at(i.path) })), names: compiled.names };
}

/** A short random id (time + randomness), readable in a target's logs. */
export function randomRunId(): string {
  return `${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

function profileFrom(options: RunOptions, issues: ValidationIssue[]): Profile | undefined {
  if (options.profile !== undefined) {
    if (options.rateRps !== undefined)
      issues.push({ path: 'rateRps', message: 'cannot be combined with profile; put the rate in the profile' });
    const found = validateProfile(options.profile);
    issues.push(...found);
    return found.length === 0 ? options.profile : undefined;
  }
  if (options.rateRps === undefined && options.durationMs === undefined) {
    issues.push({ path: 'profile', message: 'is required: give a profile, or rateRps and durationMs for a constant rate' });
    return undefined;
  }
  const profile: Profile = { kind: 'constant', rateRps: options.rateRps as number, durationMs: options.durationMs as DurationInput };
  const found = validateProfile(profile).map((i) => ({ ...i, path: i.path.replace('profile.', '') }));
  issues.push(...found);
  return found.length === 0 ? profile : undefined;
}

export function validateStatuses(list: readonly StatusExpectation[], path: string, issues: ValidationIssue[]): void {
  if (!Array.isArray(list) || list.length === 0) {
    issues.push({ path, message: 'must be a non-empty list of status codes or [from, to] ranges' });
    return;
  }
  list.forEach((s, i) => {
    const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599;
    if (Array.isArray(s) ? !(s.length === 2 && ok(s[0]) && ok(s[1]) && s[0] <= s[1]) : !ok(s)) {
      issues.push({ path: `${path}[${i}]`, message: `must be a status code 100–599 or a [from, to] range (got ${JSON.stringify(s)})` });
    }
  });
}

/** Parses `200-299,404` into status expectations. */
export function parseStatusList(text: string): StatusExpectation[] {
  return text.split(',').map((part) => {
    const [a, b] = part.trim().split('-');
    return b === undefined ? Number(a) : ([Number(a), Number(b)] as const);
  });
}

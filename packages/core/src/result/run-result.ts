import type { SerializedError } from '../errors.js';
import type { Profile } from '../profile/index.js';
import type { ArrivalProcess } from '../schedule/arrivals.js';
import { encodeHistogram, type LatencySummaryMs, percentileMs, summarizeMs } from '../stats/histogram.js';
import type { RunConfig } from '../run/config.js';
import { summarizeTls, type TlsSummary } from '../run/tls.js';
import { mergeWindow } from '../collapse/window.js';
import { type ErrorClass, type ErrorCounts, emptyErrorCounts, errorTotal, type IntervalAggregator, type IntervalStats, mergeNameReports, type NameStats } from '../run/interval.js';
import type { NameEntry } from '../scenario/flow-plan.js';

/** One request, journey or step of a scenario, with its whole-run figures. */
export type NamedStats = NameEntry & NameStats;

/** Bumped whenever a field changes meaning or is removed (additions keep the version). */
export const RESULT_SCHEMA_VERSION = 1;

/** Why a run ended. Guardrails and kill switches add their own reasons. */
export type StopReason =
  | 'completed'
  | 'aborted'
  | 'max-requests'
  | 'max-duration'
  | 'max-rate'
  | 'budget'
  | 'error-burst'
  | 'kill-file'
  | 'signal'
  | 'control-endpoint'
  | 'collapse'
  | 'inconclusive'
  | 'worker-crash';

/**
 * Stops that end a run by design: the plan ran out, or a ramp reached its verdict. Any other stop
 * (a signal, a kill switch, a guardrail, a crash) leaves a partial result.
 */
const COMPLETE_STOPS: ReadonlySet<StopReason> = new Set(['completed', 'collapse', 'inconclusive']);

/** Marks a result cut short by something other than its own plan: what was measured is kept, and says why it is incomplete. */
export interface PartialMark {
  readonly reason: StopReason;
  readonly detail: string;
}

/** `{ partial: { reason, detail } }` for a stop that cut the run short, `{}` otherwise (spread it into a result). */
export function partialOf(stopReason: StopReason, detail: string | undefined): { partial?: PartialMark } {
  if (COMPLETE_STOPS.has(stopReason)) return {};
  return { partial: { reason: stopReason, detail: detail ?? stopReason } };
}

/** Memory of the generator over a run, to show it stayed bounded whatever the target sent. */
export interface GeneratorMemory {
  /** The largest firing-thread memory (V8 heap used + external) in a first interval, and over the run. */
  readonly workerStartBytes: number;
  readonly workerMaxBytes: number;
  /** Resident set size of the whole process at t0 (threads, JIT warm-up and warm connections in place), and the most seen at an interval. */
  readonly rssStartBytes: number;
  readonly rssMaxBytes: number;
}

export interface GeneratorHealth {
  readonly workers: number;
  readonly connectionsPerWorker: number;
  readonly maxInFlight: number;
  /** p99 and max of (actual send − intended send) over the run. */
  readonly lagMsP99: number;
  readonly lagMsMax: number;
  readonly lagThresholdMs: number;
  readonly droppedGenerator: number;
  /** True when the generator, not the target, limited what was sent. */
  readonly saturated: boolean;
  /** Why it is saturated and by how much, e.g. `lag p99 23.1 ms > 5 ms`. */
  readonly reasons: readonly string[];
  readonly memory?: GeneratorMemory;
  /**
   * Times a big response body was read at the workers' read budget (1 Gbit/s per worker) instead
   * of as fast as it came: present when the target sent more than that. The latencies of those
   * responses include the wait; add workers to read faster.
   */
  readonly bodyReadPauses?: number;
}

export interface RunTotals {
  /** Arrivals the schedule intended (sent + dropped + dropped by the generator). */
  readonly offered: number;
  readonly sent: number;
  readonly responses: number;
  readonly ok: number;
  readonly errors: number;
  readonly dropped: number;
  readonly droppedGenerator: number;
  /** Sent, never answered: given up at the end of the drain. sent = responses + transport errors + abandoned. */
  readonly abandoned: number;
}

export interface RunResult {
  readonly schemaVersion: number;
  readonly kind: 'run';
  readonly startedAt: string;
  readonly durationMs: number;
  readonly stopReason: StopReason;
  readonly stopDetail?: string;
  /** Present when the run was cut short (signal, kill switch, guardrail, worker crash): what was measured is kept. */
  readonly partial?: PartialMark;
  readonly target: { readonly url: string; readonly method: string };
  readonly config: {
    readonly profile: Profile;
    readonly arrivals: ArrivalProcess;
    readonly seed: number;
    readonly timeoutMs: number;
    readonly intervalMs: number;
    readonly plannedRequests: number;
    readonly plannedDurationMs: number;
    readonly peakRps: number;
    readonly maxRequests?: number;
    /** TLS settings in force (never their contents); `insecure: true` means certificates were not checked. */
    readonly tls?: TlsSummary;
    /** HTTP/2 was offered (ALPN h2). */
    readonly http2?: boolean;
  };
  readonly totals: RunTotals;
  readonly errorsByClass: ErrorCounts;
  /**
   * The first error message seen in each error class (by any worker), naming the host, e.g.
   * `staging.example.com:443: certificate signed by an unknown CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`.
   */
  readonly errorExamples?: Readonly<Partial<Record<ErrorClass, string>>>;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Coordinated-omission corrected latency: from the intended send time to the end of the response. */
  readonly latencyMs: LatencySummaryMs;
  /** Service time: from the actual send to the end of the response. */
  readonly serviceTimeMs: LatencySummaryMs;
  readonly generator: GeneratorHealth;
  readonly intervals: readonly IntervalStats[];
  /**
   * Per request, journey and step (scenarios only), in the order of the mix. The requests of the
   * request and step entries add up to totals.sent; a journey's latency runs from its intended
   * start to its last response, polls and think time included.
   */
  readonly byName?: readonly NamedStats[];
  /** Whole-run histograms, encoded (compressed base64, µs), for exact merges across shards. */
  readonly histograms: { readonly latency: string; readonly serviceTime: string; readonly lag: string };
  readonly workerErrors?: readonly SerializedError[];
  /** The run id sent on every request (`x-overload-run` by default). */
  readonly runId: string;
  /** Side-effect budgets and what was charged against them (worst case, see BudgetLedger). */
  readonly budgets: { readonly limits: Readonly<Record<string, number>>; readonly used: Readonly<Record<string, number>> };
}

/** Judges whether the generator kept its own schedule; the target is never blamed for this. */
export function generatorHealth(
  config: Pick<RunConfig, 'workers' | 'connections' | 'maxInFlight' | 'lagThresholdMs'>,
  lagMsP99: number,
  lagMsMax: number,
  droppedGenerator: number,
  offered: number,
): GeneratorHealth {
  const reasons: string[] = [];
  if (lagMsP99 > config.lagThresholdMs) reasons.push(`schedule lag p99 ${lagMsP99.toFixed(1)} ms > ${config.lagThresholdMs} ms`);
  if (droppedGenerator > 0) {
    const pct = offered > 0 ? ((100 * droppedGenerator) / offered).toFixed(1) : '0';
    reasons.push(`${droppedGenerator} arrivals (${pct} %) dropped because the generator reached them too late`);
  }
  return {
    workers: config.workers,
    connectionsPerWorker: config.connections,
    maxInFlight: config.maxInFlight,
    lagMsP99,
    lagMsMax,
    lagThresholdMs: config.lagThresholdMs,
    droppedGenerator,
    saturated: reasons.length > 0,
    reasons,
  };
}

export function buildRunResult(args: {
  config: RunConfig;
  startedAt: Date;
  durationMs: number;
  stopReason: StopReason;
  stopDetail?: string;
  aggregator: IntervalAggregator;
  workerErrors?: readonly SerializedError[];
  budgets: RunResult['budgets'];
  errorExamples?: Readonly<Partial<Record<ErrorClass, string>>>;
  /** Process RSS when the run started and the most seen since (sampled by the caller). */
  rss?: { readonly startBytes: number; readonly maxBytes: number };
}): RunResult {
  const { config, aggregator } = args;
  const intervals = aggregator.intervals;
  const { offered, sent, responses, ok, dropped, droppedGenerator } = mergeWindow(intervals);
  const errorsByClass = emptyErrorCounts();
  const statusCodes: Record<string, number> = {};
  for (const i of intervals) {
    for (const c of Object.keys(errorsByClass) as (keyof ErrorCounts)[]) errorsByClass[c] += i.errorsByClass[c];
    for (const [code, n] of Object.entries(i.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  // A run that ended because it reached --max-requests was cut short by a guardrail.
  const capped = args.stopReason === 'completed' && config.maxRequests !== undefined && config.maxRequests < config.curve.totalArrivals;
  const stopReason: StopReason = capped ? 'max-requests' : args.stopReason;
  const stopDetail = capped ? `--max-requests ${config.maxRequests} reached (the profile wanted ${config.curve.totalArrivals})` : args.stopDetail;
  const lagP99 = percentileMs(aggregator.lag, 99);
  const lagMax = aggregator.lag.totalCount === 0 ? 0 : aggregator.lag.maxValue / 1000;
  const tls = summarizeTls(config.tls);
  const memory: GeneratorMemory | undefined = args.rss
    ? {
        workerStartBytes: aggregator.workerMemoryStartBytes,
        workerMaxBytes: aggregator.workerMemoryMaxBytes,
        rssStartBytes: args.rss.startBytes,
        rssMaxBytes: Math.max(args.rss.startBytes, args.rss.maxBytes),
      }
    : undefined;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'run',
    startedAt: args.startedAt.toISOString(),
    durationMs: Math.round(args.durationMs),
    stopReason,
    ...(stopDetail ? { stopDetail } : {}),
    ...partialOf(stopReason, stopDetail),
    target: { url: config.url, method: config.method },
    config: {
      profile: config.profile,
      arrivals: config.arrivals,
      seed: config.seed,
      timeoutMs: config.timeoutMs,
      intervalMs: config.intervalMs,
      plannedRequests: config.maxRequests === undefined ? config.curve.totalArrivals : Math.min(config.maxRequests, config.curve.totalArrivals),
      plannedDurationMs: config.curve.durationMs,
      peakRps: config.curve.peakRps,
      ...(config.maxRequests !== undefined ? { maxRequests: config.maxRequests } : {}),
      ...(tls ? { tls } : {}),
      ...(config.http2 ? { http2: true } : {}),
    },
    totals: {
      offered,
      sent,
      responses,
      ok,
      errors: errorTotal(errorsByClass),
      dropped,
      droppedGenerator,
      abandoned: intervals.reduce((n, i) => n + i.abandoned, 0),
    },
    errorsByClass,
    ...(args.errorExamples && Object.keys(args.errorExamples).length > 0 ? { errorExamples: args.errorExamples } : {}),
    statusCodes,
    latencyMs: summarizeMs(aggregator.latency),
    serviceTimeMs: summarizeMs(aggregator.serviceTime),
    generator: {
      ...generatorHealth(config, lagP99, lagMax, droppedGenerator, offered),
      ...(memory ? { memory } : {}),
      ...(aggregator.bodyReadPauses > 0 ? { bodyReadPauses: aggregator.bodyReadPauses } : {}),
    },
    intervals,
    ...(config.names.length > 0 ? { byName: config.names.map((n, k) => ({ ...n, ...mergeNameReports(intervals.flatMap((i) => (i.byName?.[k] ? [i.byName[k]] : []))) })) } : {}),
    histograms: {
      latency: encodeHistogram(aggregator.latency),
      serviceTime: encodeHistogram(aggregator.serviceTime),
      lag: encodeHistogram(aggregator.lag),
    },
    ...(args.workerErrors && args.workerErrors.length > 0 ? { workerErrors: args.workerErrors } : {}),
    runId: config.runId,
    budgets: args.budgets,
  };
}

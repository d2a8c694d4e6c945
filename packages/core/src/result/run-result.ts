import type { SerializedError } from '../errors.js';
import type { Profile } from '../profile/index.js';
import type { ArrivalProcess } from '../schedule/arrivals.js';
import {
  decodedHistogram,
  encodeHistogram,
  HISTOGRAM_RECORD_SETTINGS,
  type HistogramRecordSettings,
  type LatencySummaryMs,
  percentileMs,
  summarizeMs,
} from '../stats/histogram.js';
import { type ArrivalUnit, type ClientUsed, clientUsed, type RunConfig } from '../run/config.js';
import { summarizeTls, type TlsSummary } from '../run/tls.js';
import { formatMs } from '../collapse/format.js';
import { generatorCheckOf, type OfferedSchedule } from '../collapse/generator-check.js';
import { mergeWindow, slidingWindows } from '../collapse/window.js';
import {
  type ErrorClass,
  type ErrorCounts,
  emptyErrorCounts,
  type IntervalAggregator,
  type IntervalStats,
  mergeNameReports,
  type NameStats,
} from '../run/interval.js';
import type { NameEntry } from '../scenario/flow-plan.js';
import { type Counts, sumCounts } from '../run/counts.js';
import { partialOf } from './stop.js';
import { countArrivals } from '../schedule/arrivals.js';
import { shareOf, type ShardSpec } from '../shard/shard-spec.js';

/** One request, journey or step of a scenario, with its whole-run figures. */
export type NamedStats = NameEntry & NameStats;

/** Bumped whenever a field changes meaning or is removed (additions keep the version). */
export const RESULT_SCHEMA_VERSION = 3;

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
  | 'collapsed'
  | 'inconclusive'
  | 'worker-crash'
  /** A shard stopped by itself: it lost its coordinator for longer than the heartbeat allows. */
  | 'coordinator-lost'
  /** The coordinator stopped every shard: one of them crashed or stopped reporting. */
  | 'shard-lost'
  /** An action on the target (a scenario's `actions`, `--action`) failed and did not say `onFailure: 'continue'`. */
  | 'action-failed';

/** What a shard's result says about its part of the run (see ShardSpec). */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
  /** The shared start time (T0) every shard's intervals are keyed from, ISO 8601 UTC. */
  readonly startAt?: string;
  /** Arrivals of this shard's slice of the schedule (the whole run's are config.plannedRequests). */
  readonly plannedArrivals: number;
}

/** On a result merged from shards (`overload merge`, or a coordinator): which shards it holds. */
export interface ShardsInfo {
  readonly count: number;
  /** Indexes of the shards whose results were added, in order. */
  readonly merged: readonly number[];
  readonly startAt?: string;
}

/** A merged result that lacks a shard: never a pass (exit 7). */
export interface IncompleteInfo {
  /** Shards with no result at all (never started, or crashed before writing one). */
  readonly missing: readonly number[];
  /** Shards whose result says they failed (a crash), with why. */
  readonly failed: readonly { readonly index: number; readonly reason: string }[];
  readonly detail: string;
}

/** Marks a result cut short by something other than its own plan: what was measured is kept, and says why it is incomplete. */
export interface PartialMark {
  readonly reason: StopReason;
  readonly detail: string;
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
  /** What sent the plain HTTP/1.1 requests: overload's own hot path, or undici (`--client undici`, HTTP/2). */
  readonly client: ClientUsed;
  readonly maxInFlight: number;
  /** p99 and max of (actual send − intended send) over the run. */
  readonly lagMsP99: number;
  readonly lagMsMax: number;
  /** Lag p99 above this is noted (the latencies include that much generator delay); it does not make the run saturated. */
  readonly lagThresholdMs: number;
  readonly droppedGenerator: number;
  /** The busiest firing thread's highest per-interval event-loop utilisation (0..1). */
  readonly eluMax: number;
  /** True when the generator did not offer the scheduled load (the saturation rule): the numbers describe the generator. */
  readonly saturated: boolean;
  /** Why it is saturated, e.g. `reached 41,230 of 100,000 scheduled arrivals (59 % short) from 5 s to 10 s`. */
  readonly reasons: readonly string[];
  /** What the reader should know without it deciding anything, e.g. a lag p99 above lagThresholdMs. */
  readonly notes: readonly string[];
  readonly memory?: GeneratorMemory;
  /**
   * Times a big response body was read at the workers' read budget (1 Gbit/s per worker) instead
   * of as fast as it came: present when the target sent more than that. The latencies of those
   * responses include the wait; add workers to read faster.
   */
  readonly bodyReadPauses?: number;
}

/**
 * The run's counts (see Counts): sent = responses + transportErrors + abandoned, and offered =
 * sent + dropped + droppedGenerator for plain requests (a journey's arrival sends several).
 */
export type RunTotals = Counts;

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
    /** What an arrival of the profile is: a request, or a journey (rates are then journeys/s). */
    readonly arrivalUnit?: ArrivalUnit;
    readonly arrivals: ArrivalProcess;
    readonly seed: number;
    readonly timeoutMs: number;
    readonly intervalMs: number;
    readonly plannedRequests: number;
    readonly plannedDurationMs: number;
    readonly peakRps: number;
    readonly maxRequests?: number;
    /** The --max-rate ceiling the schedule was clamped to, if any. */
    readonly maxRps?: number;
    /** How every histogram of the result was recorded (merges refuse to add different ones). */
    readonly histogram?: HistogramRecordSettings;
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
  /** Set on one shard's result: its slice of the one schedule. */
  readonly shard?: ShardInfo;
  /** Set on a result merged from shards. */
  readonly shards?: ShardsInfo;
  /** Set when a merged result lacks a shard. */
  readonly incomplete?: IncompleteInfo;
}

/** The run is judged for saturation in windows of this length, sliding by one interval. */
export const GENERATOR_WINDOW_MS = 5000;

/**
 * Did the generator offer the load it was asked for? A run has no SLO, so only the saturation
 * rule's "not offered" signals (SATURATION_RULE: generator drops, arrivals reached short of the
 * schedule, a growing lag, a pinned firing thread falling behind) make it saturated — judged in
 * every window of GENERATOR_WINDOW_MS. Lag alone does not: every arrival still went out, and the
 * lag is inside each request's corrected latency, so it is reported as a note. When the run was
 * stopped from outside, the interval in which sending stopped and the drain after it are not
 * held against the generator.
 */
export function generatorHealth(
  config: Pick<RunConfig, 'workers' | 'connections' | 'maxInFlight' | 'lagThresholdMs' | 'curve' | 'arrivals' | 'client' | 'http2'> & {
    readonly shard?: ShardSpec | undefined;
  },
  intervals: readonly IntervalStats[],
  options: { readonly stopped: boolean; readonly lagMsP99: number; readonly lagMsMax: number },
): GeneratorHealth {
  // A shard is offered its 1/N of the schedule, within one arrival per window.
  const share = 1 / (config.shard?.count ?? 1);
  const schedule: OfferedSchedule = {
    scheduledArrivals: (a, b) =>
      share * (config.curve.areaAt(Math.min(b, config.curve.durationMs)) - config.curve.areaAt(Math.min(a, config.curve.durationMs))),
    arrivals: config.arrivals,
  };
  let judged = intervals;
  if (options.stopped) {
    let end = intervals.length;
    while (end > 0 && intervals[end - 1]!.offered === 0) end--;
    judged = intervals.slice(0, Math.max(0, end - 1));
  }
  const reasons: string[] = [];
  const droppedGenerator = intervals.reduce((n, i) => n + i.droppedGenerator, 0);
  const offered = intervals.reduce((n, i) => n + i.offered, 0);
  if (droppedGenerator > 0) {
    const pct = offered > 0 ? ((100 * droppedGenerator) / offered).toFixed(1) : '0';
    reasons.push(`${droppedGenerator} arrivals (${pct} %) dropped because the generator reached them too late`);
  }
  for (const { start, slice } of slidingWindows(judged, GENERATOR_WINDOW_MS)) {
    const merged = mergeWindow(slice);
    const before = start > 0 ? judged[start - 1]!.histograms.lag : undefined;
    const beforeLag = before ? decodedHistogram(before) : undefined;
    const lagBefore = beforeLag && beforeLag.totalCount > 0 ? { lagBeforeMs: percentileMs(beforeLag, 50) } : {};
    // Drops were counted over the whole run above.
    const v = generatorCheckOf({ ...merged, droppedGenerator: 0 }, { schedule, ...lagBefore });
    if (v.saturated) {
      reasons.push(`${v.reasons.join(', ')} from ${formatMs(merged.startMs)} to ${formatMs(merged.endMs)}`);
      break;
    }
  }
  const notes: string[] = [];
  if (options.lagMsP99 > config.lagThresholdMs) {
    notes.push(
      `schedule lag p99 ${options.lagMsP99.toFixed(1)} ms > ${config.lagThresholdMs} ms: the corrected latencies include that much of the generator's own delay`,
    );
  }
  return {
    workers: config.workers,
    connectionsPerWorker: config.connections,
    client: clientUsed(config),
    maxInFlight: config.maxInFlight,
    lagMsP99: options.lagMsP99,
    lagMsMax: options.lagMsMax,
    lagThresholdMs: config.lagThresholdMs,
    droppedGenerator,
    eluMax: intervals.reduce((m, i) => Math.max(m, i.generatorElu ?? 0), 0),
    saturated: reasons.length > 0,
    reasons,
    notes,
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
  const errorsByClass = emptyErrorCounts();
  const statusCodes: Record<string, number> = {};
  for (const i of intervals) {
    for (const c of Object.keys(errorsByClass) as (keyof ErrorCounts)[]) errorsByClass[c] += i.errorsByClass[c];
    for (const [code, n] of Object.entries(i.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  // A run that ended because it reached --max-requests was cut short by a guardrail.
  const capped = args.stopReason === 'completed' && config.maxRequests !== undefined && config.maxRequests < config.curve.totalArrivals;
  const stopReason: StopReason = capped ? 'max-requests' : args.stopReason;
  const stopDetail = capped
    ? `--max-requests ${config.maxRequests} reached (the profile wanted ${config.curve.totalArrivals})`
    : args.stopDetail;
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
      arrivalUnit: config.arrivalUnit,
      arrivals: config.arrivals,
      seed: config.seed,
      timeoutMs: config.timeoutMs,
      intervalMs: config.intervalMs,
      plannedRequests:
        config.maxRequests === undefined ? config.curve.totalArrivals : Math.min(config.maxRequests, config.curve.totalArrivals),
      plannedDurationMs: config.curve.durationMs,
      peakRps: config.curve.peakRps,
      ...(config.maxRequests !== undefined ? { maxRequests: config.maxRequests } : {}),
      ...(config.maxRps !== undefined ? { maxRps: config.maxRps } : {}),
      histogram: HISTOGRAM_RECORD_SETTINGS,
      ...(tls ? { tls } : {}),
      ...(config.http2 ? { http2: true } : {}),
    },
    totals: sumCounts(intervals),
    errorsByClass,
    ...(args.errorExamples && Object.keys(args.errorExamples).length > 0 ? { errorExamples: args.errorExamples } : {}),
    statusCodes,
    latencyMs: summarizeMs(aggregator.latency),
    serviceTimeMs: summarizeMs(aggregator.serviceTime),
    generator: {
      ...generatorHealth(config, intervals, { stopped: stopReason !== 'completed', lagMsP99: lagP99, lagMsMax: lagMax }),
      ...(memory ? { memory } : {}),
      ...(aggregator.bodyReadPauses > 0 ? { bodyReadPauses: aggregator.bodyReadPauses } : {}),
    },
    intervals,
    ...(config.names.length > 0
      ? {
          byName: config.names.map((n, k) => ({
            ...n,
            ...mergeNameReports(intervals.flatMap((i) => (i.byName?.[k] ? [i.byName[k]] : []))),
          })),
        }
      : {}),
    histograms: {
      latency: encodeHistogram(aggregator.latency),
      serviceTime: encodeHistogram(aggregator.serviceTime),
      lag: encodeHistogram(aggregator.lag),
    },
    ...(args.workerErrors && args.workerErrors.length > 0 ? { workerErrors: args.workerErrors } : {}),
    runId: config.runId,
    budgets: args.budgets,
    ...(config.shard ? { shard: shardInfoOf(config) } : {}),
  };
}

function shardInfoOf(config: RunConfig): ShardInfo {
  const shard = config.shard!;
  // With journeys the cap counts requests, not arrival indexes: the slice is the whole schedule's.
  const journeys = (config.requests?.journeys?.length ?? 0) > 0;
  const limit = config.maxRequests !== undefined && !journeys ? { limit: config.maxRequests } : {};
  return {
    index: shard.index,
    count: shard.count,
    ...(config.startAtEpochMs !== undefined ? { startAt: new Date(config.startAtEpochMs).toISOString() } : {}),
    plannedArrivals:
      config.arrivals === 'uniform'
        ? shareOf(Math.min(config.curve.totalArrivals, limit.limit ?? Number.POSITIVE_INFINITY), shard)
        : countArrivals(config.curve, 0, Number.POSITIVE_INFINITY, {
            arrivals: config.arrivals,
            seed: config.seed,
            start: shard.index,
            stride: shard.count,
            ...limit,
          }),
  };
}

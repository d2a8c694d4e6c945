import {
  createHistogram,
  decodedHistogram,
  decodeHistogram,
  encodeShared,
  type Histogram,
  type LatencySummaryMs,
  percentileMs,
  summarizeMs,
} from '../stats/histogram.js';
import { addCounts, type Counts, zeroCounts } from './counts.js';

/**
 * How a failed request failed, one class per request. Transport classes follow the error's
 * `code` (undici, node:net, node:tls); `status` is an HTTP response with an unexpected status.
 * TLS failures have a class each, because each has its own fix: `tlsUnknownCa` (the certificate
 * chain is not trusted: pass the CA), `tlsHostname` (the certificate is for another name),
 * `tlsExpired` (expired or not yet valid), `tlsHandshake` (the handshake was refused, e.g. a
 * client certificate the server wants and did not get, or a peer that does not speak TLS).
 */
export const ERROR_CLASSES = [
  'refused',
  'reset',
  'timeout',
  'protocol',
  'tlsUnknownCa',
  'tlsHostname',
  'tlsExpired',
  'tlsHandshake',
  'status',
  'other',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
export type ErrorCounts = Record<ErrorClass, number>;

export function emptyErrorCounts(): ErrorCounts {
  return {
    refused: 0,
    reset: 0,
    timeout: 0,
    protocol: 0,
    tlsUnknownCa: 0,
    tlsHostname: 0,
    tlsExpired: 0,
    tlsHandshake: 0,
    status: 0,
    other: 0,
  };
}

/**
 * What one worker reports about one name (a request, a journey or a step, see FlowPlan.names) in
 * one interval. `count` is what ended in the interval (requests answered or failed, steps and
 * journeys finished); `requests` is what was sent for it, polls included, so that the requests
 * of all request and step names add up to the interval's `sent`.
 */
export interface NameReport {
  readonly count: number;
  /** Requests sent for it (a journey: the requests of the journeys that ended). */
  readonly requests: number;
  readonly ok: number;
  /** Failures by class: the transport classes, `status`, and the journey classes (FLOW_FAILURE_CLASSES). */
  readonly failures: Readonly<Record<string, number>>;
  /** Requests sent by the executions that ended (poll tries included) and the most one needed. */
  readonly tries: number;
  readonly maxTries: number;
  /** Encoded histograms (µs): corrected latency and service time of what ended. */
  readonly latency: string;
  readonly serviceTime: string;
}

/** One name's figures over a window of intervals, merged across workers. */
export interface NameStats {
  readonly count: number;
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly tries: number;
  readonly maxTries: number;
  readonly latencyMs: LatencySummaryMs;
  readonly serviceTimeMs: LatencySummaryMs;
  readonly histograms: { readonly latency: string; readonly serviceTime: string };
}

/**
 * What one worker reports about one interval. Arrival counts (offered, sent, dropped) belong to
 * the interval of their *intended* time; outcomes (completed, ok, errors, latencies) to the
 * interval in which they *happened*, so an interval is final as soon as it is over and the
 * throughput a queueing target really delivers shows up when it delivers it.
 */
export interface IntervalReport {
  readonly index: number;
  /** Set on a worker's last, partial interval. */
  readonly durationMs?: number;
  readonly offered: number;
  readonly sent: number;
  /** Arrivals that found the in-flight cap full: the target is too slow to keep up. */
  readonly dropped: number;
  /** Arrivals the generator reached too late to send: the generator's fault, not the target's. */
  readonly droppedGenerator: number;
  /** Responses received (any status). */
  readonly responses: number;
  readonly ok: number;
  readonly errors: ErrorCounts;
  /**
   * Requests still in flight when the worker gave up on them at the end of the drain: sent, never
   * answered. Reported on a worker's last interval, so that sent = responses + transport errors +
   * abandoned holds over a whole run.
   */
  readonly abandoned: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /**
   * Event-loop utilisation of the firing thread over the interval (0..1, from
   * performance.eventLoopUtilization): near 1, the send loop never waited for anything.
   */
  readonly elu: number;
  /** Encoded histograms (µs): corrected latency, service time, schedule lag. */
  readonly latency: string;
  readonly serviceTime: string;
  readonly lag: string;
  /**
   * Memory of the firing thread at the end of the interval (V8 heap used + external memory, from
   * process.memoryUsage() in the worker, which counts that thread only): bodies are drained, never
   * buffered, so this stays flat whatever the target sends.
   */
  readonly memoryBytes?: number;
  /** Times a big response body was paused at the worker's read budget (see workers' BodyReadBudget). */
  readonly bodyReadPauses?: number;
  /** Descriptions of the first error of each class this worker met, on the interval it met it (see RunResult.errorExamples). */
  readonly errorExamples?: Readonly<Partial<Record<ErrorClass, string>>>;
  /** Per name, aligned with the plan's names (absent for a single request without a scenario). */
  readonly byName?: readonly NameReport[];
}

/** One interval of a run, merged across workers. */
export interface IntervalStats extends Counts {
  readonly index: number;
  readonly startMs: number;
  readonly durationMs: number;
  /**
   * Arrivals that ended well in the interval, per second: successful responses (an expected
   * status; errors are not throughput), or with journeys the journeys that ended ok when the
   * aggregator knows which names are arrivals.
   */
  readonly achievedRps: number;
  readonly offeredRps: number;
  readonly errorsByClass: ErrorCounts;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /** The busiest firing thread's event-loop utilisation over the interval (0..1). */
  readonly generatorElu: number;
  readonly latencyMs: LatencySummaryMs;
  readonly serviceTimeMs: LatencySummaryMs;
  readonly lagMsP99: number;
  readonly lagMsMax: number;
  /** Encoded interval histograms, kept so intervals and shards can be merged exactly later. */
  readonly histograms: { readonly latency: string; readonly serviceTime: string; readonly lag: string };
  /** Per name, aligned with the run's `names` (absent for a single request without a scenario). */
  readonly byName?: readonly NameStats[];
}

export function errorTotal(e: ErrorCounts): number {
  let n = 0;
  for (const c of Object.values(e)) n += c;
  return n;
}

interface Pending {
  reports: IntervalReport[];
}

/**
 * Merges interval reports from N workers. An interval is emitted, in order, once every worker
 * that is still running has reported it. Keeps whole-run histograms by adding interval ones.
 */
export class IntervalAggregator {
  readonly intervals: IntervalStats[] = [];
  readonly latency: Histogram = createHistogram();
  readonly serviceTime: Histogram = createHistogram();
  readonly lag: Histogram = createHistogram();
  /** The busiest worker's memory in its first report, and the most any worker reported. */
  workerMemoryStartBytes = 0;
  workerMemoryMaxBytes = 0;
  /** Big-body reads paused at the workers' read budget, over the run. */
  bodyReadPauses = 0;
  readonly #memorySeen: boolean[];
  readonly #pending = new Map<number, Pending>();
  readonly #reportedUpTo: number[];
  readonly #finished: boolean[];
  readonly #intervalMs: number;
  readonly #onInterval: ((s: IntervalStats) => void) | undefined;
  #nextIndex = 0;

  readonly #arrivalNames: readonly number[] | undefined;

  /**
   * `arrivalNames` (`arrivalNamesOf(config.names)`): which per-name entries an arrival is, so that
   * with journeys `achievedRps` counts journeys that ended ok, in the unit of `offeredRps`.
   */
  constructor(workers: number, intervalMs: number, onInterval?: (s: IntervalStats) => void, arrivalNames?: readonly number[]) {
    this.#arrivalNames = arrivalNames;
    this.#reportedUpTo = new Array<number>(workers).fill(-1);
    this.#finished = new Array<boolean>(workers).fill(false);
    this.#memorySeen = new Array<boolean>(workers).fill(false);
    this.#intervalMs = intervalMs;
    this.#onInterval = onInterval;
  }

  add(worker: number, report: IntervalReport): void {
    let p = this.#pending.get(report.index);
    if (!p) this.#pending.set(report.index, (p = { reports: [] }));
    p.reports.push(report);
    this.bodyReadPauses += report.bodyReadPauses ?? 0;
    if (report.memoryBytes !== undefined) {
      if (!this.#memorySeen[worker]) {
        this.#memorySeen[worker] = true;
        this.workerMemoryStartBytes = Math.max(this.workerMemoryStartBytes, report.memoryBytes);
      }
      this.workerMemoryMaxBytes = Math.max(this.workerMemoryMaxBytes, report.memoryBytes);
    }
    this.#reportedUpTo[worker] = Math.max(this.#reportedUpTo[worker]!, report.index);
    this.#emitReady();
  }

  /** A worker has sent its last report. */
  finish(worker: number): void {
    this.#finished[worker] = true;
    this.#emitReady();
  }

  /** Emits whatever is still pending (after every worker finished, or on a crash). */
  flush(): void {
    const last = Math.max(-1, ...this.#pending.keys());
    while (this.#nextIndex <= last) this.#emit(this.#nextIndex++);
  }

  #emitReady(): void {
    for (;;) {
      const k = this.#nextIndex;
      const ready = this.#reportedUpTo.every((r, w) => r >= k || this.#finished[w]);
      const anyLater = this.#pending.has(k) || [...this.#pending.keys()].some((i) => i > k);
      if (!ready || !anyLater) return;
      this.#emit(k);
      this.#nextIndex++;
    }
  }

  #emit(k: number): void {
    const reports = this.#pending.get(k)?.reports ?? [];
    this.#pending.delete(k);
    const stats = mergeReports(k, this.#intervalMs, reports, this.#arrivalNames);
    this.latency.add(decodedHistogram(stats.histograms.latency));
    this.serviceTime.add(decodedHistogram(stats.histograms.serviceTime));
    this.lag.add(decodedHistogram(stats.histograms.lag));
    this.intervals.push(stats);
    this.#onInterval?.(stats);
  }
}

export function mergeReports(
  index: number,
  intervalMs: number,
  reports: readonly IntervalReport[],
  arrivalNames?: readonly number[],
): IntervalStats {
  const latency = createHistogram();
  const serviceTime = createHistogram();
  const lag = createHistogram();
  const errorsByClass = emptyErrorCounts();
  const statusCodes: Record<string, number> = {};
  const counts = zeroCounts();
  let inFlight = 0;
  let elu = 0;
  // A worker's last interval is partial; the interval lasted as long as its longest report.
  let durationMs = 0;
  for (const r of reports) {
    durationMs = Math.max(durationMs, Math.min(intervalMs, r.durationMs ?? intervalMs));
    addCounts(counts, countsOfReport(r));
    inFlight += r.inFlight;
    elu = Math.max(elu, r.elu ?? 0);
    for (const c of Object.keys(errorsByClass) as ErrorClass[]) errorsByClass[c] += r.errors[c] ?? 0;
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
    // A worker's report is read once, here: not worth a place among the shared decoded ones.
    if (r.latency) latency.add(decodeHistogram(r.latency));
    if (r.serviceTime) serviceTime.add(decodeHistogram(r.serviceTime));
    if (r.lag) lag.add(decodeHistogram(r.lag));
  }
  if (reports.length === 0) durationMs = intervalMs;
  const named = reports.filter((r) => r.byName !== undefined);
  const byName = named.length > 0 ? named[0]!.byName!.map((_, k) => mergeNameReports(named.map((r) => r.byName![k]!))) : undefined;
  // Arrivals that ended well: requests answered with an expected status, or journeys that ended ok.
  const arrivalsOk = arrivalNames && byName ? arrivalNames.reduce((n, k) => n + (byName[k]?.ok ?? 0), 0) : counts.ok;
  const seconds = Math.max(durationMs, 1) / 1000;
  return {
    index,
    startMs: index * intervalMs,
    durationMs,
    ...counts,
    offeredRps: counts.offered / seconds,
    achievedRps: arrivalsOk / seconds,
    errorsByClass,
    statusCodes,
    inFlight,
    generatorElu: elu,
    latencyMs: summarizeMs(latency),
    serviceTimeMs: summarizeMs(serviceTime),
    lagMsP99: percentileMs(lag, 99),
    lagMsMax: lag.totalCount === 0 ? 0 : lag.maxValue / 1000,
    // Kept decoded too: the judges read them again at once.
    histograms: { latency: encodeShared(latency), serviceTime: encodeShared(serviceTime), lag: encodeShared(lag) },
    ...(byName ? { byName } : {}),
  };
}

/** One worker's report as counts: its errors by class add up to `errors`. */
function countsOfReport(r: IntervalReport): Counts {
  const errors = errorTotal(r.errors);
  return {
    offered: r.offered,
    sent: r.sent,
    responses: r.responses,
    ok: r.ok,
    errors,
    transportErrors: errors - (r.errors.status ?? 0),
    abandoned: r.abandoned ?? 0,
    dropped: r.dropped,
    droppedGenerator: r.droppedGenerator,
  };
}

/** Adds up one name's reports (from workers, intervals or shards): counts add, histograms merge. */
export function mergeNameReports(reports: readonly (NameReport | NameStats)[]): NameStats {
  const latency = createHistogram();
  const serviceTime = createHistogram();
  const failures: Record<string, number> = {};
  let count = 0;
  let requests = 0;
  let ok = 0;
  let tries = 0;
  let maxTries = 0;
  for (const r of reports) {
    count += r.count;
    requests += r.requests;
    ok += r.ok;
    tries += r.tries;
    maxTries = Math.max(maxTries, r.maxTries);
    for (const [c, n] of Object.entries(r.failures)) failures[c] = (failures[c] ?? 0) + n;
    const h = 'histograms' in r ? r.histograms : r;
    if (h.latency) latency.add(decodedHistogram(h.latency));
    if (h.serviceTime) serviceTime.add(decodedHistogram(h.serviceTime));
  }
  let failed = 0;
  for (const n of Object.values(failures)) failed += n;
  return {
    count,
    requests,
    ok,
    failed,
    failures,
    tries,
    maxTries,
    latencyMs: summarizeMs(latency),
    serviceTimeMs: summarizeMs(serviceTime),
    histograms: { latency: encodeShared(latency), serviceTime: encodeShared(serviceTime) },
  };
}

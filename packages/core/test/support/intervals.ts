import {
  createHistogram,
  emptyErrorCounts,
  encodeHistogram,
  type IntervalStats,
  percentileMs,
  recordMicros,
  summarizeMs,
} from '@overload/core/internal';

/** [valueMs, count]: `count` responses that took `valueMs`. */
export type Values = readonly (readonly [number, number])[];

export interface IntervalSpec {
  readonly index?: number;
  readonly startMs?: number;
  readonly durationMs?: number;
  /** Arrivals intended in the interval (default: responses + transport errors + drops). */
  readonly offered?: number;
  /** Corrected latencies of the responses; their count is the number of responses. */
  readonly latencyMs?: Values;
  /** Responses with an unexpected status (they are among the responses). */
  readonly statusErrors?: number;
  /** Requests that got no response (timeouts), not in the latency histogram. */
  readonly transportErrors?: number;
  /**
   * Requests that got no response, recorded in the latency histogram at the moment they ended
   * (a timeout at the timeout), as the engine records them; counted as transport errors.
   */
  readonly failedMs?: Values;
  readonly dropped?: number;
  readonly droppedGenerator?: number;
  /** Schedule lag of the sent arrivals (default: every one sent 0.1 ms late). */
  readonly lagMs?: Values;
  /** The firing threads' event-loop utilisation (default 0.1: an idle generator). */
  readonly elu?: number;
  /** Per-name outcomes (`ok` of each name in the run's names), for scenarios with journeys. */
  readonly namesOk?: readonly number[];
}

/**
 * An IntervalStats as the aggregator would emit it, built by recording values into real HDR
 * histograms with core's own settings — so the judges under test merge and read exactly what a
 * run produces.
 */
export function interval(spec: IntervalSpec): IntervalStats {
  const durationMs = spec.durationMs ?? 1000;
  const index = spec.index ?? Math.round((spec.startMs ?? 0) / durationMs);
  const startMs = spec.startMs ?? index * durationMs;
  const latency = record([...(spec.latencyMs ?? []), ...(spec.failedMs ?? [])]);
  const failed = (spec.failedMs ?? []).reduce((n, [, c]) => n + c, 0);
  const responses = latency.totalCount - failed;
  const statusErrors = spec.statusErrors ?? 0;
  const transportErrors = (spec.transportErrors ?? 0) + failed;
  const dropped = spec.dropped ?? 0;
  const droppedGenerator = spec.droppedGenerator ?? 0;
  const offered = spec.offered ?? responses + transportErrors + dropped + droppedGenerator;
  const sent = offered - dropped - droppedGenerator;
  const lag = record(spec.lagMs ?? [[0.1, sent]]);
  const errorsByClass = { ...emptyErrorCounts(), status: statusErrors, timeout: transportErrors };
  const seconds = durationMs / 1000;
  return {
    index,
    startMs,
    durationMs,
    offered,
    sent,
    achievedRps: responses / seconds,
    offeredRps: offered / seconds,
    responses,
    ok: responses - statusErrors,
    errors: statusErrors + transportErrors,
    errorsByClass,
    transportErrors,
    abandoned: 0,
    statusCodes: { '200': responses - statusErrors, ...(statusErrors > 0 ? { '503': statusErrors } : {}) },
    dropped,
    droppedGenerator,
    inFlight: 0,
    generatorElu: spec.elu ?? 0.1,
    ...(spec.namesOk ? { byName: spec.namesOk.map((ok) => nameStats(ok)) } : {}),
    latencyMs: summarizeMs(latency),
    serviceTimeMs: summarizeMs(latency),
    lagMsP99: percentileMs(lag, 99),
    lagMsMax: lag.totalCount === 0 ? 0 : lag.maxValue / 1000,
    histograms: { latency: encodeHistogram(latency), serviceTime: encodeHistogram(latency), lag: encodeHistogram(lag) },
  };
}

function nameStats(ok: number) {
  const empty = encodeHistogram(createHistogram());
  const none = summarizeMs(createHistogram());
  return {
    count: ok,
    requests: ok,
    ok,
    failed: 0,
    failures: {},
    tries: ok,
    maxTries: 1,
    latencyMs: none,
    serviceTimeMs: none,
    histograms: { latency: empty, serviceTime: empty },
  };
}

function record(values: Values) {
  const h = createHistogram();
  for (const [ms, count] of values) for (let i = 0; i < count; i++) recordMicros(h, ms * 1000);
  return h;
}

/** `count` one-second intervals from `startMs`, each described by `spec(k, startMs)`. */
export function intervals(startMs: number, count: number, spec: (k: number, startMs: number) => IntervalSpec): IntervalStats[] {
  return Array.from({ length: count }, (_, k) => {
    const s = startMs + k * 1000;
    return interval({ startMs: s, ...spec(k, s) });
  });
}

/**
 * One second of a target with a fixed capacity: it serves min(rate, capacity) per second; beyond
 * that the rest queue, so latency grows and responses fall short of arrivals.
 */
export function capacityTarget(rateRps: number, capacityRps: number, fastMs = 5): IntervalSpec {
  if (rateRps <= capacityRps) return { offered: rateRps, latencyMs: [[fastMs, rateRps]] };
  return { offered: rateRps, latencyMs: [[2300, capacityRps]] };
}

import { ShardMismatchError, type ValidationIssue } from '../errors.js';
import { arrivalNamesOf } from '../collapse/window.js';
import { sumCounts } from '../run/counts.js';
import { partialOf } from '../result/stop.js';
import { type GeneratorHealth, type IncompleteInfo, RESULT_SCHEMA_VERSION, type RunResult, type StopReason } from '../result/run-result.js';
import { emptyErrorCounts, type ErrorClass, type ErrorCounts, mergeNameReports } from '../run/interval.js';
import { createHistogram, decodeHistogram, encodeHistogram, percentileMs, summarizeMs } from '../stats/histogram.js';
import { mergeShardIntervals } from './merge-intervals.js';

/** One shard's result and where it came from (a file name), for messages that name it. */
export interface ShardInput {
  readonly source: string;
  readonly result: RunResult;
}

/** Stop reasons that mean a shard failed, so its slice was not measured: the merge is incomplete. */
const FAILED_STOPS: ReadonlySet<StopReason> = new Set<StopReason>(['worker-crash']);

/**
 * The fields that must be equal on every shard for their histograms and intervals to add up to
 * the one run they are slices of: how histograms were recorded, the schedule (target, profile,
 * arrival process, seed, interval, caps, shard count, start), the run id and the request mix.
 */
const SAME_ON_EVERY_SHARD: readonly [string, (r: RunResult) => unknown][] = [
  ['config.histogram', (r) => r.config.histogram],
  ['runId', (r) => r.runId],
  ['target', (r) => r.target],
  ['config.profile', (r) => r.config.profile],
  ['config.arrivals', (r) => r.config.arrivals],
  ['config.seed', (r) => r.config.seed],
  ['config.intervalMs', (r) => r.config.intervalMs],
  ['config.plannedRequests', (r) => r.config.plannedRequests],
  ['config.maxRequests', (r) => r.config.maxRequests],
  ['config.maxRps', (r) => r.config.maxRps],
  ['shard.count', (r) => r.shard?.count],
  ['shard.startAt', (r) => r.shard?.startAt],
  ['byName', (r) => r.byName?.map((n) => `${n.kind}:${n.journey ? `${n.journey}/` : ''}${n.name}`)],
];

/**
 * Adds shard results into the result of the one run they are slices of: the same schema as a
 * single-machine result. Histograms are added, never averaged (HdrHistogram add: percentiles of
 * the merge are exact to the recording precision), interval by interval and per name; counts add.
 *
 * Refuses (ShardMismatchError, naming every difference) results that are not shards, a shard
 * given twice, and shards whose histogram settings, schedule or run id differ. A shard that is
 * missing, or whose result says it crashed, makes the merge `incomplete`: it is still written,
 * with every shard that is there, and lists what is missing, so it never passes for a whole run.
 */
export function mergeShardResults(inputs: readonly ShardInput[]): RunResult {
  const issues: ValidationIssue[] = [];
  if (inputs.length === 0) throw new ShardMismatchError([{ path: '<result.json…>', message: 'needs at least one shard result' }]);
  for (const { source, result } of inputs) {
    if (result.kind !== 'run') {
      issues.push({
        path: source,
        message: `is a ${String(result.kind)} result; merge adds the run results of shards (a distributed ramp's coordinator writes the merged ramp itself)`,
      });
    } else if (!result.shard) {
      issues.push({
        path: source,
        message: 'is not a shard\'s result (it has no "shard" field): run each shard with --shard i/N (or --shards N in an Indexed Job)',
      });
    } else if (!result.config.histogram) {
      issues.push({
        path: source,
        message:
          'does not record its histogram settings (config.histogram): it was written by an older overload, so its histograms cannot be added safely',
      });
    }
  }
  if (issues.length > 0) throw new ShardMismatchError(issues);

  const seen = new Map<number, string>();
  for (const { source, result } of inputs) {
    const other = seen.get(result.shard!.index);
    if (other !== undefined)
      issues.push({ path: source, message: `is shard ${result.shard!.index} again (already given as ${other}): give each shard once` });
    else seen.set(result.shard!.index, source);
  }
  const first = inputs[0]!;
  for (const [field, read] of SAME_ON_EVERY_SHARD) {
    const expected = JSON.stringify(read(first.result));
    for (const other of inputs.slice(1)) {
      const got = JSON.stringify(read(other.result));
      if (got !== expected) {
        issues.push({
          path: field,
          message: `differs: ${labelOf(first)} has ${expected ?? 'none'}, ${labelOf(other)} has ${got ?? 'none'}`,
        });
      }
    }
  }
  if (issues.length > 0) throw new ShardMismatchError(issues);

  const shards = [...inputs].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  const results = shards.map((s) => s.result);
  const base = results[0]!;
  const count = base.shard!.count;
  const present = new Set(results.map((r) => r.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i));
  const failed = shards
    .filter((s) => FAILED_STOPS.has(s.result.stopReason))
    .map((s) => ({ index: s.result.shard!.index, reason: s.result.stopDetail ?? s.result.stopReason }));

  const names = base.byName ?? [];
  const intervals = mergeShardIntervals(
    results.map((r) => r.intervals),
    base.config.intervalMs,
    arrivalNamesOf(names),
  );
  const latency = addEncoded(results.map((r) => r.histograms.latency));
  const serviceTime = addEncoded(results.map((r) => r.histograms.serviceTime));
  const lag = addEncoded(results.map((r) => r.histograms.lag));
  const errorsByClass = emptyErrorCounts();
  const statusCodes: Record<string, number> = {};
  for (const r of results) {
    for (const c of Object.keys(errorsByClass) as (keyof ErrorCounts)[]) errorsByClass[c] += r.errorsByClass[c] ?? 0;
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  // One example message per error class, from the first shard that saw one.
  const errorExamples: Partial<Record<ErrorClass, string>> = {};
  for (const r of results) for (const [c, m] of Object.entries(r.errorExamples ?? {})) errorExamples[c as ErrorClass] ??= m;
  const stopped = shards.find((s) => s.result.stopReason !== 'completed');
  const incomplete = missing.length > 0 || failed.length > 0 ? incompleteOf(count, missing, failed) : undefined;
  const workerErrors = shards.flatMap((s) =>
    (s.result.workerErrors ?? []).map((e) => ({ ...e, message: `shard ${s.result.shard!.index}: ${e.message}` })),
  );
  const merged: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'run',
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    stopReason: stopped ? stopped.result.stopReason : 'completed',
    ...(stopped ? { stopDetail: `shard ${stopped.result.shard!.index}: ${stopped.result.stopDetail ?? stopped.result.stopReason}` } : {}),
    ...(stopped
      ? partialOf(
          stopped.result.stopReason,
          `shard ${stopped.result.shard!.index}: ${stopped.result.stopDetail ?? stopped.result.stopReason}`,
        )
      : {}),
    target: base.target,
    config: base.config,
    totals: sumCounts(intervals),
    errorsByClass,
    ...(Object.keys(errorExamples).length > 0 ? { errorExamples } : {}),
    statusCodes,
    latencyMs: summarizeMs(latency),
    serviceTimeMs: summarizeMs(serviceTime),
    generator: mergeGenerators(shards, lag),
    intervals,
    ...(names.length > 0
      ? {
          byName: names.map((entry, k) => ({
            kind: entry.kind,
            name: entry.name,
            ...(entry.journey ? { journey: entry.journey } : {}),
            ...mergeNameReports(results.map((r) => r.byName![k]!)),
          })),
        }
      : {}),
    histograms: { latency: encodeHistogram(latency), serviceTime: encodeHistogram(serviceTime), lag: encodeHistogram(lag) },
    ...(workerErrors.length > 0 ? { workerErrors } : {}),
    runId: base.runId,
    budgets: {
      limits: addRecords(results.map((r) => r.budgets.limits)),
      used: addRecords(results.map((r) => r.budgets.used)),
    },
    shards: { count, merged: results.map((r) => r.shard!.index), ...(base.shard!.startAt ? { startAt: base.shard!.startAt } : {}) },
    ...(incomplete ? { incomplete } : {}),
  };
  return merged;
}

function labelOf(input: ShardInput): string {
  return input.result.shard ? `shard ${input.result.shard.index} (${input.source})` : input.source;
}

function incompleteOf(count: number, missing: readonly number[], failed: IncompleteInfo['failed']): IncompleteInfo {
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`no result from shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count}`);
  for (const f of failed) parts.push(`shard ${f.index} failed: ${f.reason}`);
  return { missing, failed, detail: `${parts.join('; ')}; the merged numbers cover only the shards that are there` };
}

function addEncoded(encoded: readonly string[]) {
  const out = createHistogram();
  for (const e of encoded) if (e) out.add(decodeHistogram(e));
  return out;
}

function addRecords(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Saturation is a property of each machine: the merged run is saturated when any shard's generator
 * was, for that shard's reasons. Lag percentiles come from the added lag histograms.
 */
function mergeGenerators(shards: readonly ShardInput[], lag: ReturnType<typeof createHistogram>): GeneratorHealth {
  const gens = shards.map((s) => ({ index: s.result.shard!.index, g: s.result.generator }));
  const g0 = gens[0]!.g;
  const lagMsP99 = percentileMs(lag, 99);
  const notes = gens.flatMap(({ index, g }) => g.notes.map((n) => `shard ${index}: ${n}`));
  return {
    workers: gens.reduce((n, { g }) => n + g.workers, 0),
    connectionsPerWorker: g0.connectionsPerWorker,
    client: g0.client,
    maxInFlight: gens.reduce((n, { g }) => n + g.maxInFlight, 0),
    lagMsP99,
    lagMsMax: lag.totalCount === 0 ? 0 : lag.maxValue / 1000,
    lagThresholdMs: g0.lagThresholdMs,
    droppedGenerator: gens.reduce((n, { g }) => n + g.droppedGenerator, 0),
    eluMax: Math.max(...gens.map(({ g }) => g.eluMax)),
    saturated: gens.some(({ g }) => g.saturated),
    reasons: gens.flatMap(({ index, g }) => g.reasons.map((r) => `shard ${index}: ${r}`)),
    notes,
  };
}

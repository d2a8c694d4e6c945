import { type IntervalReport, type IntervalStats, mergeReports, type NameReport } from '../run/interval.js';

/**
 * An interval merged on one machine, read back as one more report to add: counts add and the
 * encoded histograms merge bucket by bucket, exactly as the reports of one machine's workers did.
 */
export function asReport(i: IntervalStats): IntervalReport {
  return {
    index: i.index,
    durationMs: i.durationMs,
    offered: i.offered,
    sent: i.sent,
    dropped: i.dropped,
    droppedGenerator: i.droppedGenerator,
    responses: i.responses,
    ok: i.ok,
    errors: i.errorsByClass,
    abandoned: i.abandoned,
    statusCodes: i.statusCodes,
    inFlight: i.inFlight,
    elu: i.generatorElu,
    latency: i.histograms.latency,
    serviceTime: i.histograms.serviceTime,
    lag: i.histograms.lag,
    // NameStats carries its histograms under `histograms`; mergeNameReports reads either shape.
    ...(i.byName ? { byName: i.byName as unknown as readonly NameReport[] } : {}),
  };
}

/**
 * Merges the intervals of several shards by index (schedule time since the shared T0, never a
 * wall clock): interval k of the merge holds interval k of every shard that has one. A shard that
 * stopped early simply has no later intervals.
 */
export function mergeShardIntervals(
  perShard: readonly (readonly IntervalStats[])[],
  intervalMs: number,
  arrivalNames?: readonly number[],
): IntervalStats[] {
  const byIndex = new Map<number, IntervalStats[]>();
  for (const intervals of perShard) {
    for (const i of intervals) {
      const list = byIndex.get(i.index);
      if (list) list.push(i);
      else byIndex.set(i.index, [i]);
    }
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((k) => mergeReports(k, intervalMs, byIndex.get(k)!.map(asReport), arrivalNames));
}

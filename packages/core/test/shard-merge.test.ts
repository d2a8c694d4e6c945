import {
  ArrivalCursor,
  buildRunResult,
  compileProfile,
  createHistogram,
  decodeHistogram,
  emptyErrorCounts,
  encodeHistogram,
  IntervalAggregator,
  mergeShardResults,
  parseShardSpec,
  parseStartAt,
  recordMicros,
  resolveRunConfig,
  type RunResult,
  ShardMismatchError,
  type ShardSpec,
  shareOf,
  sliceOf,
  splitBudgets,
  summarizeMs,
} from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const INTERVALS = 3;

/** A shard's result as the engine builds it: its interval histograms, merged by the aggregator. */
function shardResult(
  shard: ShardSpec,
  samplesUs: readonly (readonly number[])[],
  over: { runId?: string; seed?: number; stopReason?: RunResult['stopReason'] } = {},
): RunResult {
  const config = resolveRunConfig(
    {
      url: 'http://127.0.0.1:9/',
      rateRps: 100,
      durationMs: `${INTERVALS}s`,
      workers: 1,
      shard,
      runId: over.runId ?? 'run-1',
      seed: over.seed ?? 1,
      startAtEpochMs: 1_800_000_000_000,
    },
    { defaultWorkers: 1 },
  );
  const aggregator = new IntervalAggregator(1, 1000);
  samplesUs.forEach((samples, index) => {
    const h = createHistogram();
    for (const v of samples) recordMicros(h, v);
    const lag = createHistogram();
    for (const _ of samples) recordMicros(lag, 100);
    const n = samples.length;
    aggregator.add(0, {
      index,
      offered: n,
      sent: n,
      dropped: 0,
      droppedGenerator: 0,
      responses: n,
      ok: n,
      errors: emptyErrorCounts(),
      abandoned: 0,
      statusCodes: n > 0 ? { '200': n } : {},
      inFlight: 0,
      elu: 0.1,
      latency: encodeHistogram(h),
      serviceTime: encodeHistogram(h),
      lag: encodeHistogram(lag),
    });
  });
  aggregator.finish(0);
  aggregator.flush();
  return buildRunResult({
    config,
    startedAt: new Date(0),
    durationMs: INTERVALS * 1000,
    stopReason: over.stopReason ?? 'completed',
    aggregator,
    budgets: { limits: { emails: shareOf(10, shard) }, used: {} },
  });
}

/**
 * What one machine reports for these samples: recorded in a worker, encoded to cross to the main
 * thread, decoded there (a decoded histogram's max is its bucket's highest equivalent value).
 */
function summaryOf(samples: readonly number[]) {
  const h = createHistogram();
  for (const v of samples) recordMicros(h, v);
  return summarizeMs(decodeHistogram(encodeHistogram(h)));
}

describe('one schedule, N slices', () => {
  it('shards × workers fire exactly the arrivals of the one schedule, each once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 50, max: 900 }),
        fc.boolean(),
        (shards, workers, rateRps, poisson) => {
          const curve = compileProfile({ kind: 'linear', fromRps: 10, toRps: rateRps, durationMs: 2000 });
          const arrivals = poisson ? 'poisson' : 'uniform';
          const whole: [number, number][] = [];
          const one = new ArrivalCursor(curve, { arrivals, seed: 7 });
          while (one.next()) whole.push([one.index, one.offsetMs]);
          const union: [number, number][] = [];
          for (let s = 0; s < shards; s++) {
            for (let w = 0; w < workers; w++) {
              const c = new ArrivalCursor(curve, { arrivals, seed: 7, ...sliceOf({ index: s, count: shards }, workers, w) });
              while (c.next()) union.push([c.index, c.offsetMs]);
            }
          }
          union.sort((a, b) => a[0] - b[0]);
          expect(union).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('caps and budgets split by floor/remainder add up to the whole exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        const shares = Array.from({ length: count }, (_, index) => shareOf(total, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
    expect(splitBudgets({ emails: 10, orders: 3 }, { index: 0, count: 4 })).toEqual({ emails: 3, orders: 1 });
    expect(splitBudgets({ emails: 10, orders: 3 }, { index: 3, count: 4 })).toEqual({ emails: 2, orders: 0 });
  });

  it('--shard and --start-at refuse what cannot work, naming the fix', () => {
    expect(parseShardSpec('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShardSpec('4/4')).toThrow(/index from 0 to 3/);
    expect(() => parseShardSpec('1-4')).toThrow(/i\/N/);
    expect(parseStartAt('+30s', 1000)).toBe(31_000);
    expect(parseStartAt('2026-12-01T10:00:00Z', 0)).toBe(Date.UTC(2026, 11, 1, 10));
    expect(parseStartAt('2026-12-01T11:00:00+01:00', 0)).toBe(Date.UTC(2026, 11, 1, 10));
    expect(() => parseStartAt('2026-12-01T10:00:00', 0)).toThrow(/with its zone/);
    expect(() => parseStartAt('+soon', 0)).toThrow(/\+30s/);
  });
});

describe('overload merge: exact, or it refuses', () => {
  it("gives the percentiles of one histogram holding every shard's samples, overall and per interval", () => {
    const latencyUs = fc.integer({ min: 1, max: 20_000_000 });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((count) =>
          fc.array(fc.array(fc.array(latencyUs, { maxLength: 60 }), { minLength: INTERVALS, maxLength: INTERVALS }), {
            minLength: count,
            maxLength: count,
          }),
        ),
        (perShard) => {
          const count = perShard.length;
          const merged = mergeShardResults(
            perShard.map((samples, index) => ({ source: `s${index}.json`, result: shardResult({ index, count }, samples) })),
          );
          const all = perShard.flat(2);
          expect(merged.latencyMs).toEqual(summaryOf(all));
          expect(merged.totals.sent).toBe(all.length);
          for (let k = 0; k < INTERVALS; k++) {
            expect(merged.intervals[k]!.latencyMs).toEqual(summaryOf(perShard.flatMap((s) => s[k]!)));
          }
          expect(merged.incomplete).toBeUndefined();
          expect(merged.shards).toEqual({ count, merged: perShard.map((_, i) => i), startAt: new Date(1_800_000_000_000).toISOString() });
          expect(merged.budgets.limits.emails).toBe(10);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses different run ids, schedules and histogram settings, naming each difference', () => {
    const a = shardResult({ index: 0, count: 2 }, [[1000], [1000], [1000]]);
    const b = shardResult({ index: 1, count: 2 }, [[1000], [1000], [1000]], { runId: 'other', seed: 9 });
    const c = {
      ...b,
      runId: 'run-1',
      config: { ...b.config, seed: 1, histogram: { ...b.config.histogram!, numberOfSignificantValueDigits: 2 } },
    };
    const error = (() => {
      try {
        mergeShardResults([
          { source: 'a.json', result: a },
          { source: 'b.json', result: b },
        ]);
      } catch (e) {
        return e as ShardMismatchError;
      }
    })();
    expect(error).toBeInstanceOf(ShardMismatchError);
    expect(error!.code).toBe('OVL_SHARD_MISMATCH');
    expect(error!.message).toContain('runId differs: shard 0 (a.json) has "run-1", shard 1 (b.json) has "other"');
    expect(error!.message).toContain('config.seed differs');
    expect(() =>
      mergeShardResults([
        { source: 'a.json', result: a },
        { source: 'c.json', result: c },
      ]),
    ).toThrow(/config\.histogram differs/);
    const single = { ...a, shard: undefined };
    expect(() => mergeShardResults([{ source: 'plain.json', result: single }])).toThrow(/not a shard's result/);
  });

  it('a missing or crashed shard makes the merge incomplete, listing it', () => {
    const s = (index: number, stopReason?: RunResult['stopReason']) => ({
      source: `s${index}.json`,
      result: shardResult({ index, count: 4 }, [[500], [500], [500]], stopReason ? { stopReason } : {}),
    });
    const merged = mergeShardResults([s(0), s(2, 'worker-crash'), s(3)]);
    expect(merged.incomplete?.missing).toEqual([1]);
    expect(merged.incomplete?.failed.map((f) => f.index)).toEqual([2]);
    expect(merged.incomplete?.detail).toMatch(/no result from shard 1 of 4; shard 2 failed/);
    expect(merged.shards?.merged).toEqual([0, 2, 3]);
  });
});

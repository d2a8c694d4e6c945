import {
  type ConditionVerdict,
  createHistogram,
  decodeHistogram,
  formatCondition,
  generatorVerdict,
  judgeWindow,
  parseSlo,
  percentileMs,
  type ProbeSample,
} from '@overload/core';
import { describe, expect, it } from 'vitest';
import { interval, intervals } from './support/intervals.js';

const byName = (conditions: readonly ConditionVerdict[], name: string) => conditions.find((c) => c.name === name)!;

describe('judgeWindow: latency', () => {
  it('takes percentiles from the merged histograms, never the average of interval percentiles', () => {
    // Five seconds at 1,000 responses each; one bad second in which 60 took 2 s.
    const window = intervals(0, 5, (k) => ({ latencyMs: k === 2 ? [[10, 940], [2000, 60]] : [[10, 1000]] }));
    const slo = parseSlo('p99<500ms');
    const p99s = window.map((i) => i.latencyMs.p99);
    const averaged = p99s.reduce((a, b) => a + b, 0) / p99s.length;
    expect(averaged).toBeLessThan(500); // averaging would hide the bad second…

    const merged = createHistogram();
    for (const i of window) merged.add(decodeHistogram(i.histograms.latency));
    const verdict = judgeWindow(window, slo);
    const p99 = byName(verdict.conditions, 'p99');
    expect(p99.observed).toBe(percentileMs(merged, 99)); // …the merge is exact: 60 of 5,000 is 1.2 % > 1 %
    expect(p99.observed).toBeGreaterThan(1990);
    expect(p99).toMatchObject({ kind: 'latency', limit: 500, op: '<=', unit: 'ms', ok: false });
    expect(verdict.ok).toBe(false);
    expect(formatCondition(p99)).toBe('p99 2 s > 500 ms');
  });

  it('does not breach on a percentile that rests on too few responses', () => {
    const slo = parseSlo('p99<500ms,p50<100ms');
    const few = judgeWindow([interval({ latencyMs: [[2000, 999]] })], slo);
    expect(byName(few.conditions, 'p99')).toMatchObject({
      ok: true,
      observed: expect.closeTo(2000, -1),
      detail: 'not judged: only 999 responses, p99 needs 1,000',
    });
    // p50 needs only 20, so the same window still breaches on it.
    expect(byName(few.conditions, 'p50').ok).toBe(false);

    const enough = judgeWindow([interval({ latencyMs: [[2000, 1000]] })], parseSlo('p99<500ms'));
    expect(byName(enough.conditions, 'p99').ok).toBe(false);
    expect(judgeWindow([interval({ latencyMs: [[2000, 999]] })], parseSlo('p99<500ms')).ok).toBe(true);
  });

  it('can still breach through errors or throughput with a single request', () => {
    const slo = parseSlo('p99<500ms,errors<1%');
    const timedOut = judgeWindow([interval({ transportErrors: 1 })], slo);
    expect(timedOut.ok).toBe(false);
    expect(byName(timedOut.conditions, 'errors')).toMatchObject({ observed: 100, ok: false });
    expect(byName(timedOut.conditions, 'achieved')).toMatchObject({ observed: 0, ok: false });
  });
});

describe('judgeWindow: errors, achieved, drops', () => {
  it('error rate = errors / (responses + transport errors)', () => {
    // 95 responses (3 of them 503s) and 5 timeouts: 8 failures in 100 attempts.
    const v = judgeWindow([interval({ latencyMs: [[5, 95]], statusErrors: 3, transportErrors: 5 })], parseSlo('errors<1%'));
    expect(byName(v.conditions, 'errors')).toMatchObject({ kind: 'errors', observed: 8, limit: 1, unit: '%', ok: false, detail: '8 of 100 requests failed' });
    expect(formatCondition(byName(v.conditions, 'errors'))).toBe('errors 8 % > 1 %');
    const fine = judgeWindow([interval({ latencyMs: [[5, 1000]], statusErrors: 10 })], parseSlo('errors<1%'));
    expect(byName(fine.conditions, 'errors')).toMatchObject({ observed: 1, ok: true }); // limits are inclusive
  });

  it('achieved = responses / arrivals asked of the target, the throughput shortfall', () => {
    const short = judgeWindow(intervals(0, 2, () => ({ offered: 1000, latencyMs: [[5, 710]] })), parseSlo('p99<500ms'));
    const achieved = byName(short.conditions, 'achieved');
    expect(achieved).toMatchObject({ kind: 'achieved', observed: 0.71, limit: 0.95, op: '>=', unit: 'ratio', ok: false });
    expect(formatCondition(achieved)).toBe('achieved 71 % < 95 %');
    // Arrivals the generator itself never sent are not the target's shortfall.
    const genDrops = judgeWindow([interval({ offered: 1000, droppedGenerator: 200, latencyMs: [[5, 800]] })], parseSlo('p99<500ms'));
    expect(byName(genDrops.conditions, 'achieved')).toMatchObject({ observed: 1, ok: true });
    // A custom floor.
    expect(judgeWindow([interval({ offered: 100, latencyMs: [[5, 80]] })], parseSlo('achieved>80%')).ok).toBe(true);
    // Nothing offered, nothing to judge.
    expect(byName(judgeWindow([interval({})], parseSlo('p99<1s')).conditions, 'achieved')).toMatchObject({ ok: true, detail: 'not judged: nothing offered' });
  });

  it('any drop at the in-flight cap breaches by default; drops<N% sets a ceiling', () => {
    const one = [interval({ latencyMs: [[5, 999]], dropped: 1 })];
    expect(byName(judgeWindow(one, parseSlo('p99<1s')).conditions, 'drops')).toMatchObject({ kind: 'drops', observed: 0.1, limit: 0, ok: false });
    expect(judgeWindow(one, parseSlo('p99<1s')).ok).toBe(false);
    expect(judgeWindow(one, parseSlo('p99<1s,drops<1%')).ok).toBe(true);
  });
});

describe('judgeWindow: probes', () => {
  const window = intervals(10_000, 5, () => ({ latencyMs: [[5, 100]] })); // [10 s, 15 s)
  const sample = (tMs: number, value: number | null, ok = value !== null, error?: string): ProbeSample => ({ tMs, value, ok, ...(error ? { error } : {}) });

  it('judges a gauge on every sample inside the window and reports the worst', () => {
    const slo = parseSlo('queue_depth<1000');
    const rising = { queue_depth: [sample(9_000, 5000), sample(11_000, 10), sample(14_000, 1500), sample(15_000, 3)] };
    const v = byName(judgeWindow(window, slo, rising).conditions, 'queue_depth');
    expect(v).toMatchObject({ kind: 'probe', observed: 1500, limit: 1000, op: '<', unit: '', ok: false });
    expect(formatCondition(v)).toBe('queue_depth 1,500 >= 1,000');
    // A spike that was gone by the window's end still breaches (a breaker shedding all load
    // empties the queue it had filled), and the verdict shows the spike.
    const absorbed = { queue_depth: [sample(11_000, 5000), sample(14_000, 20)] };
    expect(byName(judgeWindow(window, slo, absorbed).conditions, 'queue_depth')).toMatchObject({ observed: 5000, ok: false });
    // Samples outside the window do not count.
    expect(judgeWindow(window, slo, { queue_depth: [sample(9_000, 5000), sample(12_000, 20)] }).ok).toBe(true);
  });

  it('an unreachable probe breaches its conditions instead of crashing', () => {
    const slo = parseSlo('queue_depth<1000,health ok');
    const probes = { queue_depth: [sample(11_000, 10), sample(13_000, null, false, 'ECONNREFUSED')], health: [sample(12_000, 0, false, 'status 503')] };
    const v = judgeWindow(window, slo, probes);
    expect(v.ok).toBe(false);
    expect(v.conditions.filter((c) => !c.ok).map(formatCondition)).toEqual(['queue_depth unreachable: ECONNREFUSED', 'health not ok: status 503']);
    expect(Number.isNaN(byName(v.conditions, 'queue_depth').observed)).toBe(true);
    // breaker_open==0 with a sample that read nothing.
    expect(judgeWindow(window, parseSlo('breaker_open==0'), { breaker_open: [sample(12_000, null, false, 'timeout')] }).ok).toBe(false);
  });

  it('does not judge a probe without samples in the window', () => {
    const slo = parseSlo('breaker_open==0');
    const outside = judgeWindow(window, slo, { breaker_open: [sample(5_000, 1), sample(15_000, 1)] });
    expect(outside.ok).toBe(true);
    expect(outside.conditions[2]).toMatchObject({ name: 'breaker_open', ok: true, detail: 'not judged: no sample in the window' });
    expect(judgeWindow(window, slo, {}).conditions[2]!.detail).toBe('not judged: no probe of that name was recorded');
    expect(judgeWindow(window, slo, { breaker_open: [sample(12_000, 0)] }).ok).toBe(true);
    expect(judgeWindow(window, slo, { breaker_open: [sample(12_000, 1)] }).ok).toBe(false);
  });
});

describe('generatorVerdict', () => {
  it('is saturated when the merged lag p99 exceeds the threshold, and says at what rate', () => {
    const lagging = intervals(0, 4, () => ({ offered: 4000, latencyMs: [[5, 4000]], lagMs: [[1, 3900], [23, 100]] }));
    const v = generatorVerdict(lagging, { lagThresholdMs: 5 });
    expect(v.saturated).toBe(true);
    expect(v.lagMsP99).toBeCloseTo(23, 0);
    expect(v.detail).toBe('lag p99 23 ms > 5 ms at 4,000 req/s');
    expect(generatorVerdict(lagging, { lagThresholdMs: 30 }).saturated).toBe(false);
  });

  it('is saturated by any generator drop', () => {
    const v = generatorVerdict([interval({ offered: 1000, droppedGenerator: 3, latencyMs: [[5, 997]] })], { lagThresholdMs: 5 });
    expect(v).toMatchObject({ saturated: true, droppedGenerator: 3, detail: '3 arrivals dropped by the generator at 1,000 req/s' });
    expect(generatorVerdict([interval({ latencyMs: [[5, 1000]] })], { lagThresholdMs: 5 })).toMatchObject({ saturated: false, reasons: [] });
  });
});

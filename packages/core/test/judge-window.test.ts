import {
  type ConditionOutcome,
  DEFAULT_MAX_ERROR_RATE,
  arrivalNamesOf,
  judgeMerged,
  mergeWindow,
  createHistogram,
  decodeHistogram,
  formatCondition,
  judgeWindow,
  parseSlo,
  percentileMs,
  type ProbeSample,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { interval, intervals } from './support/intervals.js';

const byName = (conditions: readonly ConditionOutcome[], name: string) => conditions.find((c) => c.name === name)!;

describe('judgeWindow: latency', () => {
  it('takes percentiles from the merged histograms, never the average of interval percentiles', () => {
    // Five seconds at 1,000 responses each; one bad second in which 60 took 2 s.
    const window = intervals(0, 5, (k) => ({
      latencyMs:
        k === 2
          ? [
              [10, 940],
              [2000, 60],
            ]
          : [[10, 1000]],
    }));
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
    expect(p99).toMatchObject({ kind: 'latency', limit: 500, op: '<=', unit: 'ms', status: 'breached', ok: false });
    expect(verdict.breached).toBe(true);
    expect(formatCondition(p99)).toBe('p99 2 s > 500 ms');
  });

  it('leaves a percentile that rests on too few responses unjudged: neither held nor breached', () => {
    const slo = parseSlo('p99<500ms,p50<100ms');
    const few = judgeWindow([interval({ latencyMs: [[2000, 999]] })], slo);
    expect(byName(few.conditions, 'p99')).toMatchObject({
      status: 'unjudged',
      ok: false,
      observed: expect.closeTo(2000, -1),
      detail: 'not judged: only 999 responses, p99 needs 1,000',
    });
    expect(formatCondition(byName(few.conditions, 'p99'))).toBe('p99 not judged: only 999 responses, p99 needs 1,000');
    // p50 needs only 20, so the same window still breaches on it.
    expect(byName(few.conditions, 'p50').status).toBe('breached');

    const enough = judgeWindow([interval({ latencyMs: [[2000, 1000]] })], parseSlo('p99<500ms'));
    expect(byName(enough.conditions, 'p99').status).toBe('breached');
    const fastButFew = judgeWindow([interval({ latencyMs: [[5, 999]] })], parseSlo('p99<500ms'));
    // It did not pass: a step judged like this can never be the knee.
    expect(fastButFew).toMatchObject({ ok: false, breached: false, unjudged: true });
    expect(judgeWindow([interval({ latencyMs: [[5, 1000]] })], parseSlo('p99<500ms'))).toMatchObject({
      ok: true,
      breached: false,
      unjudged: false,
    });
  });

  it('counts timeouts recorded at the moment they ended towards the percentile', () => {
    // 985 fast responses and 15 requests that timed out at 5 s: p99 is the timeout.
    const v = judgeWindow([interval({ latencyMs: [[5, 985]], failedMs: [[5000, 15]] })], parseSlo('p99<500ms,errors<5%'));
    expect(byName(v.conditions, 'p99')).toMatchObject({ status: 'breached', observed: expect.closeTo(5000, -1) });
    expect(byName(v.conditions, 'errors')).toMatchObject({ status: 'held', observed: 1.5 });
  });

  it('can still breach through errors or throughput with a single request', () => {
    const slo = parseSlo('p99<500ms,errors<1%');
    const timedOut = judgeWindow([interval({ transportErrors: 1 })], slo);
    expect(timedOut.breached).toBe(true);
    expect(byName(timedOut.conditions, 'errors')).toMatchObject({ observed: 100, status: 'breached' });
    expect(byName(timedOut.conditions, 'achieved')).toMatchObject({ observed: 0, status: 'breached' });
  });
});

describe('judgeWindow: errors, achieved, drops', () => {
  it('error rate = errors / (responses + transport errors)', () => {
    // 95 responses (3 of them 503s) and 5 timeouts: 8 failures in 100 attempts.
    const v = judgeWindow([interval({ latencyMs: [[5, 95]], statusErrors: 3, transportErrors: 5 })], parseSlo('errors<1%'));
    expect(byName(v.conditions, 'errors')).toMatchObject({
      kind: 'errors',
      observed: 8,
      limit: 1,
      unit: '%',
      status: 'breached',
      detail: '8 of 100 requests failed',
    });
    expect(formatCondition(byName(v.conditions, 'errors'))).toBe('errors 8 % > 1 %');
    const fine = judgeWindow([interval({ latencyMs: [[5, 1000]], statusErrors: 10 })], parseSlo('errors<1%'));
    expect(byName(fine.conditions, 'errors')).toMatchObject({ observed: 1, status: 'held' }); // limits are inclusive
    // Nothing answered and nothing failed yet (every request still in flight): not judged.
    expect(byName(judgeWindow([interval({ offered: 100 })], parseSlo('errors<1%')).conditions, 'errors')).toMatchObject({
      status: 'unjudged',
      detail: 'not judged: no request answered or failed',
    });
  });

  it('limits errors to 1 % by default, unless the SLO sets its own limit', () => {
    const shedding = [interval({ offered: 1000, latencyMs: [[1, 1000]], statusErrors: 30 })];
    // p99<200ms alone: 3 % fast 503s still breach, on the default error limit.
    const v = judgeWindow(shedding, parseSlo('p99<200ms'));
    expect(byName(v.conditions, 'errors')).toMatchObject({ status: 'breached', observed: 3, limit: 1 });
    expect(byName(v.conditions, 'p99').status).toBe('held');
    expect(DEFAULT_MAX_ERROR_RATE).toBe(0.01);
    // The user's own limit replaces it.
    expect(byName(judgeWindow(shedding, parseSlo('p99<200ms,errors<5%')).conditions, 'errors')).toMatchObject({ status: 'held', limit: 5 });
    expect(judgeWindow(shedding, parseSlo('p99<200ms,errors<100%')).ok).toBe(true);
  });

  it('achieved = successful responses / arrivals asked of the target: fast errors are not throughput', () => {
    const short = judgeWindow(
      intervals(0, 2, () => ({ offered: 1000, latencyMs: [[5, 710]] })),
      parseSlo('p99<500ms'),
    );
    const achieved = byName(short.conditions, 'achieved');
    expect(achieved).toMatchObject({ kind: 'achieved', observed: 0.71, limit: 0.95, op: '>=', unit: 'ratio', status: 'breached' });
    expect(formatCondition(achieved)).toBe('achieved 71 % < 95 %');
    // A target shedding 40 % of its load as fast 503s answers every request, quickly: those
    // answers pull the percentiles down and are not throughput.
    const shed = judgeWindow([interval({ offered: 1000, latencyMs: [[1, 1000]], statusErrors: 400 })], parseSlo('p99<200ms,errors<100%'));
    expect(byName(shed.conditions, 'achieved')).toMatchObject({
      observed: 0.6,
      status: 'breached',
      detail: '600 successful responses for 1,000 arrivals',
    });
    expect(byName(shed.conditions, 'p99').status).toBe('held');
    // Arrivals the generator itself never sent are not the target's shortfall.
    const genDrops = judgeWindow([interval({ offered: 1000, droppedGenerator: 200, latencyMs: [[5, 800]] })], parseSlo('p99<500ms'));
    expect(byName(genDrops.conditions, 'achieved')).toMatchObject({ observed: 1, status: 'held' });
    // A custom floor.
    expect(judgeWindow([interval({ offered: 100, latencyMs: [[5, 80]] })], parseSlo('achieved>80%')).breached).toBe(false);
    // Nothing offered, nothing to judge.
    expect(byName(judgeWindow([interval({})], parseSlo('p99<1s')).conditions, 'achieved')).toMatchObject({
      status: 'unjudged',
      detail: 'not judged: nothing offered',
    });
  });

  it('with journeys, achieved counts the journeys that ended ok, not their requests', () => {
    // names: the journey, then its three steps. 1,000 journeys asked; each sent three requests,
    // every request answered 200, but only 600 journeys ended ok (the others gave up polling).
    const names = [{ kind: 'journey' }, { kind: 'step' }, { kind: 'step' }, { kind: 'step' }];
    const w = mergeWindow([interval({ offered: 1000, latencyMs: [[5, 3000]], namesOk: [600, 1000, 1000, 600] })], arrivalNamesOf(names));
    expect(w).toMatchObject({ ok: 3000, arrivalsOk: 600 });
    const v = judgeMerged(w, parseSlo('p99<1s'));
    expect(byName(v.conditions, 'achieved')).toMatchObject({
      observed: 0.6,
      status: 'breached',
      detail: '600 arrivals that ended ok for 1,000 arrivals',
    });
    // Without the names, three requests per arrival would read as 300 % achieved.
    expect(
      byName(
        judgeMerged(mergeWindow([interval({ offered: 1000, latencyMs: [[5, 3000]], namesOk: [600, 1000, 1000, 600] })]), parseSlo('p99<1s'))
          .conditions,
        'achieved',
      ).observed,
    ).toBe(3);
    expect(arrivalNamesOf([{ kind: 'request' }, { kind: 'journey' }, { kind: 'step' }])).toEqual([0, 1]);
    expect(arrivalNamesOf([])).toBeUndefined();
  });

  it('any drop at the in-flight cap breaches by default; drops<N% sets a ceiling', () => {
    const one = [interval({ latencyMs: [[5, 999]], dropped: 1 })];
    expect(byName(judgeWindow(one, parseSlo('p99<1s')).conditions, 'drops')).toMatchObject({
      kind: 'drops',
      observed: 0.1,
      limit: 0,
      status: 'breached',
    });
    expect(judgeWindow(one, parseSlo('p99<1s')).breached).toBe(true);
    expect(judgeWindow(one, parseSlo('p99<1s,drops<1%')).breached).toBe(false);
  });
});

describe('judgeWindow: probes', () => {
  const window = intervals(10_000, 5, () => ({ latencyMs: [[5, 100]] })); // [10 s, 15 s)
  const sample = (tMs: number, value: number | null, ok = value !== null, error?: string): ProbeSample => ({
    tMs,
    value,
    ok,
    ...(error ? { error } : {}),
  });

  it('judges a gauge on every sample inside the window and reports the worst', () => {
    const slo = parseSlo('queue_depth<1000');
    const rising = { queue_depth: [sample(9_000, 5000), sample(11_000, 10), sample(14_000, 1500), sample(15_000, 3)] };
    const v = byName(judgeWindow(window, slo, rising).conditions, 'queue_depth');
    expect(v).toMatchObject({ kind: 'probe', observed: 1500, limit: 1000, op: '<', unit: '', status: 'breached' });
    expect(formatCondition(v)).toBe('queue_depth 1,500 >= 1,000');
    // A spike that was gone by the window's end still breaches (a breaker shedding all load
    // empties the queue it had filled), and the verdict shows the spike.
    const absorbed = { queue_depth: [sample(11_000, 5000), sample(14_000, 20)] };
    expect(byName(judgeWindow(window, slo, absorbed).conditions, 'queue_depth')).toMatchObject({ observed: 5000, status: 'breached' });
    // Samples outside the window do not count.
    expect(
      byName(judgeWindow(window, slo, { queue_depth: [sample(9_000, 5000), sample(12_000, 20)] }).conditions, 'queue_depth').status,
    ).toBe('held');
  });

  it('an unreachable probe breaches its conditions instead of crashing', () => {
    const slo = parseSlo('queue_depth<1000,health ok');
    const probes = {
      queue_depth: [sample(11_000, 10), sample(13_000, null, false, 'ECONNREFUSED')],
      health: [sample(12_000, 0, false, 'status 503')],
    };
    const v = judgeWindow(window, slo, probes);
    expect(v.breached).toBe(true);
    expect(v.conditions.filter((c) => c.status === 'breached').map(formatCondition)).toEqual([
      'queue_depth unreachable: ECONNREFUSED',
      'health not ok: status 503',
    ]);
    expect(Number.isNaN(byName(v.conditions, 'queue_depth').observed)).toBe(true);
    // breaker_open==0 with a sample that read nothing.
    expect(judgeWindow(window, parseSlo('breaker_open==0'), { breaker_open: [sample(12_000, null, false, 'timeout')] }).breached).toBe(
      true,
    );
  });

  it('leaves a probe without samples in the window unjudged', () => {
    const slo = parseSlo('breaker_open==0');
    const outside = judgeWindow(window, slo, { breaker_open: [sample(5_000, 1), sample(15_000, 1)] });
    expect(outside).toMatchObject({ ok: false, breached: false, unjudged: true });
    expect(byName(outside.conditions, 'breaker_open')).toMatchObject({ status: 'unjudged', detail: 'not judged: no sample in the window' });
    expect(byName(judgeWindow(window, slo, {}).conditions, 'breaker_open').detail).toBe('not judged: no probe of that name was recorded');
    expect(judgeWindow(window, slo, { breaker_open: [sample(12_000, 0)] }).ok).toBe(true);
    expect(judgeWindow(window, slo, { breaker_open: [sample(12_000, 1)] }).breached).toBe(true);
  });
});

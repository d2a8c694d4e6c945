import { type ProbeSample, ValidationError, formatVerdictLine, judgeRecovery, parseSlo, RampJudge } from '@overload/core';
import { describe, expect, it } from 'vitest';
import { type IntervalSpec, intervals, interval } from './support/intervals.js';

const slo = parseSlo('p99<500ms,errors<1%');
const healthy: IntervalSpec = { offered: 100, latencyMs: [[5, 100]] };
/** A breaker that is open answers every request with a fast 503. */
const breakerOpen: IntervalSpec = { offered: 100, latencyMs: [[1, 100]], statusErrors: 100 };

describe('judgeRecovery', () => {
  it('measures time to recover from the moment the load stopped to the first window that meets the SLO', () => {
    // Baseline at 100 req/s after a 2 s cool-down; the breaker clears 2.2 s into the baseline
    // (4.2 s after the load stopped), so the second [2 s, 3 s) still has 20 failures.
    const baseline = intervals(0, 10, (k) => (k < 2 ? breakerOpen : k === 2 ? { offered: 100, latencyMs: [[5, 100]], statusErrors: 20 } : healthy));
    const v = judgeRecovery(baseline, slo, { windowMs: 3000, cooldownMs: 2000 });
    // Windows slide by one interval: [3 s, 6 s) is the first without an error, so recovery is
    // reported at the first interval boundary after the breaker cleared.
    expect(v).toEqual({
      recovered: true,
      timeToRecoverMs: 5000,
      firstGoodWindowStartMs: 3000,
      failing: [],
      detail: 'recovered after 5 s: the SLO held 3 s into the baseline, after a 2 s cool-down',
    });
  });

  it('a target healthy from the first window recovered within the cool-down', () => {
    const v = judgeRecovery(intervals(0, 6, () => healthy), slo, { cooldownMs: 2500 });
    expect(v).toMatchObject({ recovered: true, timeToRecoverMs: 2500, firstGoodWindowStartMs: 0 });
    expect(v.detail).toBe('recovered after 2.5 s: the SLO held from the start of the baseline, after a 2.5 s cool-down');
  });

  it('a breaker that never clears fails, and the detail says the target stayed broken after the load was gone', () => {
    const breaker: ProbeSample[] = Array.from({ length: 12 }, (_, k) => ({ tMs: -2000 + k * 1000, value: 1, ok: true }));
    const v = judgeRecovery(intervals(0, 10, () => breakerOpen), parseSlo('p99<500ms,errors<1%,breaker_open==0'), {
      windowMs: 3000,
      cooldownMs: 2000,
      probes: { breaker_open: breaker },
    });
    expect(v.recovered).toBe(false);
    expect(v.timeToRecoverMs).toBeUndefined();
    expect(v.failing.map((c) => c.name)).toEqual(['errors', 'breaker_open']);
    expect(v.detail).toBe(
      'did not recover: the target stayed broken after the load was gone. ' +
        '10 s at 100 req/s after a 2 s cool-down still breached errors 100 % > 1 %, breaker_open 1 != 0; ' +
        'probes still failing: breaker_open==0. ' +
        'A metastable failure (e.g. a circuit breaker that never clears): the overload is over, yet the target does not heal by itself.',
    );
  });

  it('waits for probes too: answering again is not recovered while the breaker still reads open', () => {
    const breaker: ProbeSample[] = Array.from({ length: 10 }, (_, k) => ({ tMs: k * 1000 + 500, value: k < 5 ? 1 : 0, ok: true }));
    const v = judgeRecovery(intervals(0, 10, () => healthy), parseSlo('errors<1%,breaker_open==0'), { cooldownMs: 1000, probes: { breaker_open: breaker } });
    // Every sample of a window must read 0: [5 s, 8 s) is the first whose samples all do.
    expect(v).toMatchObject({ recovered: true, firstGoodWindowStartMs: 5000, timeToRecoverMs: 6000 });
    // An unreachable health endpoint keeps the target unrecovered.
    const health: ProbeSample[] = intervals(0, 10, () => healthy).map((i) => ({ tMs: i.startMs, value: null, ok: false, error: 'ECONNREFUSED' }));
    const down = judgeRecovery(intervals(0, 10, () => healthy), parseSlo('errors<1%,health ok'), { cooldownMs: 1000, probes: { health } });
    expect(down.recovered).toBe(false);
    expect(down.detail).toContain('health not ok: ECONNREFUSED; probes still failing: health ok.');
  });

  it('judges a baseline shorter than one window as a whole, and says when there was no baseline', () => {
    expect(judgeRecovery(intervals(0, 2, () => healthy), slo, { windowMs: 3000, cooldownMs: 1000 })).toMatchObject({ recovered: true, timeToRecoverMs: 1000 });
    expect(judgeRecovery([], slo, { cooldownMs: 1000 })).toMatchObject({
      recovered: false,
      detail: 'could not judge recovery: the baseline produced no intervals after a 1 s cool-down',
    });
    expect(() => judgeRecovery([interval(healthy)], slo, { cooldownMs: -1, windowMs: 0 })).toThrow(ValidationError);
  });

  it('ends the verdict line', () => {
    const steps = [
      { index: 0, label: '1000 req/s', startMs: 0, durationMs: 5000, rateRps: 1000 },
      { index: 1, label: '2000 req/s', startMs: 5000, durationMs: 5000, rateRps: 2000 },
    ];
    const judge = new RampJudge({ steps, slo, windowMs: 3000 });
    for (let t = 0; t < 10_000 && !judge.decision; t += 1000) {
      judge.push(interval({ startMs: t, ...(t < 5000 ? { offered: 1000, latencyMs: [[5, 1000]] } : { offered: 2000, latencyMs: [[2300, 1420]] }) }));
    }
    const baseline = intervals(0, 10, (k) => (k < 2 ? breakerOpen : k === 2 ? { ...breakerOpen, statusErrors: 20 } : healthy));
    const recovered = judgeRecovery(baseline, slo, { windowMs: 3000, cooldownMs: 1200 });
    expect(formatVerdictLine(judge.summary(), recovered)).toBe(
      'knee 1,000 req/s; collapsed at 2,000 req/s: p99 2.3 s > 500 ms, achieved 71 % < 95 %; recovered after 4.2 s',
    );
    const stuck = judgeRecovery(intervals(0, 10, () => breakerOpen), slo, { cooldownMs: 2000 });
    expect(formatVerdictLine(judge.summary(), stuck)).toMatch(/; did not recover: errors 100 % > 1 %$/);
  });
});

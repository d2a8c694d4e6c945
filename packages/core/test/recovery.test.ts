import { type ProbeSample, ValidationError, formatVerdictLine, judgeRecovery, parseSlo, RampJudge } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { type IntervalSpec, intervals, interval } from './support/intervals.js';

const slo = parseSlo('p99<500ms,errors<1%');
const healthy: IntervalSpec = { offered: 100, latencyMs: [[5, 100]] };
/** A breaker that is open answers every request with a fast 503. */
const breakerOpen: IntervalSpec = { offered: 100, latencyMs: [[1, 100]], statusErrors: 100 };

describe('judgeRecovery: recovery is sustained', () => {
  it('measures time to recover from the moment the load stopped to the start of the stretch the SLO held through', () => {
    // Baseline at 100 req/s after a 2 s cool-down; the breaker clears 2.2 s into the baseline,
    // so the second [2 s, 3 s) still has 20 failures.
    const baseline = intervals(0, 14, (k) =>
      k < 2 ? breakerOpen : k === 2 ? { offered: 100, latencyMs: [[5, 100]], statusErrors: 20 } : healthy,
    );
    const v = judgeRecovery(baseline, slo, { windowMs: 3000, cooldownMs: 2000 });
    // Windows slide by one interval: [3 s, 6 s) is the first without an error, and every window
    // after it holds, for 11 s: three windows of 3 s and more.
    expect(v).toEqual({
      recovered: true,
      timeToRecoverMs: 5000,
      firstGoodWindowStartMs: 3000,
      heldForMs: 11_000,
      relapses: 0,
      failing: [],
      unjudged: ['p99'],
      detail:
        "recovered after 5 s: the SLO held from 3 s into the baseline on, for 11 s (3 windows of 3 s or more), after a 2 s cool-down; not judged at the baseline's rate: p99",
    });
  });

  it('one good window is not recovery: the SLO must hold for three back-to-back windows', () => {
    const good = judgeRecovery(
      intervals(0, 9, () => healthy),
      slo,
      { cooldownMs: 2500 },
    );
    expect(good).toMatchObject({ recovered: true, timeToRecoverMs: 2500, firstGoodWindowStartMs: 0, heldForMs: 9000 });
    expect(good.detail).toMatch(/^recovered after 2.5 s: the SLO held from the start of the baseline on, for 9 s/);
    // Healthy for the last 6 s of the baseline only: two windows' worth is not enough.
    const late = judgeRecovery(
      intervals(0, 9, (k) => (k < 3 ? breakerOpen : healthy)),
      slo,
      { cooldownMs: 2500 },
    );
    expect(late).toMatchObject({ recovered: false, failing: [] });
    expect(late.detail).toMatch(/^did not recover in time: the SLO held only for the last 6 s, short of 3 windows of 3 s\./);
    expect(
      judgeRecovery(
        intervals(0, 9, (k) => (k < 3 ? breakerOpen : healthy)),
        slo,
        { cooldownMs: 2500, sustainWindows: 2 },
      ).recovered,
    ).toBe(true);
  });

  it('a breaker that lets traffic through now and then but never closes has not recovered', () => {
    // Open for 4 s, then lets everything through for 2 s, then opens again, for 20 s.
    const flapping = intervals(0, 20, (k) => (k % 6 < 4 ? breakerOpen : healthy));
    const v = judgeRecovery(flapping, slo, { windowMs: 1000, cooldownMs: 1000 });
    expect(v.recovered).toBe(false);
    expect(v.timeToRecoverMs).toBeUndefined();
    expect(v.relapses).toBe(3);
    expect(v.failing.map((c) => c.name)).toEqual(['errors', 'achieved']);
    expect(v.detail).toContain(
      'The SLO held in some windows and broke again (3 times): a breaker that lets traffic through now and then but never closes has not recovered.',
    );
    // The first-good-window rule it replaces would have called it recovered at 4 s.
    expect(judgeRecovery(flapping.slice(0, 6), slo, { windowMs: 1000, cooldownMs: 1000, sustainWindows: 1 }).recovered).toBe(true);
  });

  it('a breaker that never clears fails, and the detail says the target stayed broken after the load was gone', () => {
    const breaker: ProbeSample[] = Array.from({ length: 12 }, (_, k) => ({ tMs: -2000 + k * 1000, value: 1, ok: true }));
    const v = judgeRecovery(
      intervals(0, 10, () => breakerOpen),
      parseSlo('p99<500ms,errors<1%,breaker_open==0'),
      {
        windowMs: 3000,
        cooldownMs: 2000,
        probes: { breaker_open: breaker },
      },
    );
    expect(v.recovered).toBe(false);
    expect(v.relapses).toBe(0);
    expect(v.failing.map((c) => c.name)).toEqual(['errors', 'achieved', 'breaker_open']);
    expect(v.detail).toBe(
      'did not recover: the target stayed broken after the load was gone. ' +
        '10 s at 100 req/s after a 2 s cool-down still breached errors 100 % > 1 %, achieved 0 % < 95 %, breaker_open 1 != 0; ' +
        'probes still failing: breaker_open==0. ' +
        'A metastable failure (e.g. a circuit breaker that never clears): the overload is over, yet the target does not heal by itself.',
    );
  });

  it('waits for probes too: answering again is not recovered while the breaker still reads open', () => {
    const breaker: ProbeSample[] = Array.from({ length: 14 }, (_, k) => ({ tMs: k * 1000 + 500, value: k < 5 ? 1 : 0, ok: true }));
    const v = judgeRecovery(
      intervals(0, 14, () => healthy),
      parseSlo('errors<1%,breaker_open==0'),
      { cooldownMs: 1000, probes: { breaker_open: breaker } },
    );
    // Every sample of a window must read 0: [5 s, 8 s) is the first whose samples all do.
    expect(v).toMatchObject({ recovered: true, firstGoodWindowStartMs: 5000, timeToRecoverMs: 6000, heldForMs: 9000 });
    // An unreachable health endpoint keeps the target unrecovered.
    const health: ProbeSample[] = intervals(0, 10, () => healthy).map((i) => ({
      tMs: i.startMs,
      value: null,
      ok: false,
      error: 'ECONNREFUSED',
    }));
    const down = judgeRecovery(
      intervals(0, 10, () => healthy),
      parseSlo('errors<1%,health ok'),
      { cooldownMs: 1000, probes: { health } },
    );
    expect(down.recovered).toBe(false);
    expect(down.detail).toContain('health not ok: ECONNREFUSED; probes still failing: health ok.');
  });

  it('a window in which nothing was sent or answered is no evidence of recovery', () => {
    const silent = intervals(0, 9, () => ({ offered: 0 }));
    expect(judgeRecovery(silent, slo, { cooldownMs: 1000 })).toMatchObject({ recovered: false });
    expect(judgeRecovery([], slo, { cooldownMs: 1000 })).toMatchObject({
      recovered: false,
      detail: 'could not judge recovery: the baseline produced no intervals after a 1 s cool-down',
    });
    expect(() => judgeRecovery([interval(healthy)], slo, { cooldownMs: -1, windowMs: 0, sustainWindows: 0 })).toThrow(ValidationError);
  });

  it('ends the verdict line', () => {
    const steps = [
      { index: 0, label: '1000 req/s', startMs: 0, durationMs: 5000, rateRps: 1000 },
      { index: 1, label: '2000 req/s', startMs: 5000, durationMs: 5000, rateRps: 2000 },
    ];
    const judge = new RampJudge({ steps, slo, windowMs: 3000 });
    for (let t = 0; t < 10_000 && !judge.decision; t += 1000) {
      judge.push(
        interval({ startMs: t, ...(t < 5000 ? { offered: 1000, latencyMs: [[5, 1000]] } : { offered: 2000, latencyMs: [[2300, 1420]] }) }),
      );
    }
    const baseline = intervals(0, 14, (k) => (k < 2 ? breakerOpen : k === 2 ? { ...breakerOpen, statusErrors: 20 } : healthy));
    const recovered = judgeRecovery(baseline, slo, { windowMs: 3000, cooldownMs: 1200 });
    expect(formatVerdictLine(judge.summary(), recovered)).toBe(
      'knee 1,000 req/s; collapsed at 2,000 req/s: p99 2.3 s > 500 ms, achieved 71 % < 95 %; recovered after 4.2 s',
    );
    const stuck = judgeRecovery(
      intervals(0, 10, () => breakerOpen),
      slo,
      { cooldownMs: 2000 },
    );
    expect(formatVerdictLine(judge.summary(), stuck)).toMatch(/; did not recover: errors 100 % > 1 %, achieved 0 % < 95 %$/);
    const flapping = judgeRecovery(
      intervals(0, 20, (k) => (k % 6 < 4 ? breakerOpen : healthy)),
      slo,
      { windowMs: 1000, cooldownMs: 1000 },
    );
    expect(formatVerdictLine(judge.summary(), flapping)).toMatch(
      /; did not recover: errors 100 % > 1 %, achieved 0 % < 95 % \(held now and then, broke again 3 times\)$/,
    );
  });
});

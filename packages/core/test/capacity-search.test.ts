import { CapacitySearch, type CapacitySearchOptions, type TrialVerdict, ValidationError } from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Drives a search against a synthetic target that holds any rate up to `capacityRps`. */
function runAgainst(capacityRps: number, options: CapacitySearchOptions, verdictAt?: (rps: number) => TrialVerdict) {
  const search = new CapacitySearch(options);
  const judge = verdictAt ?? ((rps: number) => (rps <= capacityRps ? 'held' : 'breached'));
  for (let trial = search.next(); trial; trial = search.next()) search.record(trial.rateRps, judge(trial.rateRps));
  return search.result();
}

describe('CapacitySearch', () => {
  it('steps up geometrically, then bisects to within 5 % of the capacity', () => {
    const result = runAgainst(1234, { startRps: 100, percentile: 99 });
    expect(result.converged).toBe(true);
    expect(result.trials.map((t) => [t.rateRps, t.phase, t.verdict])).toEqual([
      [100, 'up', 'held'],
      [200, 'up', 'held'],
      [400, 'up', 'held'],
      [800, 'up', 'held'],
      [1600, 'up', 'breached'],
      [1200, 'bisect', 'held'],
      [1400, 'bisect', 'breached'],
      [1300, 'bisect', 'breached'],
      [1250, 'bisect', 'breached'],
    ]);
    // (1,250 − 1,200) / 1,200 = 4.2 %: done, 2.8 % below the true capacity.
    expect(result.sustainableRps).toBe(1200);
    expect((1234 - result.sustainableRps!) / 1234).toBeLessThanOrEqual(0.05);
    expect(result.bracket).toEqual([1200, 1250]);
    expect(result.reason).toBe('the capacity is between 1,200 req/s (held) and 1,250 req/s (breached), within 5 %');
  });

  it('brackets any capacity within the precision (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 200_000, noNaN: true }),
        fc.double({ min: 1, max: 5000, noNaN: true }),
        fc.constantFrom(1.5, 2, 3),
        fc.constantFrom(0.02, 0.05, 0.1),
        (capacity, startRps, factor, precision) => {
          const r = runAgainst(capacity, { startRps, factor, precision, maxTrials: 100 });
          expect(r.converged).toBe(true);
          const [lo, hi] = r.bracket as [number, number];
          expect(lo).toBeLessThanOrEqual(capacity);
          expect(hi).toBeGreaterThan(capacity);
          // Rates are rounded to whole req/s from 100 up, so a bracket may stop one rounding step wider.
          expect((hi - lo) / lo).toBeLessThanOrEqual(precision + 1 / lo);
          expect(r.sustainableRps).toBe(lo);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('runs each trial long enough for the percentile to be judged', () => {
    const search = new CapacitySearch({ startRps: 50, percentile: 99, minTrialMs: 5000 });
    // p99 needs 1,000 responses: 24 s at 50 req/s with 20 % headroom.
    expect(search.next()).toEqual({ rateRps: 50, durationMs: 24_000 });
    expect(search.trialDurationMs(400)).toBe(5000); // 3 s of samples; the minimum wins
    expect(new CapacitySearch({ startRps: 1000, percentile: 99.9 }).next()?.durationMs).toBe(12_000);
    expect(new CapacitySearch({ startRps: 10, warmupMs: 1000 }).next()?.durationMs).toBe(6000);
    // next() is idempotent until the trial is recorded.
    expect(search.next()).toEqual(search.next());
  });

  it('steps down when the start rate already breaches', () => {
    const result = runAgainst(130, { startRps: 1000 });
    expect(result.trials.slice(0, 4).map((t) => [t.rateRps, t.phase, t.verdict])).toEqual([
      [1000, 'up', 'breached'],
      [500, 'down', 'breached'],
      [250, 'down', 'breached'],
      [125, 'down', 'held'],
    ]);
    expect(result.converged).toBe(true);
    expect(result.bracket[0]).toBeLessThanOrEqual(130);
    expect(result.bracket[1]).toBeGreaterThan(130);
    expect(runAgainst(0.5, { startRps: 4 })).toMatchObject({
      converged: false,
      reason: 'breached even at 1 req/s; nothing lower was tried',
      bracket: [null, 1],
    });
  });

  it('stops at the ceiling, on an inconclusive trial, or after maxTrials, saying which', () => {
    expect(runAgainst(1e9, { startRps: 100, maxRps: 1000 })).toMatchObject({
      converged: false,
      sustainableRps: 1000,
      bracket: [1000, null],
      reason: 'held at the ceiling 1,000 req/s (options.maxRps); the capacity is above it',
    });
    const saturated = new CapacitySearch({ startRps: 100 });
    saturated.record(100, 'held');
    saturated.record(200, 'inconclusive', 'generator saturated at 200 req/s (12 arrivals dropped by the generator)');
    expect(saturated.next()).toBeUndefined();
    expect(saturated.result()).toMatchObject({
      converged: false,
      sustainableRps: 100,
      reason: 'the trial at 200 req/s was inconclusive: generator saturated at 200 req/s (12 arrivals dropped by the generator)',
    });
    const capped = runAgainst(1234, { startRps: 100, maxTrials: 6 });
    expect(capped.trials).toHaveLength(6);
    expect(capped).toMatchObject({ converged: false, bracket: [1200, 1600] });
    expect(capped.reason).toMatch(/^stopped after 6 trials \(options\.maxTrials\)/);
  });

  it('never ends quietly: a stopped trial and a target that did not recover end it, saying so', () => {
    const stopped = new CapacitySearch({ startRps: 100 });
    stopped.record(100, 'held');
    stopped.record(200, 'stopped', 'budget: the emails budget (100) would be exceeded by the next request');
    expect(stopped.next()).toBeUndefined();
    expect(stopped.result()).toMatchObject({
      converged: false,
      reliable: true,
      sustainableRps: 100,
      reason: 'the trial at 200 req/s was stopped: budget: the emails budget (100) would be exceeded by the next request',
    });
    expect(stopped.result().trials.map((t) => t.verdict)).toEqual(['held', 'stopped']);

    // After a breach the target never held a baseline again: every later trial would have
    // met a target still broken, so the search ends, and says its bracket cannot be trusted.
    const stuck = new CapacitySearch({ startRps: 100 });
    stuck.record(100, 'held');
    stuck.record(200, 'breached', 'errors 100 % > 1 %');
    expect(stuck.next()).toEqual({ rateRps: 150, durationMs: 5000 });
    stuck.notRecovered('errors 100 % > 1 %');
    expect(stuck.next()).toBeUndefined();
    expect(stuck.result()).toMatchObject({
      converged: false,
      reliable: false,
      bracket: [100, 200],
      reason: 'the bracket is unreliable: the target did not recover after the trial at 200 req/s (errors 100 % > 1 %)',
    });
    const abandoned = new CapacitySearch({ startRps: 100 });
    abandoned.abandon('aborted');
    expect(abandoned.result()).toMatchObject({ converged: false, reliable: true, reason: 'aborted', trials: [] });
    expect(runAgainst(1234, { startRps: 100 }).reliable).toBe(true);
  });

  it('refuses a result for a trial it did not ask for, and bad options', () => {
    const search = new CapacitySearch({ startRps: 100 });
    expect(() => search.record(150, 'held')).toThrow(/expected a trial at 100 req\/s, got 150 req\/s/);
    try {
      new CapacitySearch({ startRps: 0, factor: 1, precision: 0, maxTrials: 2.5, percentile: 101 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual([
        'options.startRps',
        'options.factor',
        'options.precision',
        'options.percentile',
        'options.maxTrials',
      ]);
    }
  });
});

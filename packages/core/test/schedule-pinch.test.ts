import { compileProfile, parseDurationMs } from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, countAtOrBefore, pinchArb } from './support/profiles.js';

/**
 * The seed story's pinch: demand keeps arriving at baseRps, nothing is sent for the hold, then
 * the backlog is released at releaseRps while demand continues, so it drains at
 * releaseRps − baseRps. Once the release ends the schedule has caught up with demand exactly.
 */
describe('pinch schedule', () => {
  it('the seed story: 50 req/s, 20 s hold, release at 500 req/s, 10 s before and 20 s after', () => {
    const curve = compileProfile({ kind: 'pinch', baseRps: 50, holdMs: '20s', releaseRps: 500, beforeMs: '10s', afterMs: '20s' });
    const releaseMs = (1000 / 450) * 1000; // backlog 50·20 = 1000 arrivals, drained at 450/s
    expect(curve.steps.map((s) => s.label)).toEqual(['before 50 req/s', 'hold', 'release 500 req/s', 'after 50 req/s']);
    expect(curve.steps.map((s) => s.startMs)).toEqual([0, 10_000, 30_000, 30_000 + releaseMs]);
    expect(curve.steps[2]!.durationMs).toBeCloseTo(releaseMs, 9);
    expect(curve.durationMs).toBeCloseTo(50_000 + releaseMs, 9);

    const { offsetsMs } = collect(curve);
    expect(countAtOrBefore(offsetsMs, 10_000)).toBe(500);
    expect(countAtOrBefore(offsetsMs, 30_000)).toBe(500); // nothing during the hold
    expect(offsetsMs[500]).toBeCloseTo(30_001, 9); // first released arrival: ½ arrival at 500/s
    // During the release 500 req/s for 2.22 s = the 1000 backlog + 111.1 new arrivals.
    expect(countAtOrBefore(offsetsMs, 30_000 + releaseMs) - 500).toBe(1111);
    const demand = (50 * curve.durationMs) / 1000; // 2611.1
    expect(offsetsMs.length).toBe(Math.round(demand));
  });

  it('for any pinch: no arrival during the hold, release lasts backlog/(release − base), total equals demand', () => {
    fc.assert(
      fc.property(pinchArb, (profile) => {
        const curve = compileProfile(profile);
        const beforeMs = parseDurationMs(profile.beforeMs ?? 0);
        const holdMs = parseDurationMs(profile.holdMs);
        const afterMs = parseDurationMs(profile.afterMs ?? 0);
        const backlog = (profile.baseRps * holdMs) / 1000;
        const releaseMs = (backlog / (profile.releaseRps - profile.baseRps)) * 1000;

        const hold = curve.steps.find((s) => s.label === 'hold')!;
        const release = curve.steps.find((s) => s.label.startsWith('release'))!;
        expect(hold.startMs).toBe(beforeMs);
        expect(hold.durationMs).toBe(holdMs);
        expect(hold.rateRps).toBe(0);
        expect(release.startMs).toBe(beforeMs + holdMs);
        expect(release.durationMs).toBeCloseTo(releaseMs, 6);
        expect(release.rateRps).toBe(profile.releaseRps);
        expect(curve.durationMs).toBeCloseTo(beforeMs + holdMs + releaseMs + afterMs, 6);

        const { offsetsMs } = collect(curve);
        const holdEndMs = beforeMs + holdMs;
        expect(offsetsMs.filter((t) => t > beforeMs && t < holdEndMs)).toEqual([]);

        // Demand arrived at baseRps over the whole run; the schedule sends all of it.
        const demand = (profile.baseRps * curve.durationMs) / 1000;
        expect(curve.totalArea).toBeCloseTo(demand, 6);
        expect(Math.abs(offsetsMs.length - demand)).toBeLessThanOrEqual(1);
        // And it has caught up with demand by the end of the release, not later.
        const releaseEndMs = holdEndMs + release.durationMs;
        expect(Math.abs(countAtOrBefore(offsetsMs, releaseEndMs) - (profile.baseRps * releaseEndMs) / 1000)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });
});

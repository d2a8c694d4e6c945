import { ArrivalCursor, PROFILE_KINDS, RateCurve, compileProfile, countArrivals, validateProfile } from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_ARBS, collect, countAtOrBefore, countInWindow, firstDifference, unionOfSlices } from './support/profiles.js';

const RUNS = 60;

describe.each(PROFILE_KINDS)('uniform schedule of a %s profile', (kind) => {
  const profileArb = PROFILE_ARBS[kind];

  it('generated profiles are valid (the arbitraries test what users can write)', () => {
    fc.assert(
      fc.property(profileArb, (profile) => {
        expect(validateProfile(profile)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('arrivals in [0, T] equal the area under the rate ±1, and the whole run schedules totalArrivals', () => {
    fc.assert(
      fc.property(
        profileArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (profile, fractions) => {
          const curve = compileProfile(profile);
          const { offsetsMs } = collect(curve);
          for (const t of [0, ...fractions.map((f) => f * curve.durationMs), curve.durationMs]) {
            const count = countAtOrBefore(offsetsMs, t);
            expect(Math.abs(count - curve.areaAt(t)), `T=${t} count=${count} area=${curve.areaAt(t)}`).toBeLessThanOrEqual(1);
          }
          expect(offsetsMs.length).toBe(curve.totalArrivals);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('offsets are non-decreasing, inside [0, durationMs], with consecutive indexes from 0', () => {
    fc.assert(
      fc.property(profileArb, (profile) => {
        const curve = compileProfile(profile);
        const { indexes, offsetsMs } = collect(curve);
        // One expect per schedule, not per arrival: expect() is too slow for 10⁴-arrival loops.
        let bad: string | null = null;
        for (let k = 0; k < indexes.length && bad === null; k++) {
          const previous = k === 0 ? 0 : offsetsMs[k - 1]!;
          if (indexes[k] !== k || !(offsetsMs[k]! >= previous) || !(offsetsMs[k]! <= curve.durationMs)) {
            bad = `arrival ${k}: index ${indexes[k]}, offset ${offsetsMs[k]} after ${previous}, durationMs ${curve.durationMs}`;
          }
        }
        expect(bad).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('arrivals in every 1 s window equal the integral over that window ±1', () => {
    fc.assert(
      fc.property(profileArb, (profile) => {
        const curve = compileProfile(profile);
        const { offsetsMs } = collect(curve);
        for (let fromMs = 0; fromMs < curve.durationMs; fromMs += 1000) {
          const toMs = Math.min(fromMs + 1000, curve.durationMs);
          const expected = curve.areaAt(toMs) - curve.areaAt(fromMs);
          // The last window is closed at durationMs so an arrival at the very end still counts.
          const count =
            toMs === curve.durationMs ? offsetsMs.length - countInWindow(offsetsMs, 0, fromMs) : countInWindow(offsetsMs, fromMs, toMs);
          expect(Math.abs(count - expected), `window ${fromMs}–${toMs} ms: ${count} vs ${expected}`).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('N interleaved slices (start w, stride N) together are exactly the single schedule', () => {
    fc.assert(
      fc.property(profileArb, fc.integer({ min: 1, max: 7 }), (profile, workers) => {
        const curve = compileProfile(profile);
        const single = collect(curve);
        const slices = Array.from({ length: workers }, (_, w) => collect(curve, { start: w, stride: workers }));
        slices.forEach((slice, w) => {
          expect(slice.indexes.filter((index) => index % workers !== w)).toEqual([]);
        });
        expect(firstDifference(unionOfSlices(slices), single)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('limit caps the global index exactly, for one schedule and for its slices', () => {
    fc.assert(
      fc.property(
        profileArb,
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1.1, noNaN: true }),
        (profile, workers, fraction) => {
          const curve = compileProfile(profile);
          const single = collect(curve);
          const limit = Math.floor(fraction * single.indexes.length);
          const prefix = { indexes: single.indexes.slice(0, limit), offsetsMs: single.offsetsMs.slice(0, limit) };
          expect(firstDifference(collect(curve, { limit }), prefix)).toBeNull();
          const slices = Array.from({ length: workers }, (_, w) => collect(curve, { start: w, stride: workers, limit }));
          expect(firstDifference(unionOfSlices(slices), prefix)).toBeNull();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a curve sent across a thread boundary (JSON) gives the identical schedule', () => {
    fc.assert(
      fc.property(profileArb, (profile) => {
        const curve = compileProfile(profile);
        const revived = RateCurve.from(JSON.parse(JSON.stringify(curve)));
        expect(revived.durationMs).toBe(curve.durationMs);
        expect(firstDifference(collect(revived, { start: 1, stride: 3 }), collect(curve, { start: 1, stride: 3 }))).toBeNull();
      }),
      { numRuns: 20 },
    );
  });
});

describe('uniform schedule edge cases', () => {
  it('centres arrivals: constant 4 req/s for 1 s sends at 125, 375, 625, 875 ms', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 4, durationMs: '1s' });
    expect(collect(curve).offsetsMs).toEqual([125, 375, 625, 875]);
  });

  it('plans exactly the arrivals it sends when the area ends on a half (1 req/s for 10.5 s)', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 1, durationMs: '10.5s' });
    const { offsetsMs } = collect(curve);
    // Arrival 10 would sit at exactly t = durationMs; it is not sent, so it must not be planned.
    expect(offsetsMs).toHaveLength(10);
    expect(curve.totalArrivals).toBe(offsetsMs.length);
  });

  it('a profile of less than half an arrival sends nothing', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 1, durationMs: 400 });
    expect(collect(curve).indexes).toEqual([]);
    expect(curve.totalArrivals).toBe(0);
  });

  it('a slice whose start is past the end, or a limit of 0, yields nothing and stays exhausted', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 10, durationMs: '1s' });
    for (const options of [{ start: 10, stride: 11 }, { limit: 0 }]) {
      const cursor = new ArrivalCursor(curve, options);
      expect(cursor.next()).toBe(false);
      expect(cursor.next()).toBe(false);
    }
  });

  it('countArrivals counts [from, to) of a slice', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 100, durationMs: '10s' });
    expect(countArrivals(curve, 0, 10_000)).toBe(1000);
    expect(countArrivals(curve, 2000, 3000)).toBe(100);
    expect(countArrivals(curve, 2000, 3000, { start: 1, stride: 4 })).toBe(25);
    expect(countArrivals(curve, 0, 10_000, { limit: 123 })).toBe(123);
  });
});

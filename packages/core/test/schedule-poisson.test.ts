import { PROFILE_KINDS, compileProfile } from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_ARBS, collect, countAtOrBefore, countInWindow, firstDifference, pinchArb, unionOfSlices } from './support/profiles.js';

const seedArb = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe('Poisson schedule: reproducible', () => {
  it('the same seed gives the identical schedule; omitting the seed is reproducible too', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 0, toRps: 2000, durationMs: '10s' });
    expect(
      firstDifference(collect(curve, { arrivals: 'poisson', seed: 42 }), collect(curve, { arrivals: 'poisson', seed: 42 })),
    ).toBeNull();
    expect(firstDifference(collect(curve, { arrivals: 'poisson' }), collect(curve, { arrivals: 'poisson' }))).toBeNull();
  });

  it('different seeds give different schedules', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 100, durationMs: '10s' });
    const firstOffsets = [1, 2, 3, 42, 2 ** 31, 2 ** 32 - 1].map((seed) =>
      collect(curve, { arrivals: 'poisson', seed }).offsetsMs.slice(0, 5).join(),
    );
    expect(new Set(firstOffsets).size).toBe(firstOffsets.length);
  });

  it('differs from the uniform schedule of the same curve', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 100, durationMs: '10s' });
    expect(firstDifference(collect(curve, { arrivals: 'poisson', seed: 7 }), collect(curve))).not.toBeNull();
  });
});

describe.each(PROFILE_KINDS)('Poisson schedule of a %s profile', (kind) => {
  it('N interleaved slices with the same seed are exactly the single schedule, and limit caps it', () => {
    fc.assert(
      fc.property(
        PROFILE_ARBS[kind],
        seedArb,
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 1.1, noNaN: true }),
        (profile, seed, workers, fraction) => {
          const curve = compileProfile(profile);
          const single = collect(curve, { arrivals: 'poisson', seed });
          const slices = Array.from({ length: workers }, (_, w) =>
            collect(curve, { arrivals: 'poisson', seed, start: w, stride: workers }),
          );
          expect(firstDifference(unionOfSlices(slices), single)).toBeNull();

          const limit = Math.floor(fraction * single.indexes.length);
          const prefix = { indexes: single.indexes.slice(0, limit), offsetsMs: single.offsetsMs.slice(0, limit) };
          const capped = Array.from({ length: workers }, (_, w) =>
            collect(curve, { arrivals: 'poisson', seed, start: w, stride: workers, limit }),
          );
          expect(firstDifference(unionOfSlices(capped), prefix)).toBeNull();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('offsets are non-decreasing and inside [0, durationMs]', () => {
    fc.assert(
      fc.property(PROFILE_ARBS[kind], seedArb, (profile, seed) => {
        const curve = compileProfile(profile);
        const { indexes, offsetsMs } = collect(curve, { arrivals: 'poisson', seed });
        const bad = offsetsMs.findIndex((t, k) => indexes[k] !== k || t < (k === 0 ? 0 : offsetsMs[k - 1]!) || t > curve.durationMs);
        expect(bad).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });
});

describe('Poisson schedule: statistics', () => {
  // Seeds are fixed, so these are deterministic; the bounds are what a correct Poisson process
  // meets for any seed (≥ 4 standard deviations), so they do not encode one lucky stream.

  it('the count in [0, T] stays within 5 standard deviations of the area, and its mean over seeds within 4', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 0, toRps: 2000, durationMs: '30s' });
    const seeds = Array.from({ length: 30 }, (_, k) => 1000 + k);
    for (const tMs of [5000, 15_000, 30_000]) {
      const area = curve.areaAt(tMs);
      const counts = seeds.map((seed) => countAtOrBefore(collect(curve, { arrivals: 'poisson', seed }).offsetsMs, tMs));
      for (const count of counts) expect(Math.abs(count - area)).toBeLessThan(5 * Math.sqrt(area));
      const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
      expect(Math.abs(mean - area)).toBeLessThan(4 * Math.sqrt(area / counts.length));
    }
  });

  it('counts per 1 s window are Poisson-dispersed (variance ≈ mean), unlike the uniform schedule', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 200, durationMs: '400s' });
    const windows = (offsetsMs: number[]): number[] =>
      Array.from({ length: 400 }, (_, s) => countInWindow(offsetsMs, s * 1000, (s + 1) * 1000));
    const poisson = windows(collect(curve, { arrivals: 'poisson', seed: 99 }).offsetsMs);
    const mean = poisson.reduce((s, c) => s + c, 0) / poisson.length;
    const variance = poisson.reduce((s, c) => s + (c - mean) ** 2, 0) / (poisson.length - 1);
    expect(Math.abs(mean - 200)).toBeLessThan(4 * Math.sqrt(200 / 400));
    // The sample variance/mean of 400 Poisson windows has a standard deviation of ≈ 0.07.
    expect(variance / mean).toBeGreaterThan(0.7);
    expect(variance / mean).toBeLessThan(1.3);
    expect(new Set(windows(collect(curve).offsetsMs))).toEqual(new Set([200]));
  });

  it('gaps at a constant rate are exponential: a fraction e⁻¹ of them is longer than the mean gap', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 1000, durationMs: '100s' });
    const { offsetsMs } = collect(curve, { arrivals: 'poisson', seed: 5 });
    let longer = 0;
    for (let k = 1; k < offsetsMs.length; k++) if (offsetsMs[k]! - offsetsMs[k - 1]! > 1) longer++;
    // Standard deviation of the fraction over 10⁵ gaps is ≈ 0.0015.
    expect(Math.abs(longer / (offsetsMs.length - 1) - Math.exp(-1))).toBeLessThan(0.01);
  });

  it('follows the ramp: a 0 → 2000 req/s ramp puts ¼ of its arrivals in the first half', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 0, toRps: 2000, durationMs: '20s' });
    const { offsetsMs } = collect(curve, { arrivals: 'poisson', seed: 11 });
    const firstHalf = countAtOrBefore(offsetsMs, 10_000);
    expect(Math.abs(firstHalf - 5000)).toBeLessThan(5 * Math.sqrt(5000));
    expect(Math.abs(offsetsMs.length - firstHalf - 15_000)).toBeLessThan(5 * Math.sqrt(15_000));
  });

  it('sends nothing during a pinch hold either', () => {
    fc.assert(
      fc.property(pinchArb, seedArb, (profile, seed) => {
        const curve = compileProfile(profile);
        const hold = curve.steps.find((s) => s.label === 'hold')!;
        const { offsetsMs } = collect(curve, { arrivals: 'poisson', seed });
        const inHold = offsetsMs.filter((t) => t > hold.startMs && t < hold.startMs + hold.durationMs);
        expect(inHold).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

import { type RateCurve, compileProfile, parseDurationMs } from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_ARBS, durationArb, rateArb } from './support/profiles.js';

const rates = (curve: RateCurve): number[] => curve.steps.map((s) => s.rateRps);
const labels = (curve: RateCurve): string[] => curve.steps.map((s) => s.label);

describe('constant and linear', () => {
  it('constant: one step, flat rate, area rate × duration', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 500, durationMs: '30s' });
    expect(curve.steps).toEqual([{ index: 0, label: '500 req/s', startMs: 0, durationMs: 30_000, rateRps: 500 }]);
    expect([curve.rateAt(0), curve.rateAt(29_999), curve.rateAt(30_000)]).toEqual([500, 500, 0]);
    expect(curve.totalArea).toBe(15_000);
    expect(curve.peakRps).toBe(500);
  });

  it('linear: the rate moves in a straight line and the area is the trapezoid', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 10, toRps: 1000, durationMs: '1m' });
    expect(labels(curve)).toEqual(['10→1000 req/s']);
    expect(curve.rateAt(30_000)).toBeCloseTo(505, 9);
    expect(curve.areaAt(30_000)).toBeCloseTo(((10 + 505) / 2) * 30, 9);
    expect(curve.totalArea).toBeCloseTo(((10 + 1000) / 2) * 60, 9);
    expect(curve.steps[0]!.rateRps).toBe(1000); // the step reports its peak
  });
});

describe('step profile', () => {
  it('start=100, step=100, every 10 s, max=2000: twenty 10 s steps, max included', () => {
    const curve = compileProfile({ kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '10s', maxRps: 2000 });
    expect(rates(curve)).toEqual(Array.from({ length: 20 }, (_, k) => 100 * (k + 1)));
    expect(labels(curve)[0]).toBe('100 req/s');
    expect(labels(curve)[19]).toBe('2000 req/s');
    expect(curve.steps.map((s) => [s.index, s.startMs, s.durationMs])).toEqual(
      Array.from({ length: 20 }, (_, k) => [k, k * 10_000, 10_000]),
    );
    expect(curve.durationMs).toBe(200_000);
    expect(curve.rateAt(95_000)).toBe(1000);
    expect(curve.totalArea).toBe(210_000); // 10 s × (100 + … + 2000)
  });

  it('a max between steps is not exceeded', () => {
    const curve = compileProfile({ kind: 'step', startRps: 100, stepRps: 300, stepDurationMs: 1000, maxRps: 900 });
    expect(rates(curve)).toEqual([100, 400, 700]);
  });

  it('0.1-sized steps do not drift: 0.1 … 0.3 and 0.1 … 1 include the max, never exceed it, and read cleanly', () => {
    const toPoint3 = compileProfile({ kind: 'step', startRps: 0.1, stepRps: 0.1, stepDurationMs: '1s', maxRps: 0.3 });
    expect(labels(toPoint3)).toEqual(['0.1 req/s', '0.2 req/s', '0.3 req/s']);
    expect(rates(toPoint3)).toEqual([0.1, 0.2, 0.3]);
    const toOne = compileProfile({ kind: 'step', startRps: 0.1, stepRps: 0.1, stepDurationMs: '1s', maxRps: 1 });
    expect(labels(toOne)).toEqual(Array.from({ length: 10 }, (_, k) => `${(k + 1) / 10} req/s`));
  });

  it('decimal steps read as the decimals the user wrote, however many steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 200 }),
        (startCents, stepCents, steps) => {
          const text = (cents: number): number => Number(`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
          const curve = compileProfile({
            kind: 'step',
            startRps: text(startCents),
            stepRps: text(stepCents),
            stepDurationMs: 100,
            maxRps: text(startCents + steps * stepCents),
          });
          expect(labels(curve)).toEqual(Array.from({ length: steps + 1 }, (_, k) => `${text(startCents + k * stepCents)} req/s`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('for any parameters: rates start + k·step up to max (included when reached), contiguous steps', () => {
    fc.assert(
      fc.property(
        rateArb(0.01, 500),
        rateArb(0.01, 500),
        fc.integer({ min: 0, max: 30 }),
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.999, noNaN: true })),
        durationArb(1, 60_000),
        (startRps, stepRps, steps, extra, stepDurationMs) => {
          const maxRps = startRps + (steps + extra) * stepRps;
          const curve = compileProfile({ kind: 'step', startRps, stepRps, stepDurationMs, maxRps });
          const stepMs = parseDurationMs(stepDurationMs);
          expect(curve.steps).toHaveLength(steps + 1);
          curve.steps.forEach((s, k) => {
            expect(s.rateRps).toBeLessThanOrEqual(maxRps);
            expect(Math.abs(s.rateRps - (startRps + k * stepRps))).toBeLessThanOrEqual(1e-9 * s.rateRps);
            expect(s.label).toBe(`${s.rateRps} req/s`);
            expect(s.startMs).toBeCloseTo(k * stepMs, 6);
            expect(s.durationMs).toBe(stepMs);
            expect(curve.rateAt(s.startMs + stepMs / 2)).toBe(s.rateRps);
          });
          if (extra === 0) expect(curve.steps.at(-1)!.rateRps).toBe(maxRps);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('exponential profile', () => {
  it('doubles from 100 to 1600, including the max; stops below a max that is not reached', () => {
    const reach = compileProfile({ kind: 'exponential', startRps: 100, factor: 2, stepDurationMs: '5s', maxRps: 1600 });
    expect(rates(reach)).toEqual([100, 200, 400, 800, 1600]);
    expect(labels(reach)).toEqual(['100 req/s', '200 req/s', '400 req/s', '800 req/s', '1600 req/s']);
    expect(reach.steps.map((s) => s.startMs)).toEqual([0, 5000, 10_000, 15_000, 20_000]);
    const below = compileProfile({ kind: 'exponential', startRps: 100, factor: 2, stepDurationMs: '5s', maxRps: 1000 });
    expect(rates(below)).toEqual([100, 200, 400, 800]);
  });

  it('a factor of 1.1 gives rates rounded to the thousandth, without float noise', () => {
    const curve = compileProfile({ kind: 'exponential', startRps: 100, factor: 1.1, stepDurationMs: 1000, maxRps: 200 });
    expect(rates(curve)).toEqual([100, 110, 121, 133.1, 146.41, 161.051, 177.156, 194.872]);
  });

  it('rounding never lifts a step above maxRps, nor rounds a positive start down to 0 req/s', () => {
    const nearOne = compileProfile({ kind: 'exponential', startRps: 1, factor: 1.0006, stepDurationMs: 1000, maxRps: 1.0006 });
    expect(rates(nearOne)).toEqual([1, 1.0006]);
    const tiny = compileProfile({ kind: 'exponential', startRps: 0.0004, factor: 2, stepDurationMs: 1000, maxRps: 0.001 });
    expect(Math.min(...rates(tiny))).toBeGreaterThan(0);
  });

  it('for any parameters: increasing rates within [start, max], step count ⌊log(max/start)/log f⌋ + 1', () => {
    fc.assert(
      fc.property(PROFILE_ARBS.exponential, (profile) => {
        if (profile.kind !== 'exponential') throw new Error('unreachable');
        const curve = compileProfile(profile);
        const stepMs = parseDurationMs(profile.stepDurationMs);
        const r = rates(curve);
        const exactSteps = Math.log(profile.maxRps / profile.startRps) / Math.log(profile.factor);
        // Within 1e-9 of an integer the max is reached up to float error: allow either count.
        const expectedSteps = Math.floor(exactSteps + 1e-9) + 1;
        expect(r.length === expectedSteps || (Math.abs(exactSteps - Math.round(exactSteps)) < 1e-9 && r.length === expectedSteps - 1)).toBe(
          true,
        );
        r.forEach((rate, k) => {
          expect(rate).toBeGreaterThan(0);
          expect(rate).toBeLessThanOrEqual(profile.maxRps);
          expect(Math.abs(rate - profile.startRps * profile.factor ** k)).toBeLessThanOrEqual(0.0005 + 1e-9);
          if (k > 0) expect(rate).toBeGreaterThan(r[k - 1]!);
          expect(curve.steps[k]!.startMs).toBeCloseTo(k * stepMs, 6);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('spike profile', () => {
  it('base until atMs, the spike for its duration, base again after', () => {
    const curve = compileProfile({ kind: 'spike', baseRps: 100, spikeRps: 2000, atMs: '10s', spikeDurationMs: '5s', durationMs: '30s' });
    expect(labels(curve)).toEqual(['base 100 req/s', 'spike 2000 req/s', 'after 100 req/s']);
    expect(curve.steps.map((s) => [s.startMs, s.durationMs])).toEqual([
      [0, 10_000],
      [10_000, 5000],
      [15_000, 15_000],
    ]);
    expect([curve.rateAt(9_999), curve.rateAt(10_000), curve.rateAt(14_999), curve.rateAt(15_000)]).toEqual([100, 2000, 2000, 100]);
    expect(curve.totalArea).toBe(100 * 25 + 2000 * 5);
    expect(curve.peakRps).toBe(2000);
  });

  it('a spike at 0 or to the very end has no empty phases', () => {
    const curve = compileProfile({ kind: 'spike', baseRps: 0, spikeRps: 50, atMs: 0, spikeDurationMs: '2s', durationMs: '2s' });
    expect(labels(curve)).toEqual(['spike 50 req/s']);
  });

  it('duration written in decimal minutes adds up (0.1m + 4m = 4.1m is valid)', () => {
    const curve = compileProfile({ kind: 'spike', baseRps: 10, spikeRps: 100, atMs: '0.1m', spikeDurationMs: '4m', durationMs: '4.1m' });
    expect(curve.durationMs).toBe(246_000);
  });
});

describe('stages profile (k6 ramping-arrival-rate)', () => {
  it('30s@100, 1m@2000, 30s@0: piecewise linear from 0, each boundary at the previous target', () => {
    const curve = compileProfile({
      kind: 'stages',
      stages: [
        { durationMs: '30s', targetRps: 100 },
        { durationMs: '1m', targetRps: 2000 },
        { durationMs: '30s', targetRps: 0 },
      ],
    });
    expect(curve.durationMs).toBe(120_000);
    expect([0, 30_000, 90_000].map((t) => curve.rateAt(t))).toEqual([0, 100, 2000]);
    expect(curve.rateAt(15_000)).toBeCloseTo(50, 9);
    expect(curve.rateAt(60_000)).toBeCloseTo(1050, 9);
    expect(curve.rateAt(105_000)).toBeCloseTo(1000, 9);
    expect([30_000, 90_000, 120_000].map((t) => curve.areaAt(t))).toEqual([1500, 64_500, 94_500]);
    expect(labels(curve)).toEqual(['stage 1: 0→100 req/s', 'stage 2: 100→2000 req/s', 'stage 3: 2000→0 req/s']);
    expect(curve.steps.map((s) => [s.startMs, s.durationMs, s.rateRps])).toEqual([
      [0, 30_000, 100],
      [30_000, 60_000, 2000],
      [90_000, 30_000, 2000],
    ]);
  });

  it('startRps sets the rate at t0, and a flat stage is labelled with its one rate', () => {
    const curve = compileProfile({
      kind: 'stages',
      startRps: 300,
      stages: [
        { durationMs: '10s', targetRps: 300 },
        { durationMs: '10s', targetRps: 100 },
      ],
    });
    expect(curve.rateAt(0)).toBe(300);
    expect(labels(curve)).toEqual(['stage 1: 300 req/s', 'stage 2: 300→100 req/s']);
  });

  it('for any stages: the rate at every boundary is the previous target, the area the sum of trapezoids', () => {
    fc.assert(
      fc.property(PROFILE_ARBS.stages, (profile) => {
        if (profile.kind !== 'stages') throw new Error('unreachable');
        const curve = compileProfile(profile);
        let t = 0;
        let from = profile.startRps ?? 0;
        let area = 0;
        profile.stages.forEach((stage, i) => {
          const d = parseDurationMs(stage.durationMs);
          expect(curve.rateAt(t)).toBeCloseTo(from, 6);
          expect(curve.rateAt(t + d / 2)).toBeCloseTo((from + stage.targetRps) / 2, 6);
          expect(curve.steps[i]!.startMs).toBeCloseTo(t, 6);
          area += ((from + stage.targetRps) / 2) * (d / 1000);
          expect(curve.areaAt(t + d)).toBeCloseTo(area, 6);
          t += d;
          from = stage.targetRps;
        });
        expect(curve.durationMs).toBeCloseTo(t, 6);
      }),
      { numRuns: 200 },
    );
  });
});

import { generatorCheck, latencyWithoutLagMs, mergeWindow, type OfferedSchedule, SATURATION_RULE } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { intervals } from './support/intervals.js';

const at = (rateRps: number, arrivals: 'uniform' | 'poisson' = 'uniform'): OfferedSchedule => ({
  scheduledArrivals: (startMs, endMs) => (rateRps * (endMs - startMs)) / 1000,
  arrivals,
});

describe('the saturation rule: was the load offered?', () => {
  it('a generator that keeps its schedule offered the load, and says so with its numbers', () => {
    const v = generatorCheck(
      intervals(0, 5, () => ({ offered: 4000, latencyMs: [[5, 4000]], lagMs: [[0.6, 4000]] })),
      { schedule: at(4000) },
    );
    // Growth counts from 0 at t0: the loop starts on time.
    expect(v).toMatchObject({
      saturated: false,
      scheduled: 20_000,
      reached: 20_000,
      droppedGenerator: 0,
      lagGrowthMs: expect.closeTo(0.6, 1),
      reasons: [],
    });
    expect(v.detail).toBeUndefined();
  });

  it('any arrival dropped by the generator means the load was not offered', () => {
    const v = generatorCheck(
      intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, k === 3 ? 997 : 1000]], droppedGenerator: k === 3 ? 3 : 0 })),
      { schedule: at(1000) },
    );
    expect(v).toMatchObject({
      saturated: true,
      droppedGenerator: 3,
      detail: '3 arrivals dropped by the generator at 1,000 req/s',
    });
  });

  it('a send loop that reached fewer arrivals than the schedule holds fell behind', () => {
    // 4,000 req/s scheduled; the loop reached 3,800 a second (late arrivals are counted in later
    // intervals, so a backlog that grows shows as a shortfall): 5 % short.
    const behind = generatorCheck(
      intervals(0, 5, () => ({ offered: 3800, latencyMs: [[5, 3800]] })),
      { schedule: at(4000) },
    );
    expect(behind).toMatchObject({ saturated: true, scheduled: 20_000, reached: 19_000 });
    expect(behind.reasons).toEqual(['reached 19,000 of 20,000 scheduled arrivals (5 % short)']);
    // Within the tolerance: 1.5 % short is a rounding of interval edges, not a backlog.
    expect(
      generatorCheck(
        intervals(0, 5, () => ({ offered: 3940, latencyMs: [[5, 3940]] })),
        { schedule: at(4000) },
      ).saturated,
    ).toBe(false);
    expect(SATURATION_RULE.shortfallRatio).toBe(0.02);
    // A short window is never called short for less than 50 ms of its rate: one late wake-up at
    // an interval's edge on a busy core moves a few arrivals into the next interval.
    const oneSecond = (offered: number) =>
      generatorCheck(
        intervals(0, 1, () => ({ offered, latencyMs: [[5, offered]] })),
        { schedule: at(200) },
      );
    expect(oneSecond(192).saturated).toBe(false); // 40 ms of arrivals short
    expect(oneSecond(185).saturated).toBe(true); // 75 ms
    // Poisson counts vary by √n: 4 % short of 1,250 over 5 s at 250 req/s is within 4 σ.
    const poisson = intervals(0, 5, () => ({ offered: 240, latencyMs: [[5, 240]] }));
    expect(generatorCheck(poisson, { schedule: at(250, 'poisson') }).saturated).toBe(false);
    expect(generatorCheck(poisson, { schedule: at(250, 'uniform') }).saturated).toBe(true);
  });

  it('a lag that grows through the window is a backlog; a lag that merely sits there is not', () => {
    const growing = generatorCheck(
      intervals(10_000, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1 + k * 20, 1000]] })),
      { schedule: at(1000) },
    );
    expect(growing.lagGrowthMs).toBeCloseTo(80, 0);
    expect(growing).toMatchObject({ saturated: true, reasons: ['schedule lag grew 80 ms through the window'] });
    // 30 ms late all along (a busy core): every arrival still went out, and the lag is inside
    // each corrected latency. Not saturation.
    const steady = generatorCheck(
      intervals(10_000, 5, () => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[30, 1000]] })),
      { schedule: at(1000) },
    );
    expect(steady).toMatchObject({ saturated: false, lagMsP99: expect.closeTo(30, 0), lagGrowthMs: 0 });
    // Growth counts from the interval before the window when there is one…
    expect(
      generatorCheck(
        intervals(10_000, 5, () => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[60, 1000]] })),
        { schedule: at(1000), lagBeforeMs: 1 },
      ).saturated,
    ).toBe(true);
    // …and from 0 at t0, where the loop starts on time: a first second whose median send is
    // 130 ms late fell behind within it, which a one-interval window could not show otherwise.
    const firstSecond = generatorCheck(
      intervals(0, 1, () => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[130, 1000]] })),
      { schedule: at(1000) },
    );
    expect(firstSecond).toMatchObject({ saturated: true, lagGrowthMs: expect.closeTo(130, 0) });
  });

  it('a firing thread busy all the time counts only when its lag grows too', () => {
    const pinned = (growthPerSecondMs: number) =>
      generatorCheck(
        intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1 + k * growthPerSecondMs, 1000]], elu: 0.97 })),
        { schedule: at(1000) },
      );
    const falling = pinned(2.5);
    expect(falling.saturated).toBe(true);
    // 97 % busy all the time is saturation on its own: responses and in-flight counts are the
    // thread's limit, lag or not.
    expect(pinned(0).saturated).toBe(true);
    expect(pinned(0).reasons).toEqual(['the firing thread was busy 97 % of the window: it could not send, or read responses, any faster']);
    const busy = (elu: number, growthPerSecondMs: number) =>
      generatorCheck(
        intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1 + k * growthPerSecondMs, 1000]], elu })),
        { schedule: at(1000) },
      );
    expect(busy(0.92, 0).saturated).toBe(false);
    expect(busy(0.92, 2.5).reasons).toEqual(['the firing thread was busy 92 % of the window and its lag grew 11 ms']);
    // The same 10 ms of growth with a thread that idles: not saturation.
    const idle = generatorCheck(
      intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1 + k * 2.5, 1000]], elu: 0.4 })),
      { schedule: at(1000) },
    );
    expect(idle.saturated).toBe(false);
    // Busy means over the whole window (time-weighted): one second at 94 % does not hide a
    // thread busy 98 % of five, and one pinned second among idle ones is not saturation.
    const dip = generatorCheck(
      intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1, 1000]], elu: k === 1 ? 0.94 : 0.99 })),
      { schedule: at(1000) },
    );
    expect(dip).toMatchObject({ saturated: true, elu: expect.closeTo(0.98, 2) });
    const spike = generatorCheck(
      intervals(0, 5, (k) => ({ offered: 1000, latencyMs: [[5, 1000]], lagMs: [[1 + k * 2.5, 1000]], elu: k === 2 ? 1 : 0.3 })),
      { schedule: at(1000) },
    );
    expect(spike.saturated).toBe(false);
    expect(SATURATION_RULE.eluPinned).toBe(0.9);
    expect(SATURATION_RULE.eluSaturated).toBe(0.95);
  });

  it('a run stopped from outside is not short for the interval it stopped in, nor for the drain after it', () => {
    const stopped = intervals(0, 6, (k) =>
      k < 3
        ? { offered: 1000, latencyMs: [[5, 1000]] }
        : k === 3
          ? { offered: 300, latencyMs: [[5, 300]] }
          : { offered: 0, latencyMs: [[5, 2]] },
    );
    expect(generatorCheck(stopped, { schedule: at(1000) }).saturated).toBe(true);
    expect(generatorCheck(stopped, { schedule: at(1000), stoppedEarly: true })).toMatchObject({
      scheduled: 3000,
      reached: 3000,
    });
  });
});

describe('latencyWithoutLagMs: what the lag could explain', () => {
  it('is the percentile minus the largest lag when every request was late', () => {
    const w = mergeWindow(
      intervals(0, 5, () => ({
        offered: 1000,
        latencyMs: [
          [10, 980],
          [400, 20],
        ],
        lagMs: [[50, 1000]],
      })),
    );
    // p99 = 400 ms, every request sent 50 ms late: at least 350 ms is the target's.
    expect(latencyWithoutLagMs(w, 99)).toBeCloseTo(350, -1);
  });

  it('is not swamped by one late timer: a lag percentile with its share of requests taken out', () => {
    // 5,000 requests; one was sent 300 ms late, the rest 1 ms late. p99 is 400 ms.
    const w = mergeWindow(
      intervals(0, 5, (k) => ({
        offered: 1000,
        latencyMs: [
          [10, 980],
          [400, 20],
        ],
        lagMs:
          k === 2
            ? [
                [1, 999],
                [300, 1],
              ]
            : [[1, 1000]],
      })),
    );
    expect(w.lag.maxValue / 1000).toBeCloseTo(300, -1);
    // p99 − max lag would be ~100 ms; with the lag p99.9 (1 ms, five requests above it at most),
    // p98.9 of latency (still 400 ms) − 1 ms is a sharper bound that is still rigorous.
    expect(latencyWithoutLagMs(w, 99)).toBeGreaterThan(390);
    // A p99 that is entirely lag: nothing left to blame on the target.
    const allLag = mergeWindow(
      intervals(0, 5, () => ({
        offered: 1000,
        latencyMs: [
          [10, 980],
          [400, 20],
        ],
        lagMs: [
          [1, 980],
          [395, 20],
        ],
      })),
    );
    expect(latencyWithoutLagMs(allLag, 99)).toBeLessThan(20);
  });
});

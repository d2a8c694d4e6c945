import type { IntervalStats, ProbeSeries } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { analyzePinch } from '../src/pinch/analyze-pinch.js';
import { parseSlo } from '../src/slo/parse-slo.js';
import { interval } from './support/intervals.js';

/**
 * A pinch on virtual time, by construction: arrivals at 100/s; the consumers keep up (queue 0)
 * until the hold at 2 s, are paused until the release at 5 s (the queue grows by 100/s to 300),
 * then take 400/s, so the queue drains at 300/s and is empty 1 s after the release. Sampled every
 * 100 ms, like a probe; `done` counts completed work.
 */
function pinchSeries(opts: { endMs?: number; regrowAtMs?: number; drainRps?: number } = {}) {
  const endMs = opts.endMs ?? 9000;
  const drainRps = opts.drainRps ?? 400;
  const queue: { tMs: number; value: number; ok: true }[] = [];
  const done: { tMs: number; value: number; ok: true }[] = [];
  for (let t = 0; t <= endMs; t += 100) {
    const arrived = t / 10;
    let q = 0;
    if (t > 2000 && t <= 5000) q = (t - 2000) / 10;
    else if (t > 5000) q = Math.max(0, 300 - ((t - 5000) * (drainRps - 100)) / 1000);
    if (opts.regrowAtMs !== undefined && t >= opts.regrowAtMs) q = 50;
    queue.push({ tMs: t, value: q, ok: true });
    done.push({ tMs: t, value: arrived - q, ok: true });
  }
  const probes: ProbeSeries[] = [
    { name: 'work_queue', kind: 'prometheus', points: queue },
    { name: 'work_done', kind: 'prometheus', points: done },
    { name: 'db_queue', kind: 'prometheus', points: queue.map((p) => ({ ...p, value: 0 })) },
  ];
  return { probes, moments: { holdAtMs: 2000, releaseAtMs: 5000, endMs } };
}

function steadyIntervals(count: number, latencyMs = 5): IntervalStats[] {
  return Array.from({ length: count }, (_, index) => interval({ index, latencyMs: [[latencyMs, 100]] }));
}

describe('the pinch summary, read from the probes and the actions’ times', () => {
  it('peak, drain time and drain throughput of a queue drained at a known rate', () => {
    const { probes, moments } = pinchSeries();
    const p = analyzePinch({ moments, probes, queue: 'work_queue', completed: 'work_done', intervals: steadyIntervals(9) });
    const q = p.queues[0]!;
    expect(q).toMatchObject({ probe: 'work_queue', baseline: 0, steadyMax: 1, rose: true, peak: 300, peakAtMs: 5000, drained: true });
    // Empty exactly 1 s after the release; the 100 ms probe sees it at 6.0 s (≤ 1 from 5.997 s on: the first sample at 6.0 s).
    expect(q.drainMs).toBe(1000);
    expect(q.lastAboveMs).toBe(5900);
    expect(q.stayedDrained).toBe(true);
    expect(p.throughput).toMatchObject({ source: 'counter', probe: 'work_done', steadyRps: 100, drainRps: 400, ratio: 4 });
    // No SLO given: recovery is the queue staying in its steady range to the end.
    expect(p.recovery.status).toBe('held');
  });

  it('without a counter, the queue’s slope gives the same rates', () => {
    const { probes, moments } = pinchSeries();
    const p = analyzePinch({ moments, probes, queue: 'work_queue', intervals: [] });
    expect(p.throughput).toMatchObject({ source: 'queue', probe: 'work_queue', steadyRps: 100, drainRps: 400, ratio: 4 });
  });

  it('with no queue named, the queue-like probe that rose is the one; the one that never rose is kept, marked', () => {
    const { probes, moments } = pinchSeries();
    const p = analyzePinch({ moments, probes, intervals: [] });
    expect(p.queue).toBe('work_queue');
    expect(p.queues.map((q) => [q.probe, q.rose])).toEqual([
      ['work_queue', true],
      ['db_queue', false],
    ]);
  });

  it('the SLO after the release, and recovery: held when the queue stayed drained and the SLO held after the drain', () => {
    const { probes, moments } = pinchSeries();
    const slo = parseSlo('p50<100ms,errors<1%');
    const p = analyzePinch({ moments, probes, queue: 'work_queue', intervals: steadyIntervals(9), slo });
    expect(p.sloAfterRelease).toMatchObject({ status: 'held', fromMs: 5000, toMs: 9000 });
    expect(p.recovery).toMatchObject({ status: 'held', slo: { status: 'held', fromMs: 6000 } });
  });

  it('a latency breach after the release breaks the SLO after the release', () => {
    const { probes, moments } = pinchSeries();
    const intervals = steadyIntervals(9).map((i, k) => (k === 5 ? interval({ index: k, latencyMs: [[900, 100]] }) : i));
    const p = analyzePinch({ moments, probes, queue: 'work_queue', intervals, slo: parseSlo('p90<100ms') });
    expect(p.sloAfterRelease?.status).toBe('breached');
    expect(p.sloAfterRelease?.detail).toMatch(/^p90 .* > 100 ms/);
    // The breach was during the drain: after it, the SLO held.
    expect(p.recovery.status).toBe('held');
  });

  it('a queue still above its steady range when the load stopped: not drained, recovery did not hold', () => {
    const { probes, moments } = pinchSeries({ endMs: 5500 });
    const p = analyzePinch({ moments, probes, queue: 'work_queue', intervals: [] });
    expect(p.queues[0]).toMatchObject({ drained: false, peak: 300 });
    expect(p.queues[0]!.drainMs).toBeUndefined();
    expect(p.recovery.status).toBe('breached');
    expect(p.recovery.detail).toContain('still above its steady range');
  });

  it('a queue that drained and rose again: recovery did not hold', () => {
    const { probes, moments } = pinchSeries({ regrowAtMs: 8000 });
    const p = analyzePinch({ moments, probes, queue: 'work_queue', intervals: [] });
    expect(p.queues[0]).toMatchObject({ drained: true, stayedDrained: false });
    expect(p.recovery.status).toBe('breached');
  });

  it('a named queue that never rose: no backlog, nothing to recover from', () => {
    const { probes, moments } = pinchSeries();
    const p = analyzePinch({ moments, probes, queue: 'db_queue', intervals: [] });
    expect(p.queues[0]).toMatchObject({ rose: false, drained: true });
    expect(p.throughput).toBeUndefined();
    expect(p.recovery).toMatchObject({ status: 'unjudged' });
  });

  it('a run stopped at the release (the clean-up sent the resume): the drain was never watched, recovery unjudged', () => {
    const { probes, moments } = pinchSeries({ endMs: 4000 });
    const p = analyzePinch({ moments: { ...moments, releaseAtMs: 4050, endMs: 4050 }, probes, queue: 'work_queue', intervals: [] });
    expect(p.queues[0]).toMatchObject({ rose: true, drained: false });
    expect(p.recovery).toMatchObject({ status: 'unjudged', detail: expect.stringContaining('no sample of work_queue after the release') });
  });
});

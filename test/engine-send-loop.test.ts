import { decodeHistogram } from '@overload/core/internal';
import { run } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

/** What the result says about every request sent: each one ends exactly once, and in the latency record. */
function expectEveryRequestRecorded(result: Awaited<ReturnType<typeof run>>): void {
  const t = result.totals;
  expect(t.responses + t.transportErrors + t.abandoned).toBe(t.sent);
  expect(t.transportErrors).toBe(t.errors - result.errorsByClass.status);
  expect(decodeHistogram(result.histograms.latency).totalCount).toBe(t.sent);
  expect(decodeHistogram(result.histograms.serviceTime).totalCount).toBe(t.sent);
}

describe('the send loop', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('opens connections before t0, and its JIT warm-up never reaches the target', async () => {
    server = await startChildServer('counting');
    const result = await run({ url: server.url, rateRps: 1000, durationMs: '2s', workers: 1 });
    const stats = await server.stats<{ count: number; firstEpochMs: number; connectionsEpochMs: number[] }>();
    // Exactly the schedule: the warm-up sends its requests to a server of its own.
    expect(stats.count).toBe(2000);
    expect(result.totals.sent).toBe(2000);
    // 50 ms of the first second's rate is opened before the first request is sent.
    const beforeFirst = stats.connectionsEpochMs.filter((t) => t < stats.firstEpochMs).length;
    expect(beforeFirst).toBeGreaterThanOrEqual(50);
    expectEveryRequestRecorded(result);
  });

  it('sleeps between arrivals instead of spinning: the firing thread idles most of the time', async () => {
    server = await startChildServer('counting');
    const result = await run({ url: server.url, rateRps: 5000, durationMs: '3s', workers: 1 });
    expect(result.totals.sent).toBe(15000);
    // A loop that polls for the next arrival keeps its thread's event loop busy all the time
    // (utilisation ~1.0 from a few thousand req/s); one that sleeps uses what its requests need.
    const elu = result.intervals
      .filter((i) => i.durationMs >= 1000)
      .map((i) => i.generatorElu)
      .sort((a, b) => a - b);
    expect(elu.length).toBeGreaterThanOrEqual(2);
    expect(elu[Math.floor(elu.length / 2)]).toBeLessThan(0.75);
  });

  it('records a timed-out request in the corrected latency at no less than the timeout', async () => {
    server = await startChildServer('faulty', { hangEvery: 1 });
    const result = await run({ url: server.url, rateRps: 50, durationMs: '1s', timeoutMs: '300ms', errorBurst: false });
    expect(result.totals.sent).toBe(50);
    expect(result.errorsByClass.timeout).toBe(50);
    expect(result.totals.responses).toBe(0);
    expect(result.latencyMs.count).toBe(50);
    expect(result.latencyMs.min).toBeGreaterThanOrEqual(300);
    expectEveryRequestRecorded(result);
  });

  it('counts and measures requests abandoned at the end of the drain', async () => {
    server = await startChildServer('faulty', { hangEvery: 1 });
    // Stopped a second into a 5 s schedule (start-up included): the drain gives in-flight
    // requests 200 ms more, then they are abandoned.
    const result = await run({
      url: server.url,
      rateRps: 50,
      durationMs: '5s',
      timeoutMs: '30s',
      drainMs: '200ms',
      errorBurst: false,
      signal: AbortSignal.timeout(1000),
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.totals.sent).toBeGreaterThan(0);
    expect(result.totals.abandoned).toBe(result.totals.sent);
    expect(result.totals.errors).toBe(0);
    // Measured up to the moment they were given up: at least the drain, for the last one sent.
    expect(result.latencyMs.min).toBeGreaterThanOrEqual(200);
    expectEveryRequestRecorded(result);
  });

  it('pipelines requests on a connection only when asked to', async () => {
    server = await startChildServer('pipelined', { delayMs: 50 });
    const plain = await run({ url: server.url, rateRps: 100, durationMs: '1s', connections: 2, workers: 1 });
    const first = await server.stats<{ count: number; maxOutstanding: number }>();
    expect(first.count).toBe(100);
    expect(first.maxOutstanding).toBe(1);
    expectEveryRequestRecorded(plain);
    await server.close();

    server = await startChildServer('pipelined', { delayMs: 50 });
    const piped = await run({ url: server.url, rateRps: 100, durationMs: '1s', connections: 2, pipelining: 4, workers: 1 });
    const second = await server.stats<{ count: number; maxOutstanding: number }>();
    expect(second.count).toBe(100);
    expect(second.maxOutstanding).toBe(4);
    expect(piped.totals.ok).toBe(100);
    expectEveryRequestRecorded(piped);
  });
});

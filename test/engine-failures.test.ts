import { createServer } from 'node:net';
import { run } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

describe('honest saturation and classified failures', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('drops and counts arrivals that find the in-flight cap full, never delaying them', async () => {
    server = await startChildServer('counting', { delayMs: 200 });
    const result = await run({ url: server.url, rateRps: 500, durationMs: '3s', maxInFlight: 20 });
    const { count } = await server.stats();
    // 20 slots × 5 completions/s each = ~100 req/s can be in service; the rest must be dropped.
    expect(result.totals.dropped).toBeGreaterThan(800);
    expect(result.totals.sent + result.totals.dropped + result.totals.droppedGenerator).toBe(result.totals.offered);
    expect(result.totals.offered).toBe(1500);
    expect(count).toBe(result.totals.sent);
    expect(result.totals.droppedGenerator).toBe(0);
    // Never delayed: what was sent went at its scheduled time.
    expect(result.generator.lagMsP99).toBeLessThan(50);
  });

  it('classifies resets mid-response, unexpected statuses and timeouts, and completes with results', async () => {
    server = await startChildServer('faulty', { resetEvery: 10, hangEvery: 25, statusEvery: 7, status: 503 });
    const result = await run({ url: server.url, rateRps: 200, durationMs: '2s', timeoutMs: '300ms' });
    const stats = await server.stats<{ count: number; reset: number; hang: number; status: number; ok: number }>();
    expect(result.stopReason).toBe('completed');
    expect(result.totals.sent).toBe(400);
    expect(result.errorsByClass.reset).toBeGreaterThan(0);
    expect(result.errorsByClass.timeout).toBe(stats.hang);
    expect(result.errorsByClass.status).toBe(stats.status);
    expect(result.statusCodes['503']).toBe(stats.status);
    expect(result.totals.ok).toBe(stats.ok);
    // Every request is accounted for exactly once: a response or a transport error.
    const transport =
      result.errorsByClass.reset + result.errorsByClass.timeout + result.errorsByClass.other + result.errorsByClass.protocol;
    expect(result.totals.responses + transport).toBe(result.totals.sent);
    expect(result.intervals.length).toBeGreaterThanOrEqual(2);
  });

  it('classifies a refused connection as refused', async () => {
    // Find a free port and close it again, so nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const result = await run({ url: `http://127.0.0.1:${port}/`, rateRps: 50, durationMs: '1s' });
    expect(result.totals.sent).toBe(50);
    expect(result.errorsByClass.refused).toBe(50);
    expect(result.totals.ok).toBe(0);
  });
});

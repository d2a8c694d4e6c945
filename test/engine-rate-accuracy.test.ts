import { run } from '@overload/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

describe('open-loop rate accuracy', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer('counting');
  });
  afterAll(() => server.close());

  it('delivers 2,000 req/s for 10 s: total within 1 %, every 1 s window within 5 %', async () => {
    const result = await run({ url: `${server.url}/count`, rateRps: 2000, durationMs: '10s' });
    const { count, arrivalsMs } = await server.stats();
    expect(Math.abs(count - 20_000)).toBeLessThanOrEqual(200);
    expect(result.totals.sent).toBe(count);
    expect(result.totals.ok).toBe(count);

    // The server's own clock: requests per 1 s window since the first request it saw.
    const windows = new Array<number>(10).fill(0);
    for (const t of arrivalsMs!) {
      const w = Math.floor(t / 1000);
      if (w < 10) windows[w]!++;
    }
    for (const [i, n] of windows.entries()) {
      expect(Math.abs(n - 2000), `window ${i} saw ${n} requests`).toBeLessThanOrEqual(100);
    }
    // The result's own per-second intervals agree with the profile (arrivals are counted in the
    // interval of their intended time, so even a last interval cut short holds its 2,000).
    const scheduled = result.intervals.filter((i) => i.index < 10);
    expect(scheduled.length).toBe(10);
    for (const i of scheduled) expect(i.offered).toBe(2000);
    expect(result.schemaVersion).toBe(3);
    expect(result.stopReason).toBe('completed');
  });
});

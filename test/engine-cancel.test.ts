import { run, runConfig, startRun } from '@overload/workers';
import { ValidationError } from '@overload/core/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

describe('run() as a library: cancellable, no open handles', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer('counting');
  });
  afterAll(() => server.close());

  it('stops on an AbortSignal and returns everything measured so far', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const result = await run({
      url: server.url,
      rateRps: 500,
      durationMs: '60s',
      signal: controller.signal,
      onInterval: (i) => {
        seen.push(i.index);
        if (i.index === 1) controller.abort(new Error('enough'));
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.stopDetail).toBe('enough');
    expect(result.durationMs).toBeLessThan(5000);
    const { count } = await server.stats();
    expect(result.totals.sent).toBe(count);
    expect(result.totals.sent).toBeGreaterThanOrEqual(1000);
    expect(result.intervals.map((i) => i.index)).toEqual(seen);
  });

  it('a stop reaches the workers promptly: nothing is sent 200 ms after it', async () => {
    const before = (await server.stats()).count;
    let stoppedAt = 0;
    const handle = startRun(runConfig({ url: server.url, rateRps: 1000, durationMs: '30s' }), {
      onInterval: (i, h) => {
        if (i.index === 0) {
          stoppedAt = performance.now();
          h.stop('signal');
        }
      },
    });
    const result = await handle.result;
    // The handle says how and when sending stopped: in the second interval, by that stop.
    const stop = await handle.stopped;
    expect(stop.reason).toBe('signal');
    expect(stop.atMs).toBeGreaterThanOrEqual(1000);
    expect(stop.atMs).toBeLessThan(2000);
    const elapsed = performance.now() - stoppedAt;
    const { count } = await server.stats();
    expect(count - before).toBe(result.totals.sent);
    expect(result.stopReason).toBe('signal');
    // At 1,000 req/s, 200 ms of extra sending would be ~200 requests beyond the first second.
    expect(result.totals.sent).toBeLessThan(1000 + 200);
    expect(elapsed).toBeLessThan(3000);
  });

  it('leaves no open handles behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    await run({ url: server.url, rateRps: 100, durationMs: '1s' });
    await new Promise((r) => setImmediate(r));
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    expect(after).toBeLessThanOrEqual(before);
  });

  it('rejects invalid options before sending anything, listing every problem', async () => {
    const before = (await server.stats()).count;
    let error: unknown;
    try {
      runConfig({
        url: 'ftp://nowhere',
        workers: 0,
        profile: { kind: 'step', startRps: -1, stepRps: 10, stepDurationMs: '1s', maxRps: 100 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'workers', 'profile.startRps']));
    expect((await server.stats()).count).toBe(before);
  });
});

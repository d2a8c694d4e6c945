import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { expectSameIntervals, type LiveView } from './support/dashboard.js';
import { killLeftovers, startCoordinator, startFollower } from './support/shards.js';

describe("the coordinator's dashboard", () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    killLeftovers();
    await server?.close();
  });

  it('shows the merged ramp of every shard, and its Stop stops them all: the coordinator exits 3 with partial results, every shard 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-shards-dashboard-'));
    server = await startChildServer('counting');
    const args = ['ramp', `${server.url}/`, '--profile', 'step:start=100,step=100,every=3s,max=600', '--slo', 'p99<500ms'];
    let viewing: Promise<LiveView> | undefined;
    let command = '';
    const coordinator = startCoordinator(
      [...args, '--shards', '2', '--no-recovery', '--dashboard', '--out-dir', join(dir, 'coordinator'), '-q'],
      (chunk) => {
        const url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(chunk)?.[1];
        if (!url || viewing) return;
        viewing = (async () => {
          const browser = await launchChromium();
          try {
            const page = await browser.newPage();
            page.on('dialog', (d) => void d.accept());
            await page.goto(url);
            await page.waitForFunction(() => Number(document.getElementById('intervals')?.textContent) >= 4, undefined, {
              timeout: 30_000,
            });
            command = (await page.textContent('#command')) ?? '';
            await page.click('#stop');
            await page.waitForFunction(
              () => (window as unknown as { overloadLive: { end: unknown } }).overloadLive.end !== null,
              undefined,
              {
                timeout: 20_000,
              },
            );
            return (await page.evaluate(() => (window as unknown as { overloadLive: unknown }).overloadLive)) as LiveView;
          } finally {
            await browser.close();
          }
        })();
      },
    );
    const url = await coordinator.url;
    const shards = [0, 1].map((i) => startFollower([...args, '--out-dir', join(dir, `shard${i}`), '-q'], i, 2, url));
    const c = await coordinator.done;
    const seen = await viewing!;
    expect(c.code, c.stderr).toBe(3);
    const merged = JSON.parse(await readFile(join(dir, 'coordinator', 'result.json'), 'utf8'));
    expect(merged.stopReason).toBe('control-endpoint');
    expect(merged.partial.detail).toMatch(/^the dashboard \(Stop button from 127\.0\.0\.1\)$/);
    expect(merged.run.shards).toEqual({ count: 2, merged: [0, 1] });
    // The page drew the merged intervals, the whole rate (100 req/s at step 1, not one shard's 50).
    expect(command).toMatch(/\(2 shards, merged\)$/);
    expectSameIntervals(seen.received, merged.run.intervals);
    expect(seen.received[1]!.offeredRps).toBe(100);
    expect(seen.stop.detail).toBe(merged.partial.detail);
    expect(seen.end.exitCode).toBe(3);
    // Every shard stopped sending, wrote its partial half, and exits 3 (docs/distributed.md).
    for (const [i, s] of shards.entries()) {
      const r = await s.done;
      expect(r.code, r.stderr).toBe(3);
      const half = JSON.parse(await readFile(join(dir, `shard${i}`, 'result.json'), 'utf8'));
      expect(half.stopReason).toBe('control-endpoint');
      expect(half.partial.detail).toBe(merged.partial.detail);
    }
    const { arrivalsMs, firstEpochMs, count } = await server.stats<{ arrivalsMs: number[]; firstEpochMs: number; count: number }>();
    // Through the coordinator's orders (a held poll answered at once), every shard stopped within
    // the bound a single process keeps, by the target's own clock.
    expect(firstEpochMs + arrivalsMs.at(-1)! - seen.stop.atEpochMs).toBeLessThan(200);
    expect(merged.run.totals.sent).toBe(count);
  }, 90_000);
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const FEEDERS = fileURLToPath(new URL('./fixtures/scenarios/feeders.ts', import.meta.url));

interface Seen {
  count: number;
  requests: { method: string; path: string; runId: string | null; body: string }[];
}

describe('scenario request mix and feeders on the wire', () => {
  let server: ChildServer;
  beforeEach(async () => {
    server = await startChildServer('counting');
  });
  afterEach(() => server.close());

  it('renders CSV, JSON and function feeders into paths and bodies, in the weighted mix, with the run id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-feeders-'));
    const r = await runCli(['run', FEEDERS, '--target', server.url, '--out-dir', dir, '-q']);
    expect(r.code).toBe(0);
    const { count, requests } = await server.stats<Seen>();
    expect(count).toBe(400);
    const views = requests.filter((q) => q.method === 'GET');
    const buys = requests.filter((q) => q.method === 'POST');
    // Weights 3:1 picked per arrival index: about 300 views and 100 orders.
    expect(views.length).toBeGreaterThan(250);
    expect(buys.length).toBeGreaterThan(60);
    for (const v of views) expect(v.path).toMatch(/^\/users\/u[123]\/carts\/cart-[0-6]\?n=\d+$/);
    // Arrival i takes row i mod length from every feeder.
    for (const v of views) {
      const n = Number(/n=(\d+)/.exec(v.path)![1]);
      expect(v.path).toBe(`/users/u${(n % 3) + 1}/carts/cart-${n % 7}?n=${n}`);
    }
    const bodies = buys.map((b) => JSON.parse(b.body) as { user: string; sku: string });
    for (const b of bodies) {
      expect(['Ada', 'Grace, H.', 'Linus']).toContain(b.user);
      expect(['A-1', 'B 2']).toContain(b.sku);
    }
    const runIds = new Set(requests.map((q) => q.runId));
    expect(runIds.size).toBe(1);
    expect([...runIds][0]).toMatch(/\w+-\w+/);
  });
});

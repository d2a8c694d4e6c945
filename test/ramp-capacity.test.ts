import { search } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

/**
 * A target with a known capacity C = 450 req/s that queues beyond it. The ramp against it (knee
 * within one step below C, exit 0) is in verdict-cli.test.ts; here the capacity search.
 */
const C = 450;

describe('capacity search against a fixed-capacity target', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('search() brackets C within 5 %', async () => {
    server = await startChildServer('capacity', { capacityRps: C });
    const result = await search({
      url: server.url,
      slo: 'p90<100ms,errors<1%',
      startRps: 200,
      factor: 2,
      precision: 0.05,
      minTrialMs: '3s',
      cooldownMs: '1s',
    });
    expect(result.converged).toBe(true);
    const [lo, hi] = result.bracket as [number, number];
    expect((hi - lo) / lo).toBeLessThanOrEqual(0.05);
    expect(lo).toBeGreaterThanOrEqual(C * 0.9);
    expect(lo).toBeLessThanOrEqual(C * 1.02);
    expect(hi).toBeGreaterThanOrEqual(C * 0.98);
    expect(result.sustainableRps).toBe(lo);
    expect(result.evidence.length).toBe(result.trials.length);
    expect(result.evidence.every((e) => e.step !== undefined)).toBe(true);
    // Every breached trial that another followed waited for the target to hold the SLO again.
    expect(result.reliable).toBe(true);
    const followed = result.evidence.slice(0, -1).filter((e) => e.verdict === 'breached');
    expect(followed.length).toBeGreaterThan(0);
    for (const e of followed) expect(e.recovery?.recovered, JSON.stringify(e.recovery)).toBe(true);
  }, 120_000);
});

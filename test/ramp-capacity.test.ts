import { ramp, search } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

/**
 * A target with a known capacity C = 450 req/s that queues beyond it. Steps of 40 req/s from 250:
 * 250, 290, 330, 370, 410, 450, 490. The knee must land within 10 % below C (410 or 450) and the
 * collapse above it must be a throughput shortfall and/or latency breach.
 */
const C = 450;

describe('ramp to collapse against a fixed-capacity target (issue 3)', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('finds the knee within 10 % below C, the collapse above it with its signature, and recovery', async () => {
    server = await startChildServer('capacity', { capacityRps: C });
    const result = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 250, stepRps: 40, stepDurationMs: '3s', maxRps: 610 },
      slo: 'p90<100ms,errors<1%',
      recovery: { cooldownMs: '1s', withinMs: '8s', windowMs: '2s' },
    });
    expect(result.verdict).toBe('collapsed');
    expect(result.knee?.rateRps).toBeGreaterThanOrEqual(C * 0.9);
    expect(result.knee?.rateRps).toBeLessThanOrEqual(C);
    expect(result.collapse?.step.rateRps).toBeGreaterThan(result.knee!.rateRps);
    const signature = result.collapse!.signature.map((c) => c.name);
    expect(signature.some((n) => n === 'achieved' || n === 'p90')).toBe(true);
    expect(result.stopReason).toBe('collapse');
    // The ramp stopped at the collapse: no step above it was sent.
    expect(result.steps[result.steps.length - 1]!.index).toBe(result.collapse!.step.index);
    expect(result.recovery && 'recovered' in result.recovery && result.recovery.recovered).toBe(true);
    expect(result.verdictLine).toMatch(/^knee \d[\d,]* req\/s; collapsed at \d[\d,]* req\/s: .+; recovered after /);
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
  }, 120_000);
});

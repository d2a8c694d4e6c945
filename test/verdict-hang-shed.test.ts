import { ramp } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

describe('verdicts that count every request', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hang: a target that accepts and never answers was never healthy, with its timeouts in p99', async () => {
    server = await startChildServer('faulty', { hangEvery: 1 });
    const result = await ramp({
      url: server.url,
      // 6 s steps: the 5 s judged after the warm-up hold 1,500 timeouts at 300 req/s, enough for p99.
      profile: { kind: 'step', startRps: 300, stepRps: 100, stepDurationMs: '6s', maxRps: 500 },
      slo: 'p99<500ms',
      timeoutMs: '1s',
      recovery: false,
    });
    // The first step breached: no step held, so there is no knee and no collapse from health.
    expect(result.verdict).toBe('never-healthy');
    expect(result.knee).toBeUndefined();
    expect(result.collapse!.step.rateRps).toBe(300);
    // Certain from the first judged interval on (every request timed out), the collapse is called
    // then, on errors and achieved; p99 needs 1,000 samples, more than that interval holds.
    expect(result.collapse!.signature.map((c) => c.name)).toEqual(expect.arrayContaining(['errors', 'achieved']));
    // A timed-out request enters the corrected latency at the moment it ended: at least the timeout.
    expect(result.collapse!.step.latencyMs.p50).toBeGreaterThanOrEqual(1000);
    expect(result.run.latencyMs.p99).toBeGreaterThanOrEqual(1000);
    const t = result.run.totals;
    expect(t.responses).toBe(0);
    // Every request sent ends in the record: answered, failed, or abandoned at the drain.
    expect(t.sent).toBe(t.responses + t.transportErrors + t.abandoned);
    expect(result.run.errorsByClass.timeout).toBeGreaterThan(250);
  }, 60_000);

  it('shed: fast 503s beyond the capacity are a collapse on errors, never a knee above the shedding point', async () => {
    const capacityRps = 400;
    server = await startChildServer('shed', { capacityRps });
    const result = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 300, stepRps: 100, stepDurationMs: '6s', maxRps: 700 },
      // Latency alone: the fast 503s keep p99 low, and the default error limit (1 %) catches them.
      slo: 'p99<200ms',
      recovery: false,
    });
    expect(result.verdict).toBe('collapsed');
    expect(result.knee?.rateRps).toBeGreaterThanOrEqual(capacityRps - 100);
    expect(result.knee?.rateRps).toBeLessThanOrEqual(capacityRps);
    expect(result.collapse!.step.rateRps).toBe(result.knee!.rateRps + 100);
    const names = result.collapse!.signature.map((c) => c.name);
    expect(names).toContain('errors');
    expect(names).not.toContain('p99');
    // Achieved counts successful responses only: the shed requests are not throughput.
    expect(result.collapse!.step.achievedRps).toBeLessThan(capacityRps * 1.05);
  }, 60_000);

  it('shed with errors<100%: the throughput shortfall still catches it, since 503s are not achieved', async () => {
    const capacityRps = 400;
    server = await startChildServer('shed', { capacityRps });
    const result = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 300, stepRps: 200, stepDurationMs: '6s', maxRps: 700 },
      slo: 'p99<200ms,errors<100%',
      recovery: false,
    });
    expect(result.verdict).toBe('collapsed');
    expect(result.knee?.rateRps).toBe(300);
    expect(result.collapse!.step.rateRps).toBe(500);
    expect(result.collapse!.signature.map((c) => c.name)).toEqual(['achieved']);
  }, 60_000);
});

import { ramp } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

const profile = { kind: 'step', startRps: 200, stepRps: 200, stepDurationMs: '2s', maxRps: 1200 } as const;

describe('recovery check after a collapse', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a sticky circuit breaker (never clears) fails the recovery check and says so', async () => {
    server = await startChildServer('capacity', { capacityRps: 500, breaker: { tripQueue: 20, resetMs: 1500, sticky: true } });
    const result = await ramp({
      url: server.url,
      profile,
      slo: 'p90<200ms,errors<1%',
      probes: [
        { name: 'breaker_open', kind: 'prometheus', url: `${server.url}/metrics`, metric: 'breaker_open', intervalMs: 250, timeoutMs: 200 },
      ],
      recovery: { cooldownMs: '1s', withinMs: '5s', windowMs: '2s' },
    });
    expect(result.verdict).toBe('collapsed');
    const recovery = result.recovery!;
    expect('recovered' in recovery && recovery.recovered).toBe(false);
    if (!('recovered' in recovery)) throw new Error('recovery skipped');
    expect(recovery.detail).toMatch(/stayed broken|did not recover/i);
    expect(recovery.failing.map((c) => c.name)).toContain('errors');
    expect(result.verdictLine).toContain('did not recover');
    // The probe saw the breaker open and stay open.
    const breaker = result.probes.find((p) => p.name === 'breaker_open')!;
    expect(breaker.points.at(-1)?.value).toBe(1);
  });

  it('a breaker that clears after its timeout passes, with a time-to-recover near that timeout', async () => {
    const resetMs = 4000;
    server = await startChildServer('capacity', { capacityRps: 500, breaker: { tripQueue: 20, resetMs, sticky: false } });
    const result = await ramp({
      url: server.url,
      profile,
      slo: 'p90<200ms,errors<1%',
      recovery: { cooldownMs: '500ms', withinMs: '12s', windowMs: '1s' },
    });
    expect(result.verdict).toBe('collapsed');
    const recovery = result.recovery!;
    if (!('recovered' in recovery)) throw new Error(`recovery skipped: ${JSON.stringify(recovery)}`);
    expect(recovery.recovered).toBe(true);
    // The breaker tripped shortly before the load stopped, so it clears up to resetMs later.
    expect(recovery.timeToRecoverMs!).toBeGreaterThan(resetMs * 0.4);
    expect(recovery.timeToRecoverMs!).toBeLessThan(resetMs + 2500);
  });
});

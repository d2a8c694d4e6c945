import { ramp } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

describe('probes during a ramp', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('records a Prometheus queue-depth gauge and ends the ramp on it', async () => {
    server = await startChildServer('capacity', { capacityRps: 400 });
    const result = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 100, stepRps: 150, stepDurationMs: '3s', maxRps: 1000 },
      // Latency and throughput limits loose enough that the queue-depth probe breaches first.
      slo: 'p50<5s,achieved>50%,queue_depth<60',
      probes: [
        { name: 'queue_depth', kind: 'prometheus', url: `${server.url}/metrics`, metric: 'queue_depth', intervalMs: 200, timeoutMs: 150 },
      ],
      recovery: false,
    });
    expect(result.verdict).toBe('collapsed');
    expect(result.collapse!.signature.map((c) => c.name)).toContain('queue_depth');
    const series = result.probes.find((p) => p.name === 'queue_depth')!;
    expect(series.points.length).toBeGreaterThan(10);
    expect(series.points.every((p) => p.ok)).toBe(true);
    expect(Math.max(...series.points.map((p) => p.value ?? 0))).toBeGreaterThanOrEqual(60);
    expect(result.recovery).toEqual({ skipped: 'disabled (--no-recovery)' });
  });

  it('a generator forced to saturate reports inconclusive, never a knee', async () => {
    server = await startChildServer('counting');
    const result = await ramp({
      url: server.url,
      workers: 1,
      // Far beyond what one worker thread can send, however fast its loop: it falls behind its
      // schedule from the first second, which is what makes a verdict inconclusive. (At 200,000
      // the hot path kept its schedule against this target, which answered about 59,000 req/s.)
      profile: { kind: 'stages', startRps: 2_000_000, stages: [{ durationMs: '3s', targetRps: 2_000_000 }] },
      slo: 'p99<1s,errors<50%,achieved>10%',
      warmupMs: 500,
      windowMs: 1000,
      timeoutMs: '2s',
    });
    expect(result.verdict).toBe('inconclusive');
    expect(result.knee).toBeUndefined();
    // Which of the saturation rule's true signals fires first (a backlog, drops, a busy thread) is
    // not what this case guarantees: that the generator, not the target, is named is.
    expect(result.inconclusive!.reason).toMatch(/^generator saturated at 2,000,000 req\/s \(/);
    expect(result.steps[0]!.generator.saturated).toBe(true);
    expect(result.inconclusive!.advice).toMatch(/workers|shard/);
    expect(result.recovery).toEqual({ skipped: 'the ramp was inconclusive' });
  });
});

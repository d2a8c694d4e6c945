import { compileProfile, parseSlo, RampJudge } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { capacityTarget, interval } from './support/intervals.js';

const steps = compileProfile({ kind: 'step', startRps: 1000, stepRps: 1000, stepDurationMs: '10s', maxRps: 3000 }).steps;
const slo = parseSlo('p99<500ms,errors<1%');

describe('RampJudge.abandon: a lost shard is never a silent knee', () => {
  it('makes the open step inconclusive, with the reason, and no knee or collapse', () => {
    const judge = new RampJudge({ steps, slo });
    // Step 1 holds; step 2 is under way when a shard is lost.
    for (let t = 0; t < 14_000; t += 1000) judge.push(interval({ startMs: t, ...capacityTarget(t < 10_000 ? 1000 : 2000, 2500) }));
    const event = judge.abandon('shard 2 of 4 stopped reporting for 3.0 s', 'rerun with every shard');
    expect(event).toMatchObject({ type: 'inconclusive', reason: 'shard 2 of 4 stopped reporting for 3.0 s' });
    const summary = judge.summary();
    expect(summary.verdict).toBe('inconclusive');
    expect(summary.knee).toBeUndefined();
    expect(summary.collapse).toBeUndefined();
    expect(summary.lastHeld?.rateRps).toBe(1000);
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'inconclusive']);
  });

  it('leaves a collapse decided before the loss standing (it was judged on every shard)', () => {
    const judge = new RampJudge({ steps, slo });
    for (let t = 0; t < 30_000 && !judge.decision; t += 1000)
      judge.push(interval({ startMs: t, ...capacityTarget([1000, 2000, 3000][Math.floor(t / 10_000)]!, 2500) }));
    expect(judge.abandon('shard 1 lost', 'rerun')).toBeUndefined();
    expect(judge.summary()).toMatchObject({ verdict: 'collapsed', knee: { rateRps: 2000 } });
  });
});

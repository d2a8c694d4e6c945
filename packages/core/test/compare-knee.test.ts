import { describe, expect, it } from 'vitest';
import {
  type ConditionOutcome,
  compareKnee,
  compareRecovery,
  DEFAULT_COMPARE_OPTIONS,
  heldWithRoom,
  type RampLike,
  type StepResult,
} from '@overload/core/internal';

const o = DEFAULT_COMPARE_OPTIONS;

function condition(kind: ConditionOutcome['kind'], observed: number, limit: number, op: ConditionOutcome['op'] = '<='): ConditionOutcome {
  const held = op === '>=' ? observed >= limit : op === '<' ? observed < limit : op === '==' ? observed === limit : observed <= limit;
  const unit = kind === 'latency' ? 'ms' : kind === 'achieved' ? 'ratio' : kind === 'probe' ? '' : '%';
  return { name: kind, kind, observed, limit, op, unit, status: held ? 'held' : 'breached', ok: held };
}

/** A step at `rateRps` judged on these conditions (the fields a knee comparison reads). */
function step(rateRps: number, conditions: ConditionOutcome[]): StepResult {
  const verdict = conditions.every((c) => c.ok) ? 'held' : 'breached';
  return { index: rateRps / 100 - 1, label: `${rateRps} req/s`, rateRps, verdict, conditions } as unknown as StepResult;
}

function ramp(steps: StepResult[], recovery?: RampLike['recovery']): RampLike {
  const held = steps.filter((s) => s.verdict === 'held');
  const collapse = steps.find((s) => s.verdict === 'breached');
  return {
    kind: 'ramp',
    target: { url: 'http://127.0.0.1:8080/', method: 'GET' },
    slo: {},
    verdict: collapse ? (held.length > 0 ? 'collapsed' : 'never-healthy') : 'held',
    steps,
    ...(held.length > 0 ? { lastHeld: held.at(-1)! } : {}),
    ...(recovery ? { recovery } : {}),
  } as unknown as RampLike;
}

const calm = (rate: number) => step(rate, [condition('latency', 5, 50), condition('errors', 0, 1), condition('achieved', 1, 0.95, '>=')]);
const tight = (rate: number) => step(rate, [condition('latency', 48, 50), condition('errors', 0, 1), condition('achieved', 1, 0.95, '>=')]);
const broken = (rate: number) =>
  step(rate, [condition('latency', 80, 50), condition('errors', 0, 1), condition('achieved', 1, 0.95, '>=')]);

describe('the knee one step lower, and room to spare', () => {
  it('room: a condition farther from its limit than the minimum effect, at most halfway to the perfect value', () => {
    expect(heldWithRoom(step(100, [condition('latency', 45, 50)]), o)).toBe(true);
    expect(heldWithRoom(step(100, [condition('latency', 46, 50)]), o)).toBe(false);
    expect(heldWithRoom(step(100, [condition('achieved', 0.975, 0.95, '>=')]), o)).toBe(true);
    expect(heldWithRoom(step(100, [condition('achieved', 0.97, 0.95, '>=')]), o)).toBe(false);
    expect(heldWithRoom(step(100, [condition('errors', 0.5, 1)]), o)).toBe(true);
    expect(heldWithRoom(step(100, [condition('errors', 0.6, 1)]), o)).toBe(false);
    expect(heldWithRoom(step(100, [condition('probe', 90, 100, '<')]), o)).toBe(true);
    expect(heldWithRoom(step(100, [condition('probe', 91, 100, '<')]), o)).toBe(false);
  });

  it('a step that breached now and held with room before is a regression; held without room, the step size cannot tell', () => {
    const baseline = ramp([calm(100), calm(200), calm(300), broken(400)]);
    const k = compareKnee(baseline, ramp([calm(100), calm(200), broken(300)]), 'request', o);
    expect(k.outcome).toBe('regressed');
    expect(k.detail).toBe('it fell from 300 req/s to 200 req/s: 300 req/s breached, and the baseline held 300 req/s with room to spare');
    const close = compareKnee(
      ramp([calm(100), calm(200), tight(300), broken(400)]),
      ramp([calm(100), calm(200), broken(300)]),
      'request',
      o,
    );
    expect(close.outcome).toBe('cannot-tell');
    expect(close.detail).toContain('without room to spare');
  });

  it('the same or a higher knee is no regression; a current ramp never healthy where the baseline held with room is regressed', () => {
    const baseline = ramp([calm(100), calm(200), broken(300)]);
    expect(compareKnee(baseline, ramp([calm(100), calm(200), calm(300), broken(400)]), 'request', o).outcome).toBe('no-regression');
    const never = compareKnee(baseline, ramp([broken(100)]), 'request', o);
    expect(never.outcome).toBe('regressed');
    expect(never.currentLabel).toBe('none');
  });
});

describe('recovery', () => {
  const rec = (recovered: boolean, timeToRecoverMs?: number) => ({
    recovered,
    windowMs: 3000,
    ...(timeToRecoverMs ? { timeToRecoverMs } : {}),
  });
  const withRecovery = (r: RampLike['recovery']) => ramp([calm(100), broken(200)], r);

  it('recovered before and not now is regressed; later by more than one window is regressed; within it, not', () => {
    expect(compareRecovery(withRecovery(rec(true, 2800)), withRecovery(rec(false)), o)?.outcome).toBe('regressed');
    expect(compareRecovery(withRecovery(rec(true, 2800)), withRecovery(rec(true, 6000)), o)?.outcome).toBe('regressed');
    expect(compareRecovery(withRecovery(rec(true, 2800)), withRecovery(rec(true, 5500)), o)?.outcome).toBe('no-regression');
    expect(compareRecovery(withRecovery(rec(false)), withRecovery(rec(true, 2800)), o)?.outcome).toBe('no-regression');
  });

  it('not checked on one side cannot tell; on neither side there is no row', () => {
    expect(compareRecovery(withRecovery(rec(true, 2800)), withRecovery({ skipped: '--no-recovery' }), o)?.outcome).toBe('cannot-tell');
    expect(compareRecovery(withRecovery({ skipped: '--no-recovery' }), withRecovery({ skipped: '--no-recovery' }), o)).toBeUndefined();
  });
});

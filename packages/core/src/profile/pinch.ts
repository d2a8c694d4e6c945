import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/**
 * The pinch test from the seed story: demand arrives at `baseRps` throughout, but for `holdMs`
 * nothing is sent (consumption is paused and a backlog of baseRps·hold builds up); then the
 * backlog is released at `releaseRps` while demand keeps arriving, so it drains at
 * releaseRps − baseRps. After the backlog is gone the rate returns to `baseRps` for `afterMs`,
 * so the drain of the target's own queues can be watched. An optional `beforeMs` of normal
 * traffic gives a baseline to compare against.
 */
export interface PinchProfile {
  readonly kind: 'pinch';
  readonly baseRps: number;
  readonly holdMs: DurationInput;
  readonly releaseRps: number;
  readonly beforeMs?: DurationInput;
  readonly afterMs?: DurationInput;
}

export function validatePinch(p: PinchProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const base = readNumber(p.baseRps, `${path}.baseRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  readDurationMs(p.holdMs, `${path}.holdMs`, issues);
  const release = readNumber(p.releaseRps, `${path}.releaseRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  if (p.beforeMs !== undefined) readDurationMs(p.beforeMs, `${path}.beforeMs`, issues, { allowZero: true });
  if (p.afterMs !== undefined) readDurationMs(p.afterMs, `${path}.afterMs`, issues, { allowZero: true });
  if (release <= base)
    issues.push({ path: `${path}.releaseRps`, message: `must be > baseRps (${base}) or the backlog never drains (got ${release})` });
  return issues;
}

export function pinchReleaseMs(p: PinchProfile, ms: (d: DurationInput) => number): number {
  const backlog = (p.baseRps * ms(p.holdMs)) / 1000;
  return (backlog / (p.releaseRps - p.baseRps)) * 1000;
}

export function compilePinch(p: PinchProfile, ms: (d: DurationInput) => number): RateCurve {
  return new CurveBuilder()
    .add(ms(p.beforeMs ?? 0), p.baseRps, p.baseRps, `before ${p.baseRps} req/s`)
    .add(ms(p.holdMs), 0, 0, 'hold')
    .add(pinchReleaseMs(p, ms), p.releaseRps, p.releaseRps, `release ${p.releaseRps} req/s`)
    .add(ms(p.afterMs ?? 0), p.baseRps, p.baseRps, `after ${p.baseRps} req/s`)
    .build();
}

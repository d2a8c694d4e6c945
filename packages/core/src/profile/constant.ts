import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/** A fixed rate for a fixed time (wrk2's `-R`, k6's constant-arrival-rate). */
export interface ConstantProfile {
  readonly kind: 'constant';
  readonly rateRps: number;
  readonly durationMs: DurationInput;
}

export function validateConstant(p: ConstantProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  readNumber(p.rateRps, `${path}.rateRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  readDurationMs(p.durationMs, `${path}.durationMs`, issues);
  return issues;
}

export function compileConstant(p: ConstantProfile, ms: (d: DurationInput) => number): RateCurve {
  return new CurveBuilder().add(ms(p.durationMs), p.rateRps, p.rateRps, `${p.rateRps} req/s`).build();
}

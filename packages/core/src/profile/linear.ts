import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/** A straight ramp from one rate to another. */
export interface LinearProfile {
  readonly kind: 'linear';
  readonly fromRps: number;
  readonly toRps: number;
  readonly durationMs: DurationInput;
}

export function validateLinear(p: LinearProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const from = readNumber(p.fromRps, `${path}.fromRps`, issues, { what: 'a rate in req/s' });
  const to = readNumber(p.toRps, `${path}.toRps`, issues, { what: 'a rate in req/s' });
  readDurationMs(p.durationMs, `${path}.durationMs`, issues);
  if (from === 0 && to === 0) issues.push({ path: `${path}.toRps`, message: 'must be > 0 when fromRps is 0 (nothing would be sent)' });
  return issues;
}

export function compileLinear(p: LinearProfile, ms: (d: DurationInput) => number): RateCurve {
  return new CurveBuilder().add(ms(p.durationMs), p.fromRps, p.toRps, `${p.fromRps}→${p.toRps} req/s`).build();
}

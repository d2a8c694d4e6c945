import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';
import { MAX_STEPS } from './step.js';

/** Flat steps that multiply by `factor`: start, start·f, start·f², … up to maxRps. */
export interface ExponentialProfile {
  readonly kind: 'exponential';
  readonly startRps: number;
  readonly factor: number;
  readonly stepDurationMs: DurationInput;
  readonly maxRps: number;
}

export function validateExponential(p: ExponentialProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const start = readNumber(p.startRps, `${path}.startRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  const factor = readNumber(p.factor, `${path}.factor`, issues, { min: 1, allowMin: false, what: 'a growth factor' });
  readDurationMs(p.stepDurationMs, `${path}.stepDurationMs`, issues);
  const max = readNumber(p.maxRps, `${path}.maxRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  if (max < start) issues.push({ path: `${path}.maxRps`, message: `must be >= startRps (${start}) (got ${max})` });
  else if (factor > 1 && Math.log(max / start) / Math.log(factor) + 1 > MAX_STEPS) {
    issues.push({ path: `${path}.factor`, message: `makes more than ${MAX_STEPS} steps; use a larger factor` });
  }
  return issues;
}

export function exponentialRates(p: ExponentialProfile): number[] {
  const rates: number[] = [];
  for (let k = 0; ; k++) {
    const r = p.startRps * p.factor ** k;
    if (r > p.maxRps * (1 + 1e-12)) break;
    // Round to the thousandth for readable labels, but never above maxRps (1.0006 → 1.001) nor
    // down to 0 req/s for a tiny positive start.
    const rounded = Math.round(r * 1000) / 1000;
    rates.push(Math.min(p.maxRps, rounded > 0 ? rounded : r));
  }
  return rates;
}

export function compileExponential(p: ExponentialProfile, ms: (d: DurationInput) => number): RateCurve {
  const b = new CurveBuilder();
  const d = ms(p.stepDurationMs);
  for (const r of exponentialRates(p)) b.add(d, r, r, `${r} req/s`);
  return b.build();
}

import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/** Flat steps: start, start + step, … up to and including maxRps. The classic knee finder. */
export interface StepProfile {
  readonly kind: 'step';
  readonly startRps: number;
  readonly stepRps: number;
  readonly stepDurationMs: DurationInput;
  readonly maxRps: number;
}

/** Guards against a profile of millions of steps from a typo (step 0.001). */
export const MAX_STEPS = 10_000;

export function validateStep(p: StepProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const start = readNumber(p.startRps, `${path}.startRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  const step = readNumber(p.stepRps, `${path}.stepRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  readDurationMs(p.stepDurationMs, `${path}.stepDurationMs`, issues);
  const max = readNumber(p.maxRps, `${path}.maxRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  if (max < start) issues.push({ path: `${path}.maxRps`, message: `must be >= startRps (${start}) (got ${max})` });
  else if ((max - start) / step + 1 > MAX_STEPS)
    issues.push({ path: `${path}.stepRps`, message: `makes more than ${MAX_STEPS} steps; use a larger step` });
  return issues;
}

export function stepRates(p: StepProfile): number[] {
  const rates: number[] = [];
  // Multiply rather than accumulate so 0.1-sized steps do not drift past maxRps.
  for (let k = 0; ; k++) {
    const r = p.startRps + k * p.stepRps;
    if (r > p.maxRps * (1 + 1e-12)) break;
    // The step that reaches maxRps within float error offers exactly maxRps (0.1 + 2·0.1 is
    // 0.30000000000000004, above a max of 0.3); the others shed the last-digit binary noise of
    // start + k·step (0.7000000000000001) for their labels, and never pass maxRps either.
    rates.push(r >= p.maxRps * (1 - 1e-12) ? p.maxRps : Math.min(p.maxRps, Number(r.toPrecision(15))));
  }
  return rates;
}

export function compileStep(p: StepProfile, ms: (d: DurationInput) => number): RateCurve {
  const b = new CurveBuilder();
  const d = ms(p.stepDurationMs);
  for (const r of stepRates(p)) b.add(d, r, r, `${r} req/s`);
  return b.build();
}

import { DEFAULTS } from '../defaults.js';
import type { ValidationIssue } from '../errors.js';
import type { ProfileStep } from '../profile/curve.js';
import { validateSlo } from '../slo/slo.js';
import { readNumber } from '../units.js';
import type { RampJudgeOptions } from './ramp-judge.js';

/**
 * The arithmetic of a ramp's plan that the judge and `overload plan` share: where a step ends,
 * how much of it is judged, how many arrivals flat steps schedule. Pure, on the profile's steps.
 */

/** Half a millisecond: interval and step boundaries computed in floating point meet within it. */
export const EPSILON_MS = 0.5;

export function stepEndMs(s: Pick<ProfileStep, 'startMs' | 'durationMs'>): number {
  return s.startMs + s.durationMs;
}

/** The part of a step not judged after the rate changes, unless given: min(1 s, 20 % of the step). */
export function defaultWarmupMs(stepDurationMs: number): number {
  return Math.min(DEFAULTS.judge.warmupMaxMs, DEFAULTS.judge.warmupRatio * stepDurationMs);
}

/**
 * How much of a step the judge rests its whole-step verdict on: the intervals whose midpoint lies
 * past the warm-up (the judge's own rule), for a step that starts on an interval boundary.
 */
export function judgedMsOf(stepDurationMs: number, warmupMs: number, intervalMs: number = DEFAULTS.run.intervalMs): number {
  let judged = 0;
  for (let t = 0; t < stepDurationMs - EPSILON_MS; t += intervalMs) {
    const len = Math.min(intervalMs, stepDurationMs - t);
    if (t + len / 2 >= warmupMs) judged += len;
  }
  return judged;
}

/** Arrivals of flat steps in [startMs, endMs): each step's rate over its overlap. */
export function flatStepArrivals(steps: readonly ProfileStep[], startMs: number, endMs: number): number {
  let n = 0;
  for (const s of steps) {
    const overlapMs = Math.min(endMs, stepEndMs(s)) - Math.max(startMs, s.startMs);
    if (overlapMs > 0) n += (s.rateRps * overlapMs) / 1000;
  }
  return n;
}

/** Every problem with a judge's options, each with its path; checked before any thread starts. */
export function validateRampJudgeOptions(options: RampJudgeOptions, path = 'options'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(options.steps) || options.steps.length === 0) {
    issues.push({ path: `${path}.steps`, message: 'must list at least one step (a ramp profile: step, exponential or stages)' });
  }
  issues.push(...validateSlo(options.slo, `${path}.slo`));
  if (options.windowMs !== undefined)
    readNumber(options.windowMs, `${path}.windowMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  if (options.arrivals !== undefined && options.arrivals !== 'uniform' && options.arrivals !== 'poisson') {
    issues.push({ path: `${path}.arrivals`, message: `must be "uniform" or "poisson" (got ${JSON.stringify(options.arrivals)})` });
  }
  if (options.intervalMs !== undefined)
    readNumber(options.intervalMs, `${path}.intervalMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  if (options.warmupMs !== undefined) {
    readNumber(options.warmupMs, `${path}.warmupMs`, issues, { min: 0, what: 'a number of milliseconds' });
    const shortest = Array.isArray(options.steps) ? Math.min(...options.steps.map((s) => s.durationMs)) : Number.POSITIVE_INFINITY;
    if (options.warmupMs >= shortest) {
      issues.push({
        path: `${path}.warmupMs`,
        message: `must be shorter than the shortest step (${shortest} ms), or that step is never judged (got ${options.warmupMs})`,
      });
    }
  }
  return issues;
}

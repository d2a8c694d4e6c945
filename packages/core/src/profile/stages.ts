import type { ValidationIssue } from '../errors.js';
import { SCENARIO_FIELDS, unknownFields } from '../scenario/known-fields.js';
import { type DurationInput, describe, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/** k6's ramping-arrival-rate: each stage moves linearly from the previous target to its own. */
export interface StagesProfile {
  readonly kind: 'stages';
  /** The rate at t0, before the first stage ramps (default 0). */
  readonly startRps?: number;
  readonly stages: readonly { readonly durationMs: DurationInput; readonly targetRps: number }[];
}

export function validateStages(p: StagesProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (p.startRps !== undefined) readNumber(p.startRps, `${path}.startRps`, issues, { what: 'a rate in req/s' });
  if (!Array.isArray(p.stages) || p.stages.length === 0) {
    issues.push({ path: `${path}.stages`, message: `must be a non-empty list of { durationMs, targetRps } (got ${describe(p.stages)})` });
    return issues;
  }
  p.stages.forEach((s, i) => {
    const at = `${path}.stages[${i}]`;
    if (typeof s !== 'object' || s === null) {
      issues.push({ path: at, message: `must be an object { durationMs, targetRps } (got ${describe(s)})` });
      return;
    }
    issues.push(...unknownFields(s, SCENARIO_FIELDS.stage, at, 'a stage'));
    readDurationMs(s.durationMs, `${at}.durationMs`, issues);
    readNumber(s.targetRps, `${at}.targetRps`, issues, { what: 'a rate in req/s' });
  });
  return issues;
}

export function compileStages(p: StagesProfile, ms: (d: DurationInput) => number): RateCurve {
  const b = new CurveBuilder();
  let from = p.startRps ?? 0;
  p.stages.forEach((s, i) => {
    b.add(ms(s.durationMs), from, s.targetRps, `stage ${i + 1}: ${from === s.targetRps ? `${from}` : `${from}→${s.targetRps}`} req/s`);
    from = s.targetRps;
  });
  return b.build();
}

import type { ConditionOutcome } from '../collapse/judge-window.js';
import type { RampVerdict, StepResult } from '../collapse/step-result.js';
import type { RunResult } from '../result/run-result.js';
import type { CompareOptions, CompareOutcome } from './metric-verdict.js';

/** The parts of a ramp's result.json a comparison reads (the type itself lives with the ramp runner). */
export interface RampLike {
  readonly kind: 'ramp';
  readonly target: { readonly url: string; readonly method: string };
  readonly slo: unknown;
  readonly verdict: RampVerdict;
  readonly knee?: StepResult;
  readonly lastHeld?: StepResult;
  readonly collapse?: { readonly step: StepResult; readonly signature: readonly ConditionOutcome[] };
  readonly steps: readonly StepResult[];
  readonly recovery?: { readonly recovered?: boolean } | { readonly skipped: string };
  readonly run: RunResult;
}

export interface KneeComparison {
  readonly baselineRps?: number;
  readonly currentRps?: number;
  readonly baselineSignature?: string;
  readonly currentSignature?: string;
  readonly outcome: CompareOutcome;
  readonly detail: string;
}

function highestHeld(r: RampLike): StepResult | undefined {
  return r.knee ?? r.lastHeld;
}

function signatureOf(r: RampLike): string | undefined {
  return r.collapse?.signature.map((c) => c.name).join(' + ');
}

/** A latency condition held with room: below the limit by at least the minimum effect. */
function heldWithRoom(step: StepResult, o: CompareOptions): boolean {
  if (step.verdict !== 'held') return false;
  return step.conditions.every((c) => {
    if (c.status !== 'held') return false;
    if (c.kind !== 'latency') return true;
    return c.observed <= c.limit - Math.max(o.minEffectRatio * c.limit, o.minEffectMs);
  });
}

/**
 * A knee is only as exact as the profile's step: a knee one step lower may be the same capacity
 * seen on the other side of a step boundary. So a lower knee is a regression only when the first
 * step above the current knee breached in the current run and held with room to spare in the
 * baseline; otherwise the step size cannot tell them apart.
 */
export function compareKnee(baseline: RampLike, current: RampLike, o: CompareOptions): KneeComparison {
  const b = highestHeld(baseline);
  const c = highestHeld(current);
  const sigs = {
    ...(signatureOf(baseline) ? { baselineSignature: signatureOf(baseline)! } : {}),
    ...(signatureOf(current) ? { currentSignature: signatureOf(current)! } : {}),
  };
  const rates = { ...(b ? { baselineRps: b.rateRps } : {}), ...(c ? { currentRps: c.rateRps } : {}) };
  if (!b) return { ...rates, ...sigs, outcome: 'cannot-tell', detail: `the baseline held no step (${baseline.verdict})` };
  if (!c) {
    if (current.verdict === 'never-healthy') {
      return { ...rates, ...sigs, outcome: 'regressed', detail: `the current run was never healthy; the baseline held ${b.label}` };
    }
    return { ...rates, ...sigs, outcome: 'cannot-tell', detail: `the current run held no step (${current.verdict})` };
  }
  if (c.rateRps >= b.rateRps) {
    return { ...rates, ...sigs, outcome: 'no-regression', detail: `held ${c.label}, the baseline ${b.label}` };
  }
  const above = current.steps.find((s) => s.rateRps > c.rateRps && s.rateRps <= b.rateRps);
  if (above?.verdict !== 'breached') {
    return {
      ...rates,
      ...sigs,
      outcome: 'cannot-tell',
      detail: `the current run did not judge a step between ${c.label} and ${b.label} breached (${current.verdict})`,
    };
  }
  const inBaseline = baseline.steps.find((s) => s.rateRps === above.rateRps);
  if (!inBaseline || !heldWithRoom(inBaseline, o)) {
    return {
      ...rates,
      ...sigs,
      outcome: 'cannot-tell',
      detail: `the knee fell from ${b.label} to ${c.label}, but the baseline held ${above.label} without room to spare: the step size cannot separate them (use smaller steps)`,
    };
  }
  return {
    ...rates,
    ...sigs,
    outcome: 'regressed',
    detail: `the knee fell from ${b.label} to ${c.label}: ${above.label} breached, and held with room in the baseline`,
  };
}

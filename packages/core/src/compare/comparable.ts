import type { ConditionOutcome } from '../collapse/judge-window.js';
import type { RampVerdict, StepResult } from '../collapse/step-result.js';
import type { ProbeSeries } from '../probe/series.js';
import type { RunResult } from '../result/run-result.js';
import type { IntervalStats } from '../run/interval.js';
import type { IdentitySource } from './identity.js';

/** The recovery check of a ramp as a comparison reads it (the type itself lives with the ramp runner). */
export interface RecoveryLike {
  readonly recovered: boolean;
  readonly timeToRecoverMs?: number;
  readonly cooldownMs?: number;
  readonly windowMs?: number;
  readonly detail?: string;
}

/** The parts of a ramp's result.json a comparison reads. */
export interface RampLike extends IdentitySource {
  readonly kind: 'ramp';
  readonly startedAt?: string;
  readonly target: { readonly url: string; readonly method: string };
  readonly slo: unknown;
  readonly verdict: RampVerdict;
  readonly knee?: StepResult;
  readonly lastHeld?: StepResult;
  readonly collapse?: { readonly step: StepResult; readonly signature: readonly ConditionOutcome[] };
  readonly steps: readonly StepResult[];
  readonly recovery?: RecoveryLike | { readonly skipped: string };
  readonly probes?: readonly ProbeSeries[];
  readonly run: RunResult;
}

/** One trial of a search: its verdict, the step it was judged on, and its intervals (on its own clock). */
export interface SearchTrialLike {
  readonly index: number;
  readonly rateRps: number;
  readonly verdict: 'held' | 'breached' | 'inconclusive' | 'stopped';
  readonly step?: StepResult;
  readonly intervals?: readonly IntervalStats[];
  readonly detail?: string;
}

/** The parts of a search's result.json a comparison reads. */
export interface SearchLike extends IdentitySource {
  readonly kind: 'search';
  readonly startedAt?: string;
  readonly target: { readonly url: string; readonly method: string };
  readonly slo: unknown;
  readonly sustainableRps?: number;
  readonly bracket: readonly [number | null, number | null];
  readonly converged: boolean;
  readonly reliable: boolean;
  readonly evidence: readonly SearchTrialLike[];
  readonly probes?: readonly ProbeSeries[];
}

/** A result.json as read from disk: a run, a ramp (which holds its run), or a search. */
export type ComparableResult = (RunResult & IdentitySource) | RampLike | SearchLike;

/** `journeys/s` when the result's arrivals are journeys, else `req/s`. */
export function rateUnitOf(r: ComparableResult): 'journey' | 'request' {
  if (r.kind === 'search') {
    // A search keeps no run config; its trials' steps are labelled in the unit.
    return r.evidence.some((e) => e.step?.label.includes('journeys/s')) ? 'journey' : 'request';
  }
  const config = r.kind === 'run' ? r.config : r.run.config;
  return config.arrivalUnit === 'journey' ? 'journey' : 'request';
}

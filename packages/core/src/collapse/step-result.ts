import type { Counts } from '../run/counts.js';
import type { LatencySummaryMs } from '../stats/histogram.js';
import type { GeneratorCheck } from './generator-check.js';
import type { ConditionOutcome, WindowJudgement } from './judge-window.js';

/**
 * What the judge says about one step of a ramp (or one trial of a search):
 * - `held`: every condition held and the load was offered;
 * - `breached`: the target broke the SLO (at a ramp's end, the collapse);
 * - `inconclusive`: the generator did not offer the load, or its lag could explain the breach;
 * - `unjudged`: nothing breached, but a condition could not be judged (too few responses for a
 *   percentile): not a knee, and the ramp goes on;
 * - `partial`: sending stopped before the step ended (a stop from outside, or the schedule's
 *   end): what it measured is kept, and it is neither a knee nor a collapse.
 */
export type StepVerdict = 'held' | 'breached' | 'inconclusive' | 'partial' | 'unjudged';

/** The stretch of a step whose conditions are reported. */
export interface JudgedWindow {
  /** `sliding`: a window inside the step decided before its end; `step`: the step after its warm-up. */
  readonly kind: 'sliding' | 'step';
  readonly startMs: number;
  readonly durationMs: number;
  readonly offeredRps: number;
  /** Arrivals that ended ok per second (successful responses, or journeys). */
  readonly achievedRps: number;
}

/**
 * One step of a ramp. Counts and latency cover every interval of the step that ended before
 * sending stopped (its warm-up included: that is what happened); `conditions` cover `judged`,
 * the stretch the verdict rests on.
 */
export interface StepResult extends Counts {
  readonly index: number;
  /** The step's rate in the run's arrival unit: `500 journeys/s`, `1,000 req/s`, `release 500 req/s`. */
  readonly label: string;
  readonly rateRps: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** Arrivals that ended ok per second over the whole step. */
  readonly achievedRps: number;
  readonly latencyMs: LatencySummaryMs;
  readonly verdict: StepVerdict;
  readonly conditions: readonly ConditionOutcome[];
  readonly judged: JudgedWindow;
  readonly generator: GeneratorCheck;
  /** Why the step is inconclusive, unjudged or partial. */
  readonly detail?: string;
}

export type RampEvent =
  | { readonly type: 'step-held'; readonly step: StepResult }
  | { readonly type: 'step-unjudged'; readonly step: StepResult }
  | { readonly type: 'collapse'; readonly step: StepResult; readonly verdict: WindowJudgement; readonly window: JudgedWindow }
  | { readonly type: 'inconclusive'; readonly step: StepResult; readonly reason: string; readonly advice: string };

/**
 * What a ramp concluded about the target:
 * - `collapsed`: a step breached (`collapse`), after `knee` held;
 * - `never-healthy`: the very first step of the ramp breached: the target never met the SLO, so
 *   there is no knee, and nothing to recover to;
 * - `held`: every step held: the target's capacity is at least `lastHeld`;
 * - `inconclusive`: the generator did not offer the load, or no step could be judged;
 * - `partial`: sending was stopped from outside (a signal, a kill switch, a guardrail) before the
 *   ramp could conclude: `lastHeld` held, `stoppedDuring` was cut short, and nothing is said of
 *   what came after.
 */
export type RampVerdict = 'collapsed' | 'never-healthy' | 'held' | 'inconclusive' | 'partial';

export interface RampSummary {
  readonly verdict: RampVerdict;
  /** The last step that held before the collapse (only when collapsed). */
  readonly knee?: StepResult;
  /** The highest step that held, whatever the verdict. */
  readonly lastHeld?: StepResult;
  readonly collapse?: {
    readonly step: StepResult;
    /** Only the breached conditions: how it collapsed. */
    readonly signature: readonly ConditionOutcome[];
    readonly window: JudgedWindow;
  };
  readonly inconclusive?: { readonly rateRps: number; readonly reason: string; readonly advice: string };
  /** With `partial`: the step that sending stopped in, if it had started. */
  readonly stoppedDuring?: StepResult;
  /** Steps with a condition that could not be judged (never a knee). */
  readonly unjudged?: readonly StepResult[];
}

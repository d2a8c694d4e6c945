import type { NameEntry } from '../scenario/flow-plan.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { ProfileStep } from '../profile/curve.js';
import type { IntervalStats } from '../run/interval.js';
import { type Slo, validateSlo } from '../slo/slo.js';
import { createHistogram, decodedHistogram, type LatencySummaryMs, percentileMs, summarizeMs } from '../stats/histogram.js';
import { readNumber } from '../units.js';
import { formatCondition, formatMs, formatRate } from './format.js';
import {
  GENERATOR_SATURATED_ADVICE,
  type GeneratorVerdict,
  type GeneratorVerdictOptions,
  generatorVerdictOf,
  type OfferedSchedule,
} from './generator-verdict.js';
import { type ConditionVerdict, judgeMerged, verdictOf, type WindowVerdict } from './judge-window.js';
import type { ProbeWindow } from './probe-window.js';
import { achievedRps, mergeWindow, offeredRps, type WindowStats } from './window.js';
import { DEFAULTS } from '../defaults.js';

export interface RampJudgeOptions {
  /** The ramp's steps, from `RateCurve.steps`. */
  readonly steps: readonly ProfileStep[];
  readonly slo: Slo;
  /** Length of the sliding window judged inside a step (default 5 s). */
  readonly windowMs?: number;
  /** How much of each step to ignore after the rate changes (default min(1 s, 20 % of the step)). */
  readonly warmupMs?: number;
  /** The run's interval length (default 1 s). */
  readonly intervalMs?: number;
  /**
   * Arrivals the profile schedules in [startMs, endMs), to tell a generator that fell behind
   * (default: each step's rate × time, right for flat steps; pass the curve's area for ramps).
   */
  readonly scheduledArrivals?: (startMs: number, endMs: number) => number;
  /** The arrival process: Poisson counts vary, so their shortfall tolerance is wider (default uniform). */
  readonly arrivals?: 'uniform' | 'poisson';
  /** Which `byName` entries an arrival is (`arrivalNamesOf(config.names)`): with journeys, achieved counts journeys. */
  readonly arrivalNames?: readonly number[];
  /** The run's per-name entries (`config.names`): what scoped SLO conditions (`journey:get-report p99<5s`) judge. */
  readonly names?: readonly NameEntry[];
}

/**
 * - `held`: every condition held and the load was offered;
 * - `breached`: the target broke the SLO (the collapse);
 * - `inconclusive`: the generator did not offer the load, or its lag could explain the breach;
 * - `unjudged`: nothing breached, but a condition could not be judged (too few responses for a
 *   percentile): not a knee, and the ramp goes on;
 * - `partial`: the run ended before the step did.
 */
export type StepVerdict = 'held' | 'breached' | 'inconclusive' | 'partial' | 'unjudged';

/** The stretch of a step whose conditions are reported. */
export interface JudgedWindow {
  /** `sliding`: a window inside the step breached before its end; `step`: the step after its warm-up. */
  readonly kind: 'sliding' | 'step';
  readonly startMs: number;
  readonly durationMs: number;
  readonly offeredRps: number;
  /** Successful responses per second. */
  readonly achievedRps: number;
}

/**
 * One step of a ramp. Counts and latency cover every interval of the step (warm-up included: that
 * is what happened); `conditions` cover `judged`, the stretch the verdict rests on.
 */
export interface StepResult {
  readonly index: number;
  readonly label: string;
  readonly rateRps: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly offered: number;
  readonly sent: number;
  /** Successful responses per second over the whole step. */
  readonly achievedRps: number;
  readonly responses: number;
  readonly ok: number;
  readonly errors: number;
  readonly dropped: number;
  readonly droppedGenerator: number;
  readonly latencyMs: LatencySummaryMs;
  readonly verdict: StepVerdict;
  readonly conditions: readonly ConditionVerdict[];
  readonly judged: JudgedWindow;
  readonly generator: GeneratorVerdict;
  /** Why the step is inconclusive or partial. */
  readonly detail?: string;
}

export type RampEvent =
  | { readonly type: 'step-held'; readonly step: StepResult }
  | { readonly type: 'step-unjudged'; readonly step: StepResult }
  | { readonly type: 'collapse'; readonly step: StepResult; readonly verdict: WindowVerdict; readonly window: JudgedWindow }
  | { readonly type: 'inconclusive'; readonly step: StepResult; readonly reason: string; readonly advice: string };

type Decision = Extract<RampEvent, { type: 'collapse' | 'inconclusive' }>;

export interface RampSummary {
  readonly verdict: 'collapsed' | 'held' | 'inconclusive';
  /** The last step that held before the collapse (only when collapsed, and absent if the first step broke). */
  readonly knee?: StepResult;
  /** The highest step that held, whatever the verdict (with `held`, the target's capacity is at least this). */
  readonly lastHeld?: StepResult;
  readonly collapse?: {
    readonly step: StepResult;
    /** Only the breached conditions: how it collapsed. */
    readonly signature: readonly ConditionVerdict[];
    readonly window: JudgedWindow;
  };
  readonly inconclusive?: { readonly rateRps: number; readonly reason: string; readonly advice: string };
  /** Steps with a condition that could not be judged (never a knee). */
  readonly unjudged?: readonly StepResult[];
}

interface OpenStep {
  readonly step: ProfileStep;
  readonly intervals: IntervalStats[];
  /** A sliding window breached on latency alone, by less than the generator's lag could explain. */
  ambiguous?: {
    readonly reason: string;
    readonly verdict: WindowVerdict;
    readonly window: WindowStats;
    readonly generator: GeneratorVerdict;
  };
}

/** What one judged window says, before it is turned into an event. */
type WindowCall =
  | { readonly kind: 'held' | 'unjudged' | 'collapse' }
  | { readonly kind: 'not-offered' | 'ambiguous'; readonly reason: string };

const EPSILON_MS = 0.5;

/**
 * Judges a ramp online, interval by interval, on virtual time (interval `startMs`, never a
 * clock), so the orchestrator can stop the load the moment the target breaks.
 *
 * An interval belongs to the step that contains its midpoint (steps that are multiples of the
 * interval never straddle). Within a step, the first `warmupMs` are not judged: right after a
 * rate change the achieved ratio lags by a latency's worth of responses and queues are moving,
 * which is the transition, not the new rate. Probes are the exception: a queue over its limit
 * right after the rate went up is this step's doing (the step before held it under), and a
 * breaker tripping on it can empty it before the warm-up ends, so probe conditions read the
 * warm-up's samples too. After the warm-up, every full sliding window of
 * `windowMs` is judged as each interval arrives, so a long step that breaks halfway is caught
 * halfway and not averaged away by its good start; when the step's last interval arrives the
 * whole step (after warm-up) is judged as well, which catches a percentile that needs more
 * samples than one window holds.
 *
 * Every window is judged twice: against the SLO (`judgeMerged`) and on whether the generator
 * offered its load (`generatorVerdictOf`, the saturation rule). Then:
 * - load not offered: inconclusive, whatever the target did — it was never asked what the step
 *   claims (so it is neither a knee nor a collapse);
 * - a breach of errors, achieved, drops or a probe: collapse. Lag cannot fake these: a few ms
 *   of late sends do not make a target answer 503 or fill its queue;
 * - a latency breach: collapse if the percentile with the generator's lag taken out still
 *   exceeds the limit (`withoutLagMs`); otherwise the lag could explain it. Inside a step that
 *   is not decided at once (a later window may breach beyond doubt); at the step's end it is
 *   inconclusive;
 * - no breach: held when every condition was judged; `unjudged` (not a knee; the ramp goes on)
 *   when a condition was not.
 */
export class RampJudge {
  readonly #steps: readonly ProfileStep[];
  readonly #slo: Slo;
  readonly #windowMs: number;
  readonly #warmupMs: number | undefined;
  readonly #intervalMs: number;
  readonly #schedule: OfferedSchedule;
  readonly #arrivalNames: readonly number[] | undefined;
  readonly #names: readonly NameEntry[] | undefined;
  readonly #results: StepResult[] = [];
  #probes: ProbeWindow | undefined;
  #open: OpenStep | undefined;
  #nextStep = 0;
  #decision: Decision | undefined;
  #sendingStoppedAtMs: number | undefined;
  /** The median lag of the last interval pushed before the open step's, for the growth of its first window. */
  #lagBeforeStepMs: number | undefined;
  #lastPushed: IntervalStats | undefined;

  constructor(options: RampJudgeOptions) {
    const issues = validateRampJudgeOptions(options);
    if (issues.length > 0) throw new ValidationError('ramp judge options', issues);
    this.#steps = options.steps;
    this.#slo = options.slo;
    this.#windowMs = options.windowMs ?? DEFAULTS.judge.windowMs;
    this.#warmupMs = options.warmupMs;
    this.#intervalMs = options.intervalMs ?? DEFAULTS.run.intervalMs;
    this.#arrivalNames = options.arrivalNames;
    this.#names = options.names;
    const steps = options.steps;
    this.#schedule = {
      scheduledArrivals: options.scheduledArrivals ?? ((a, b) => flatStepArrivals(steps, a, b)),
      ...(options.arrivals ? { arrivals: options.arrivals } : {}),
    };
  }

  /**
   * Sending stopped at this moment (ms on the intervals' clock), from outside: a guardrail, a
   * signal. The interval it stopped in and the drain after it are not held against the generator
   * as a shortfall. The orchestrator says so as soon as it knows, before the next interval.
   */
  sendingStopped(atMs: number): void {
    this.#sendingStoppedAtMs ??= atMs;
  }

  /** Results of the steps judged so far, in order. */
  get steps(): readonly StepResult[] {
    return this.#results;
  }

  /** The collapse or inconclusive event, once one has happened (later intervals are ignored). */
  get decision(): Decision | undefined {
    return this.#decision;
  }

  warmupMsFor(step: ProfileStep): number {
    return this.#warmupMs ?? defaultWarmupMs(step.durationMs);
  }

  /**
   * Feeds the next interval (in order). `probes` is the probe series recorded so far (samples on
   * the intervals' clock); it replaces the one given before, so passing the same growing object
   * every time is fine. Returns the event decided by this interval, if any; when one interval
   * both closes a step and decides the next, the decisive event wins (every step is in `steps`).
   */
  push(interval: IntervalStats, probes?: ProbeWindow): RampEvent | undefined {
    if (probes) this.#probes = probes;
    if (this.#decision) return undefined;
    const midMs = interval.startMs + interval.durationMs / 2;
    let event: RampEvent | undefined;
    if (this.#open && midMs >= stepEndMs(this.#open.step)) {
      event = this.#close(true);
      if (this.#decision) return event;
    }
    if (!this.#open) {
      const i = this.#findStep(midMs);
      if (i < 0) {
        this.#lastPushed = interval;
        return event;
      }
      this.#open = { step: this.#steps[i]!, intervals: [] };
      this.#nextStep = i + 1;
      this.#lagBeforeStepMs = this.#lastPushed ? medianLagMs(this.#lastPushed) : undefined;
    }
    this.#lastPushed = interval;
    const open = this.#open;
    open.intervals.push(interval);
    const sliding = this.#judgeSliding(open) ?? this.#judgeEarly(open);
    if (sliding) return sliding;
    if (interval.startMs + interval.durationMs >= stepEndMs(open.step) - EPSILON_MS) return this.#close(true);
    return event;
  }

  /**
   * The run ended (completed, or stopped from outside). Judges the open step on what it has: a
   * breach still decides; otherwise a step cut short by more than half an interval is `partial`.
   * `stopped` says sending was stopped before the schedule's end (default: when the step was cut
   * short): the interval in which it stopped and the drain after it are then not held against
   * the generator as a shortfall.
   */
  finish(options: { readonly stopped?: boolean } = {}): RampEvent | undefined {
    if (this.#decision || !this.#open) return undefined;
    const last = this.#open.intervals[this.#open.intervals.length - 1];
    const reachedMs = last ? last.startMs + last.durationMs : this.#open.step.startMs;
    const complete = reachedMs >= stepEndMs(this.#open.step) - this.#intervalMs / 2;
    return this.#close(complete, options.stopped ?? !complete);
  }

  /**
   * Part of the load was lost (a shard crashed or stopped reporting): whatever the intervals say
   * from here on describes fewer generators than the schedule, so the ramp is inconclusive at the
   * open step (or the next one), never a knee or a collapse of its own. A decision made before the
   * loss stands: it was made on every shard's intervals.
   */
  abandon(reason: string, advice: string): RampEvent | undefined {
    if (this.#decision) return undefined;
    const open = this.#open;
    this.#open = undefined;
    let step: StepResult;
    if (open) {
      const window = mergeWindow(open.intervals, this.#arrivalNames);
      const verdict = judgeMerged(window, this.#slo, this.#probes, {
        probesFromMs: open.step.startMs,
        ...(this.#names ? { names: this.#names } : {}),
      });
      step = this.#result(open, 'inconclusive', verdict, window, 'step', generatorVerdictOf(window, this.#offeredOptions(true)), reason);
    } else {
      const last = this.#results[this.#results.length - 1];
      const next = this.#steps[Math.min(this.#nextStep, this.#steps.length - 1)]!;
      const window = mergeWindow([], this.#arrivalNames);
      const verdict = judgeMerged(window, this.#slo, undefined, this.#names ? { names: this.#names } : {});
      step =
        last && this.#nextStep >= this.#steps.length
          ? last
          : this.#result(
              { step: next, intervals: [] },
              'inconclusive',
              verdict,
              window,
              'step',
              generatorVerdictOf(window, this.#offeredOptions(true)),
              reason,
            );
    }
    this.#decision = { type: 'inconclusive', step, reason, advice };
    return this.#decision;
  }

  summary(): RampSummary {
    const held = this.#results.filter((s) => s.verdict === 'held');
    const lastHeld = held[held.length - 1];
    const unjudgedSteps = this.#results.filter((s) => s.verdict === 'unjudged');
    const unjudged = unjudgedSteps.length > 0 ? { unjudged: unjudgedSteps } : {};
    const d = this.#decision;
    if (d?.type === 'collapse') {
      const knee = held.filter((s) => s.index < d.step.index).pop();
      return {
        verdict: 'collapsed',
        ...(knee ? { knee } : {}),
        ...(lastHeld ? { lastHeld } : {}),
        ...unjudged,
        collapse: { step: d.step, signature: d.verdict.conditions.filter((c) => c.status === 'breached'), window: d.window },
      };
    }
    if (d?.type === 'inconclusive') {
      return {
        verdict: 'inconclusive',
        ...(lastHeld ? { lastHeld } : {}),
        ...unjudged,
        inconclusive: { rateRps: d.step.rateRps, reason: d.reason, advice: d.advice },
      };
    }
    if (lastHeld) return { verdict: 'held', lastHeld, ...unjudged };
    const rateRps = this.#results[0]?.rateRps ?? this.#steps[0]!.rateRps;
    if (unjudgedSteps.length > 0) {
      return {
        verdict: 'inconclusive',
        ...unjudged,
        inconclusive: {
          rateRps: unjudgedSteps[unjudgedSteps.length - 1]!.rateRps,
          reason: 'no step could be judged on every condition of the SLO',
          advice: 'use longer steps (overload plan says how long each needs) or a lower percentile',
        },
      };
    }
    return {
      verdict: 'inconclusive',
      inconclusive: {
        rateRps,
        reason: 'the ramp ended before any step was completed',
        advice: 'run the ramp for its full length, or use longer steps',
      },
    };
  }

  #findStep(midMs: number): number {
    for (let i = this.#nextStep; i < this.#steps.length; i++) {
      const s = this.#steps[i]!;
      if (midMs < s.startMs) return -1;
      if (midMs < stepEndMs(s)) return i;
    }
    return -1;
  }

  #judgedIntervals(open: OpenStep): IntervalStats[] {
    const warmEndMs = open.step.startMs + this.warmupMsFor(open.step);
    return open.intervals.filter((i) => i.startMs + i.durationMs / 2 >= warmEndMs);
  }

  #judgeSliding(open: OpenStep): RampEvent | undefined {
    const judged = this.#judgedIntervals(open);
    let k = judged.length;
    let coveredMs = 0;
    while (k > 0 && coveredMs < this.#windowMs - EPSILON_MS) coveredMs += judged[--k]!.durationMs;
    if (coveredMs < this.#windowMs - EPSILON_MS) return undefined;
    const window = mergeWindow(judged.slice(k), this.#arrivalNames);
    const verdict = judgeMerged(window, this.#slo, this.#probes, {
      ...(k === 0 ? { probesFromMs: open.step.startMs } : {}),
      ...(this.#names ? { names: this.#names } : {}),
    });
    if (!verdict.breached) return undefined;
    const generator = generatorVerdictOf(window, this.#offeredOptions(false, this.#lagBefore(open, judged[k]!)));
    const call = this.#call(open.step, verdict, window, generator);
    if (call.kind === 'ambiguous') {
      // Wait: a later window of this step may breach beyond what the lag explains.
      open.ambiguous ??= { reason: call.reason, verdict, window, generator };
      return undefined;
    }
    return this.#decide(open, call, verdict, window, generator, 'sliding');
  }

  /**
   * Before a step has a full window: decide a collapse as soon as the first window's breach is
   * certain, whatever its remaining intervals bring. The window so far is completed with the best
   * the target could still do (every remaining arrival answered at once and ok, 10 % more of them
   * than the schedule holds) and judged; a condition that breaches even then will breach in the
   * full window. Errors, drops, achieved, a probe sample past its limit or a percentile already
   * out of reach are decided an interval or two into the step, so a collapsing target is not
   * hammered — and its emails not sent — for the rest of the window. Anything less certain (a
   * possible breach, a generator that may not have offered the load) waits for the full window.
   */
  #judgeEarly(open: OpenStep): RampEvent | undefined {
    const judged = this.#judgedIntervals(open);
    if (judged.length === 0) return undefined;
    const coveredMs = judged.reduce((a, i) => a + i.durationMs, 0);
    if (coveredMs >= this.#windowMs - EPSILON_MS) return undefined;
    const window = mergeWindow(judged, this.#arrivalNames);
    const options = { probesFromMs: open.step.startMs, ...(this.#names ? { names: this.#names } : {}) };
    const best = judgeMerged(completedAtBest(window, open.step.rateRps, this.#windowMs - coveredMs), this.#slo, this.#probes, options);
    // Scoped conditions are judged on the names' own figures, which the completion cannot add to.
    const certain = best.conditions.filter((c) => c.status === 'breached' && !/^(journey|step|request):/.test(c.name));
    if (certain.length === 0) return undefined;
    const verdict = judgeMerged(window, this.#slo, this.#probes, options);
    const generator = generatorVerdictOf(window, this.#offeredOptions(false, this.#lagBefore(open, judged[0])));
    const call = this.#call(open.step, verdictOf(certain), window, generator);
    if (call.kind !== 'collapse') return undefined;
    return this.#decide(open, call, verdict, window, generator, 'sliding');
  }

  #close(complete: boolean, stopped = false): RampEvent | undefined {
    const open = this.#open!;
    this.#open = undefined;
    let judged = this.#judgedIntervals(open);
    // A step cut short inside its warm-up still has something to say (a crash, a flood of errors).
    if (judged.length === 0) judged = open.intervals;
    const window = mergeWindow(judged, this.#arrivalNames);
    const verdict = judgeMerged(window, this.#slo, this.#probes, {
      probesFromMs: open.step.startMs,
      ...(this.#names ? { names: this.#names } : {}),
    });
    const generator = generatorVerdictOf(window, this.#offeredOptions(stopped, this.#lagBefore(open, judged[0]!)));
    const call = this.#call(open.step, verdict, window, generator);
    if (call.kind === 'ambiguous' || ((call.kind === 'held' || call.kind === 'unjudged') && open.ambiguous)) {
      // The step ends with a breach the lag could explain and none it could not: inconclusive.
      const a = call.kind === 'ambiguous' ? { reason: call.reason, verdict, window, generator } : open.ambiguous!;
      return this.#decide(
        open,
        { kind: 'ambiguous', reason: a.reason },
        a.verdict,
        a.window,
        a.generator,
        call.kind === 'ambiguous' ? 'step' : 'sliding',
      );
    }
    if (call.kind === 'collapse' || call.kind === 'not-offered') return this.#decide(open, call, verdict, window, generator, 'step');
    const stepVerdict: StepVerdict = !complete ? 'partial' : call.kind === 'unjudged' ? 'unjudged' : 'held';
    const detail = !complete
      ? 'the run ended before the step did'
      : stepVerdict === 'unjudged'
        ? verdict.conditions
            .filter((c) => c.status === 'unjudged')
            .map(formatCondition)
            .join(', ')
        : undefined;
    const step = this.#result(open, stepVerdict, verdict, window, 'step', generator, detail);
    if (!complete) return undefined;
    return { type: stepVerdict === 'unjudged' ? 'step-unjudged' : 'step-held', step };
  }

  #offeredOptions(stoppedEarly = false, lagBeforeMs?: number): GeneratorVerdictOptions {
    const before = lagBeforeMs !== undefined ? { lagBeforeMs } : {};
    if (this.#sendingStoppedAtMs !== undefined)
      return { schedule: this.#schedule, sendingStoppedAtMs: this.#sendingStoppedAtMs, ...before };
    return { schedule: this.#schedule, stoppedEarly, ...before };
  }

  /** The median lag of the interval before `first` (in this step, or the last one before it). */
  #lagBefore(open: OpenStep, first: IntervalStats | undefined): number | undefined {
    if (!first) return undefined;
    const k = open.intervals.indexOf(first);
    if (k > 0) return medianLagMs(open.intervals[k - 1]!);
    return this.#lagBeforeStepMs;
  }

  /** The rule in the class comment, for one window. */
  #call(step: ProfileStep, verdict: WindowVerdict, _window: WindowStats, generator: GeneratorVerdict): WindowCall {
    if (!generator.offered) {
      return { kind: 'not-offered', reason: `generator saturated at ${formatRate(step.rateRps)} (${generator.reasons.join(', ')})` };
    }
    const breached = verdict.conditions.filter((c) => c.status === 'breached');
    if (breached.length === 0) return { kind: verdict.unjudged ? 'unjudged' : 'held' };
    const targetsOwn = breached.some((c) => c.kind !== 'latency' || (c.withoutLagMs ?? c.observed) > c.limit);
    if (targetsOwn) return { kind: 'collapse' };
    const explained = breached
      .map((c) => `${formatCondition(c)}, but only at least ${formatMs(c.withoutLagMs ?? 0)} without the lag`)
      .join('; ');
    return {
      kind: 'ambiguous',
      reason: `the generator's schedule lag (up to ${formatMs(generator.lagMsMax)}) could explain the breach at ${formatRate(step.rateRps)}: ${explained}`,
    };
  }

  #decide(
    open: OpenStep,
    call: WindowCall,
    verdict: WindowVerdict,
    window: WindowStats,
    generator: GeneratorVerdict,
    kind: JudgedWindow['kind'],
  ): Decision {
    if (call.kind === 'collapse') {
      const step = this.#result(open, 'breached', verdict, window, kind, generator);
      this.#decision = { type: 'collapse', step, verdict, window: step.judged };
    } else {
      const reason = 'reason' in call ? call.reason : 'inconclusive';
      const step = this.#result(open, 'inconclusive', verdict, window, kind, generator, reason);
      this.#decision = { type: 'inconclusive', step, reason, advice: GENERATOR_SATURATED_ADVICE };
    }
    return this.#decision;
  }

  #result(
    open: OpenStep,
    verdict: StepVerdict,
    judgedVerdict: WindowVerdict,
    judged: WindowStats,
    kind: JudgedWindow['kind'],
    generator: GeneratorVerdict,
    detail?: string,
  ): StepResult {
    const all = mergeWindow(open.intervals, this.#arrivalNames);
    const s = open.step;
    const result: StepResult = {
      index: s.index,
      label: s.label,
      rateRps: s.rateRps,
      startMs: s.startMs,
      durationMs: s.durationMs,
      offered: all.offered,
      sent: all.sent,
      achievedRps: achievedRps(all),
      responses: all.responses,
      ok: all.ok,
      errors: all.errors,
      dropped: all.dropped,
      droppedGenerator: all.droppedGenerator,
      latencyMs: summarizeMs(all.latency),
      verdict,
      conditions: judgedVerdict.conditions,
      judged: {
        kind,
        startMs: judged.startMs,
        durationMs: judged.durationMs,
        offeredRps: offeredRps(judged),
        achievedRps: achievedRps(judged),
      },
      generator,
      ...(detail ? { detail } : {}),
    };
    this.#results.push(result);
    return result;
  }
}

/** The part of a step not judged after the rate changes, unless given: min(1 s, 20 % of the step). */
export function defaultWarmupMs(stepDurationMs: number): number {
  return Math.min(DEFAULTS.judge.warmupMaxMs, DEFAULTS.judge.warmupRatio * stepDurationMs);
}

/**
 * How much of a step the judge rests its whole-step verdict on: the intervals whose midpoint lies
 * past the warm-up (the same rule as `#judgedIntervals`), for a step that starts on an interval
 * boundary.
 */
export function judgedMsOf(stepDurationMs: number, warmupMs: number, intervalMs: number = DEFAULTS.run.intervalMs): number {
  let judged = 0;
  for (let t = 0; t < stepDurationMs - EPSILON_MS; t += intervalMs) {
    const len = Math.min(intervalMs, stepDurationMs - t);
    if (t + len / 2 >= warmupMs) judged += len;
  }
  return judged;
}

function stepEndMs(s: ProfileStep): number {
  return s.startMs + s.durationMs;
}

function medianLagMs(i: IntervalStats): number | undefined {
  if (!i.histograms.lag) return undefined;
  const h = decodedHistogram(i.histograms.lag);
  return h.totalCount === 0 ? undefined : percentileMs(h, 50);
}

/** Arrivals of flat steps in [startMs, endMs): each step's rate over its overlap. */
function flatStepArrivals(steps: readonly ProfileStep[], startMs: number, endMs: number): number {
  let n = 0;
  for (const s of steps) {
    const overlapMs = Math.min(endMs, stepEndMs(s)) - Math.max(startMs, s.startMs);
    if (overlapMs > 0) n += (s.rateRps * overlapMs) / 1000;
  }
  return n;
}

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

/**
 * A window completed with the best the target could still do in its remaining `remainingMs` at
 * `rateRps`: every arrival (10 % more than the schedule holds) ends ok, each answered at once
 * with as many requests per arrival as so far. What breaches even so is certain to breach.
 */
export function completedAtBest(w: WindowStats, rateRps: number, remainingMs: number): WindowStats {
  const arrivals = Math.ceil(((rateRps * remainingMs) / 1000) * 1.1);
  const perArrival = w.offered > 0 ? Math.max(1, w.sent / w.offered) : 1;
  const requests = Math.ceil(arrivals * perArrival);
  const latency = createHistogram();
  latency.add(w.latency);
  if (requests > 0) latency.recordValueWithCount(1, requests);
  return {
    ...w,
    durationMs: w.durationMs + remainingMs,
    offered: w.offered + arrivals,
    sent: w.sent + requests,
    responses: w.responses + requests,
    ok: w.ok + requests,
    arrivalsOk: w.arrivalsOk + arrivals,
    latency,
  };
}

import { ValidationError, type ValidationIssue } from '../errors.js';
import type { ProfileStep } from '../profile/curve.js';
import type { IntervalStats } from '../run/interval.js';
import { type Slo, validateSlo } from '../slo/slo.js';
import { type LatencySummaryMs, summarizeMs } from '../stats/histogram.js';
import { readNumber } from '../units.js';
import { formatRate } from './format.js';
import { GENERATOR_SATURATED_ADVICE, type GeneratorVerdict, generatorVerdictOf } from './generator-verdict.js';
import { type ConditionVerdict, judgeMerged, type WindowVerdict } from './judge-window.js';
import type { ProbeWindow } from './probe-window.js';
import { mergeWindow, offeredRps, type WindowStats } from './window.js';

export interface RampJudgeOptions {
  /** The ramp's steps, from `RateCurve.steps`. */
  readonly steps: readonly ProfileStep[];
  readonly slo: Slo;
  /** Length of the sliding window judged inside a step (default 5 s). */
  readonly windowMs?: number;
  /** How much of each step to ignore after the rate changes (default min(1 s, 20 % of the step)). */
  readonly warmupMs?: number;
  /** Generator lag p99 above this makes a verdict inconclusive (default 5 ms, as `run`). */
  readonly lagThresholdMs?: number;
  /** The run's interval length (default 1 s). */
  readonly intervalMs?: number;
}

export type StepVerdict = 'held' | 'breached' | 'inconclusive' | 'partial';

/** The stretch of a step whose conditions are reported. */
export interface JudgedWindow {
  /** `sliding`: a window inside the step breached before its end; `step`: the step after its warm-up. */
  readonly kind: 'sliding' | 'step';
  readonly startMs: number;
  readonly durationMs: number;
  readonly offeredRps: number;
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
}

interface OpenStep {
  readonly step: ProfileStep;
  readonly intervals: IntervalStats[];
}

const EPSILON_MS = 0.5;

/**
 * Judges a ramp online, interval by interval, on virtual time (interval `startMs`, never a
 * clock), so the orchestrator can stop the load the moment the target breaks.
 *
 * An interval belongs to the step that contains its midpoint (steps that are multiples of the
 * interval never straddle). Within a step, the first `warmupMs` are not judged: right after a
 * rate change the achieved ratio lags by a latency's worth of responses and queues are moving,
 * which is the transition, not the new rate. After the warm-up, every full sliding window of
 * `windowMs` is judged as each interval arrives, so a long step that breaks halfway is caught
 * halfway and not averaged away by its good start; when the step's last interval arrives the
 * whole step (after warm-up) is judged as well, which catches a percentile that needs more
 * samples than one window holds. The first breach decides: collapse, or inconclusive when the
 * generator was saturated in the breaching window. A step that holds while the generator dropped
 * arrivals is also inconclusive: the target was not offered the step's rate, so it cannot be a
 * knee. A step that holds with late sends only (schedule lag, no drops) is held: every arrival
 * went out, and the lag can only have made the corrected latencies look worse.
 */
export class RampJudge {
  readonly #steps: readonly ProfileStep[];
  readonly #slo: Slo;
  readonly #windowMs: number;
  readonly #warmupMs: number | undefined;
  readonly #lagThresholdMs: number;
  readonly #intervalMs: number;
  readonly #results: StepResult[] = [];
  #probes: ProbeWindow | undefined;
  #open: OpenStep | undefined;
  #nextStep = 0;
  #decision: Decision | undefined;

  constructor(options: RampJudgeOptions) {
    const issues = validateRampJudgeOptions(options);
    if (issues.length > 0) throw new ValidationError('ramp judge options', issues);
    this.#steps = options.steps;
    this.#slo = options.slo;
    this.#windowMs = options.windowMs ?? 5000;
    this.#warmupMs = options.warmupMs;
    this.#lagThresholdMs = options.lagThresholdMs ?? 5;
    this.#intervalMs = options.intervalMs ?? 1000;
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
    return this.#warmupMs ?? Math.min(1000, 0.2 * step.durationMs);
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
      if (i < 0) return event;
      this.#open = { step: this.#steps[i]!, intervals: [] };
      this.#nextStep = i + 1;
    }
    const open = this.#open;
    open.intervals.push(interval);
    const sliding = this.#judgeSliding(open);
    if (sliding) return sliding;
    if (interval.startMs + interval.durationMs >= stepEndMs(open.step) - EPSILON_MS) return this.#close(true);
    return event;
  }

  /**
   * The run ended (completed, or stopped from outside). Judges the open step on what it has: a
   * breach still decides; otherwise a step cut short by more than half an interval is `partial`.
   */
  finish(): RampEvent | undefined {
    if (this.#decision || !this.#open) return undefined;
    const last = this.#open.intervals[this.#open.intervals.length - 1];
    const reachedMs = last ? last.startMs + last.durationMs : this.#open.step.startMs;
    return this.#close(reachedMs >= stepEndMs(this.#open.step) - this.#intervalMs / 2);
  }

  summary(): RampSummary {
    const held = this.#results.filter((s) => s.verdict === 'held');
    const lastHeld = held[held.length - 1];
    const d = this.#decision;
    if (d?.type === 'collapse') {
      const knee = held.filter((s) => s.index < d.step.index).pop();
      return {
        verdict: 'collapsed',
        ...(knee ? { knee } : {}),
        ...(lastHeld ? { lastHeld } : {}),
        collapse: { step: d.step, signature: d.verdict.conditions.filter((c) => !c.ok), window: d.window },
      };
    }
    if (d?.type === 'inconclusive') {
      return { verdict: 'inconclusive', ...(lastHeld ? { lastHeld } : {}), inconclusive: { rateRps: d.step.rateRps, reason: d.reason, advice: d.advice } };
    }
    if (lastHeld) return { verdict: 'held', lastHeld };
    const rateRps = this.#results[0]?.rateRps ?? this.#steps[0]!.rateRps;
    return {
      verdict: 'inconclusive',
      inconclusive: { rateRps, reason: 'the ramp ended before any step was completed', advice: 'run the ramp for its full length, or use longer steps' },
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
    const window = mergeWindow(judged.slice(k));
    const verdict = judgeMerged(window, this.#slo, this.#probes);
    if (verdict.ok) return undefined;
    return this.#decide(open, verdict, window, 'sliding');
  }

  #close(complete: boolean): RampEvent | undefined {
    const open = this.#open!;
    this.#open = undefined;
    let judged = this.#judgedIntervals(open);
    // A step cut short inside its warm-up still has something to say (a crash, a flood of errors).
    if (judged.length === 0) judged = open.intervals;
    const window = mergeWindow(judged);
    const verdict = judgeMerged(window, this.#slo, this.#probes);
    const generator = generatorVerdictOf(window, { lagThresholdMs: this.#lagThresholdMs });
    // A step the target held counts as held even if sends were late (the lag can only have made
    // latencies look worse, and every arrival was still sent); but not if the generator dropped
    // arrivals, because then the target was never offered the step's rate.
    if (!verdict.ok || generator.droppedGenerator > 0) return this.#decide(open, verdict, window, 'step');
    const verdictOf: StepVerdict = complete ? 'held' : 'partial';
    const step = this.#result(open, verdictOf, verdict, window, 'step', generator, complete ? undefined : 'the run ended before the step did');
    return complete ? { type: 'step-held', step } : undefined;
  }

  #decide(open: OpenStep, verdict: WindowVerdict, window: WindowStats, kind: JudgedWindow['kind']): Decision {
    const generator = generatorVerdictOf(window, { lagThresholdMs: this.#lagThresholdMs });
    if (generator.saturated) {
      const reason = `generator saturated at ${formatRate(open.step.rateRps)} (${generator.reasons.join(', ')})`;
      const step = this.#result(open, 'inconclusive', verdict, window, kind, generator, reason);
      this.#decision = { type: 'inconclusive', step, reason, advice: GENERATOR_SATURATED_ADVICE };
    } else {
      const step = this.#result(open, 'breached', verdict, window, kind, generator);
      this.#decision = { type: 'collapse', step, verdict, window: step.judged };
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
    const all = mergeWindow(open.intervals);
    const s = open.step;
    const result: StepResult = {
      index: s.index,
      label: s.label,
      rateRps: s.rateRps,
      startMs: s.startMs,
      durationMs: s.durationMs,
      offered: all.offered,
      sent: all.sent,
      achievedRps: all.durationMs > 0 ? (all.responses * 1000) / all.durationMs : 0,
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
        achievedRps: judged.durationMs > 0 ? (judged.responses * 1000) / judged.durationMs : 0,
      },
      generator,
      ...(detail ? { detail } : {}),
    };
    this.#results.push(result);
    return result;
  }
}

function stepEndMs(s: ProfileStep): number {
  return s.startMs + s.durationMs;
}

export function validateRampJudgeOptions(options: RampJudgeOptions, path = 'options'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(options.steps) || options.steps.length === 0) {
    issues.push({ path: `${path}.steps`, message: 'must list at least one step (a ramp profile: step, exponential or stages)' });
  }
  issues.push(...validateSlo(options.slo, `${path}.slo`));
  if (options.windowMs !== undefined) readNumber(options.windowMs, `${path}.windowMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  if (options.lagThresholdMs !== undefined) readNumber(options.lagThresholdMs, `${path}.lagThresholdMs`, issues, { min: 0, allowMin: false });
  if (options.intervalMs !== undefined) readNumber(options.intervalMs, `${path}.intervalMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  if (options.warmupMs !== undefined) {
    readNumber(options.warmupMs, `${path}.warmupMs`, issues, { min: 0, what: 'a number of milliseconds' });
    const shortest = Array.isArray(options.steps) ? Math.min(...options.steps.map((s) => s.durationMs)) : Number.POSITIVE_INFINITY;
    if (options.warmupMs >= shortest) {
      issues.push({ path: `${path}.warmupMs`, message: `must be shorter than the shortest step (${shortest} ms), or that step is never judged (got ${options.warmupMs})` });
    }
  }
  return issues;
}

import { DEFAULTS } from '../defaults.js';
import { ValidationError } from '../errors.js';
import type { ProfileStep } from '../profile/curve.js';
import { countsOf } from '../run/counts.js';
import type { ArrivalUnit } from '../run/config.js';
import type { IntervalStats } from '../run/interval.js';
import type { NameEntry } from '../scenario/flow-plan.js';
import type { Slo } from '../slo/slo.js';
import { decodedHistogram, percentileMs, summarizeMs } from '../stats/histogram.js';
import { certainBreaches, completedAtBest, withCertain } from './certainty.js';
import { formatCondition, formatMs, formatStepLabel, formatArrivalRate } from './format.js';
import {
  GENERATOR_SATURATED_ADVICE,
  type GeneratorCheck,
  type GeneratorCheckOptions,
  generatorCheckOf,
  type OfferedSchedule,
} from './generator-check.js';
import { judgeMerged, judgementOf, type WindowJudgement } from './judge-window.js';
import type { ProbeWindow } from './probe-window.js';
import type { JudgedWindow, RampEvent, RampSummary, StepResult, StepVerdict } from './step-result.js';
import { defaultWarmupMs, EPSILON_MS, flatStepArrivals, stepEndMs, validateRampJudgeOptions } from './step-plan.js';
import { achievedRps, mergeWindow, offeredRps, type WindowStats } from './window.js';

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
  /** Which `byName` entries an arrival is (`config.arrivalNames`): with journeys, achieved counts journeys. */
  readonly arrivalNames?: readonly number[];
  /** The run's per-name entries (`config.names`): what scoped SLO conditions (`journey:get-report p99<5s`) judge. */
  readonly names?: readonly NameEntry[];
  /** What an arrival is, for the steps' labels (default request). */
  readonly arrivalUnit?: ArrivalUnit;
}

interface OpenStep {
  readonly step: ProfileStep;
  readonly intervals: IntervalStats[];
  /** A sliding window breached on latency alone, by less than the generator's lag could explain. */
  ambiguous?: { readonly reason: string; readonly judged: Judged };
}

/** How one window was judged: against the SLO, and on whether the generator offered its load. */
interface Judged {
  readonly window: WindowStats;
  readonly verdict: WindowJudgement;
  readonly generator: GeneratorCheck;
  readonly call: WindowCall;
  readonly kind: JudgedWindow['kind'];
}

/** What one judged window says, before it is turned into an event. */
type WindowCall =
  | { readonly kind: 'held' | 'unjudged' | 'collapse' }
  | { readonly kind: 'saturated' | 'ambiguous'; readonly reason: string };

/**
 * How a window is judged:
 * - `full`: against the whole SLO (a sliding window, or the whole step at its end);
 * - `{ certainAfterMs }`: a window shorter than it should be, completed at best over that many
 *   more ms (see `completedAtBest`): only breaches that nothing still to come could undo count —
 *   how a collapse is called before a step's first full window, and how a step cut short is judged.
 */
type Mode = 'full' | { readonly certainAfterMs: number };

type Decision = Extract<RampEvent, { type: 'collapse' | 'inconclusive' }>;

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
 * warm-up's samples too. After the warm-up, every full sliding window of `windowMs` is judged
 * as each interval arrives, so a long step that breaks halfway is caught halfway; before the
 * first full window, a breach that is already certain is called at once; when the step's last
 * interval arrives the whole step (after warm-up) is judged as well, which catches a percentile
 * that needs more samples than one window holds.
 *
 * Every window is judged twice: against the SLO (`judgeMerged`) and on whether the generator
 * offered its load (`generatorCheckOf`, the saturation rule). Then:
 * - load not offered: inconclusive, whatever the target did — it was never asked what the step
 *   claims (so it is neither a knee nor a collapse);
 * - a breach of errors, achieved, drops or a probe: collapse. Lag cannot fake these;
 * - a latency breach: collapse if the percentile with the generator's lag taken out still
 *   exceeds the limit (`withoutLagMs`); otherwise the lag could explain it. Inside a step that
 *   is not decided at once (a later window may breach beyond doubt); at the step's end it is
 *   inconclusive;
 * - no breach: held when every condition was judged; `unjudged` (not a knee; the ramp goes on)
 *   when a condition was not.
 *
 * A stop from outside (`sendingStopped`: a signal, a kill switch, a guardrail) is never a verdict
 * about the target: intervals that end after it are not judged (their requests were abandoned by
 * the stop, not failed by the target), and the step it cut short is judged only for breaches that
 * were certain before it; otherwise it is `partial`, and so is the ramp.
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
  readonly #unit: ArrivalUnit;
  readonly #results: StepResult[] = [];
  #probes: ProbeWindow | undefined;
  #open: OpenStep | undefined;
  #nextStep = 0;
  #decision: Decision | undefined;
  #sendingStoppedAtMs: number | undefined;
  #stoppedDuring: StepResult | undefined;
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
    this.#unit = options.arrivalUnit ?? 'request';
    const steps = options.steps;
    this.#schedule = {
      scheduledArrivals: options.scheduledArrivals ?? ((a, b) => flatStepArrivals(steps, a, b)),
      ...(options.arrivals ? { arrivals: options.arrivals } : {}),
    };
  }

  /**
   * Sending was stopped from outside at this moment (ms on the intervals' clock): a signal, a
   * kill switch, a guardrail, a crash. The orchestrator says so as soon as it knows, before the
   * next interval. From here on nothing is judged against the target (see the class comment).
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
    // An interval that ends after an outside stop holds the stop's drain: not the target's doing.
    if (this.#sendingStoppedAtMs !== undefined && interval.startMs + interval.durationMs > this.#sendingStoppedAtMs + EPSILON_MS)
      return undefined;
    const midMs = interval.startMs + interval.durationMs / 2;
    let event: RampEvent | undefined;
    if (this.#open && midMs >= stepEndMs(this.#open.step)) {
      event = this.#close();
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
    const inStep = this.#judgeSliding(open) ?? this.#judgeEarly(open);
    if (inStep) return inStep;
    if (interval.startMs + interval.durationMs >= stepEndMs(open.step) - EPSILON_MS) return this.#close();
    return event;
  }

  /**
   * The run ended. Judges the open step on what it has: a step that reached its end is judged
   * as at its end. One cut short — by a stop from outside, or by the schedule itself — is judged
   * only for breaches that were already certain; otherwise it is `partial`.
   */
  finish(): RampEvent | undefined {
    if (this.#decision || !this.#open) return undefined;
    const open = this.#open;
    const last = open.intervals[open.intervals.length - 1];
    const reachedMs = last ? last.startMs + last.durationMs : open.step.startMs;
    if (reachedMs >= stepEndMs(open.step) - this.#intervalMs / 2) return this.#close();
    return this.#cutShort(open);
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
      step = this.#result(open, 'inconclusive', this.#judge(open, open.intervals, 'full', 'step'), reason);
    } else {
      const last = this.#results[this.#results.length - 1];
      const next: OpenStep = { step: this.#steps[Math.min(this.#nextStep, this.#steps.length - 1)]!, intervals: [] };
      step =
        last && this.#nextStep >= this.#steps.length
          ? last
          : this.#result(next, 'inconclusive', this.#judge(next, [], 'full', 'step'), reason);
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
      // A ramp whose very first step broke never saw the target healthy (a wrong path, a target
      // failing from its first request, a hang): no knee, and nothing for a recovery to return to.
      const first = d.step.index === 0 && this.#steps.length > 1;
      return {
        verdict: first ? 'never-healthy' : 'collapsed',
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
    const concluded = this.#results.filter((s) => s.verdict === 'held' || s.verdict === 'unjudged').length;
    if (this.#sendingStoppedAtMs !== undefined && (this.#stoppedDuring || concluded < this.#steps.length)) {
      return {
        verdict: 'partial',
        ...(lastHeld ? { lastHeld } : {}),
        ...unjudged,
        ...(this.#stoppedDuring ? { stoppedDuring: this.#stoppedDuring } : {}),
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

  /** The last full window of the step, once there is one: a breach decides, unless the lag could explain it. */
  #judgeSliding(open: OpenStep): RampEvent | undefined {
    const judged = this.#judgedIntervals(open);
    let k = judged.length;
    let coveredMs = 0;
    while (k > 0 && coveredMs < this.#windowMs - EPSILON_MS) coveredMs += judged[--k]!.durationMs;
    if (coveredMs < this.#windowMs - EPSILON_MS) return undefined;
    const j = this.#judge(open, judged.slice(k), 'full', 'sliding', k === 0);
    // A window that held waits for the step's end, where the whole step is judged (a generator
    // that fell behind in it makes the step inconclusive there).
    if (!j.verdict.breached) return undefined;
    if (j.call.kind === 'ambiguous') {
      // Wait: a later window of this step may breach beyond what the lag explains.
      open.ambiguous ??= { reason: j.call.reason, judged: j };
      return undefined;
    }
    return j.call.kind === 'collapse' || j.call.kind === 'saturated' ? this.#decide(open, j) : undefined;
  }

  /**
   * Before a step has a full window: decide a collapse as soon as the first window's breach is
   * certain, whatever its remaining intervals bring, so a collapsing target is not hammered — and
   * its emails not sent — for the rest of the window. Anything less certain waits.
   */
  #judgeEarly(open: OpenStep): RampEvent | undefined {
    const judged = this.#judgedIntervals(open);
    if (judged.length === 0 || judged.reduce((a, i) => a + i.durationMs, 0) >= this.#windowMs - EPSILON_MS) return undefined;
    const coveredMs = judged.reduce((a, i) => a + i.durationMs, 0);
    const j = this.#judge(open, judged, { certainAfterMs: this.#windowMs - coveredMs }, 'sliding', true);
    return j.call.kind === 'collapse' ? this.#decide(open, j) : undefined;
  }

  /** The step reached its end: the whole step after its warm-up is judged. */
  #close(): RampEvent | undefined {
    const open = this.#open!;
    this.#open = undefined;
    let judged = this.#judgedIntervals(open);
    // A step that ended inside its warm-up (a short last step) still has something to say.
    if (judged.length === 0) judged = open.intervals;
    const j = this.#judge(open, judged, 'full', 'step', true);
    if (j.call.kind === 'ambiguous' || ((j.call.kind === 'held' || j.call.kind === 'unjudged') && open.ambiguous)) {
      // The step ends with a breach the lag could explain and none it could not: inconclusive.
      const a = j.call.kind === 'ambiguous' ? { reason: j.call.reason, judged: j } : open.ambiguous!;
      return this.#decide(open, { ...a.judged, call: { kind: 'ambiguous', reason: a.reason } });
    }
    if (j.call.kind === 'collapse' || j.call.kind === 'saturated') return this.#decide(open, j);
    const verdict: StepVerdict = j.call.kind === 'unjudged' ? 'unjudged' : 'held';
    const detail =
      verdict === 'unjudged'
        ? j.verdict.conditions
            .filter((c) => c.status === 'unjudged')
            .map(formatCondition)
            .join(', ')
        : undefined;
    const step = this.#result(open, verdict, j, detail);
    return { type: verdict === 'unjudged' ? 'step-unjudged' : 'step-held', step };
  }

  /**
   * Sending stopped before the step's end. A breach that was already certain is still the
   * target's (its window is completed at best, as before a step's first full window); anything
   * else is partial: the stop, not the target, ended the step.
   */
  #cutShort(open: OpenStep): RampEvent | undefined {
    this.#open = undefined;
    let judged = this.#judgedIntervals(open);
    if (judged.length === 0) judged = open.intervals;
    // Completed at best up to the step's end (at least a window): every full window before the
    // stop was judged already, and the rest of the step could only have diluted a breach.
    const coveredMs = judged.reduce((a, i) => a + i.durationMs, 0);
    const stepJudgedMs = stepEndMs(open.step) - (open.step.startMs + this.warmupMsFor(open.step));
    const j = this.#judge(open, judged, { certainAfterMs: Math.max(this.#windowMs, stepJudgedMs) - coveredMs }, 'step', true);
    if (j.call.kind === 'collapse') return this.#decide(open, j);
    const detail =
      this.#sendingStoppedAtMs !== undefined ? 'sending was stopped before the step ended' : 'the run ended before the step did';
    this.#stoppedDuring = this.#result(open, 'partial', j, detail);
    return undefined;
  }

  /**
   * The one judging step every path shares: merge the window, judge it against the SLO (all of
   * it, or only what is certain), check the generator offered its load, and make the call.
   */
  #judge(open: OpenStep, intervals: readonly IntervalStats[], mode: Mode, kind: JudgedWindow['kind'], probesFromStepStart = false): Judged {
    const window = mergeWindow(intervals, this.#arrivalNames);
    const options = { ...(probesFromStepStart ? { probesFromMs: open.step.startMs } : {}), ...(this.#names ? { names: this.#names } : {}) };
    const verdict = judgeMerged(window, this.#slo, this.#probes, options);
    const generator = generatorCheckOf(window, this.#generatorOptions(this.#lagBefore(open, intervals[0])));
    let call = this.#call(open.step, verdict, generator);
    if (mode !== 'full') {
      const best = judgeMerged(
        completedAtBest(window, open.step.rateRps, Math.max(0, mode.certainAfterMs)),
        this.#slo,
        this.#probes,
        options,
      );
      const certain = certainBreaches(best);
      const certainCall = certain.length > 0 ? this.#call(open.step, judgementOf(certain), generator) : undefined;
      if (certainCall?.kind === 'collapse') return { window, verdict: withCertain(verdict, certain), generator, call: certainCall, kind };
      call = { kind: 'held' };
    }
    return { window, verdict, generator, call, kind };
  }

  #generatorOptions(lagBeforeMs?: number): GeneratorCheckOptions {
    return {
      schedule: this.#schedule,
      ...(this.#sendingStoppedAtMs !== undefined ? { sendingStoppedAtMs: this.#sendingStoppedAtMs } : {}),
      ...(lagBeforeMs !== undefined ? { lagBeforeMs } : {}),
    };
  }

  /** The median lag of the interval before `first` (in this step, or the last one before it). */
  #lagBefore(open: OpenStep, first: IntervalStats | undefined): number | undefined {
    if (!first) return undefined;
    const k = open.intervals.indexOf(first);
    if (k > 0) return medianLagMs(open.intervals[k - 1]!);
    return this.#lagBeforeStepMs;
  }

  /** The rule in the class comment, for one window. */
  #call(step: ProfileStep, verdict: WindowJudgement, generator: GeneratorCheck): WindowCall {
    if (generator.saturated) {
      return {
        kind: 'saturated',
        reason: `generator saturated at ${formatArrivalRate(step.rateRps, this.#unit)} (${generator.reasons.join(', ')})`,
      };
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
      reason: `the generator's schedule lag (up to ${formatMs(generator.lagMsMax)}) could explain the breach at ${formatArrivalRate(step.rateRps, this.#unit)}: ${explained}`,
    };
  }

  #decide(open: OpenStep, j: Judged): Decision {
    if (j.call.kind === 'collapse') {
      const step = this.#result(open, 'breached', j);
      this.#decision = { type: 'collapse', step, verdict: j.verdict, window: step.judged };
    } else {
      const reason = 'reason' in j.call ? j.call.reason : 'inconclusive';
      const step = this.#result(open, 'inconclusive', j, reason);
      this.#decision = { type: 'inconclusive', step, reason, advice: GENERATOR_SATURATED_ADVICE };
    }
    return this.#decision;
  }

  #result(open: OpenStep, verdict: StepVerdict, j: Judged, detail?: string): StepResult {
    const all = mergeWindow(open.intervals, this.#arrivalNames);
    const s = open.step;
    const result: StepResult = {
      index: s.index,
      label: formatStepLabel(s.label, this.#unit),
      rateRps: s.rateRps,
      startMs: s.startMs,
      durationMs: s.durationMs,
      ...countsOf(all),
      achievedRps: achievedRps(all),
      latencyMs: summarizeMs(all.latency),
      verdict,
      conditions: j.verdict.conditions,
      judged: {
        kind: j.kind,
        startMs: j.window.startMs,
        durationMs: j.window.durationMs,
        offeredRps: offeredRps(j.window),
        achievedRps: achievedRps(j.window),
      },
      generator: j.generator,
      ...(detail ? { detail } : {}),
    };
    this.#results.push(result);
    return result;
  }
}

function medianLagMs(i: IntervalStats): number | undefined {
  if (!i.histograms.lag) return undefined;
  const h = decodedHistogram(i.histograms.lag);
  return h.totalCount === 0 ? undefined : percentileMs(h, 50);
}

import type { NameEntry } from '../scenario/flow-plan.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { formatArrivalRate, formatCondition, formatMs } from '../collapse/format.js';
import { type ConditionOutcome, judgeMerged, type WindowJudgement } from '../collapse/judge-window.js';
import type { ProbeWindow } from '../collapse/probe-window.js';
import { mergeWindow, offeredRps, slidingWindows } from '../collapse/window.js';
import type { IntervalStats } from '../run/interval.js';
import { formatProbeCondition } from '../slo/parse-slo.js';
import type { Slo } from '../slo/slo.js';
import { readNumber } from '../units.js';
import { DEFAULTS } from '../defaults.js';

export interface RecoveryOptions {
  /** Length of the windows the baseline is judged in (default 3 s). */
  readonly windowMs?: number;
  /** How long the load had been off when the baseline started (from the moment it stopped). */
  readonly cooldownMs: number;
  /** Probe series on the baseline's clock (samples taken during the cool-down have tMs < 0). */
  readonly probes?: ProbeWindow;
  /** Back-to-back windows the SLO must hold for, with no breach after them (default 3). */
  readonly sustainWindows?: number;
  /** Which `byName` entries an arrival is (`arrivalNamesOf(config.names)`): with journeys, achieved counts journeys. */
  readonly arrivalNames?: readonly number[];
  /** The run's per-name entries, for scoped SLO conditions. */
  readonly names?: readonly NameEntry[];
}

export interface RecoveryVerdict {
  readonly recovered: boolean;
  /** From the moment the load stopped to the start of the stretch over which the SLO held. */
  readonly timeToRecoverMs?: number;
  /** Start of that stretch, in ms since the baseline started. */
  readonly firstGoodWindowStartMs?: number;
  /** How long the SLO held, from that start to the end of the baseline. */
  readonly heldForMs?: number;
  /** Times the SLO broke again after a window in which it had held: a flapping target. */
  readonly relapses: number;
  /** The breached conditions of the last window that breached, when the target did not recover. */
  readonly failing: readonly ConditionOutcome[];
  /** Conditions the baseline's windows could not judge (a percentile at a low rate). */
  readonly unjudged: readonly string[];
  /** One or two sentences a person reads in the summary. */
  readonly detail: string;
}

export const DEFAULT_SUSTAIN_WINDOWS = DEFAULTS.recovery.sustainWindows;

/**
 * Did the target heal once the overload was gone? The baseline phase (a low rate, by default
 * 10 % of the knee, held after a cool-down) is judged in windows of `windowMs` that slide by one
 * interval, each against the same SLO as the ramp.
 *
 * Recovered means the SLO holds from some point on through the rest of the baseline: every
 * window from that point on holds, and they span at least `sustainWindows` back-to-back windows.
 * One good window is not recovery: a breaker that lets a request through now and then, but never
 * closes, passes a window here and there and breaks again. Time to recover counts from the moment
 * the load stopped to the start of that stretch, so its resolution is one interval.
 *
 * A window holds when nothing breached and it judged the target on something (errors or
 * throughput: a window with no request says nothing). At the baseline's low rate a percentile
 * usually has too few responses to be judged; that does not hold recovery back (the check is
 * about errors, throughput, drops and probes, which is what a stuck breaker or a wedged queue
 * breaks), and the verdict lists it as unjudged.
 */
export function judgeRecovery(intervals: readonly IntervalStats[], slo: Slo, options: RecoveryOptions): RecoveryVerdict {
  const issues = validateRecoveryOptions(options);
  if (issues.length > 0) throw new ValidationError('recovery options', issues);
  const windowMs = options.windowMs ?? DEFAULTS.recovery.windowMs;
  const sustain = options.sustainWindows ?? DEFAULT_SUSTAIN_WINDOWS;
  const { cooldownMs, probes } = options;
  if (intervals.length === 0) {
    return {
      recovered: false,
      relapses: 0,
      failing: [],
      unjudged: [],
      detail: `could not judge recovery: the baseline produced no intervals after a ${formatMs(cooldownMs)} cool-down`,
    };
  }
  const windows = [...slidingWindows(intervals, windowMs)].map(({ start, slice }) => {
    const verdict = judgeMerged(mergeWindow(slice, options.arrivalNames), slo, probes, options.names ? { names: options.names } : {});
    return { start, verdict, holds: holds(verdict) };
  });
  // The stretch starts after the last window that did not hold.
  let lastBad = -1;
  let lastBreach: WindowJudgement | undefined;
  let relapses = 0;
  let seenGood = false;
  windows.forEach((w, k) => {
    if (!w.holds) {
      lastBad = k;
      if (w.verdict.breached) lastBreach = w.verdict;
      if (seenGood && w.verdict.breached && windows[k - 1]?.holds) relapses++;
    } else seenGood = true;
  });
  const unjudged = [...new Set(windows.flatMap((w) => w.verdict.conditions.filter((c) => c.status === 'unjudged').map((c) => c.name)))];
  // What is still failing: nothing, if the SLO holds at the end but not yet for long enough.
  const stillFailing = windows[windows.length - 1]?.holds === false;
  const failing = (stillFailing && lastBreach?.conditions.filter((c) => c.status === 'breached')) || [];
  const endMs = intervals[intervals.length - 1]!.startMs + intervals[intervals.length - 1]!.durationMs;
  const first = windows[lastBad + 1];
  if (first) {
    const startMs = intervals[first.start]!.startMs;
    const heldForMs = endMs - startMs;
    if (heldForMs >= sustain * windowMs - 0.5) {
      const timeToRecoverMs = cooldownMs + startMs;
      const into = startMs > 0 ? `from ${formatMs(startMs)} into the baseline` : 'from the start of the baseline';
      return {
        recovered: true,
        timeToRecoverMs,
        firstGoodWindowStartMs: startMs,
        heldForMs,
        relapses,
        failing: [],
        unjudged,
        detail:
          `recovered after ${formatMs(timeToRecoverMs)}: the SLO held ${into} on, for ${formatMs(heldForMs)} (${sustain} windows of ${formatMs(windowMs)} or more), after a ${formatMs(cooldownMs)} cool-down` +
          (relapses > 0 ? `; it broke ${relapses} time${relapses === 1 ? '' : 's'} before that` : '') +
          (unjudged.length > 0 ? `; not judged at the baseline's rate: ${unjudged.join(', ')}` : ''),
      };
    }
  }
  const all = mergeWindow(intervals);
  const probeNames = failing
    .filter((c) => c.kind === 'probe')
    .map((c) => formatProbeCondition({ probe: c.name, op: c.op, ...(c.op === 'ok' ? {} : { value: c.limit }) }));
  const heldAtEnd = first ? endMs - intervals[first.start]!.startMs : 0;
  const why =
    failing.length === 0
      ? `the SLO held only for the last ${formatMs(heldAtEnd)}, short of ${sustain} windows of ${formatMs(windowMs)}`
      : `${formatMs(all.durationMs)} at ${options.names?.some((n) => n.kind === 'journey') ? formatArrivalRate(offeredRps(all), 'journey') : formatArrivalRate(offeredRps(all), 'request')} after a ${formatMs(cooldownMs)} cool-down still breached ${failing.map(formatCondition).join(', ')}` +
        (probeNames.length > 0 ? `; probes still failing: ${probeNames.join(', ')}` : '');
  return {
    recovered: false,
    relapses,
    failing,
    unjudged,
    detail:
      (failing.length === 0
        ? `did not recover in time: ${why}. `
        : `did not recover: the target stayed broken after the load was gone. ${why}. `) +
      (relapses > 0 || (seenGood && failing.length > 0)
        ? `The SLO held in some windows and broke again${relapses > 0 ? ` (${relapses} time${relapses === 1 ? '' : 's'})` : ''}: a breaker that lets traffic through now and then but never closes has not recovered. `
        : '') +
      'A metastable failure (e.g. a circuit breaker that never clears): the overload is over, yet the target does not heal by itself.',
  };
}

/** Nothing breached, and the window judged the target on errors or throughput. */
function holds(v: WindowJudgement): boolean {
  return !v.breached && v.conditions.some((c) => (c.kind === 'errors' || c.kind === 'achieved') && c.status === 'held');
}

/** How long a baseline must run for a target that recovers at once to be called recovered. */
export function sustainedRecoveryMs(windowMs: number = DEFAULTS.recovery.windowMs, sustainWindows = DEFAULT_SUSTAIN_WINDOWS): number {
  return windowMs * sustainWindows;
}

export function validateRecoveryOptions(options: RecoveryOptions, path = 'options'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (options.windowMs !== undefined)
    readNumber(options.windowMs, `${path}.windowMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  readNumber(options.cooldownMs, `${path}.cooldownMs`, issues, { min: 0, what: 'a number of milliseconds' });
  if (options.sustainWindows !== undefined)
    readNumber(options.sustainWindows, `${path}.sustainWindows`, issues, { min: 1, integer: true, what: 'a positive integer' });
  return issues;
}

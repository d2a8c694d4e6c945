import { ValidationError, type ValidationIssue } from '../errors.js';
import { formatCondition, formatMs, formatRate } from '../collapse/format.js';
import { type ConditionVerdict, judgeMerged } from '../collapse/judge-window.js';
import type { ProbeWindow } from '../collapse/probe-window.js';
import { mergeWindow, offeredRps } from '../collapse/window.js';
import type { IntervalStats } from '../run/interval.js';
import { formatProbeCondition } from '../slo/parse-slo.js';
import type { Slo } from '../slo/slo.js';
import { readNumber } from '../units.js';

export interface RecoveryOptions {
  /** Length of the windows the baseline is judged in (default 3 s). */
  readonly windowMs?: number;
  /** How long the load was off between the collapse and the baseline. */
  readonly cooldownMs: number;
  /** Probe series on the baseline's clock (samples taken during the cool-down have tMs < 0). */
  readonly probes?: ProbeWindow;
}

export interface RecoveryVerdict {
  readonly recovered: boolean;
  /** From the moment the load stopped (the cool-down's start) to the start of the first window that met the SLO. */
  readonly timeToRecoverMs?: number;
  /** Start of that window, in ms since the baseline started. */
  readonly firstGoodWindowStartMs?: number;
  /** The breached conditions of the last window judged, when the target did not recover. */
  readonly failing: readonly ConditionVerdict[];
  /** One or two sentences a person reads in the summary. */
  readonly detail: string;
}

/**
 * Did the target heal once the overload was gone? The baseline phase (a low rate, by default
 * 10 % of the knee, held after a cool-down) is cut into windows of `windowMs` that slide by one
 * interval, and each is judged against the same SLO as the ramp. The first window that meets
 * it marks recovery; time to recover counts from the moment the load stopped to that window's
 * start, so its resolution is one interval and it is never less than the cool-down.
 *
 * The same rules as the ramp apply, so the baseline's low rate usually leaves high percentiles
 * unjudged (too few samples), and recovery rests on errors, throughput, drops and probes — which
 * is what a stuck circuit breaker or a wedged queue breaks.
 */
export function judgeRecovery(intervals: readonly IntervalStats[], slo: Slo, options: RecoveryOptions): RecoveryVerdict {
  const issues = validateRecoveryOptions(options);
  if (issues.length > 0) throw new ValidationError('recovery options', issues);
  const windowMs = options.windowMs ?? 3000;
  const { cooldownMs, probes } = options;
  if (intervals.length === 0) {
    return {
      recovered: false,
      failing: [],
      detail: `could not judge recovery: the baseline produced no intervals after a ${formatMs(cooldownMs)} cool-down`,
    };
  }
  let lastFailing: readonly ConditionVerdict[] = [];
  for (const window of slidingWindows(intervals, windowMs)) {
    const merged = mergeWindow(window);
    const verdict = judgeMerged(merged, slo, probes);
    if (verdict.ok) {
      const timeToRecoverMs = cooldownMs + merged.startMs;
      const into = merged.startMs > 0 ? `${formatMs(merged.startMs)} into the baseline` : 'from the start of the baseline';
      return {
        recovered: true,
        timeToRecoverMs,
        firstGoodWindowStartMs: merged.startMs,
        failing: [],
        detail: `recovered after ${formatMs(timeToRecoverMs)}: the SLO held ${into}, after a ${formatMs(cooldownMs)} cool-down`,
      };
    }
    lastFailing = verdict.conditions.filter((c) => !c.ok);
  }
  const all = mergeWindow(intervals);
  const probeNames = lastFailing.filter((c) => c.kind === 'probe').map((c) => formatProbeCondition({ probe: c.name, op: c.op, ...(c.op === 'ok' ? {} : { value: c.limit }) }));
  return {
    recovered: false,
    failing: lastFailing,
    detail:
      `did not recover: the target stayed broken after the load was gone. ` +
      `${formatMs(all.durationMs)} at ${formatRate(offeredRps(all))} after a ${formatMs(cooldownMs)} cool-down still breached ` +
      `${lastFailing.map(formatCondition).join(', ')}` +
      `${probeNames.length > 0 ? `; probes still failing: ${probeNames.join(', ')}` : ''}. ` +
      'A metastable failure (e.g. a circuit breaker that never clears): the overload is over, yet the target does not heal by itself.',
  };
}

/** Windows of at least `windowMs` starting at each interval; the whole baseline if it is shorter than one window. */
function* slidingWindows(intervals: readonly IntervalStats[], windowMs: number): Generator<readonly IntervalStats[]> {
  let yielded = false;
  for (let start = 0; start < intervals.length; start++) {
    let end = start;
    let coveredMs = 0;
    while (end < intervals.length && coveredMs < windowMs - 0.5) coveredMs += intervals[end++]!.durationMs;
    if (coveredMs < windowMs - 0.5) break;
    yielded = true;
    yield intervals.slice(start, end);
  }
  if (!yielded) yield intervals;
}

export function validateRecoveryOptions(options: RecoveryOptions, path = 'options'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (options.windowMs !== undefined) readNumber(options.windowMs, `${path}.windowMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  readNumber(options.cooldownMs, `${path}.cooldownMs`, issues, { min: 0, what: 'a number of milliseconds' });
  return issues;
}

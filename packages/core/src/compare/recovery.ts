import { formatCondition, formatMs } from '../collapse/format.js';
import { DEFAULTS } from '../defaults.js';
import type { RampLike, RecoveryLike } from './comparable.js';
import type { CompareOptions, CompareOutcome } from './metric-verdict.js';

/** The recovery row of a ramp comparison: recovered or not, and the time to recover. */
export interface RecoveryComparison {
  readonly metric: 'recovery';
  /** `recovered after 2.8 s`, `did not recover`, `not checked: …`. */
  readonly baselineLabel: string;
  readonly currentLabel: string;
  readonly baselineMs?: number;
  readonly currentMs?: number;
  /** The smallest lengthening of the time to recover that counts. */
  readonly minEffectMs?: number;
  readonly outcome: CompareOutcome;
  readonly detail: string;
}

type Recovery = RampLike['recovery'];

function checked(r: Recovery): r is RecoveryLike {
  return r !== undefined && 'recovered' in r;
}

function labelOf(r: Recovery): string {
  if (!r) return 'not checked';
  if (!checked(r)) return `not checked: ${r.skipped}`;
  return r.recovered ? `recovered after ${formatMs(r.timeToRecoverMs ?? Number.NaN)}` : 'did not recover';
}

/**
 * Recovery, one check per ramp: no intervals to resample, so the time to recover is judged
 * against the check's own resolution. It is the cool-down plus the start of the first window of
 * the stretch over which the SLO held, and that start moves in whole intervals, judged in windows
 * of `windowMs`: a lengthening counts only beyond one window, and beyond the latency ratio of the
 * baseline's time (10 %: 2.8 s becoming 6.1 s counts, 2.8 s becoming 4.1 s does not).
 * A target that recovered in the baseline and not now has regressed, whatever the times.
 * Returns undefined when neither ramp checked recovery (nothing to compare).
 */
export function compareRecovery(baseline: RampLike, current: RampLike, o: CompareOptions): RecoveryComparison | undefined {
  const b = baseline.recovery;
  const c = current.recovery;
  if (!checked(b) && !checked(c)) return undefined;
  const base = { metric: 'recovery' as const, baselineLabel: labelOf(b), currentLabel: labelOf(c) };
  if (!checked(b)) return { ...base, outcome: 'cannot-tell', detail: `the baseline did not check recovery (${labelOf(b)})` };
  if (!checked(c)) return { ...base, outcome: 'cannot-tell', detail: `the current ramp did not check recovery (${labelOf(c)})` };
  if (b.recovered && !c.recovered) {
    return { ...base, outcome: 'regressed', detail: `the baseline recovered, the current ramp did not${c.detail ? `: ${c.detail}` : ''}` };
  }
  if (!b.recovered) {
    return {
      ...base,
      outcome: 'no-regression',
      detail: c.recovered ? 'the baseline did not recover; the current ramp did' : 'neither recovered (the run exits 4 on its own)',
    };
  }
  const bMs = b.timeToRecoverMs ?? Number.NaN;
  const cMs = c.timeToRecoverMs ?? Number.NaN;
  const windowMs = b.windowMs ?? DEFAULTS.recovery.windowMs;
  const minEffectMs = Math.max(windowMs, o.minEffectRatio * bMs);
  const times = { baselineMs: bMs, currentMs: cMs, minEffectMs };
  if (!Number.isFinite(bMs) || !Number.isFinite(cMs))
    return { ...base, ...times, outcome: 'cannot-tell', detail: 'a time to recover is missing' };
  const slower = cMs - bMs;
  return slower > minEffectMs
    ? {
        ...base,
        ...times,
        outcome: 'regressed',
        detail: `recovered ${formatMs(slower)} later, more than ${formatMs(minEffectMs)} (one ${formatMs(windowMs)} recovery window, or 10 % of the baseline's time)`,
      }
    : {
        ...base,
        ...times,
        outcome: 'no-regression',
        detail: `${slower > 0 ? `${formatMs(slower)} later` : 'as fast or faster'}: within ${formatMs(minEffectMs)} (the recovery check's resolution is one ${formatMs(windowMs)} window)`,
      };
}

/** How each ramp collapsed: where, and which signals broke (descriptive: the knee row judges capacity). */
export interface CollapseComparison {
  readonly metric: 'collapse';
  /** The step each collapsed at (`550 journeys/s`), or `none (held)`. */
  readonly baselineStep: string;
  readonly currentStep: string;
  /** Each collapse in full: the step and its breached conditions. */
  readonly baselineLabel: string;
  readonly currentLabel: string;
  readonly baselineSignature: readonly string[];
  readonly currentSignature: readonly string[];
  /** What changed, in words: signals new in the current collapse, signals gone, or `the same signature`. */
  readonly detail: string;
}

export function compareCollapse(baseline: RampLike, current: RampLike): CollapseComparison | undefined {
  if (!baseline.collapse && !current.collapse) return undefined;
  const sig = (r: RampLike) => r.collapse?.signature.map((c) => c.name) ?? [];
  const label = (r: RampLike) =>
    r.collapse ? `${r.collapse.step.label}: ${r.collapse.signature.map(formatCondition).join(', ')}` : `no collapse (${r.verdict})`;
  const b = sig(baseline);
  const c = sig(current);
  const added = c.filter((x) => !b.includes(x));
  const gone = b.filter((x) => !c.includes(x));
  const parts: string[] = [];
  if (baseline.collapse?.step.rateRps !== current.collapse?.step.rateRps) {
    parts.push(`collapsed at ${current.collapse?.step.label ?? 'no step'}, the baseline at ${baseline.collapse?.step.label ?? 'no step'}`);
  }
  if (added.length > 0) parts.push(`new signals: ${added.join(', ')}`);
  if (gone.length > 0) parts.push(`no longer: ${gone.join(', ')}`);
  const step = (r: RampLike) => r.collapse?.step.label ?? `none (${r.verdict})`;
  return {
    metric: 'collapse',
    baselineStep: step(baseline),
    currentStep: step(current),
    baselineLabel: label(baseline),
    currentLabel: label(current),
    baselineSignature: b,
    currentSignature: c,
    detail: parts.length > 0 ? parts.join('; ') : 'the same step and signature',
  };
}

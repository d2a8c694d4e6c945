import type { ConditionOutcome } from '../collapse/judge-window.js';
import type { StepResult } from '../collapse/step-result.js';
import { formatArrivalRate } from '../collapse/format.js';
import type { RampLike, SearchLike } from './comparable.js';
import type { CompareOptions, CompareOutcome } from './metric-verdict.js';

/** The capacity row: a ramp's knee, or a search's sustainable rate. */
export interface KneeComparison {
  /** `knee` for a ramp, `sustainable rate` for a search. */
  readonly metric: string;
  readonly baselineRps?: number;
  readonly currentRps?: number;
  /** The rates as a person reads them (`500 journeys/s`, `none`). */
  readonly baselineLabel: string;
  readonly currentLabel: string;
  readonly outcome: CompareOutcome;
  readonly detail: string;
}

/** A rate the result judged: a ramp step, or a search trial. */
interface Judged {
  readonly rateRps: number;
  readonly verdict: string;
  readonly step?: StepResult;
}

/**
 * A condition held with room to spare: farther from its limit than the smallest change that
 * counts, and never more than halfway to what cannot be bettered (no errors, everything
 * achieved, a latency of 0): `achieved >= 95 %` has room from 97.5 %, `errors <= 1 %` from
 * 0.5 %, `p99 <= 50 ms` from 45 ms, a probe `queue < 100` from 90.
 */
function conditionHasRoom(c: ConditionOutcome, o: CompareOptions): boolean {
  if (c.status !== 'held') return false;
  const x = c.observed;
  if (!Number.isFinite(x)) return false;
  switch (c.kind) {
    case 'latency':
      return x <= c.limit - Math.min(Math.max(o.minEffectRatio * c.limit, o.minEffectMs), c.limit / 2);
    case 'errors':
    case 'drops':
      return x <= c.limit - Math.min(o.minEffectErrorRate * 100, c.limit / 2);
    case 'achieved':
      return x >= c.limit + Math.min(o.minEffectAchieved, (1 - c.limit) / 2);
    case 'probe': {
      const limit = Math.abs(c.limit);
      const room = limit > 0 ? Math.min(Math.max(limit * o.minEffectRatio, 1), limit / 2) : 1;
      if (c.op === '<' || c.op === '<=') return x <= c.limit - room;
      if (c.op === '>' || c.op === '>=') return x >= c.limit + room;
      // `==` and `ok` conditions have no distance to their limit: held is all they say.
      return true;
    }
  }
}

export function heldWithRoom(step: StepResult | undefined, o: CompareOptions): boolean {
  return step !== undefined && step.verdict === 'held' && step.conditions.every((c) => conditionHasRoom(c, o));
}

/**
 * A capacity is only as exact as the rates that were tried: a knee one step lower may be the same
 * capacity seen on the other side of a step boundary. So a lower capacity is a regression only
 * when the current result breached a rate that the baseline held with room to spare (or held a
 * higher rate with room: below it, the lower rate would have held too); when the baseline held
 * it without room, the step size cannot tell them apart.
 */
function compareCapacity(
  metric: string,
  baseline: { readonly judged: readonly Judged[]; readonly what: string },
  current: { readonly judged: readonly Judged[]; readonly what: string; readonly neverHeld?: string },
  unit: 'journey' | 'request',
  o: CompareOptions,
): KneeComparison {
  const label = (r: number | undefined) => (r === undefined ? 'none' : formatArrivalRate(r, unit));
  const top = (js: readonly Judged[]) => {
    const held = js.filter((j) => j.verdict === 'held').map((j) => j.rateRps);
    return held.length > 0 ? Math.max(...held) : undefined;
  };
  const b = top(baseline.judged);
  const c = top(current.judged);
  const base = {
    metric,
    ...(b !== undefined ? { baselineRps: b } : {}),
    ...(c !== undefined ? { currentRps: c } : {}),
    baselineLabel: label(b),
    currentLabel: label(c),
  };
  if (b === undefined) return { ...base, outcome: 'cannot-tell', detail: `the baseline held no rate (${baseline.what})` };
  if (c !== undefined && c >= b) return { ...base, outcome: 'no-regression', detail: `held ${label(c)}, the baseline ${label(b)}` };
  // The lowest rate the current result breached above what it held.
  const breached = current.judged
    .filter((j) => j.verdict === 'breached' && (c === undefined || j.rateRps > c))
    .map((j) => j.rateRps)
    .sort((x, y) => x - y)[0];
  if (breached === undefined) {
    return {
      ...base,
      outcome: 'cannot-tell',
      detail: `the current result breached no rate between ${label(c)} and ${label(b)} (${current.what})`,
    };
  }
  if (breached > b) {
    return {
      ...base,
      outcome: 'cannot-tell',
      detail: `the current result held ${label(c)} and breached ${label(breached)}, and never tried ${label(b)}, which the baseline held`,
    };
  }
  const roomy = baseline.judged.filter((j) => j.rateRps >= breached && heldWithRoom(j.step, o)).map((j) => j.rateRps);
  const what =
    c === undefined ? `the current result held no rate (${current.neverHeld ?? current.what})` : `it fell from ${label(b)} to ${label(c)}`;
  if (roomy.length === 0) {
    return {
      ...base,
      outcome: 'cannot-tell',
      detail: `${what}, but the baseline held ${label(breached)} without room to spare: the step size cannot separate them (use smaller steps)`,
    };
  }
  const at = Math.min(...roomy);
  return {
    ...base,
    outcome: 'regressed',
    detail: `${what}: ${label(breached)} breached, and the baseline held ${label(at)} with room to spare`,
  };
}

/** A ramp's knee (its highest held step), step by step. */
export function compareKnee(baseline: RampLike, current: RampLike, unit: 'journey' | 'request', o: CompareOptions): KneeComparison {
  return compareCapacity(
    'knee',
    { judged: baseline.steps.map((s) => ({ rateRps: s.rateRps, verdict: s.verdict, step: s })), what: baseline.verdict },
    {
      judged: current.steps.map((s) => ({ rateRps: s.rateRps, verdict: s.verdict, step: s })),
      what: current.verdict,
      ...(current.verdict === 'never-healthy' ? { neverHeld: 'never healthy' } : {}),
    },
    unit,
    o,
  );
}

/** A search's sustainable rate, trial by trial. */
export function compareSustainable(
  baseline: SearchLike,
  current: SearchLike,
  unit: 'journey' | 'request',
  o: CompareOptions,
): KneeComparison {
  const judged = (s: SearchLike) =>
    s.evidence.map((e) => ({ rateRps: e.rateRps, verdict: e.verdict, ...(e.step ? { step: e.step } : {}) }));
  const what = (s: SearchLike) => (s.converged ? 'converged' : 'not converged');
  return compareCapacity(
    'sustainable rate',
    { judged: judged(baseline), what: what(baseline) },
    { judged: judged(current), what: what(current) },
    unit,
    o,
  );
}

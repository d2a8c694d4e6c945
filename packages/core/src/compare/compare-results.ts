import type { StepResult } from '../collapse/step-result.js';
import type { RunResult } from '../result/run-result.js';
import type { ComparableResult, RampLike, SearchLike } from './comparable.js';
import { rateUnitOf } from './comparable.js';
import { identityDifferences, identityOf } from './identity.js';
import { type ComparedPlace, compareAtPlaces, intervalsOfStep } from './interval-metrics.js';
import { compareKnee, compareSustainable, type KneeComparison } from './knee.js';
import { type CompareOptions, type CompareOutcome, DEFAULT_COMPARE_OPTIONS, type MetricComparison } from './metric-verdict.js';
import { type CollapseComparison, compareCollapse, compareRecovery, type RecoveryComparison } from './recovery.js';

export interface ComparisonReport {
  readonly outcome: CompareOutcome;
  readonly kind: 'run' | 'ramp' | 'search';
  /** What an arrival is, for the rates in the rows. */
  readonly unit: 'journey' | 'request';
  /** Capacity: a ramp's knee, a search's sustainable rate. */
  readonly knee?: KneeComparison;
  /** How each ramp collapsed (descriptive: it does not decide the outcome). */
  readonly collapse?: CollapseComparison;
  readonly recovery?: RecoveryComparison;
  /** Per-interval metrics at every place both results measured, all requests first, then per name. */
  readonly metrics: readonly MetricComparison[];
  /** Set when --allow-different compared results that differ: every output repeats it. */
  readonly differences: readonly string[];
  /** What is missing, when the outcome is cannot-tell. */
  readonly missing: readonly string[];
}

/** What makes two results comparable: the same target, kind, profile and SLO (see identity.ts). */
export function differencesOf(baseline: ComparableResult, current: ComparableResult): string[] {
  return identityDifferences(identityOf(baseline), identityOf(current));
}

const side = (run: RunResult, intervals: RunResult['intervals']) => ({ intervals, names: run.byName });

/** Every rate both ramps held: the same step held on both sides, compared on its judged intervals. */
function rampPlaces(baseline: RampLike, current: RampLike, missing: string[]): ComparedPlace[] {
  const heldB = new Map(baseline.steps.filter((s) => s.verdict === 'held').map((s) => [s.rateRps, s]));
  const common = current.steps.filter((s) => s.verdict === 'held' && heldB.has(s.rateRps));
  if (common.length === 0) missing.push('no rate was held by both ramps');
  return common.map((s: StepResult) => ({
    where: `at ${s.label}`,
    place: { rateRps: s.rateRps, rateLabel: s.label },
    baseline: side(baseline.run, intervalsOfStep(baseline.run.intervals, heldB.get(s.rateRps)!)),
    current: side(current.run, intervalsOfStep(current.run.intervals, s)),
  }));
}

/** Every rate both searches held a trial at, compared on the trials' judged intervals. */
function searchPlaces(baseline: SearchLike, current: SearchLike, missing: string[]): ComparedPlace[] {
  const held = (s: SearchLike) => new Map(s.evidence.filter((e) => e.verdict === 'held' && e.step).map((e) => [e.rateRps, e]));
  const heldB = held(baseline);
  const common = [...held(current).values()].filter((e) => heldB.has(e.rateRps)).sort((a, b) => a.rateRps - b.rateRps);
  if (common.length === 0) missing.push('no trial rate was held by both searches');
  return common.flatMap((e) => {
    const b = heldB.get(e.rateRps)!;
    if (!e.intervals || !b.intervals) {
      missing.push(`the trials at ${e.step!.label} keep no intervals (a result written before they were kept)`);
      return [];
    }
    return [
      {
        where: `at ${e.step!.label}`,
        place: { rateRps: e.rateRps, rateLabel: e.step!.label },
        baseline: { intervals: intervalsOfStep(b.intervals, b.step!), names: undefined },
        current: { intervals: intervalsOfStep(e.intervals, e.step!), names: undefined },
      },
    ];
  });
}

/** Compares two results; the caller has already refused (or allowed) their differences. */
export function compareResults(
  baseline: ComparableResult,
  current: ComparableResult,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): ComparisonReport {
  const differences = differencesOf(baseline, current);
  const unit = rateUnitOf(current);
  const missing: string[] = [];
  let metrics: MetricComparison[] = [];
  let knee: KneeComparison | undefined;
  let collapse: CollapseComparison | undefined;
  let recovery: RecoveryComparison | undefined;
  if (baseline.kind === 'ramp' && current.kind === 'ramp') {
    knee = compareKnee(baseline, current, unit, options);
    collapse = compareCollapse(baseline, current);
    recovery = compareRecovery(baseline, current, options);
    metrics = compareAtPlaces(rampPlaces(baseline, current, missing), options);
  } else if (baseline.kind === 'search' && current.kind === 'search') {
    knee = compareSustainable(baseline, current, unit, options);
    metrics = compareAtPlaces(searchPlaces(baseline, current, missing), options);
  } else if (baseline.kind === 'run' && current.kind === 'run') {
    // Every interval but the first (the warm-up, and a partial second).
    metrics = compareAtPlaces(
      [
        {
          where: '(run)',
          place: {},
          baseline: side(baseline, baseline.intervals.slice(1)),
          current: side(current, current.intervals.slice(1)),
        },
      ],
      options,
    );
  } else {
    missing.push(`a ${baseline.kind} and a ${current.kind} have nothing in common to compare`);
  }
  // A regression decides wherever it is proven; a cannot-tell only where the row decides (see MetricComparison.decides).
  const deciding = [
    ...metrics.filter((m) => m.decides || m.outcome === 'regressed'),
    ...(knee ? [knee] : []),
    ...(recovery ? [recovery] : []),
  ];
  for (const m of deciding) if (m.outcome === 'cannot-tell') missing.push(`${m.metric}: ${m.detail}`);
  const outcomes = deciding.map((m) => m.outcome);
  const outcome: CompareOutcome = outcomes.includes('regressed')
    ? 'regressed'
    : outcomes.length === 0 || outcomes.includes('cannot-tell') || missing.length > 0
      ? 'cannot-tell'
      : 'no-regression';
  return {
    outcome,
    kind: current.kind,
    unit,
    ...(knee ? { knee } : {}),
    ...(collapse ? { collapse } : {}),
    ...(recovery ? { recovery } : {}),
    metrics,
    differences,
    missing,
  };
}

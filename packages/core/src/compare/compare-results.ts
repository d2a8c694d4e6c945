import type { StepResult } from '../collapse/step-result.js';
import type { RunResult } from '../result/run-result.js';
import type { IntervalStats } from '../run/interval.js';
import { errorTotal } from '../run/interval.js';
import {
  type CompareOptions,
  type CompareOutcome,
  compareMetric,
  DEFAULT_COMPARE_OPTIONS,
  type MetricComparison,
} from './metric-verdict.js';
import { identityDifferences, identityOf } from './identity.js';
import { compareKnee, type KneeComparison, type RampLike } from './knee.js';

/** A result.json as read from disk: a run, or a ramp (which holds its run). */
export type ComparableResult = RunResult | RampLike;

export interface ComparisonReport {
  readonly outcome: CompareOutcome;
  readonly kind: 'run' | 'ramp';
  readonly metrics: readonly MetricComparison[];
  readonly knee?: KneeComparison;
  /** Set when --allow-different compared results that differ: every output repeats it. */
  readonly differences: readonly string[];
  /** What is missing, when the outcome is cannot-tell. */
  readonly missing: readonly string[];
}

/** What makes two results comparable: the same target, kind, profile and SLO (see identity.ts). */
export function differencesOf(baseline: ComparableResult, current: ComparableResult): string[] {
  return identityDifferences(identityOf(baseline), identityOf(current));
}

function runOf(r: ComparableResult): RunResult {
  return r.kind === 'run' ? r : r.run;
}

/** The per-interval samples a metric is tested on; the first interval (warm-up, partial) is left out. */
function series(intervals: readonly IntervalStats[]) {
  const usable = intervals.filter((i) => i.sent > 0);
  return {
    p99: usable.filter((i) => i.latencyMs.count > 0).map((i) => i.latencyMs.p99),
    p50: usable.filter((i) => i.latencyMs.count > 0).map((i) => i.latencyMs.p50),
    errors: usable.map((i) => errorTotal(i.errorsByClass) / i.sent),
    achieved: usable.filter((i) => i.offeredRps > 0).map((i) => i.achievedRps / i.offeredRps),
  };
}

function compareIntervals(
  label: string,
  b: readonly IntervalStats[],
  c: readonly IntervalStats[],
  o: CompareOptions,
  rateRps?: number,
): MetricComparison[] {
  const sb = series(b);
  const sc = series(c);
  return [
    compareMetric(`p50 ${label}`, 'latency-ms', sb.p50, sc.p50, o, rateRps),
    compareMetric(`p99 ${label}`, 'latency-ms', sb.p99, sc.p99, o, rateRps),
    compareMetric(`errors ${label}`, 'error-rate', sb.errors, sc.errors, o, rateRps),
    compareMetric(`achieved ${label}`, 'achieved-ratio', sb.achieved, sc.achieved, o, rateRps),
  ];
}

/** A step's judged intervals: those that start inside it after its warm-up (the judged window). */
function intervalsOfStep(run: RunResult, step: StepResult): IntervalStats[] {
  const from = step.judged.startMs;
  const to = step.startMs + step.durationMs;
  return run.intervals.filter((i) => i.startMs >= from && i.startMs + i.durationMs <= to);
}

/** Compares two results; the caller has already refused (or allowed) their differences. */
export function compareResults(
  baseline: ComparableResult,
  current: ComparableResult,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): ComparisonReport {
  const differences = differencesOf(baseline, current);
  const metrics: MetricComparison[] = [];
  const missing: string[] = [];
  let knee: KneeComparison | undefined;
  if (baseline.kind === 'ramp' && current.kind === 'ramp') {
    knee = compareKnee(baseline, current, options);
    // Every rate both runs held: the same step held on both sides.
    const heldB = new Map(baseline.steps.filter((s) => s.verdict === 'held').map((s) => [s.rateRps, s]));
    const common = current.steps.filter((s) => s.verdict === 'held' && heldB.has(s.rateRps));
    if (common.length === 0) missing.push('no rate was held by both runs');
    for (const s of common) {
      const label = `at ${s.label}`;
      metrics.push(
        ...compareIntervals(
          label,
          intervalsOfStep(baseline.run, heldB.get(s.rateRps)!),
          intervalsOfStep(current.run, s),
          options,
          s.rateRps,
        ),
      );
    }
  } else {
    metrics.push(...compareIntervals('(run)', runOf(baseline).intervals.slice(1), runOf(current).intervals.slice(1), options));
  }
  for (const m of metrics) if (m.outcome === 'cannot-tell') missing.push(`${m.metric}: ${m.detail}`);
  if (knee?.outcome === 'cannot-tell') missing.push(`knee: ${knee.detail}`);
  const outcomes = [...metrics.map((m) => m.outcome), ...(knee ? [knee.outcome] : [])];
  const outcome: CompareOutcome = outcomes.includes('regressed')
    ? 'regressed'
    : outcomes.length === 0 || outcomes.includes('cannot-tell') || (knee === undefined && metrics.length === 0)
      ? 'cannot-tell'
      : 'no-regression';
  return { outcome, kind: current.kind, metrics, ...(knee ? { knee } : {}), differences, missing };
}

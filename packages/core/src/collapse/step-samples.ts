import type { ProfileStep } from '../profile/curve.js';
import { minSamplesForPercentile, percentileName, type Slo, strictestPercentile } from '../slo/slo.js';
import { formatCount, formatMs, formatRate } from './format.js';
import { defaultWarmupMs, judgedMsOf } from './step-plan.js';
import { DEFAULTS } from '../defaults.js';

/**
 * A step judged on no more than this many times the responses its percentile needs is at the
 * edge: responses are counted in the interval they arrive, so a few of the last arrivals' answers
 * land in the next step and the count can come out just short.
 */
export const STEP_SAMPLE_MARGIN = 1.1;

/** A step whose judged part holds too few responses for the SLO's strictest percentile, or barely enough. */
export interface ShortStep {
  readonly index: number;
  readonly label: string;
  readonly rateRps: number;
  readonly durationMs: number;
  /** The part of the step its verdict rests on (after the warm-up). */
  readonly judgedMs: number;
  readonly percentile: number;
  /** Responses expected in the judged part at the step's rate (requests per arrival counted). */
  readonly expected: number;
  /** Responses the percentile needs (`minSamplesForPercentile`). */
  readonly needed: number;
  /** Enough on paper, but within STEP_SAMPLE_MARGIN of the count: it may come out unjudged. */
  readonly edge: boolean;
  /** The shortest step, in whole intervals, that holds the count with the margin at this rate. */
  readonly neededDurationMs: number;
}

export interface StepSampleOptions {
  /** The judge's warm-up (default: min(1 s, 20 % of the step), as RampJudge). */
  readonly warmupMs?: number;
  readonly intervalMs?: number;
  /**
   * Requests each arrival sends, at least (default 1): a journey sends one per step, so its
   * percentiles gather that many samples per arrival (`minRequestsPerArrival`).
   */
  readonly requestsPerArrival?: number;
}

/**
 * The fewest requests an arrival of this mix sends on average: 1 for a request, one per step for
 * a journey (polls may add more), weighted as the arrivals pick them.
 */
export function minRequestsPerArrival(
  mix:
    | {
        readonly templates: readonly { readonly weight?: number }[];
        readonly journeys?: readonly { readonly weight?: number; readonly steps: readonly unknown[] }[];
      }
    | undefined,
): number {
  if (!mix) return 1;
  const flows = [
    ...mix.templates.map((t) => ({ weight: t.weight ?? 1, requests: 1 })),
    ...(mix.journeys ?? []).map((j) => ({ weight: j.weight ?? 1, requests: j.steps.length })),
  ];
  const total = flows.reduce((n, f) => n + f.weight, 0);
  return total > 0 ? flows.reduce((n, f) => n + f.weight * f.requests, 0) / total : 1;
}

/**
 * The steps of a ramp that are too short for the SLO's strictest percentile at their rate: their
 * percentile will come out unjudged, so none of them can be the knee. Computed from the
 * schedule, before anything is sent (`overload plan` prints it), with the judge's own warm-up and
 * interval rules. Steps with barely enough (within STEP_SAMPLE_MARGIN) are listed too, marked
 * `edge`: a target that answers a little late, or short of what it was offered, leaves them a
 * few responses short.
 */
export function stepsTooShort(steps: readonly ProfileStep[], slo: Slo, options: StepSampleOptions = {}): ShortStep[] {
  const percentile = strictestPercentile(slo);
  if (percentile === undefined) return [];
  const needed = minSamplesForPercentile(percentile);
  const intervalMs = options.intervalMs ?? DEFAULTS.run.intervalMs;
  const perArrival = options.requestsPerArrival ?? 1;
  const judged = (durationMs: number) => judgedMsOf(durationMs, options.warmupMs ?? defaultWarmupMs(durationMs), intervalMs);
  const short: ShortStep[] = [];
  for (const s of steps) {
    if (s.rateRps <= 0) continue;
    const judgedMs = judged(s.durationMs);
    const expected = Math.floor((s.rateRps * perArrival * judgedMs) / 1000 + 1e-6);
    const safe = needed * STEP_SAMPLE_MARGIN;
    if (expected >= safe) continue;
    let neededDurationMs = Math.ceil(s.durationMs / intervalMs) * intervalMs;
    while ((s.rateRps * perArrival * judged(neededDurationMs)) / 1000 + 1e-6 < safe) neededDurationMs += intervalMs;
    short.push({
      index: s.index,
      label: s.label,
      rateRps: s.rateRps,
      durationMs: s.durationMs,
      judgedMs,
      percentile,
      expected,
      needed,
      edge: expected >= needed,
      neededDurationMs,
    });
  }
  return short;
}

/**
 * `step 1 (200 req/s, 6 s) is too short for p99.9: 5 s judged after the warm-up gives ~1,000
 * responses, p99.9 needs 10,000; at this rate the step would need 56 s`.
 */
export function formatShortStep(s: ShortStep): string {
  const name = percentileName(s.percentile);
  const what = s.edge ? `is barely long enough for ${name}` : `is too short for ${name}`;
  const tail = s.edge
    ? `a few responses short leaves it unjudged (never a knee); ${formatMs(s.neededDurationMs)} would be safe at this rate`
    : `at this rate the step would need ${formatMs(s.neededDurationMs)}`;
  return (
    `step ${s.index + 1} (${formatRate(s.rateRps)}, ${formatMs(s.durationMs)}) ${what}: ` +
    `${formatMs(s.judgedMs)} judged after the warm-up gives ~${formatCount(s.expected)} responses, ${name} needs ${formatCount(s.needed)}; ${tail}`
  );
}

import type { ConditionStatus } from '../collapse/condition-status.js';
import { formatCondition, formatMs } from '../collapse/format.js';
import { type ConditionOutcome, judgeMerged } from '../collapse/judge-window.js';
import { mergeWindow } from '../collapse/window.js';
import { type ProbeSeries, seriesWindow } from '../probe/series.js';
import type { IntervalStats } from '../run/interval.js';
import type { NameEntry } from '../scenario/flow-plan.js';
import type { Slo } from '../slo/slo.js';
import { type DrainRate, drainRateFromCounter, drainRateFromQueue } from './drain-rate.js';
import { analyzeQueue, type PinchMoments, type QueueDrain } from './queue-drain.js';

/** The probes whose names say they are a queue, when no release names its queue. */
export const QUEUE_LIKE_PROBE = /queue|depth|backlog/i;

export interface PinchInput {
  readonly moments: PinchMoments;
  readonly probes: readonly ProbeSeries[];
  /** The queue the pinch builds (a probe name); absent: every probe whose name says queue, depth or backlog. */
  readonly queue?: string;
  /** A probe counting completed work (a counter), for the drain's throughput; absent: the queue's slope. */
  readonly completed?: string;
  readonly intervals: readonly IntervalStats[];
  readonly slo?: Slo;
  readonly names?: readonly NameEntry[];
  readonly arrivalNames?: readonly number[];
}

/** The SLO judged over one stretch of the run (after the release, after the drain). */
export interface StretchVerdict {
  /** `held`: nothing breached and errors or throughput were judged; `breached`; `unjudged`: nothing to judge it on. */
  readonly status: ConditionStatus;
  readonly fromMs: number;
  readonly toMs: number;
  /** Every condition, as judged over the whole stretch. */
  readonly conditions: readonly ConditionOutcome[];
  readonly detail: string;
}

/** Did the target settle back after the drain? */
export interface PinchRecovery {
  /** `held`: the queue drained, stayed in its steady range to the end, and the SLO held after it. */
  readonly status: ConditionStatus;
  readonly detail: string;
  /** The SLO from the drain to the end of the load (absent without an SLO, or with no time left to judge). */
  readonly slo?: StretchVerdict;
}

export interface PinchAnalysis extends PinchMoments {
  /** The queue the pinch is about: the one named, else the queue-like probe that rose the most. */
  readonly queue?: string;
  /** Every queue looked at (with `rose: false` for those the pinch did not move). */
  readonly queues: readonly QueueDrain[];
  readonly throughput?: DrainRate;
  /** The run's SLO from the release to the end of the load (absent without an SLO). */
  readonly sloAfterRelease?: StretchVerdict;
  readonly recovery: PinchRecovery;
}

/**
 * What a pinch test is run for, read from the target's own probes and the actions' actual times,
 * never from the generator: the queue's peak, its drain time after the release, how fast the
 * consumers drained it against their steady rate, whether the SLO held after the release, and
 * whether the target settled back (the queue stayed drained and the SLO held to the end).
 */
export function analyzePinch(input: PinchInput): PinchAnalysis {
  const { moments } = input;
  const candidates = input.probes.filter((p) => (input.queue !== undefined ? p.name === input.queue : QUEUE_LIKE_PROBE.test(p.name)));
  const queues = candidates.map((s) => analyzeQueue(s, moments));
  const main = input.queue !== undefined ? queues[0] : mostRisen(queues);
  const series = main && input.probes.find((p) => p.name === main.probe);
  const counter = input.completed !== undefined ? input.probes.find((p) => p.name === input.completed) : undefined;
  const throughput =
    main && series ? (counter ? drainRateFromCounter(counter, main, moments) : drainRateFromQueue(series, main, moments)) : undefined;
  const sloAfterRelease = input.slo && judgeStretch(input, moments.releaseAtMs);
  return {
    ...moments,
    ...(main ? { queue: main.probe } : {}),
    queues,
    ...(throughput ? { throughput } : {}),
    ...(sloAfterRelease ? { sloAfterRelease } : {}),
    recovery: recoveryOf(input, main),
  };
}

function mostRisen(queues: readonly QueueDrain[]): QueueDrain | undefined {
  let best: QueueDrain | undefined;
  for (const q of queues) if (q.rose && (!best || q.peak - q.steadyMax > best.peak - best.steadyMax)) best = q;
  return best;
}

function recoveryOf(input: PinchInput, q: QueueDrain | undefined): PinchRecovery {
  if (!q) return { status: 'unjudged', detail: 'no queue rose during the hold, so there was no backlog to recover from' };
  if (!q.rose)
    return { status: 'unjudged', detail: `${q.probe} never rose above its steady range, so there was no backlog to recover from` };
  const watched = input.probes.find((p) => p.name === q.probe)?.points.some((p) => p.ok && p.tMs > input.moments.releaseAtMs);
  if (!watched)
    return { status: 'unjudged', detail: `no sample of ${q.probe} after the release: the load stopped before the drain could be watched` };
  if (!q.drained || q.drainedAtMs === undefined)
    return { status: 'breached', detail: `${q.probe} was still above its steady range, ≤ ${q.steadyMax}, when the load stopped` };
  if (q.stayedDrained === false)
    return {
      status: 'breached',
      detail: `${q.probe} drained, then rose above its steady range, ≤ ${q.steadyMax}, again before the load stopped`,
    };
  const slo = input.slo && judgeStretch(input, q.drainedAtMs);
  if (slo?.status === 'breached') return { status: 'breached', detail: `after the drain the SLO broke: ${slo.detail}`, slo };
  if (!slo) return { status: 'held', detail: `${q.probe} stayed in its steady range, ≤ ${q.steadyMax}, from the drain to the end` };
  if (slo.status === 'unjudged') return { status: 'unjudged', detail: `${q.probe} stayed drained, but ${slo.detail}`, slo };
  return {
    status: 'held',
    detail: `${q.probe} stayed in its steady range, ≤ ${q.steadyMax}, and the SLO held from the drain to the end`,
    slo,
  };
}

/**
 * The SLO over the intervals from `fromMs` to the end of the load, merged as one window (a step
 * is judged the same way): the interval the moment falls in counts when most of it is after the
 * moment. A stretch too short for a percentile leaves it unjudged, as a low-rate step would.
 */
export function judgeStretch(
  input: Pick<PinchInput, 'intervals' | 'slo' | 'probes' | 'names' | 'arrivalNames'>,
  fromMs: number,
): StretchVerdict {
  const slice = input.intervals.filter((i) => i.startMs + i.durationMs / 2 >= fromMs);
  const last = slice[slice.length - 1];
  const toMs = last ? last.startMs + last.durationMs : fromMs;
  if (!last || !input.slo) {
    return { status: 'unjudged', fromMs, toMs, conditions: [], detail: 'no load after it to judge the SLO on' };
  }
  const verdict = judgeMerged(mergeWindow(slice, input.arrivalNames), input.slo, seriesWindow(input.probes), {
    ...(input.names ? { names: input.names } : {}),
  });
  const judged = verdict.conditions.some((c) => (c.kind === 'errors' || c.kind === 'achieved') && c.status === 'held');
  const status: ConditionStatus = verdict.breached ? 'breached' : judged ? 'held' : 'unjudged';
  const shown = verdict.conditions.filter((c) => (status === 'breached' ? c.status === 'breached' : c.kind !== 'drops'));
  return {
    status,
    fromMs,
    toMs,
    conditions: verdict.conditions,
    detail: `${shown.map(formatCondition).join(', ')}, over ${formatMs(toMs - slice[0]!.startMs)}`,
  };
}

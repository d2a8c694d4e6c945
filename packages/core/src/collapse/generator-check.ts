import type { IntervalStats } from '../run/interval.js';
import { formatCount, formatMs, formatPercent, formatRate } from './format.js';
import { type IntervalTrace, mergeWindow, offeredRps, type WindowStats } from './window.js';

/**
 * The numbers of the saturation rule, in one place (docs/how-it-measures.md, "Was the load offered?", explains them).
 *
 * A window's load counts as not offered when any of these holds:
 * - the generator dropped an arrival (it reached it more than lateDropMs, 1 s by default, late);
 * - the send loop reached fewer arrivals than the schedule holds, by more than the larger of
 *   `shortfallRatio` of them, `shortfallMinMs` of the window's rate and `shortfallSlack` arrivals
 *   (plus `poissonSigmas` standard deviations for Poisson arrivals, whose count in a window is
 *   itself random). An arrival counts in the interval of its intended time only if the loop
 *   reached it before that interval was reported, so the count falls short by exactly how much
 *   the backlog grew: 2 % of a 5 s window is a backlog grown by 100 ms, and no window is called
 *   short for less than 50 ms (one late wake-up on a busy core at an interval's edge);
 * - the median schedule lag of the window's last interval exceeds that of the interval just
 *   before the window by more than `lagGrowthMs` (that of its first interval when nothing came
 *   before; 0 at the run's t0, where the send loop starts on time with warm connections): a
 *   backlog growing through the window;
 * - the firing thread's event loop was busy at least `eluSaturated` of the window: with no
 *   idle time it could neither send nor read responses any faster, so the responses it counted,
 *   their latencies and the requests it held in flight (and dropped at the in-flight cap) may
 *   be its own limit rather than the target's. A send loop that keeps up idles most of the time;
 * - or busy at least `eluPinned` of the window while the lag grew by more than
 *   `pinnedLagGrowthMs`: a thread nearly out of time that is falling behind.
 *
 * Lag that merely sits there (a late timer, a busy core) is not on this list: every arrival still
 * went out, and the lag is part of each request's corrected latency, so it can only make a
 * latency look worse. Latency conditions deal with it themselves (see `latencyWithoutLagMs`).
 */
export const SATURATION_RULE = {
  shortfallRatio: 0.02,
  shortfallMinMs: 50,
  shortfallSlack: 5,
  poissonSigmas: 4,
  lagGrowthMs: 50,
  // Measured: one worker asked for 200k req/s against a node:http target was busy 0.92–0.95 of
  // its first second while falling 20 ms behind at the median, and 0.97–1 after that while it
  // dropped 90 % of arrivals at the in-flight cap; the send loop at 1–5k req/s idles most of the time.
  eluSaturated: 0.95,
  eluPinned: 0.9,
  pinnedLagGrowthMs: 5,
} as const;

/** The schedule a window is compared with. */
export interface OfferedSchedule {
  /** Arrivals the profile schedules with intended times in [startMs, endMs). */
  readonly scheduledArrivals: (startMs: number, endMs: number) => number;
  readonly arrivals?: 'uniform' | 'poisson';
}

export interface GeneratorCheckOptions {
  /** Without a schedule the shortfall is not checked (drops, lag growth and ELU still are). */
  readonly schedule?: OfferedSchedule;
  /**
   * When sending stopped (ms on the intervals' clock), if it did before the window's end (a stop
   * from outside: a guardrail, a signal). The interval in which it stopped and the drain after it
   * are left out of the shortfall and the lag growth: nothing was scheduled to be sent there.
   */
  readonly sendingStoppedAtMs?: number;
  /**
   * Sending stopped before the window's end, at a moment not known: the last interval in which
   * anything was offered is taken as the one it stopped in.
   */
  readonly stoppedEarly?: boolean;
  /**
   * The median lag of the interval just before the window, the level its growth is measured
   * from (a window that starts at t0 starts from 0). Without it, growth counts from the window's
   * first interval, and a window of one interval shows none.
   */
  readonly lagBeforeMs?: number;
}

export interface GeneratorCheck {
  /** The generator, not the target, limited what was sent: it did not offer the load the window's verdict rests on. */
  readonly saturated: boolean;
  /** Arrivals the schedule holds in the part of the window checked for a shortfall (absent without a schedule). */
  readonly scheduled?: number;
  /** Arrivals the send loop reached in that part. */
  readonly reached: number;
  readonly droppedGenerator: number;
  /** p99 and max of (actual send − intended send) over the window. */
  readonly lagMsP99: number;
  readonly lagMsMax: number;
  /** Median lag of the last interval − that of the first: how much the backlog grew. */
  readonly lagGrowthMs: number;
  /** The busiest firing thread's event-loop utilisation over the window (its busy fraction; 1 = never idle). */
  readonly elu: number;
  readonly offeredRps: number;
  /** Each way the generator failed to offer the load, e.g. `lag grew 120 ms through the window`. */
  readonly reasons: readonly string[];
  /** `3 arrivals dropped by the generator at 4,000 req/s`; absent when the load was offered. */
  readonly detail?: string;
}

/** The advice that goes with a saturated generator. */
export const GENERATOR_SATURATED_ADVICE = 'add --workers or shard the load across machines';

export function generatorCheck(intervals: readonly IntervalStats[], options: GeneratorCheckOptions = {}): GeneratorCheck {
  return generatorCheckOf(mergeWindow(intervals), options);
}

/**
 * Did the generator offer the load this window's verdict rests on? See SATURATION_RULE. A window
 * whose load was not offered cannot give a collapse, nor a held step: the target was never asked
 * what the step claims.
 */
export function generatorCheckOf(w: WindowStats, options: GeneratorCheckOptions = {}): GeneratorCheck {
  const R = SATURATION_RULE;
  const stopAt = options.sendingStoppedAtMs;
  const checked =
    stopAt !== undefined
      ? w.trace.filter((t) => t.startMs + t.durationMs <= stopAt)
      : options.stoppedEarly
        ? beforeTheStop(w.trace)
        : w.trace;
  const reasons: string[] = [];
  if (w.droppedGenerator > 0) reasons.push(`${formatCount(w.droppedGenerator)} arrivals dropped by the generator`);

  const reached = checked.reduce((n, t) => n + t.offered, 0);
  let scheduled: number | undefined;
  if (options.schedule && checked.length > 0) {
    const first = checked[0]!;
    const last = checked[checked.length - 1]!;
    scheduled = options.schedule.scheduledArrivals(first.startMs, last.startMs + last.durationMs);
    const noise = options.schedule.arrivals === 'poisson' ? R.poissonSigmas * Math.sqrt(scheduled) : 0;
    const windowMs = last.startMs + last.durationMs - first.startMs;
    const perMs = windowMs > 0 ? scheduled / windowMs : 0;
    const allowed = Math.max(R.shortfallRatio * scheduled, R.shortfallMinMs * perMs, R.shortfallSlack) + noise;
    if (scheduled - reached > allowed) {
      reasons.push(
        `reached ${formatCount(reached)} of ${formatCount(Math.round(scheduled))} scheduled arrivals (${formatPercent((100 * (scheduled - reached)) / scheduled)} short)`,
      );
    }
  }

  const lagBefore = options.lagBeforeMs ?? (w.trace[0]?.startMs === 0 ? 0 : undefined);
  const lagGrowthMs = lagGrowth(checked, lagBefore);
  // Time-weighted: the fraction of the window the thread was busy. One interval's dip to 94 %
  // does not hide a thread busy 98 % of five seconds (measured at 200k req/s).
  const checkedMs = checked.reduce((n, t) => n + t.durationMs, 0);
  const elu = checkedMs > 0 ? checked.reduce((n, t) => n + t.elu * t.durationMs, 0) / checkedMs : 0;
  if (lagGrowthMs > R.lagGrowthMs) reasons.push(`schedule lag grew ${formatMs(lagGrowthMs)} through the window`);
  if (elu >= R.eluSaturated) {
    reasons.push(`the firing thread was busy ${formatPercent(elu * 100)} of the window: it could not send, or read responses, any faster`);
  } else if (lagGrowthMs <= R.lagGrowthMs && elu >= R.eluPinned && lagGrowthMs > R.pinnedLagGrowthMs) {
    reasons.push(`the firing thread was busy ${formatPercent(elu * 100)} of the window and its lag grew ${formatMs(lagGrowthMs)}`);
  }

  const rps = offeredRps(w);
  const base = {
    ...(scheduled !== undefined ? { scheduled: Math.round(scheduled) } : {}),
    reached,
    droppedGenerator: w.droppedGenerator,
    lagMsP99: w.lag.totalCount === 0 ? 0 : Math.round(w.lag.getValueAtPercentile(99)) / 1000,
    lagMsMax: w.lag.totalCount === 0 ? 0 : w.lag.maxValue / 1000,
    lagGrowthMs,
    elu,
    offeredRps: rps,
    reasons,
  };
  if (reasons.length === 0) return { ...base, saturated: false };
  return { ...base, saturated: true, detail: `${reasons.join(', ')} at ${formatRate(rps)}` };
}

/** The intervals before the one in which sending stopped (trailing drain intervals reach nothing). */
function beforeTheStop(trace: readonly IntervalTrace[]): readonly IntervalTrace[] {
  let end = trace.length;
  while (end > 0 && trace[end - 1]!.offered === 0) end--;
  return trace.slice(0, Math.max(0, end - 1));
}

function lagGrowth(trace: readonly IntervalTrace[], lagBefore: number | undefined): number {
  const sending = trace.filter((t) => t.lagSamples > 0);
  const last = sending[sending.length - 1];
  if (!last) return 0;
  const from = lagBefore ?? (sending.length >= 2 ? sending[0]!.lagMsP50 : last.lagMsP50);
  return Math.max(0, last.lagMsP50 - from);
}

/**
 * A lower bound on a latency percentile with the generator's own delay taken out, in ms.
 *
 * Corrected latency = lag + (response end − actual send), and the lag is the generator's share.
 * Without the joint distribution, take a lag value g and the fraction ε of requests whose lag
 * exceeds it: at most ε of requests can have had more than g removed, so the p-th percentile of
 * (latency − lag) is at least the (p − ε)-th percentile of latency minus g. With g the lag max
 * (ε = 0) this is the plain "p99 − max lag"; with g the lag p99.9 or p99 a single late timer does
 * not swamp the bound. The best (highest) bound over those choices is returned; a latency breach
 * stands as the target's when this bound still exceeds the limit.
 */
export function latencyWithoutLagMs(w: Pick<WindowStats, 'latency' | 'lag'>, percentile: number): number {
  const n = w.latency.totalCount;
  if (n === 0) return 0;
  // HdrHistogram reports the top of a value's bucket; its bottom is at most 0.1 % lower (3 digits).
  const valueAt = (p: number) => w.latency.getValueAtPercentile(p) / 1.001 / 1000;
  if (w.lag.totalCount === 0) return valueAt(percentile);
  let best = valueAt(percentile) - w.lag.maxValue / 1000;
  for (const q of [99.9, 99, 90]) {
    const gMs = w.lag.getValueAtPercentile(q) / 1000;
    // At most (1 − q) of the lag samples lie above the value HdrHistogram returns for q.
    const epsilonPct = (100 * Math.ceil(((100 - q) / 100) * w.lag.totalCount)) / n;
    if (percentile - epsilonPct <= 0) continue;
    best = Math.max(best, valueAt(percentile - epsilonPct) - gMs);
  }
  return Math.max(0, best);
}

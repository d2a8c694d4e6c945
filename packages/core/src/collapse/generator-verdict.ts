import type { IntervalStats } from '../run/interval.js';
import { percentileMs } from '../stats/histogram.js';
import { formatCount, formatMs, formatRate } from './format.js';
import { mergeWindow, offeredRps, type WindowStats } from './window.js';

export interface GeneratorVerdict {
  /** True when the generator, not the target, limited what was sent in the window. */
  readonly saturated: boolean;
  /** p99 of (actual send − intended send) over the window, from the merged lag histograms. */
  readonly lagMsP99: number;
  readonly lagThresholdMs: number;
  readonly droppedGenerator: number;
  readonly offeredRps: number;
  /** Each way the generator fell behind, e.g. `lag p99 23 ms > 5 ms`. */
  readonly reasons: readonly string[];
  /** `lag p99 23 ms > 5 ms at 4,000 req/s`; absent when not saturated. */
  readonly detail?: string;
}

/** The advice that goes with a saturated generator. */
export const GENERATOR_SATURATED_ADVICE = 'add --workers or shard the load across machines';

/**
 * Did the generator keep its own schedule over this window? A late or skipped send is the
 * generator's failure, and whatever the target did in that window cannot be called its collapse:
 * the target was not offered the load the step claims. So saturation makes a verdict
 * inconclusive — never a knee, never a collapse.
 */
export function generatorVerdict(intervals: readonly IntervalStats[], options: { lagThresholdMs: number }): GeneratorVerdict {
  return generatorVerdictOf(mergeWindow(intervals), options);
}

export function generatorVerdictOf(w: WindowStats, { lagThresholdMs }: { lagThresholdMs: number }): GeneratorVerdict {
  const lagMsP99 = percentileMs(w.lag, 99);
  const rps = offeredRps(w);
  const reasons: string[] = [];
  if (lagMsP99 > lagThresholdMs) reasons.push(`lag p99 ${formatMs(lagMsP99)} > ${formatMs(lagThresholdMs)}`);
  if (w.droppedGenerator > 0) reasons.push(`${formatCount(w.droppedGenerator)} arrivals dropped by the generator`);
  const base = { lagMsP99, lagThresholdMs, droppedGenerator: w.droppedGenerator, offeredRps: rps, reasons };
  if (reasons.length === 0) return { ...base, saturated: false };
  return { ...base, saturated: true, detail: `${reasons.join(', ')} at ${formatRate(rps)}` };
}

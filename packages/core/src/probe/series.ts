import type { ProbeKind } from './spec.js';

/**
 * One poll of one probe. The SLO judge (collapse/probe-window.ts) reads exactly this shape.
 * - `tMs`: when the poll was sent, in ms since the run's t0 (negative before it), the clock of
 *   the intervals' `startMs`. The send time, not the answer time, so samples sit on the probe's
 *   regular grid and a poll that timed out is placed at the moment the target was asked.
 * - `value`: the number the probe reads (http: 1 when the status was expected, else 0; json: the
 *   number at the path, booleans as 1/0; prometheus: the matching sample, summed), or null when
 *   there was no answer to read a number from (unreachable, timeout, missing metric, bad body).
 * - `ok`: the probe got the healthy, readable answer it asks for. An http probe answering 503 is
 *   `{ value: 0, ok: false, error: 'status 503' }`: the target answered, and said it is unwell.
 * - `error`: why `ok` is false, short and stable (`ECONNREFUSED`, `timeout`, `status 503`, …).
 */
export interface ProbeSample {
  readonly tMs: number;
  readonly value: number | null;
  readonly ok: boolean;
  readonly error?: string;
}

/** Probe name → its samples in time order (a judging window's, or the whole series so far). */
export type ProbeWindow = Readonly<Record<string, readonly ProbeSample[]>>;

/** Everything one probe recorded during a run, in `tMs` order. */
export interface ProbeSeries {
  readonly name: string;
  readonly kind: ProbeKind;
  readonly points: readonly ProbeSample[];
}

/**
 * The samples with `fromMs <= tMs < toMs` for every probe (half-open, like reporting intervals, so
 * adjacent windows never count a sample twice). A probe with no sample in the window is present
 * with an empty list, so a condition on it can say "no data" instead of "unknown probe".
 */
export function probeWindow(series: readonly ProbeSeries[], fromMs: number, toMs: number): ProbeWindow {
  const window: Record<string, readonly ProbeSample[]> = {};
  for (const s of series) {
    // Points are appended in time order, so the window is one contiguous slice; binary search
    // keeps judging every second cheap on a long run.
    window[s.name] = s.points.slice(firstAtOrAfter(s.points, fromMs), firstAtOrAfter(s.points, toMs));
  }
  return window;
}

function firstAtOrAfter(points: readonly ProbeSample[], tMs: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.tMs < tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every probe's samples as a judge reads them, moved onto another clock: a phase that started
 * `shiftMs` after the probes' t0 sees a sample taken at tMs as tMs − shiftMs.
 */
export function seriesWindow(series: readonly ProbeSeries[], shiftMs = 0): ProbeWindow {
  return Object.fromEntries(series.map((s) => [s.name, shiftMs === 0 ? s.points : s.points.map((p) => ({ ...p, tMs: p.tMs - shiftMs }))]));
}

import { expect } from 'vitest';

/** What the live page keeps of each interval it received (`window.overloadLive.received`, live-script.ts). */
export interface Received {
  readonly phase: string;
  readonly index: number;
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What a test reads from `window.overloadLive` once the run has ended. */
export interface LiveView {
  readonly received: Received[];
  readonly stop: { readonly detail: string; readonly atEpochMs: number };
  readonly end: { readonly exitCode: number; readonly files: string[] };
}

/** The page drew one point per interval of the ramp phase, each with the result's own figures. */
export function expectSameIntervals(
  received: readonly Received[],
  intervals: readonly { index: number; offeredRps: number; achievedRps: number; latencyMs: { p50: number; p99: number } }[],
): void {
  expect(received.map((i) => i.index)).toEqual(intervals.map((i) => i.index));
  for (const i of received) {
    const stored = intervals[i.index]!;
    expect(i).toEqual({
      phase: 'ramp',
      index: stored.index,
      offeredRps: stored.offeredRps,
      achievedRps: stored.achievedRps,
      p50Ms: stored.latencyMs.p50,
      p99Ms: stored.latencyMs.p99,
    });
  }
}

import type { PartialMark, StopReason } from './run-result.js';

/** How and when a run stopped sending: `atMs` is on the intervals' clock (ms since t0). */
export interface RunStop {
  readonly reason: StopReason;
  readonly detail?: string;
  readonly atMs: number;
}

/**
 * Stops that end a run by design: its schedule ran out, or its judge reached a verdict. Every
 * other stop came from outside the measurement — a signal, a kill switch, the control endpoint,
 * a budget or cap, --max-duration, an action, a crash, a lost shard — and says nothing about the
 * target: it leaves a partial result.
 */
export const VERDICT_STOPS: ReadonlySet<StopReason> = new Set<StopReason>(['completed', 'collapsed', 'inconclusive']);

/** `{ partial: { reason, detail } }` for a stop from outside, `{}` otherwise (spread it into a result). */
export function partialOf(stopReason: StopReason, detail: string | undefined): { partial?: PartialMark } {
  if (VERDICT_STOPS.has(stopReason)) return {};
  return { partial: { reason: stopReason, detail: detail ?? stopReason } };
}

/** A stop from outside the measurement (see VERDICT_STOPS). */
export function isOutsideStop(reason: StopReason): boolean {
  return !VERDICT_STOPS.has(reason);
}

/** The stop fields of a result: `stopReason`, its `stopDetail`, and `partial` when the stop came from outside. */
export interface StopFields {
  readonly stopReason: StopReason;
  readonly stopDetail?: string;
  readonly partial?: PartialMark;
}

/**
 * The one rule for how a command that ran several phases (a ramp, its cool-down and recovery
 * baseline; a search's trials) ended: the first stop from outside, in any phase, else the first
 * phase's own. A Ctrl-C during the recovery check makes the whole ramp partial, whatever the ramp
 * phase concluded; a recovery baseline that stopped because the target recovered does not.
 */
export function finalStop(stops: readonly (Omit<RunStop, 'atMs'> | undefined)[]): StopFields {
  const given = stops.filter((s): s is Omit<RunStop, 'atMs'> => s !== undefined);
  const chosen = given.find((s) => isOutsideStop(s.reason)) ?? given[0] ?? { reason: 'completed' as const };
  return {
    stopReason: chosen.reason,
    ...(chosen.detail ? { stopDetail: chosen.detail } : {}),
    ...partialOf(chosen.reason, chosen.detail),
  };
}

import type { OverloadError } from '@overload/core/internal';

/**
 * Every exit code the CLI uses, in one table (also printed by `overload --help` and in the README).
 * CI pipelines branch on these, so a code never changes meaning.
 */
export const EXIT = {
  /** The run completed and every check passed (or there was nothing to check). */
  ok: 0,
  /** The SLO was breached below the rate the run required (`--expect-knee-above`). */
  sloBreached: 1,
  /** Bad usage: unknown flag, invalid value, invalid scenario, target not allowed. Nothing was sent. */
  usage: 2,
  /** Stopped by a kill switch or a guardrail (signal, kill file, control endpoint, budget, caps). */
  stopped: 3,
  /**
   * The target did not recover after the load was removed (metastable failure); for `search`,
   * it did not recover between trials, so the bracket is unreliable.
   */
  notRecovered: 4,
  /** Inconclusive: the load generator did not offer the load (or its lag could explain a latency breach). */
  inconclusive: 5,
  /** The target or a probe could not be reached in the pre-flight check. Nothing was measured. */
  unreachable: 6,
  /**
   * Incomplete: a shard is missing or failed (a merge without every shard's result, a distributed
   * run or ramp that lost a shard, a shard that refused to start). Never a pass.
   */
  incomplete: 7,
  /**
   * The target was never healthy: the ramp's very first step breached (a wrong path, errors from
   * the first request, a hang). No knee, and no recovery check: there is nothing to recover to.
   */
  neverHealthy: 10,
  /** Internal error or worker crash. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_TABLE = `Exit codes:
  0   passed (run completed; SLO held where one was required)
  1   SLO breached below the required rate (--expect-knee-above)
  2   bad usage or invalid scenario/options; target not allowed (nothing was sent)
  3   stopped by a kill switch or guardrail (signal, kill file, control endpoint, budget, caps)
  4   target did not recover after the load was removed (search: not between trials; the bracket is unreliable)
  5   inconclusive: the load generator did not offer the load (add workers or shards)
  6   target unreachable: the pre-flight check could not connect to the target or a probe (nothing was measured)
  7   incomplete: a shard is missing or failed (merge, distributed run or ramp; a shard that refused to start)
  10  the target was never healthy: the ramp's first step breached (check the target, or start lower); no recovery check
  70  internal error or worker crash`;

/** Maps an error's stable code to an exit code. */
export function exitCodeForError(error: unknown): ExitCode {
  const code = (error as Partial<OverloadError> | undefined)?.code;
  switch (code) {
    case 'OVL_INVALID_OPTIONS':
    case 'OVL_INVALID_SCENARIO':
    case 'OVL_TARGET_NOT_ALLOWED':
    case 'OVL_SHARD_MISMATCH':
      return EXIT.usage;
    case 'OVL_SHARD_NOT_STARTED':
      return EXIT.incomplete;
    case 'OVL_ABORTED':
      return EXIT.stopped;
    case 'OVL_TARGET_UNREACHABLE':
      return EXIT.unreachable;
    default:
      return EXIT.internal;
  }
}

/** Stop reasons that are a guardrail or a kill switch (exit 3); a worker crash is internal (70). */
export const GUARD_STOPS: ReadonlySet<string> = new Set([
  'signal',
  'kill-file',
  'control-endpoint',
  'max-duration',
  'max-rate',
  'budget',
  'error-burst',
  'max-requests',
  'aborted',
  // A shard with no word from its coordinator stops by itself: the dead man's switch.
  'coordinator-lost',
]);

/** The exit code of a run that was stopped before it could finish, if it was. */
export function exitCodeForStop(stopReason: string | undefined): ExitCode | undefined {
  if (stopReason === 'worker-crash') return EXIT.internal;
  if (stopReason === 'shard-lost') return EXIT.incomplete;
  if (stopReason !== undefined && GUARD_STOPS.has(stopReason)) return EXIT.stopped;
  return undefined;
}

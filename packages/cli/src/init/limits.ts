/**
 * The ceilings `overload init` writes, in one place: the scenario's `safety` and the workflow's
 * flags both come from here, since a flag above the scenario's ceiling is refused (exit 2) and a
 * workflow that passed `--max-duration 20m` to a scenario capped at 15m failed on every run.
 */
export const INIT_LIMITS = {
  /** The profile's peak and the scenario's `safety.maxRps`; the workflow's default `--max-rate`. */
  maxRps: 400,
  /** The scenario's `safety.maxDurationMs` and the workflow's `--max-duration`. */
  maxDuration: '15m',
} as const;

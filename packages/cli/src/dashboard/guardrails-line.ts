import { DEFAULTS, formatDurationMs, type RunOptions } from '@overload/core/internal';

/** The kill switches armed for the command, besides the dashboard's own Stop and the signals. */
export interface KillSwitches {
  readonly killFile?: string;
  readonly controlEndpoint?: boolean;
}

/**
 * The guardrails in force, one item each, worded as `overload plan` words them (the defaults are
 * named, not hidden), for the live page.
 */
export function guardrailsOf(maxDurationMs: number | undefined, run: RunOptions, kill: KillSwitches = {}): string[] {
  const items: string[] = [];
  items.push(`max rate ${run.maxRps !== undefined ? `${run.maxRps} req/s` : 'none'}`);
  if (run.maxRequests !== undefined) items.push(`max ${run.maxRequests} requests`);
  items.push(`max duration ${maxDurationMs !== undefined ? formatDurationMs(maxDurationMs) : 'none'}`);
  for (const [k, v] of Object.entries(run.budgets ?? {})) items.push(`budget ${k} ≤ ${v}`);
  const eb = run.errorBurst;
  items.push(
    eb === false
      ? 'error-burst stop off'
      : `error-burst stop above ${Math.round((eb?.maxErrorRate ?? DEFAULTS.errorBurst.maxErrorRate) * 100)} % errors over ${formatDurationMs(eb?.windowMs ?? DEFAULTS.errorBurst.windowMs)}`,
  );
  const switches = ['this Stop button', 'SIGINT/SIGTERM'];
  if (kill.killFile) switches.push(`kill file ${kill.killFile}`);
  if (kill.controlEndpoint) switches.push('control endpoint');
  items.push(`kill switches: ${switches.join(', ')}`);
  return items;
}

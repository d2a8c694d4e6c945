import type { RunOptions } from '@overload/core/internal';

/** The guardrails in force, as one line for the live page (the defaults are named, not hidden). */
export function guardrailsOf(maxDurationMs: number | undefined, run: RunOptions): string {
  const parts: string[] = [];
  if (run.maxRps !== undefined) parts.push(`max rate ${run.maxRps} req/s`);
  if (run.maxRequests !== undefined) parts.push(`max ${run.maxRequests} requests`);
  if (maxDurationMs !== undefined) parts.push(`max duration ${maxDurationMs} ms`);
  if (run.errorBurst === false) parts.push('no error-burst abort');
  else parts.push(`error-burst abort ${run.errorBurst ? JSON.stringify(run.errorBurst) : 'default 50%/5s'}`);
  for (const [k, v] of Object.entries(run.budgets ?? {})) parts.push(`budget ${k} ≤ ${v}`);
  return parts.join(', ');
}

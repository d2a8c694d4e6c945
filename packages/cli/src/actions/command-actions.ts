import {
  type ActionRecord,
  type ResolvedAction,
  ValidationError,
  validateActionMoments,
  validateReleaseProbes,
} from '@overload/core/internal';
import type { CommandSession } from '../commands/session.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import { secrets } from '../secrets.js';
import { ActionRunner, curlOf } from './action-runner.js';

/**
 * The actions of one command, or undefined when it has none. Built before the pre-flight, so a
 * host the allowlist does not name is refused (exit 2) before anything at all is sent. A failed
 * action stops the run through the session's guard, like any other stop from outside.
 */
export function commandActions(
  plan: ResolvedPlan,
  session: CommandSession,
  moments: { readonly command: string; readonly stepCount: number; readonly judged: boolean },
  env = process.env,
): ActionRunner | undefined {
  if (plan.actions.length === 0) return undefined;
  const issues = [
    ...validateActionMoments(plan.actions, moments),
    ...validateReleaseProbes(
      plan.actions,
      plan.probes.map((p) => p.name),
    ),
  ];
  if (issues.length > 0) throw new ValidationError(`\`overload ${moments.command}\` with these actions`, issues);
  return new ActionRunner(plan.actions, {
    allowedHosts: plan.allowedHosts,
    env,
    onFailure: (r) => session.guard.stop('action-failed', `action "${r.name}" (${r.method} ${r.url}) failed: ${r.error}`),
  });
}

/** One line per action for the summary. */
export function formatActions(records: readonly ActionRecord[]): string {
  return records
    .map((r) => {
      const when = r.actualAtMs !== undefined ? `at ${(r.actualAtMs / 1000).toFixed(2)} s` : '';
      const due =
        r.intendedAtMs !== undefined ? ` (due ${(r.intendedAtMs / 1000).toFixed(2)} s)` : r.ranAtStop ? ' (when the run stopped)' : '';
      if (r.skipped) return `action ${r.name}: not sent (the run ended before ${r.at})`;
      const outcome = r.ok ? `${r.status} in ${r.durationMs} ms` : `FAILED: ${r.error}`;
      return `action ${r.name}: ${r.method} ${r.url} ${when}${due}: ${outcome}`;
    })
    .join('\n');
}

/**
 * A clean-up that failed leaves the target in the state the test put it in (consumers paused):
 * said loudly, last, with the exact request to run by hand. True when there was one.
 */
export function warnUndone(
  records: readonly ActionRecord[],
  actions: readonly ResolvedAction[],
  out: NodeJS.WritableStream,
  env = process.env,
): boolean {
  const failed = notUndoneOf(records, actions, env);
  if (failed.length === 0) return false;
  const lines = ['', '!!! NOT UNDONE: a clean-up action failed; the target may still be in the state this test put it in.'];
  for (const r of failed) lines.push(`!!! "${r.name}" failed (${r.error}). Run it by hand:`, `    ${r.request}`);
  out.write(`${secrets.scrub(lines.join('\n'))}\n`);
  return true;
}

/** The clean-ups that failed, each with the exact request to run by hand (scrubbed on output). */
export function notUndoneOf(
  records: readonly ActionRecord[],
  actions: readonly ResolvedAction[],
  env: NodeJS.ProcessEnv = process.env,
): { name: string; error: string; request: string }[] {
  return records
    .filter((r) => r.always && !r.ok && !r.skipped)
    .map((r) => ({ name: r.name, error: r.error ?? 'failed', request: curlOf(actions.find((x) => x.name === r.name)!, env) }));
}

import { type ActionRecord, summarizeTls } from '@overload/core/internal';
import { notUndoneOf } from '../actions/command-actions.js';
import type { PlanFlags, ResolvedPlan } from './resolve.js';

/**
 * The "runbook of the run", stored with every result: what was targeted, with which profile,
 * SLO, probes, guardrails and kill switches — so a reader of the result (or the HTML report)
 * knows exactly what was done to the system and what could have stopped it.
 */
export function runbookOf(
  plan: ResolvedPlan,
  flags: PlanFlags & { killFile?: string; controlPort?: number },
  budgetsUsed: Record<string, number>,
  actionRecords?: readonly ActionRecord[],
) {
  const notUndone = actionRecords ? notUndoneOf(actionRecords, plan.actions) : [];
  return {
    name: plan.name,
    ...(plan.description ? { description: plan.description } : {}),
    ...(plan.scenarioFile ? { scenarioFile: plan.scenarioFile } : {}),
    target: plan.targetUrl,
    embeddedTarget: plan.embedded !== undefined,
    profile: plan.profile,
    slo: plan.slo,
    probes: plan.probes.map((p) => ({ name: p.name, kind: p.kind, url: p.url })),
    ...(plan.actions.length > 0
      ? { actions: plan.actions.map((a) => ({ name: a.name, at: a.at, method: a.method, url: a.url, always: a.always })) }
      : {}),
    // A clean-up that failed: what was not undone, and the exact request to run by hand.
    ...(notUndone.length > 0 ? { notUndone } : {}),
    recovery: plan.recovery,
    // Which TLS settings were in force, never their contents (no PEM, no key).
    ...(plan.run.tls ? { tls: summarizeTls(plan.run.tls) } : {}),
    ...(plan.run.http2 ? { http2: true } : {}),
    guardrails: {
      allowedHosts: plan.allowedHosts.length > 0 ? plan.allowedHosts : ['loopback'],
      maxRps: plan.run.maxRps ?? null,
      maxRequests: plan.run.maxRequests ?? null,
      maxDurationMs: plan.maxDurationMs ?? null,
      budgets: Object.fromEntries(Object.entries(plan.budgets).map(([k, limit]) => [k, { limit, used: budgetsUsed[k] ?? 0 }])),
      errorBurst: plan.run.errorBurst ?? null,
      killFile: flags.killFile ?? null,
      controlEndpoint: flags.controlPort !== undefined,
      runIdHeader: plan.run.runIdHeader ?? 'x-overload-run',
      runId: plan.run.runId,
    },
  };
}

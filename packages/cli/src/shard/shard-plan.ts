import { createHash } from 'node:crypto';
import { DEFAULTS, type ShardSpec, splitBudgets, ValidationError } from '@overload/core/internal';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { Fingerprint } from './protocol.js';

/**
 * A plan as one shard runs it: the same schedule, target and run id as every other shard, its
 * share of each side-effect budget (floor/remainder, see splitBudgets), and its slice of the
 * schedule. --max-rate needs no split: it clamps the one global schedule before it is sliced, so
 * each shard fires 1/N of the clamped rate. --max-requests needs none either for plain requests
 * (arrival indexes ≥ the cap are never fired, on any shard); with journeys each shard's counter
 * holds its share (run.ts).
 */
export function shardPlan(plan: ResolvedPlan, shard: ShardSpec, runId: string): ResolvedPlan {
  const budgets = splitBudgets(plan.budgets, shard);
  return {
    ...plan,
    budgets,
    run: {
      ...plan.run,
      budgets,
      runId,
      shard,
      ...(plan.run.requests ? { requests: { ...plan.run.requests, runId } } : {}),
    },
  };
}

/** A demo target started on every machine would be N targets, not one: shards need a real one. */
export function refuseEmbedded(plan: ResolvedPlan): void {
  if (plan.embedded || plan.targetUrl.startsWith('(the embedded')) {
    throw new ValidationError('command line', [
      {
        path: '--target',
        message: `is required to shard "${plan.name}": its embedded demo target would start once on every machine; point every shard at one deployed target`,
      },
    ]);
  }
}

export function fingerprintOf(plan: ResolvedPlan): Fingerprint {
  const r = plan.run;
  const mix = r.requests ? { templates: r.requests.templates, journeys: r.requests.journeys ?? null, env: r.requests.env ?? {} } : null;
  return {
    target: r.url,
    method: r.method ?? 'GET',
    scenario: createHash('sha256')
      .update(JSON.stringify({ mix, headers: r.headers ?? {}, body: r.body ?? null }))
      .digest('hex')
      .slice(0, 16),
    arrivals: r.arrivals ?? DEFAULTS.run.arrivals,
    seed: r.seed ?? DEFAULTS.run.seed,
    maxRps: r.maxRps ?? null,
    maxRequests: r.maxRequests ?? null,
    budgets: plan.budgets,
    allowedHosts: [...plan.allowedHosts].sort(),
    intervalMs: r.intervalMs ?? DEFAULTS.run.intervalMs,
  };
}

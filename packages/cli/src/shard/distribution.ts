import { formatShard, formatStartAt } from '@overload/core/internal';
import type { RunStarter } from '@overload/workers';
import { createHash } from 'node:crypto';
import type { ResolvedPlan } from '../plan/resolve.js';
import { Coordinator } from './coordinator.js';
import { startRemoteRun } from './remote-run.js';
import { fingerprintOf, refuseEmbedded, shardPlan } from './shard-plan.js';
import type { ShardMode } from './shard-options.js';

/** A plan with the run id every shard shares (`--run-id`, else the one resolvePlan drew). */
export function withRunId(plan: ResolvedPlan, runId: string | undefined): ResolvedPlan {
  if (runId === undefined) return plan;
  return { ...plan, run: { ...plan.run, runId, ...(plan.run.requests ? { requests: { ...plan.run.requests, runId } } : {}) } };
}

/**
 * The run id that shards started apart (a CI matrix) agree on without `--run-id`: derived from
 * what they share, the --start-at and the shard count and everything the merge checks is the
 * same in every shard (target, scenario, profile, seed, guardrails). Two runs of one command at
 * one --start-at are one run; any difference in the command gives another id, and merge refuses
 * the mix by its fingerprint as before.
 */
export function sharedRunId(plan: ResolvedPlan, mode: Extract<ShardMode, { kind: 'standalone' }>): string {
  const shared = { startAt: mode.startAtEpochMs, count: mode.shard.count, fingerprint: fingerprintOf(plan), profile: plan.profile ?? null };
  const digest = createHash('sha256').update(JSON.stringify(shared)).digest('hex').slice(0, 12);
  return `${mode.startAtEpochMs.toString(36)}-${digest}`;
}

/**
 * A shard on its own (a CI matrix job): its slice of the schedule from the shared --start-at.
 * Prints, whatever -q says, the exact flags the other shards need to copy.
 */
export function standaloneShardPlan(plan: ResolvedPlan, mode: Extract<ShardMode, { kind: 'standalone' }>, now = Date.now()): ResolvedPlan {
  refuseEmbedded(plan);
  const sp = shardPlan(plan, mode.shard, plan.run.runId!);
  const waitMs = mode.startAtEpochMs - now;
  const at = formatStartAt(mode.startAtEpochMs);
  const runId = plan.run.runId!;
  const copy =
    runId === sharedRunId(plan, mode) ? `--start-at ${at} (run id ${runId}, derived from both)` : `--start-at ${at} --run-id ${runId}`;
  process.stderr.write(
    `shard ${formatShard(mode.shard)} starts at ${at} (in ${(waitMs / 1000).toFixed(1)} s); start every other shard with the same command and ${copy}\n`,
  );
  return {
    ...sp,
    name: `${plan.name}-shard-${mode.shard.index}-of-${mode.shard.count}`,
    run: { ...sp.run, startAtEpochMs: mode.startAtEpochMs },
    // --max-duration counts from the start time, not from the wait before it.
    maxDurationMs: plan.maxDurationMs !== undefined ? plan.maxDurationMs + Math.max(0, waitMs) : undefined,
  };
}

export interface Distribution {
  /** Starts a phase on every shard: what `startRun` is on one machine. */
  readonly runner: RunStarter;
  /** Tells every shard the command is over, and closes the coordinator. */
  finish(detail: string): Promise<void>;
}

/**
 * Starts the coordinator of `mode.count` shards and waits until every one has joined (refusing
 * the run, with nothing sent, if one refuses or never comes). Prints, whatever -q says, how to
 * start the shards.
 */
export async function startDistribution(
  plan: ResolvedPlan,
  mode: Extract<ShardMode, { kind: 'coordinator' }>,
  command: 'run' | 'ramp',
  ref: string,
  signal: AbortSignal,
): Promise<Distribution> {
  refuseEmbedded(plan);
  const say = (line: string) => process.stderr.write(`coordinator: ${line}\n`);
  const coordinator = new Coordinator({
    count: mode.count,
    port: mode.port,
    host: mode.host,
    ...(mode.token ? { token: mode.token } : {}),
    runId: plan.run.runId!,
    fingerprint: fingerprintOf(plan),
    maxClockSkewMs: mode.maxClockSkewMs,
    log: say,
  });
  await coordinator.start();
  say(`listening at ${coordinator.url} for ${mode.count} shards (run id ${plan.run.runId}); start each with:`);
  say(
    `  overload ${command} ${ref} --shard <i>/${mode.count} --coordinator ${coordinator.url} --coordinator-token ${mode.token ? '<the token>' : coordinator.token}`,
  );
  try {
    await coordinator.waitForShards(mode.joinTimeoutMs, signal);
  } catch (error) {
    await coordinator.finish('the run did not start', 1000);
    await coordinator.close();
    throw error;
  }
  say(`all ${mode.count} shards joined`);
  let phaseId = 0;
  return {
    runner: (config, hooks = {}) => startRemoteRun(coordinator, config, hooks, ++phaseId),
    async finish(detail) {
      await coordinator.finish(detail);
      await coordinator.close();
    },
  };
}

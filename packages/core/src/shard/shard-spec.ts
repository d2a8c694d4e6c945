import { ValidationError, type ValidationIssue } from '../errors.js';

/**
 * One machine's part of a sharded run: shard `index` of `count` fires the arrivals k ≡ index
 * (mod count) of the one global schedule. Inside a shard, worker w of W takes start = index +
 * count·w and stride = count·W, so the union over every shard and every worker is exactly the
 * single-machine schedule, arrival for arrival (the same split the workers of one machine use).
 */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** The most shards one run may have: far beyond any real need, small enough to catch a typo. */
export const MAX_SHARDS = 1024;

/** Parses `--shard i/N` (0-based index, as Kubernetes' JOB_COMPLETION_INDEX). */
export function parseShardSpec(text: string, path = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ValidationError('command line', [{ path, message: `must look like i/N with 0 <= i < N, e.g. 0/4 (got "${text}")` }]);
  const spec = { index: Number(m[1]), count: Number(m[2]) };
  const issues = validateShard(spec, path);
  if (issues.length > 0) throw new ValidationError('command line', issues);
  return spec;
}

/**
 * The shard of a Kubernetes Indexed Job's pod: `--shards N` with the index from
 * `JOB_COMPLETION_INDEX`, which Kubernetes sets in every pod of the Job.
 */
export function shardFromEnv(count: number, env: Readonly<Record<string, string | undefined>>, path = '--shards'): ShardSpec {
  const raw = env.JOB_COMPLETION_INDEX;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) {
    throw new ValidationError('command line', [
      {
        path,
        message: `needs the shard's index: give --shard i/N, or run it in a Kubernetes Indexed Job pod, where JOB_COMPLETION_INDEX is set (got ${raw === undefined ? 'no JOB_COMPLETION_INDEX' : `JOB_COMPLETION_INDEX="${raw}"`})`,
      },
    ]);
  }
  const spec = { index: Number(raw.trim()), count };
  const issues = validateShard(spec, `JOB_COMPLETION_INDEX with ${path}`);
  if (issues.length > 0) throw new ValidationError('command line', issues);
  return spec;
}

export function validateShard(spec: ShardSpec, path = 'shard'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > MAX_SHARDS) {
    issues.push({ path, message: `needs a shard count N from 1 to ${MAX_SHARDS} (got ${spec.count})` });
  } else if (!Number.isInteger(spec.index) || spec.index < 0 || spec.index >= spec.count) {
    issues.push({
      path,
      message: `needs an index from 0 to ${spec.count - 1} for ${spec.count} shards (got ${spec.index}); indexes start at 0, as JOB_COMPLETION_INDEX`,
    });
  }
  return issues;
}

/**
 * A shard's share of a whole-run limit: floor(total / N), plus one for the first total mod N
 * shards. The shares add up to the total exactly, and no two differ by more than one.
 */
export function shareOf(total: number, shard: ShardSpec): number {
  const base = Math.floor(total / shard.count);
  return base + (shard.index < total % shard.count ? 1 : 0);
}

/**
 * Side-effect budgets split per shard by `shareOf`. A shard never borrows another's share (the
 * ledger of one machine cannot see the others'), so the sum of what all shards may cause is the
 * budget exactly, and a run may stop on one shard's share before the whole budget is used.
 */
export function splitBudgets(budgets: Readonly<Record<string, number>>, shard: ShardSpec): Record<string, number> {
  return Object.fromEntries(Object.entries(budgets).map(([name, limit]) => [name, shareOf(limit, shard)]));
}

/** The arrivals worker `w` of `workers` takes inside a shard (see ShardSpec). */
export function sliceOf(shard: ShardSpec | undefined, workers: number, w: number): { readonly start: number; readonly stride: number } {
  const s = shard ?? { index: 0, count: 1 };
  return { start: s.index + s.count * w, stride: s.count * workers };
}

export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

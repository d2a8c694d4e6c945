import { type Command, InvalidArgumentError } from 'commander';
import { parseShardSpec, parseStartAt, shardFromEnv, type ShardSpec, ValidationError } from '@overload/core/internal';
import { durationArg, positiveIntArg } from '../parse.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from './protocol.js';

/** The sharding flags of run and ramp (commander camel-cases them). */
export interface ShardFlags {
  shard?: string;
  shards?: number;
  startAt?: string;
  runId?: string;
  coordinator?: string;
  coordinatorPort?: number;
  coordinatorHost?: string;
  coordinatorToken?: string;
  joinTimeout?: number;
  maxClockSkew?: number;
}

/** How this process takes part in a run: alone, as a shard, or as the coordinator of shards. */
export type ShardMode =
  | { readonly kind: 'single' }
  /** A shard that starts at a shared --start-at by itself (CI matrices); results merged later. */
  | { readonly kind: 'standalone'; readonly shard: ShardSpec; readonly startAtEpochMs: number; readonly startAtGiven: string }
  /** A shard that joins a coordinator and follows its orders. */
  | { readonly kind: 'follower'; readonly shard: ShardSpec; readonly url: string; readonly token: string; readonly maxClockSkewMs: number }
  /** The coordinator: sends nothing itself, merges and judges what its shards send. */
  | {
      readonly kind: 'coordinator';
      readonly count: number;
      readonly port: number;
      readonly host: string;
      readonly token: string | undefined;
      readonly joinTimeoutMs: number;
      readonly maxClockSkewMs: number;
    };

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function addShardOptions(cmd: Command): Command {
  return cmd
    .option('--shard <i/N>', 'run shard i of N (0-based): only the arrivals k ≡ i (mod N) of the one schedule')
    .option(
      '--shards <n>',
      'N shards: with --coordinator-port, coordinate them; otherwise this is shard JOB_COMPLETION_INDEX of N (a Kubernetes Indexed Job pod)',
      positiveIntArg,
    )
    .option(
      '--start-at <time>',
      'shared start (T0) of every shard: an ISO time with its zone, or +30s (printed for the other shards to copy)',
    )
    .option('--run-id <id>', 'the run id every shard sends (x-overload-run); the same on every shard, or the merge refuses them')
    .option('--coordinator <url>', 'join this coordinator (http://host:port) and follow its orders')
    .option('--coordinator-port <port>', 'be the coordinator of --shards N on this port (0 = any free port)', portArg)
    .option('--coordinator-host <host>', 'address the coordinator listens on (default 127.0.0.1; 0.0.0.0 in a pod)')
    .option(
      '--coordinator-token <token>',
      'bearer token between shards and coordinator (default: OVERLOAD_COORDINATOR_TOKEN, or random and printed)',
    )
    .option('--join-timeout <time>', 'how long the coordinator waits for every shard to join (default 5m)', durationArg)
    .option(
      '--max-clock-skew <time>',
      `largest clock offset from the coordinator a shard accepts (default ${DEFAULT_MAX_CLOCK_SKEW_MS}ms)`,
      durationArg,
    );
}

function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0-65535 (got "${v}")`);
  return n;
}

/**
 * Reads the sharding flags into one mode, or refuses (exit 2) a combination that cannot work,
 * naming the flag and the fix: every problem at once.
 */
export function shardModeOf(
  flags: ShardFlags,
  command: 'run' | 'ramp',
  env: NodeJS.ProcessEnv = process.env,
  nowEpochMs = Date.now(),
): ShardMode {
  const issues: { path: string; message: string }[] = [];
  const token = flags.coordinatorToken ?? env.OVERLOAD_COORDINATOR_TOKEN;
  const maxClockSkewMs = flags.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  if (flags.runId !== undefined && !RUN_ID.test(flags.runId))
    issues.push({ path: '--run-id', message: `must be 1-128 letters, digits, ".", "_" or "-" (got "${flags.runId}")` });
  if (flags.coordinatorPort !== undefined) {
    if (flags.shards === undefined) issues.push({ path: '--coordinator-port', message: 'needs --shards N: how many shards will join' });
    if (flags.shard !== undefined)
      issues.push({
        path: '--shard',
        message:
          'cannot be combined with --coordinator-port: the coordinator sends nothing itself; start the shards with --coordinator <its url>',
      });
    if (flags.coordinator !== undefined)
      issues.push({ path: '--coordinator', message: 'cannot be combined with --coordinator-port (a coordinator does not join another)' });
    if (flags.startAt !== undefined)
      issues.push({ path: '--start-at', message: 'is chosen by the coordinator once every shard is ready; leave it out' });
    if (issues.length > 0) throw new ValidationError('command line', issues);
    return {
      kind: 'coordinator',
      count: flags.shards!,
      port: flags.coordinatorPort,
      host: flags.coordinatorHost ?? '127.0.0.1',
      token,
      joinTimeoutMs: flags.joinTimeout ?? 300_000,
      maxClockSkewMs,
    };
  }
  if (flags.shard === undefined && flags.shards === undefined) {
    for (const f of ['startAt', 'coordinator'] as const) {
      if (flags[f] !== undefined)
        issues.push({
          path: f === 'startAt' ? '--start-at' : '--coordinator',
          message: 'only applies to a shard: give --shard i/N (or --shards N in an Indexed Job)',
        });
    }
    if (issues.length > 0) throw new ValidationError('command line', issues);
    return { kind: 'single' };
  }
  if (flags.shard !== undefined && flags.shards !== undefined) {
    issues.push({
      path: '--shards',
      message: 'cannot be combined with --shard i/N: give one (--shards N takes the index from JOB_COMPLETION_INDEX)',
    });
    throw new ValidationError('command line', issues);
  }
  let shard: ShardSpec | undefined;
  try {
    shard = flags.shard !== undefined ? parseShardSpec(flags.shard) : shardFromEnv(flags.shards!, env);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (flags.coordinator !== undefined) {
    if (!/^https?:\/\//.test(flags.coordinator))
      issues.push({
        path: '--coordinator',
        message: `must be the coordinator's http:// URL, e.g. http://overload-coordinator:7070 (got "${flags.coordinator}")`,
      });
    if (!token)
      issues.push({
        path: '--coordinator-token',
        message: 'is required to join a coordinator: give the token it printed (or set OVERLOAD_COORDINATOR_TOKEN)',
      });
    if (flags.startAt !== undefined)
      issues.push({ path: '--start-at', message: 'is chosen by the coordinator once every shard is ready; leave it out' });
    if (issues.length > 0) throw new ValidationError('command line', issues);
    return { kind: 'follower', shard: shard!, url: flags.coordinator.replace(/\/+$/, ''), token: token!, maxClockSkewMs };
  }
  if (command === 'ramp') {
    issues.push({
      path: '--coordinator',
      message:
        "is required for a sharded ramp: the knee is judged on every shard's intervals together (start one with `overload ramp … --shards N --coordinator-port 7070`)",
    });
  }
  if (flags.startAt === undefined) {
    issues.push({
      path: '--start-at',
      message:
        'is required for a shard without a coordinator: the same ISO time on every shard (or +30s on the first, which prints the time for the others)',
    });
  }
  let startAtEpochMs = 0;
  if (flags.startAt !== undefined) {
    try {
      startAtEpochMs = parseStartAt(flags.startAt, nowEpochMs);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ValidationError('command line', issues);
  return { kind: 'standalone', shard: shard!, startAtEpochMs, startAtGiven: flags.startAt! };
}

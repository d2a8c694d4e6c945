import {
  type IntervalStats,
  partialOf,
  type RunConfig,
  type RunResult,
  serializeError,
  ShardStartError,
  type StopReason,
  withProfile,
} from '@overload/core/internal';
import { defaultWorkers, preflight, type RunHandle, runConfig, startRun } from '@overload/workers';
import { EXIT, type ExitCode, exitCodeForError, exitCodeForStop } from '../exit-codes.js';
import type { SendingFlags } from '../commands/session.js';
import { CommandSession } from '../commands/session.js';
import type { Progress } from '../output/progress.js';
import { formatRunSummary } from '../output/run-summary.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import { writeResults } from '../results/write-results.js';
import {
  API,
  clockOffset,
  COORDINATOR_LOST_AFTER_MS,
  type DoneMessage,
  type JoinReply,
  type Order,
  type OrdersReply,
  type PhaseOrder,
  REQUEST_TIMEOUT_MS,
} from './protocol.js';
import { fingerprintOf, refuseEmbedded, shardPlan } from './shard-plan.js';
import type { ShardFlags, ShardMode } from './shard-options.js';

type FollowerMode = Extract<ShardMode, { kind: 'follower' }>;

/** Refused by the coordinator: a plan that differs, an index given twice. Nothing to retry. */
class Refused extends Error {}

/**
 * This process's wall clock. OVERLOAD_CLOCK_OFFSET_MS shifts it, so a test (or an operator
 * checking the bound) can play a shard whose clock is off without changing the machine's.
 */
export function wallClock(env: NodeJS.ProcessEnv = process.env): () => number {
  const offset = Number(env.OVERLOAD_CLOCK_OFFSET_MS ?? 0) || 0;
  return offset === 0 ? Date.now : () => Date.now() + offset;
}

/**
 * A shard that follows a coordinator: it joins (same plan, clock within the bound), then runs
 * each phase the coordinator orders on its slice of the schedule, starting at the T0 the
 * coordinator sets once every shard is ready, and pushes each interval as it ends. It polls for
 * orders without pause; with no answer for COORDINATOR_LOST_AFTER_MS it stops sending by itself
 * (exit 3, `coordinator-lost`), whatever it was doing. Its own guardrails and kill switches stop
 * it, and through the coordinator every other shard. It writes its own result (the first phase,
 * its slice) like any shard, so `overload merge` can check the coordinator's numbers.
 */
export async function followCoordinator(
  plan0: ResolvedPlan,
  mode: FollowerMode,
  flags: SendingFlags & ShardFlags,
  progress: Progress,
): Promise<ExitCode> {
  refuseEmbedded(plan0);
  const { shard } = mode;
  const clock = wallClock();
  const label = `shard ${shard.index}/${shard.count}`;
  const say = (line: string) => process.stderr.write(`${label}: ${line}\n`);
  const post = async (path: string, body: unknown): Promise<Response> =>
    fetch(`${mode.url}${API}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });

  try {
    await preflight({
      url: plan0.run.url,
      allowedHosts: plan0.allowedHosts,
      timeoutMs: 5000,
      ...(plan0.run.tls ? { tls: plan0.run.tls } : {}),
    });
  } catch (error) {
    // Tell the coordinator at once, so it refuses the run instead of waiting for this shard.
    await post('/leave', { index: shard.index, reason: (error as Error).message }).catch(() => undefined);
    throw error;
  }

  // Join, retrying while the coordinator is not up yet (pods start in any order).
  const joinDeadline = performance.now() + (flags.joinTimeout ?? 300_000);
  let reply: JoinReply | undefined;
  let sentMs = 0;
  let receivedMs = 0;
  for (;;) {
    try {
      sentMs = clock();
      const res = await post('/join', {
        index: shard.index,
        count: shard.count,
        fingerprint: fingerprintOf(plan0),
        workers: plan0.run.workers ?? defaultWorkers(),
      });
      receivedMs = clock();
      const body = (await res.json()) as JoinReply & { error?: string };
      if (!res.ok) throw new Refused(body.error ?? `HTTP ${res.status}`);
      reply = body;
      break;
    } catch (error) {
      if (error instanceof Refused) throw new ShardStartError(`${label}: the coordinator at ${mode.url} refused it: ${error.message}`);
      if (performance.now() > joinDeadline)
        throw new ShardStartError(`${label}: could not join the coordinator at ${mode.url}: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const { offsetMs, uncertaintyMs } = clockOffset(sentMs, reply.nowMs, receivedMs);
  const bound = Math.min(mode.maxClockSkewMs, reply.maxClockSkewMs);
  if (Math.abs(offsetMs) - uncertaintyMs > bound) {
    const why = `its clock is ${Math.abs(Math.round(offsetMs))} ms ${offsetMs < 0 ? 'ahead of' : 'behind'} the coordinator's (±${Math.round(uncertaintyMs)} ms), beyond the ${bound} ms bound: sync the node's clock (NTP, chrony) or raise --max-clock-skew`;
    await post('/leave', { index: shard.index, reason: why }).catch(() => undefined);
    throw new ShardStartError(`${label} refused to start: ${why}; nothing was sent`);
  }
  say(`joined ${mode.url} (run id ${reply.runId}, clock offset ${Math.round(offsetMs)} ms ±${Math.round(uncertaintyMs)} ms)`);

  const plan = shardPlan(plan0, shard, reply.runId);
  const session = new CommandSession(plan, flags, progress);
  await session.start();
  let lastOkMs = performance.now();
  let coordinatorLost: string | undefined;
  let current: { phaseId: number; handle: RunHandle; go: (startAt: number) => void; done: Promise<RunResult | undefined> } | undefined;
  let first: RunResult | undefined;
  /** How the last phase ended on this shard (a later phase's stop counts: a recovery stopped by a kill switch). */
  let lastStop: StopReason | undefined;
  let failure: unknown;

  // Intervals leave in order, one request at a time; a failed push is retried (the loss rule ends it).
  let pushing = Promise.resolve();
  const push = (phaseId: number, intervals: IntervalStats[]) => {
    pushing = pushing.then(async () => {
      for (;;) {
        if (coordinatorLost) return;
        try {
          const res = await post('/intervals', { index: shard.index, phaseId, intervals });
          if (res.status === 410) return noteGone((await res.json()) as { gone?: string });
          lastOkMs = performance.now();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    });
  };
  const noteGone = (body: { gone?: string }) => {
    coordinatorLost ??= `the coordinator gave this shard up (${body.gone ?? 'lost'})`;
    current?.handle.stop('coordinator-lost', coordinatorLost);
  };

  // The shard's run, resolved once; each phase the coordinator orders is it with that phase's profile.
  let base: RunConfig | undefined;
  const startPhase = (order: PhaseOrder) => {
    let go!: (startAt: number) => void;
    const goPromise = new Promise<number>((r) => (go = r));
    base ??= runConfig({ ...plan.run, profile: order.profile, budgetBuffer: session.ledger.buffer });
    const config = withProfile(base, order.profile, {
      ...(order.maxRequests !== undefined ? { maxRequests: order.maxRequests } : {}),
      ...(order.errorBurst === false ? { errorBurst: false } : {}),
    });
    const handle = startRun(config, {
      wallClockMs: clock,
      awaitStart: async () => {
        await post('/ready', { index: shard.index, phaseId: order.phaseId }).catch(() => undefined);
        return goPromise;
      },
      onInterval: (i, h) => {
        session.interval(i, `phase ${order.phaseId}`, h);
        push(order.phaseId, [i]);
      },
    });
    session.guard.attach(`phase ${order.phaseId}`, handle);
    const done = handle.result.then(
      async (result) => {
        first ??= result;
        lastStop = session.guard.stopped?.reason ?? result.stopReason;
        await pushing;
        const stopped = session.guard.stopped;
        await report({
          stopReason: stopped?.reason ?? result.stopReason,
          ...(result.stopDetail || stopped ? { stopDetail: stopped?.detail ?? result.stopDetail } : {}),
          workerErrors: result.workerErrors ?? [],
          budgetsUsed: result.budgets.used,
        });
        return result;
      },
      async (error: unknown) => {
        failure ??= error;
        await report({ stopReason: 'worker-crash', workerErrors: [], budgetsUsed: {}, error: serializeError(error) });
        return undefined;
      },
    );
    const report = async (m: Omit<DoneMessage, 'index' | 'phaseId'>) => {
      for (let tries = 0; tries < 10 && !coordinatorLost; tries++) {
        try {
          const res = await post('/done', { index: shard.index, phaseId: order.phaseId, ...m });
          if (res.ok || res.status === 410) return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    current = { phaseId: order.phaseId, handle, go, done };
  };

  const apply = (order: Order): boolean => {
    switch (order.type) {
      case 'phase':
        startPhase(order);
        return false;
      case 'go':
        if (current?.phaseId === order.phaseId) current.go(order.startAtEpochMs);
        return false;
      case 'stop':
        if (current?.phaseId === order.phaseId) current.handle.stop(order.reason, order.detail, { immediate: order.immediate });
        return false;
      case 'finish':
        return true;
    }
  };

  // The dead man's switch: checked on its own timer, so a hung request cannot delay it.
  const watch = setInterval(() => {
    if (coordinatorLost || performance.now() - lastOkMs <= COORDINATOR_LOST_AFTER_MS) return;
    coordinatorLost = `no word from the coordinator at ${mode.url} for ${((performance.now() - lastOkMs) / 1000).toFixed(1)} s: stopped sending by itself`;
    say(coordinatorLost);
    current?.handle.stop('coordinator-lost', coordinatorLost);
  }, 100);
  try {
    let after = 0;
    let finished = false;
    while (!finished && !coordinatorLost && !session.guard.stopped) {
      let body: OrdersReply;
      try {
        const res = await fetch(`${mode.url}${API}/orders?shard=${shard.index}&after=${after}`, {
          headers: { authorization: `Bearer ${mode.token}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        body = (await res.json()) as OrdersReply;
        if (res.status === 410) {
          noteGone(body);
          break;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      lastOkMs = performance.now();
      for (const order of body.orders) {
        after = Math.max(after, order.seq);
        if (apply(order)) finished = true;
      }
    }
    await current?.done;
  } finally {
    clearInterval(watch);
    progress.done();
    await session.dispose();
  }
  if (failure !== undefined && !first) {
    if (failure instanceof ShardStartError) say(failure.message);
    throw failure;
  }
  if (!first && session.guard.stopped) {
    // Stopped (a signal, the kill file) before the first phase: the coordinator must not wait for it.
    await post('/leave', { index: shard.index, reason: session.guard.stopped.detail }).catch(() => undefined);
    say(`stopped before the run started (${session.guard.stopped.detail}); nothing was sent`);
    return EXIT.stopped;
  }
  if (!first) throw new ShardStartError(`${label}: the coordinator ended before any phase ran`);
  const stopped = session.guard.stopped;
  const stopReason: StopReason = coordinatorLost ? 'coordinator-lost' : (stopped?.reason ?? first.stopReason);
  const stopDetail = coordinatorLost ?? stopped?.detail ?? first.stopDetail;
  const stored = { ...first, stopReason, ...(stopDetail ? { stopDetail } : {}), ...partialOf(stopReason, stopDetail) };
  const files = await writeResults(stored, `${plan.name}-shard-${shard.index}-of-${shard.count}`, flags);
  process.stdout.write(`${formatRunSummary(stored, `${label} of ${plan.name}`)}\nresults: ${files.join(', ')}\n`);
  if (failure !== undefined) return exitCodeForError(failure);
  // How the run this shard was part of ended, as far as sending goes: a kill switch or guardrail
  // anywhere (3), a lost shard (7); a collapse, or the end of the schedule, is not this shard's to judge.
  return exitCodeForStop(lastStop ?? stopReason) ?? EXIT.ok;
}

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';
import { killLeftovers, schemaErrors, startCoordinator, startFollower } from './support/shards.js';

/**
 * A target of known capacity C = 450 req/s that queues beyond it. Steps of 80 from 250 put C
 * inside the step from 410 to 490, so the knee is 410 and the collapse 490 on one machine and on
 * several alike; a knee that moved would mean the shards did not add up to the one schedule.
 */
const C = 450;
const RAMP = ['--profile', 'step:start=250,step=80,every=3s,max=650', '--slo', 'p90<100ms,errors<1%'];

describe('a distributed ramp to collapse', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    killLeftovers();
    await server?.close();
    server = undefined;
  });

  it('finds the same knee as a single-process ramp, stops every shard at the collapse and checks recovery across them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-dramp-'));
    server = await startChildServer('capacity', { capacityRps: C });
    const single = await runCli(['ramp', `${server.url}/`, ...RAMP, '--no-recovery', '--out-dir', join(dir, 'single'), '-q']);
    const one = JSON.parse(await readFile(join(dir, 'single', 'result.json'), 'utf8'));
    expect(single.code, single.stdout).toBe(0);
    await server.close();

    server = await startChildServer('capacity', { capacityRps: C });
    const args = ['ramp', `${server.url}/`, ...RAMP];
    const coordinator = startCoordinator([
      ...args,
      '--shards',
      '2',
      '--cooldown',
      '1s',
      '--recovery-within',
      '6s',
      '--out-dir',
      join(dir, 'coordinator'),
      '-q',
    ]);
    const url = await coordinator.url;
    const shards = [0, 1].map((i) => startFollower([...args, '--out-dir', join(dir, `shard${i}`), '-q'], i, 2, url));
    const c = await coordinator.done;
    const many = JSON.parse(await readFile(join(dir, 'coordinator', 'result.json'), 'utf8'));
    expect(many.verdict, c.stdout).toBe('collapsed');
    expect(many.knee.rateRps).toBe(one.knee.rateRps);
    expect(many.collapse.step.rateRps).toBe(one.collapse.step.rateRps);
    expect(many.knee.rateRps).toBe(410);
    // The shards were stopped at the collapse: nothing above it was sent.
    expect(many.steps.at(-1).index).toBe(many.collapse.step.index);
    expect(many.run.shards).toEqual({ count: 2, merged: [0, 1] });
    expect(many.recovery.recovered).toBe(true);
    expect(many.recovery.run.shards).toEqual({ count: 2, merged: [0, 1] });
    expect(await schemaErrors(many)).toEqual([]);
    expect(c.code, c.stderr).toBe(0);
    for (const s of shards) expect((await s.done).code).toBe(0);
    // Each shard's own result is its half of the ramp phase, with the coordinator's run id.
    const half = JSON.parse(await readFile(join(dir, 'shard1', 'result.json'), 'utf8'));
    expect(half.shard).toMatchObject({ index: 1, count: 2 });
    expect(half.runId).toBe(many.run.runId);
  }, 120_000);

  it('a shard that crashes makes the ramp inconclusive (exit 7), never a silent knee', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-dramp-crash-'));
    server = await startChildServer('capacity', { capacityRps: C });
    const args = ['ramp', `${server.url}/`, ...RAMP];
    const coordinator = startCoordinator([...args, '--shards', '2', '--out-dir', join(dir, 'coordinator'), '-q']);
    const url = await coordinator.url;
    const shards = [0, 1].map((i) => startFollower([...args, '--out-dir', join(dir, `shard${i}`), '-q'], i, 2, url));
    // Kill shard 1 during the second step, which would hold.
    while ((await server.stats<{ count: number }>()).count < 1000) await new Promise((r) => setTimeout(r, 100));
    process.kill(await shards[1]!.pid, 'SIGKILL');
    const c = await coordinator.done;
    const result = JSON.parse(await readFile(join(dir, 'coordinator', 'result.json'), 'utf8'));
    expect(result.verdict).toBe('inconclusive');
    expect(result.knee).toBeUndefined();
    expect(result.inconclusive.reason).toMatch(/shard 1 of 2 stopped reporting/);
    expect(result.stopReason).toBe('shard-lost');
    expect(await schemaErrors(result)).toEqual([]);
    expect(c.stdout).toMatch(/INCONCLUSIVE|inconclusive/);
    expect(c.code).toBe(7);
    // The surviving shard was stopped by the coordinator, and says the run was incomplete.
    expect((await shards[0]!.done).code).toBe(7);
  }, 60_000);
});

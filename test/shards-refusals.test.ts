import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';
import { killLeftovers, startCoordinator, startFollower } from './support/shards.js';

describe('a shard refuses to start rather than smear the schedule', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer('counting');
  });
  afterAll(async () => {
    killLeftovers();
    await server.close();
  });

  it('not ready by the shared start time: exit 7, says why, sends nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-late-'));
    const startAt = new Date(Date.now() + 30).toISOString();
    const r = await runCli([
      'run',
      `${server.url}/`,
      '--rate',
      '100',
      '--duration',
      '2s',
      '--workers',
      '1',
      '--shard',
      '1/2',
      '--start-at',
      startAt,
      '--run-id',
      'late',
      '--out-dir',
      dir,
      '-q',
    ]);
    expect(r.stderr).toMatch(/not ready by the start time: the workers were ready \d+ ms too late for .*; nothing was sent/);
    expect((await server.stats()).count).toBe(0);
    expect(await readdir(dir)).toEqual([]);
    expect(r.code).toBe(7);
  });

  it("a clock off from the coordinator's by more than the bound: the shard refuses, the coordinator sends nothing (exit 7 both)", async () => {
    const args = ['run', `${server.url}/`, '--rate', '100', '--duration', '2s'];
    const coordinator = startCoordinator([...args, '--shards', '2', '-q']);
    const url = await coordinator.url;
    const ahead = startFollower([...args, '-q'], 0, 2, url, { OVERLOAD_CLOCK_OFFSET_MS: '5000' });
    const a = await ahead.done;
    const m = /refused to start: its clock is (\d+) ms ahead of the coordinator's .* beyond the 100 ms bound/.exec(a.stderr);
    expect(m, a.stderr).not.toBeNull();
    expect(Math.abs(Number(m![1]) - 5000)).toBeLessThan(100);
    expect(a.code).toBe(7);
    const c = await coordinator.done;
    expect(c.stderr).toContain('shard 0 refused to start: its clock is');
    expect(c.code).toBe(7);
    expect((await server.stats()).count).toBe(0);
  });

  it('a shard stopped (SIGINT) while it waits for the others leaves: it exits 3, the coordinator refuses the run (exit 7), nothing is sent', async () => {
    const args = ['run', `${server.url}/`, '--rate', '100', '--duration', '2s'];
    const coordinator = startCoordinator([...args, '--shards', '2', '-q']);
    const url = await coordinator.url;
    const waiting = startFollower([...args, '-q'], 0, 2, url);
    const pid = await waiting.pid;
    // Shard 1 never comes: shard 0 joins and waits; a second is ample for it to join.
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(pid, 'SIGINT');
    const w = await waiting.done;
    expect(w.stderr).toContain('stopped before the run started');
    expect(w.stderr).toContain('nothing was sent');
    expect(w.code).toBe(3);
    const c = await coordinator.done;
    expect(c.stderr).toContain('shard 0');
    expect(c.code).toBe(7);
    expect((await server.stats()).count).toBe(0);
  });

  it('flags that cannot work are refused with the fix (exit 2)', async () => {
    const ramp = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=10,step=10,every=2s,max=20',
      '--slo',
      'p99<1s',
      '--shard',
      '0/2',
      '--start-at',
      '+10s',
    ]);
    expect(ramp.stderr).toContain('--coordinator is required for a sharded ramp');
    expect(ramp.code).toBe(2);
    const noStart = await runCli(['run', `${server.url}/`, '--rate', '10', '--duration', '1s', '--shard', '0/2']);
    expect(noStart.stderr).toContain('--start-at is required for a shard without a coordinator');
    expect(noStart.code).toBe(2);
    const demo = await runCli(['run', 'student-reports', '--shard', '0/2', '--start-at', '+10s']);
    expect(demo.stderr).toContain('--target is required to shard "student-reports"');
    expect(demo.code).toBe(2);
    const noZone = await runCli([
      'run',
      `${server.url}/`,
      '--rate',
      '10',
      '--duration',
      '1s',
      '--shard',
      '0/2',
      '--start-at',
      '2026-12-01T10:00:00',
    ]);
    expect(noZone.stderr).toContain('--start-at must be an ISO time with its zone');
    expect(noZone.code).toBe(2);
    expect((await server.stats()).count).toBe(0);
  });
});

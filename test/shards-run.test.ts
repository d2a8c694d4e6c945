import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistogram, decodeHistogram, type RunResult, summarizeMs } from '@overload/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';
import { arrivalEpochs, killLeftovers, schemaErrors, startCoordinator, startFollower, startProcess } from './support/shards.js';

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as RunResult & Record<string, any>;

function addAll(encoded: readonly string[]) {
  const h = createHistogram();
  for (const e of encoded) h.add(decodeHistogram(e));
  return summarizeMs(h);
}

describe('shards on one schedule', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    killLeftovers();
    await server?.close();
    server = undefined;
  });

  it('four shards with a shared --start-at send exactly the single-run total, every second within ±2 %, and merge exactly', async () => {
    server = await startChildServer('counting');
    const dir = await mkdtemp(join(tmpdir(), 'overload-shards-'));
    const rateRps = 800;
    const seconds = 4;
    // Far enough ahead that four processes on two busy cores are ready by then.
    const startAtMs = Date.now() + 8000;
    const startAt = new Date(startAtMs).toISOString();
    const shards = [0, 1, 2, 3].map((i) =>
      startProcess([
        'run',
        `${server!.url}/`,
        '--rate',
        String(rateRps),
        '--duration',
        `${seconds}s`,
        '--workers',
        '1',
        '--shard',
        `${i}/4`,
        '--start-at',
        startAt,
        '--out-dir',
        join(dir, `s${i}`),
        '-q',
      ]),
    );
    const runs = await Promise.all(shards.map((s) => s.done));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // No --run-id: shards started apart derive the same one from the command and --start-at.
    expect(runs[0]!.stderr).toMatch(
      new RegExp(`same command and --start-at ${startAt.replace(/[.]/g, '\\.')} \\(run id [a-z0-9]+-[0-9a-f]{12}, derived from both\\)`),
    );

    // At the server: the single-run total exactly, and every second of the schedule within ±2 %.
    const stats = await server.stats();
    expect(stats.count).toBe(rateRps * seconds);
    // An arrival reaches the server its send lag after its intended time, so the last few of
    // the schedule can land just past its end: they count in the last second.
    const perSecond = new Array<number>(seconds).fill(0);
    for (const at of arrivalEpochs(stats)) {
      const k = Math.floor((at - startAtMs) / 1000);
      expect(k, `an arrival ${at - startAtMs} ms from T0`).toBeGreaterThanOrEqual(0);
      expect(at - startAtMs, 'an arrival long after the schedule ended').toBeLessThan(seconds * 1000 + 100);
      perSecond[Math.min(k, seconds - 1)]!++;
    }
    for (const n of perSecond) expect(Math.abs(n - rateRps), perSecond.join(', ')).toBeLessThanOrEqual(rateRps * 0.02);

    // overload merge: the percentiles of one histogram holding every shard's samples.
    const files = [0, 1, 2, 3].map((i) => join(dir, `s${i}`, 'result.json'));
    const shardResults = await Promise.all(files.map(readJson));
    expect(new Set(shardResults.map((r) => r.runId)).size, 'one run id for all four shards').toBe(1);
    expect(shardResults.map((r) => r.shard)).toEqual(
      [0, 1, 2, 3].map((index) => ({ index, count: 4, startAt, plannedArrivals: (rateRps * seconds) / 4 })),
    );
    const merged = await runCli(['merge', ...files, '--out-dir', join(dir, 'merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    const m = await readJson(join(dir, 'merged', 'result.json'));
    expect(m.totals.sent).toBe(rateRps * seconds);
    expect(m.latencyMs).toEqual(addAll(shardResults.flatMap((r) => r.intervals.map((i) => i.histograms.latency))));
    expect(m.serviceTimeMs).toEqual(addAll(shardResults.flatMap((r) => r.intervals.map((i) => i.histograms.serviceTime))));
    for (const i of m.intervals) {
      expect(i.latencyMs).toEqual(
        addAll(shardResults.flatMap((r) => r.intervals.filter((x) => x.index === i.index).map((x) => x.histograms.latency))),
      );
    }
    expect(m.shards).toEqual({ count: 4, merged: [0, 1, 2, 3], startAt });
    expect(await schemaErrors(m)).toEqual([]);
    expect(await schemaErrors(shardResults[0])).toEqual([]);
    expect(m.incomplete).toBeUndefined();
    expect(await readFile(join(dir, 'merged', 'latency.hgrm'), 'utf8')).toMatch(/#\[Mean/);
    // The JUnit has a passing testcase for the shards (a self-closing testcase has no failure).
    expect(await readFile(join(dir, 'merged', 'junit.xml'), 'utf8')).toMatch(
      /<testcase name="every shard&apos;s result is merged \(4 shards\)" classname="run" time="[\d.]+"\/>/,
    );

    // A shard never started: the merge is incomplete, lists it, and exits 7.
    const partial = await runCli(['merge', files[0]!, files[1]!, files[3]!, '--out-dir', join(dir, 'partial')]);
    expect(partial.stdout).toContain('INCOMPLETE: no result from shard 2 of 4');
    const p = await readJson(join(dir, 'partial', 'result.json'));
    expect(p.incomplete!.missing).toEqual([2]);
    expect(await schemaErrors(p)).toEqual([]);
    expect(await readFile(join(dir, 'partial', 'junit.xml'), 'utf8')).toContain('type="incomplete"');
    expect(partial.code).toBe(7);

    // Results of another run are refused, naming the difference.
    const other = { ...shardResults[2], runId: 'another-run' };
    const otherFile = join(dir, 'other.json');
    await writeFile(otherFile, JSON.stringify(other));
    const refused = await runCli(['merge', files[0]!, otherFile]);
    expect(refused.stderr).toContain('runId differs: shard 0');
    expect(refused.code).toBe(2);
  }, 60_000);

  it("a shard that crashes mid-run makes the coordinator's result incomplete (exit 7); killing the coordinator stops every shard within 3 s; its kill file stops them all", async () => {
    server = await startChildServer('counting');
    const dir = await mkdtemp(join(tmpdir(), 'overload-coord-'));
    const args = ['run', `${server.url}/`, '--rate', '300', '--duration', '20s'];

    // 1. A crashed shard: the coordinator stops the others and says which one is missing.
    const coordinator = startCoordinator([...args, '--shards', '3', '--out-dir', join(dir, 'c'), '-q']);
    const url = await coordinator.url;
    const shards = [0, 1, 2].map((i) => startFollower([...args, '--out-dir', join(dir, `f${i}`), '-q'], i, 3, url));
    await waitForCount(server, 300);
    process.kill(await shards[1]!.pid, 'SIGKILL');
    const c = await coordinator.done;
    const result = await readJson(join(dir, 'c', 'result.json'));
    expect(result.stopReason).toBe('shard-lost');
    expect(result.stopDetail).toMatch(/shard 1 of 3 stopped reporting/);
    expect(await schemaErrors(result)).toEqual([]);
    expect(c.code, c.stderr).toBe(7);
    // The other shards were stopped by the coordinator; their runs were incomplete too.
    for (const i of [0, 2]) expect((await shards[i]!.done).code).toBe(7);

    // 2. A killed coordinator: every shard stops sending by itself within 3 s (exit 3).
    const coordinator2 = startCoordinator([...args, '--shards', '3', '--out-dir', join(dir, 'c2'), '-q']);
    const url2 = await coordinator2.url;
    const shards2 = [0, 1, 2].map((i) => startFollower([...args, '--out-dir', join(dir, `g${i}`), '-q'], i, 3, url2));
    const before = (await server.stats()).count;
    await waitForCount(server, before + 600);
    const killedAt = Date.now();
    process.kill(await coordinator2.pid, 'SIGKILL');
    const runs = await Promise.all(shards2.map((s) => s.done));
    const last = Math.max(...arrivalEpochs(await server.stats()));
    expect(last - killedAt).toBeLessThanOrEqual(3000);
    for (const [i, r] of runs.entries()) {
      const own = await readJson(join(dir, `g${i}`, 'result.json'));
      expect(own.stopReason).toBe('coordinator-lost');
      expect(r.code, r.stderr).toBe(3);
    }

    // 3. The coordinator's kill file stops every shard (exit 3 everywhere).
    const killFile = join(dir, 'stop-load');
    const coordinator3 = startCoordinator([...args, '--shards', '2', '--kill-file', killFile, '--out-dir', join(dir, 'c3'), '-q']);
    const url3 = await coordinator3.url;
    const shards3 = [0, 1].map((i) => startFollower([...args, '--out-dir', join(dir, `h${i}`), '-q'], i, 2, url3));
    const before3 = (await server.stats()).count;
    await waitForCount(server, before3 + 300);
    await writeFile(killFile, '');
    const stoppedAt = Date.now();
    const c3 = await coordinator3.done;
    expect((await readJson(join(dir, 'c3', 'result.json'))).stopReason).toBe('kill-file');
    expect(c3.code).toBe(3);
    for (const [i, s] of shards3.entries()) {
      // The coordinator can end before a shard has written its result: wait for the shard first.
      const r = await s.done;
      expect((await readJson(join(dir, `h${i}`, 'result.json'))).stopReason).toBe('kill-file');
      expect(r.code, r.stderr).toBe(3);
    }
    expect(Math.max(...arrivalEpochs(await server.stats())) - stoppedAt).toBeLessThanOrEqual(1000);
  }, 90_000);
});

async function waitForCount(server: ChildServer, n: number): Promise<void> {
  const until = Date.now() + 30_000;
  while ((await server.stats()).count < n) {
    if (Date.now() > until) throw new Error(`the server never saw ${n} requests`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

describe('overload run (CLI as a child process)', () => {
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-cli-run-'));
  });
  afterAll(() => server.close());

  it('runs at a rate, prints a summary and writes the result JSON', async () => {
    const out = join(dir, 'result.json');
    const r = await runCli([
      'run',
      `${server.url}/x`,
      '--rate',
      '200',
      '--duration',
      '2s',
      '--workers',
      '1',
      '--json',
      out,
      '-H',
      'Authorization: Bearer s3cret',
    ]);
    expect(r.stderr).toMatch(/\[\s+1s\] offered\s+200\/s/);
    expect(r.stdout).toContain('latency (corrected)');
    expect(r.stdout).toContain('service time');
    const result = JSON.parse(await readFile(out, 'utf8'));
    expect(result.schemaVersion).toBe(3);
    expect(result.totals).toMatchObject({ sent: 400, ok: 400, errors: 0, dropped: 0 });
    for (const k of ['p50', 'p90', 'p99', 'p999', 'max']) {
      expect(typeof result.latencyMs[k]).toBe('number');
      expect(typeof result.serviceTimeMs[k]).toBe('number');
    }
    expect(result.intervals[0]).toMatchObject({ offered: 200, sent: 200 });
    expect(typeof result.intervals[0].achievedRps).toBe('number');
    expect(typeof result.generator.lagMsP99).toBe('number');
    expect(typeof result.generator.saturated).toBe('boolean');
    expect(result.stopReason).toBe('completed');
    // Secrets never land in result files.
    expect(JSON.stringify(result)).not.toContain('s3cret');
    expect((await server.stats()).count).toBeGreaterThanOrEqual(400);
    expect(r.code).toBe(0);
  });

  it('exits 2 and names every bad field of a malformed profile, sending nothing', async () => {
    const before = (await server.stats()).count;
    const r = await runCli(['run', server.url, '--profile', 'stages:10s@100,xx@-5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profile.stages[1].durationMs');
    expect(r.stderr).toContain('profile.stages[1].targetRps');
    const r2 = await runCli(['run', server.url, '--profile', 'zigzag:rate=5']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/profile\.kind must be one of constant, linear, step/);
    expect((await server.stats()).count).toBe(before);
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

describe('search fails loudly', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a trial stopped by a guardrail is recorded as stopped and exits 3, never 0', async () => {
    server = await startChildServer('counting');
    const dir = await mkdtemp(join(tmpdir(), 'overload-search-stop-'));
    // The first trial (200 req/s for 2 s + a 1 s warm-up) would send 600: the cap stops it at 300.
    const r = await runCli([
      'search',
      `${server.url}/`,
      '--slo',
      'p90<100ms',
      '--start',
      '200',
      '--min-trial',
      '2s',
      '--max-requests',
      '300',
      '--out-dir',
      dir,
      '-q',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.trials.map((t: { verdict: string }) => t.verdict)).toEqual(['stopped']);
    expect(result.stopReason).toBe('max-requests');
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^the trial at 200 req\/s was stopped: max-requests/);
    expect((await server.stats()).count).toBe(300);
    expect(r.code).toBe(3);
  });

  it('a target that does not recover between trials makes the bracket unreliable: exit 4', async () => {
    // The breaker trips at 800 req/s and never clears: every later trial would meet 503s.
    server = await startChildServer('capacity', { capacityRps: 500, breaker: { tripQueue: 20, resetMs: 1000, sticky: true } });
    const dir = await mkdtemp(join(tmpdir(), 'overload-search-stuck-'));
    const r = await runCli([
      'search',
      `${server.url}/`,
      '--slo',
      'p90<200ms,errors<1%',
      '--start',
      '200',
      '--min-trial',
      '2s',
      '--trial-cooldown',
      '500ms',
      '--recovery-within',
      '3s',
      '--out-dir',
      dir,
      '-q',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.trials.map((t: { rateRps: number; verdict: string }) => [t.rateRps, t.verdict])).toEqual([
      [200, 'held'],
      [400, 'held'],
      [800, 'breached'],
    ]);
    expect(result.reliable).toBe(false);
    expect(result.evidence[2].recovery.recovered).toBe(false);
    expect(result.reason).toMatch(/^the bracket is unreliable: the target did not recover after the trial at 800 req\/s/);
    expect(r.stdout).toContain('the bracket is UNRELIABLE');
    expect(r.code).toBe(4);
  }, 60_000);
});

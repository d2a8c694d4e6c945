import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

describe("steps too short for the SLO's percentiles are announced before anything is sent", () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer('counting');
  });
  afterAll(() => server.close());

  it('plan names each short step, what it holds, what the percentile needs, and how long the step would need to be', async () => {
    const r = await runCli([
      'plan',
      `${server.url}/`,
      '--profile',
      'step:start=200,step=1000,every=6s,max=2200',
      '--slo',
      'p99<300ms,p999<1s',
    ]);
    expect(r.stdout).toContain('warnings:');
    expect(r.stdout).toContain(
      'step 1 (200 req/s, 6 s) is too short for p99.9: 5 s judged after the warm-up gives ~1,000 responses, p99.9 needs 10,000; at this rate the step would need 56 s',
    );
    expect(r.stdout).toContain('step 2 (1,200 req/s, 6 s) is too short for p99.9');
    expect(r.stdout).not.toContain('step 3 (');
    expect(r.stdout).toContain('slo:         p99<300ms,p99.9<1s (and errors<1% by default)');
    expect((await server.stats()).count).toBe(0);
    expect(r.code).toBe(0);
    // Long enough steps: no warning.
    const fine = await runCli([
      'plan',
      `${server.url}/`,
      '--profile',
      'step:start=300,step=100,every=6s,max=500',
      '--slo',
      'p99<300ms,errors<1%',
    ]);
    expect(fine.stdout).not.toContain('warnings:');
    expect(fine.stdout).toContain('slo:         p99<300ms,errors<1%\n');
    expect(fine.code).toBe(0);
  });

  it('ramp says so on its progress stream before the load starts, and the short step is not judged', async () => {
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=100,step=100,every=2s,max=200',
      '--slo',
      'p99<1s',
      '--no-recovery',
      '--out-dir',
      await mkdtemp(join(tmpdir(), 'overload-short-')),
    ]);
    expect(r.stderr).toContain('warning: step 1 (100 req/s, 2 s) is too short for p99');
    expect(r.stderr.indexOf('warning: step 1')).toBeLessThan(r.stderr.indexOf('step 1 (100 req/s) not judged'));
    expect(r.stdout).toMatch(/^1 +100 .* unjudged$/m);
    // No step could be judged on p99: inconclusive, never a knee on a condition nobody measured.
    expect(r.stdout).toContain('no step could be judged on every condition of the SLO');
    expect(r.code).toBe(5);
  });
});

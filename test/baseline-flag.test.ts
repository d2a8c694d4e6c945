import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/** `--baseline` on run and ramp: one loopback target whose delay the test turns up between runs. */
describe('--baseline on run and ramp (real runs, real CLI)', () => {
  let server: Server;
  let url: string;
  let delayMs = 5;
  let received = 0;
  let dir: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      received++;
      setTimeout(() => res.end('ok'), delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    dir = await mkdtemp(join(tmpdir(), 'overload-baseline-'));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = (out: string, ...extra: string[]) =>
    runCli(['run', url, '--rate', '100', '--duration', '10s', '--workers', '1', '--out-dir', join(dir, out), '-q', ...extra]);

  it('same server: exit 0; +30 ms: exit 8 naming p50; the run’s own failure wins; bad baselines are refused before sending', async () => {
    const first = await run('baseline');
    expect(first.code, first.stderr).toBe(0);
    const baseline = join(dir, 'baseline');

    // A CI-runner-sized floor (as in compare-cli.test.ts): p99 at 100 req/s is noisy on shared cores.
    const same = await run('same', '--baseline', baseline, '--min-effect-ms', '20');
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('NO REGRESSION');
    const sameReport = JSON.parse(await readFile(join(dir, 'same', 'compare.json'), 'utf8'));
    expect(sameReport.outcome).toBe('no-regression');
    expect(sameReport.sources.baseline).toBe(baseline);

    delayMs = 35;
    const slower = await run('slower', '--baseline', join(baseline, 'result.json'), '--min-effect-ms', '20');
    expect(slower.code, slower.stdout + slower.stderr).toBe(8);
    expect(slower.stdout).toMatch(/REGRESSED: .*p50 \(run\)/);
    const md = await readFile(join(dir, 'slower', 'compare.md'), 'utf8');
    expect(md).toContain('**REGRESSED:');
    expect(md).toMatch(/\| p50 \(run\) \| .* \| regressed \|/);
    const p50 = JSON.parse(await readFile(join(dir, 'slower', 'compare.json'), 'utf8')).metrics.find(
      (m: { metric: string }) => m.metric === 'p50 (run)',
    );
    expect(p50.current - p50.baseline).toBeGreaterThan(20);

    // Stopped by a guardrail (exit 3): the comparison is still written, but the run's own code stands.
    const stopped = await run('stopped', '--baseline', baseline, '--max-duration', '2s');
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(3);
    expect(JSON.parse(await readFile(join(dir, 'stopped', 'compare.json'), 'utf8')).outcome).not.toBe('no-regression');

    const before = received;
    const missing = await run('missing', '--baseline', join(dir, 'no-such-result'));
    expect(missing.code, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toContain('--baseline');
    expect(missing.stderr).toContain('no-such-result');
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"kind": "run", "target": ');
    const unreadable = await run('unreadable', '--baseline', corrupt);
    expect(unreadable.code, unreadable.stdout + unreadable.stderr).toBe(2);
    expect(unreadable.stderr).toMatch(/--baseline.*cannot be read as a result/);
    const other = await runCli(['run', url, '--rate', '100', '--duration', '5s', '--workers', '1', '-q', '--baseline', baseline]);
    expect(other.code, other.stdout + other.stderr).toBe(2);
    expect(other.stderr).toMatch(/--baseline profile.*durationMs":10000.*--allow-different/);
    const oldFlag = await run('old-flag', '--baseline', '10%');
    expect(oldFlag.code).toBe(2);
    expect(oldFlag.stderr).toContain('--recovery-baseline 10%');
    expect(received).toBe(before);
  }, 150_000);

  it('ramp: a baseline of another SLO is refused before sending; too-short steps cannot tell (exit 9)', async () => {
    delayMs = 5;
    const ramp = (out: string, slo: string, ...extra: string[]) =>
      runCli([
        'ramp',
        url,
        '--profile',
        'step:start=50,step=50,every=2s,max=100',
        '--slo',
        slo,
        '--no-recovery',
        '--workers',
        '1',
        '-q',
        '--out-dir',
        join(dir, out),
        ...extra,
      ]);
    const first = await ramp('ramp-baseline', 'p50<500ms,errors<1%');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = received;
    const otherSlo = await ramp('ramp-other', 'p50<400ms,errors<1%', '--baseline', join(dir, 'ramp-baseline'));
    expect(otherSlo.code, otherSlo.stdout + otherSlo.stderr).toBe(2);
    expect(otherSlo.stderr).toMatch(/--baseline slo/);
    expect(received).toBe(before);
    const again = await ramp('ramp-again', 'p50<500ms,errors<1%', '--baseline', join(dir, 'ramp-baseline'));
    expect(again.code, again.stdout + again.stderr).toBe(9);
    expect(again.stdout).toContain('CANNOT TELL');
    expect(JSON.parse(await readFile(join(dir, 'ramp-again', 'compare.json'), 'utf8')).kind).toBe('ramp');
  }, 90_000);

  it('the embedded student-reports target listens on a new port each time and is still the same target; journeys and steps get rows', async () => {
    const run = (out: string, ...extra: string[]) =>
      runCli([
        'run',
        'student-reports',
        '--rate',
        '100',
        '--duration',
        '7s',
        '--workers',
        '1',
        '-q',
        '--out-dir',
        join(dir, out),
        ...extra,
      ]);
    const first = await run('sr-baseline');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await run('sr-again', '--baseline', join(dir, 'sr-baseline'), '--min-effect-ms', '20');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'sr-again', 'compare.json'), 'utf8'));
    expect(report.differences).toEqual([]);
    const names = new Set(report.metrics.map((m: { name?: string }) => m.name).filter(Boolean));
    expect([...names].sort()).toEqual(['get-report › download', 'get-report › generate', 'get-report › poll', 'journey get-report']);
    expect(report.metrics.map((m: { metric: string }) => m.metric)).toContain('p99 journey get-report (run)');
  }, 60_000);
});

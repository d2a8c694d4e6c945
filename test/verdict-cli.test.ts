import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/** A loopback port with nothing listening on it (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('verdicts through the CLI, with their exit codes', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('flap: a breaker that lets traffic through now and then but never closes has not recovered (exit 4)', async () => {
    // Trips at a queue of 20; then 503s for 2 s, everything through for 4.5 s, 503s again, forever.
    server = await startChildServer('capacity', { capacityRps: 500, breaker: { tripQueue: 20, flap: { openMs: 2000, passMs: 4500 } } });
    const dir = await mkdtemp(join(tmpdir(), 'overload-flap-'));
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=200,step=200,every=2s,max=1200',
      '--slo',
      'p90<200ms,errors<1%',
      '--cooldown',
      '1s',
      '--recovery-within',
      '6s',
      '--out-dir',
      dir,
      '-q',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('collapsed');
    expect(result.recovery.recovered).toBe(false);
    // It held in a window now and then: the first-good-window rule would have called it recovered.
    expect(result.recovery.relapses).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toMatch(/did not recover/);
    expect(r.code).toBe(4);
  }, 90_000);

  it('unreachable: nothing listening gets exit 6 with host:port and the error, and no collapse or recovery check', async () => {
    const port = await closedPort();
    const dir = await mkdtemp(join(tmpdir(), 'overload-down-'));
    const r = await runCli([
      'ramp',
      `http://127.0.0.1:${port}/`,
      '--profile',
      'step:start=100,step=100,every=2s,max=300',
      '--slo',
      'p99<1s',
      '--out-dir',
      dir,
      '-q',
    ]);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('nothing was sent');
    expect(r.stdout).not.toMatch(/collapse|recover/);
    // Nothing was measured, so nothing was written.
    expect(await readdir(dir)).toEqual([]);
    expect(r.code).toBe(6);
    const run = await runCli(['run', `http://127.0.0.1:${port}/`, '--rate', '100', '--duration', '2s', '-q']);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
    expect(run.code).toBe(6);
    const search = await runCli(['search', `http://127.0.0.1:${port}/`, '--slo', 'p99<1s', '-q']);
    expect(search.stderr).toContain(`127.0.0.1:${port}`);
    expect(search.code).toBe(6);
  });

  it('unreachable probe: a target that is up with a probe that is not gets exit 6 naming the probe', async () => {
    server = await startChildServer('counting');
    const port = await closedPort();
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=100,step=100,every=2s,max=300',
      '--slo',
      'p99<1s',
      '--probe',
      `depth=prometheus:http://127.0.0.1:${port}/metrics#queue_depth`,
      '--no-recovery',
      '-q',
      '--out-dir',
      await mkdtemp(join(tmpdir(), 'overload-probe-down-')),
    ]);
    expect(r.stderr).toMatch(new RegExp(`probe "depth" at http://127.0.0.1:${port}/metrics: .*ECONNREFUSED`));
    expect((await server.stats()).count).toBe(0);
    expect(r.code).toBe(6);
  });

  // Through undici: the hot path's one worker kept its schedule at 200,000 req/s (and at 2,000,000,
  // or with the in-flight cap raised to 10,000,000), busy 60–99 %, while this target answered about
  // 59,000 req/s: the target, not the generator, was the limit, and the rule rightly said so.
  it('a really overloaded generator: one worker asked for 200,000 req/s through undici is inconclusive (exit 5), never a result about the target', async () => {
    server = await startChildServer('counting');
    const dir = await mkdtemp(join(tmpdir(), 'overload-overloaded-'));
    const r = await runCli([
      'run',
      `${server.url}/`,
      '--workers',
      '1',
      '--rate',
      '200000',
      '--duration',
      '3s',
      '--json',
      join(dir, 'result.json'),
      '-q',
      '--client',
      'undici',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.generator.saturated).toBe(true);
    expect(result.generator.reasons.join('; ')).toMatch(/firing thread was busy|scheduled arrivals|lag grew|dropped by the generator/);
    expect(r.stdout).toContain('generator SATURATED');
    expect(r.code).toBe(5);
  });

  it('fixed capacity: the knee lands within one step below the capacity, and the ramp exits 0', async () => {
    const C = 450;
    server = await startChildServer('capacity', { capacityRps: C });
    const dir = await mkdtemp(join(tmpdir(), 'overload-capacity-'));
    // Steps of 40 from 250: 410 and 450 are the steps within one step below C.
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=250,step=40,every=3s,max=610',
      '--slo',
      'p90<100ms,errors<1%',
      '--cooldown',
      '1s',
      '--recovery-within',
      '8s',
      '--out-dir',
      dir,
      '-q',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict, r.stdout).toBe('collapsed');
    expect(result.knee.rateRps).toBeGreaterThanOrEqual(C - 40);
    expect(result.knee.rateRps).toBeLessThanOrEqual(C);
    expect(result.collapse.step.rateRps).toBe(result.knee.rateRps + 40);
    const signature: string[] = result.collapse.signature.map((c: { name: string }) => c.name);
    expect(
      signature.some((n) => n === 'achieved' || n === 'p90'),
      signature.join(','),
    ).toBe(true);
    expect(result.stopReason).toBe('collapsed');
    // The ramp stopped at the collapse: no step above it was sent.
    expect(result.steps.at(-1).index).toBe(result.collapse.step.index);
    expect(result.recovery.recovered).toBe(true);
    expect(r.stdout).toMatch(/knee \d[\d,]* req\/s; collapsed at \d[\d,]* req\/s: .+; recovered after /);
    expect(r.code).toBe(0);
  }, 90_000);
});

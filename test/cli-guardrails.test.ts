import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));

interface Counted {
  count: number;
  arrivalsMs: number[];
  firstEpochMs: number;
}

/** Requests per 1 s window of the server's own clock, from its first request. */
function windows(arrivalsMs: readonly number[]): number[] {
  const out: number[] = [];
  for (const t of arrivalsMs) out[Math.floor(t / 1000)] = (out[Math.floor(t / 1000)] ?? 0) + 1;
  return Array.from(out, (n) => n ?? 0);
}

describe('guardrails through the CLI', () => {
  let server: ChildServer;
  let dir: string;
  beforeEach(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-guard-'));
  });
  afterEach(() => server.close());

  it('--max-requests 5000: the server receives exactly 5,000 and the run says why it stopped', async () => {
    const out = join(dir, 'r.json');
    const r = await runCli([
      'run',
      server.url,
      '--rate',
      '2000',
      '--duration',
      '5s',
      '--max-requests',
      '5000',
      '--json',
      out,
      '--out-dir',
      dir,
      '-q',
    ]);
    expect((await server.stats()).count).toBe(5000);
    const result = JSON.parse(await readFile(out, 'utf8'));
    expect(result.stopReason).toBe('max-requests');
    expect(result.totals.sent).toBe(5000);
    expect(r.code).toBe(3);
  });

  it('--max-rate 500 with a profile ramping to 2,000: no 1 s window at the server above 500', async () => {
    const r = await runCli([
      'run',
      server.url,
      '--profile',
      'linear:from=100,to=2000,duration=6s',
      '--max-rate',
      '500',
      '--out-dir',
      dir,
      '-q',
    ]);
    const { arrivalsMs, count } = await server.stats<Counted>();
    // The schedule itself never offers more than 500 in any second...
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    for (const i of result.intervals) expect(i.offered).toBeLessThanOrEqual(500);
    // ...and at the server, a window can only gain what scheduling jitter moves across its edge
    // (a send delayed by a few ms lands in the next window): 1 % at most.
    const perSecond = windows(arrivalsMs);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(505);
    // The ceiling shaped the run: 100→500 over the first 1.26 s, then 500/s.
    expect(count).toBeGreaterThan(2300);
    expect(count).toBeLessThan(2800);
    expect(r.code).toBe(0);
  });

  it('--kill-file: nothing reaches the server 200 ms after the file appears, and the results are written', async () => {
    const killFile = join(dir, 'stop-now');
    const out = join(dir, 'r.json');
    let triggeredAt = 0;
    const run = runCli(
      ['run', server.url, '--rate', '1000', '--duration', '30s', '--kill-file', killFile, '--json', out, '--out-dir', dir],
      {
        onStderr: (chunk) => {
          if (triggeredAt === 0 && /\[\s+2s\]/.test(chunk)) {
            triggeredAt = performance.timeOrigin + performance.now();
            void writeFile(killFile, 'stop');
          }
        },
      },
    );
    const r = await run;
    expect(triggeredAt).toBeGreaterThan(0);
    const { arrivalsMs, firstEpochMs, count } = await server.stats<Counted>();
    const lastEpochMs = firstEpochMs + arrivalsMs[arrivalsMs.length - 1]!;
    expect(lastEpochMs - triggeredAt).toBeLessThan(200);
    const result = JSON.parse(await readFile(out, 'utf8'));
    expect(result.stopReason).toBe('kill-file');
    expect(result.totals.sent).toBe(count);
    expect(result.intervals.length).toBeGreaterThanOrEqual(2);
    expect(r.code).toBe(3);
  });

  it('SIGINT: stops sending within 200 ms, drains, writes everything measured so far, exit 3', async () => {
    const out = join(dir, 'r.json');
    let pid = 0;
    let triggeredAt = 0;
    const r = await runCli(['run', server.url, '--rate', '1000', '--duration', '30s', '--json', out, '--out-dir', dir], {
      onSpawn: (p) => (pid = p),
      onStderr: (chunk) => {
        if (triggeredAt === 0 && /\[\s+2s\]/.test(chunk)) {
          triggeredAt = performance.timeOrigin + performance.now();
          process.kill(pid, 'SIGINT');
        }
      },
    });
    const { arrivalsMs, firstEpochMs, count } = await server.stats<Counted>();
    expect(firstEpochMs + arrivalsMs[arrivalsMs.length - 1]! - triggeredAt).toBeLessThan(200);
    const result = JSON.parse(await readFile(out, 'utf8'));
    expect(result.stopReason).toBe('signal');
    expect(result.totals.sent).toBe(count);
    expect(result.totals.responses).toBe(count);
    expect(r.code).toBe(3);
  });

  it('a target outside the allowlist: exit 2, zero requests received', async () => {
    const r = await runCli(['ramp', join(FIXTURES, 'staging-only.ts'), '--target', server.url, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not in the allowlist/);
    expect(r.stderr).toContain('OVERLOAD_ALLOWED_HOSTS');
    expect((await server.stats()).count).toBe(0);
  });

  it('a malformed scenario: exit 2 and an error naming each bad field, nothing sent', async () => {
    const r = await runCli(['ramp', join(FIXTURES, 'malformed.ts'), '--target', server.url]);
    expect(r.code).toBe(2);
    for (const field of [
      'name',
      'requests[0].path',
      'requests[0].weight',
      'profile.kind',
      'slo',
      'safety.budgets.emails',
      'safety.maxRps',
    ]) {
      expect(r.stderr, `missing ${field}`).toContain(field);
    }
    const neg = await runCli(['ramp', join(FIXTURES, 'negative-rate.ts'), '--target', server.url]);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toContain('profile.startRps must be > 0 (got -10)');
    expect(neg.stderr).toContain('profile.stepRps');
    expect((await server.stats()).count).toBe(0);
  });

  it('overload plan prints the schedule and sends nothing', async () => {
    const r = await runCli(['plan', 'student-reports', '--target', server.url, '--budget', 'emails=50']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PLAN (dry run');
    expect(r.stdout).toMatch(/1\s+0ms\s+6s\s+250 journeys\/s\s+1,500\s+1,500/);
    expect(r.stdout).toContain('emails=50');
    expect(r.stdout).toContain('journey get-report');
    expect((await server.stats()).count).toBe(0);
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
  });
});

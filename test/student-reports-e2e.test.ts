import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parsePrometheusText, selectPrometheusValue } from '@overload/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const TARGET_MAIN = fileURLToPath(new URL('../scenarios/dist/student-reports/target-main.js', import.meta.url));
// A shortened ramp: the default one climbs from 250 journeys/s in steps of 50; this starts near the knee.
const SHORT = ['--profile', 'step:start=300,step=100,every=4s,max=1300', '--cooldown', '1s', '--recovery-within', '12s'];

/**
 * The capacity the simulated service implies: 4 translation slots × (1000 / 8 ms) = 500 reports/s
 * at best, and each journey generates one report, so the journeys top out near 500/s (timers fire
 * late, so a little under). The knee is the last step of 100 below that: 500 when the 500 step
 * holds, 400 when the queue fills within it — the two neighbouring steps.
 */
const REPORTS_CAPACITY = 4 * (1000 / 8);

describe('overload ramp student-reports, end to end', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGTERM');
  });

  it('finds the knee the simulated capacity implies, names the translation queue, and recovers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-sr-'));
    const r = await runCli(['ramp', 'student-reports', ...SHORT, '--out-dir', dir]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict, r.stdout).toBe('collapsed');
    expect(result.run.generator.saturated).toBe(false);
    expect(result.knee.rateRps).toBeGreaterThanOrEqual(REPORTS_CAPACITY - 100);
    expect(result.knee.rateRps).toBeLessThanOrEqual(REPORTS_CAPACITY);
    expect(result.collapse.step.rateRps).toBe(result.knee.rateRps + 100);
    const signature: string[] = result.collapse.signature.map((c: { name: string }) => c.name);
    expect(
      signature.some((n) => n === 'translation_queue' || /^p\d+/.test(n)),
      signature.join(','),
    ).toBe(true);
    const queue = result.probes.find((p: { name: string }) => p.name === 'translation_queue');
    expect(Math.max(...queue.points.map((p: { value: number | null }) => p.value ?? 0))).toBeGreaterThan(0);
    expect(result.recovery.recovered).toBe(true);
    expect(r.stdout).toMatch(
      /knee [\d,]+ journeys\/s \([\d,]+ req\/s\); collapsed at [\d,]+ journeys\/s \([\d,]+ req\/s\): .*; recovered after/,
    );
    expect(r.code).toBe(0);
  }, 120_000);

  it('with the sticky breaker, the recovery check fails, names the breaker, and exits 4', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-sr-'));
    const r = await runCli([
      'ramp',
      'student-reports',
      ...SHORT,
      '--recovery-within',
      '3s',
      '--target-option',
      'bug=sticky-breaker',
      '--out-dir',
      dir,
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('collapsed');
    expect(result.recovery.recovered).toBe(false);
    const failing: string[] = result.recovery.failing.map((c: { name: string }) => c.name);
    expect(failing).toContain('breaker_open');
    expect(r.stdout).toMatch(/did not recover: .*breaker_open/);
    expect(r.code).toBe(4);
  }, 120_000);

  it('forcing failures stops the run at the email budget; the target never sends more emails', async () => {
    const target = spawn(process.execPath, [TARGET_MAIN, '--port', '0', '--fail-renders', '--option', 'respondAfterRender=true'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(target);
    const [line] = (await once(createInterface({ input: target.stdout! }), 'line')) as [string];
    const { url } = JSON.parse(line) as { url: string };
    const dir = await mkdtemp(join(tmpdir(), 'overload-sr-'));
    const r = await runCli(['ramp', 'student-reports', '--target', url, ...SHORT, '--budget', 'emails=100', '--out-dir', dir]);
    const metrics = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    const emails = selectPrometheusValue(metrics, 'student_reports_emails_sent_total', {}).value;
    expect(emails).toBeLessThanOrEqual(100);
    expect(emails).toBeGreaterThanOrEqual(95);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('budget');
    expect(r.code).toBe(3);
  });
});

import { createServer } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChartPage } from './support/chart-page.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';
import { JUNIT_XSD, xmllintValidate } from './support/consumers.js';

/** A free loopback port: every ramp of this file targets the same URL, so their results compare. */
async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * `overload compare` on ramps of a fixed-capacity target (test/support/servers/capacity.mjs,
 * 425 req/s served in order): the same target twice, then with 20 % less capacity (340), then
 * 20 ms slower at every rate, each on the same URL. Steps of 6 s give each step the 5 judged
 * intervals a comparison needs. No step sits at a capacity, where the queue grows or not by
 * chance: every step is at most 94 % of a capacity (it holds) or at least 103 % (its backlog
 * grows), so each ramp's verdict is certain.
 */
describe('overload compare: ramps (real ramps, real CLI)', () => {
  let port: number;
  let dir: string;
  let browser: Browser;
  const ramps: Record<string, string> = {};

  async function rampAgainst(name: string, target: { capacityRps: number; addedMs?: number }): Promise<void> {
    const server: ChildServer = await startChildServer('capacity', { ...target, port });
    try {
      const out = join(dir, 'ramps', name);
      const r = await runCli([
        'ramp',
        `${server.url}/`,
        '--profile',
        'step:start=300,step=50,every=6s,max=500',
        '--slo',
        'p99<50ms,errors<1%',
        '--probe',
        `queue_depth=prometheus:${server.url}/metrics#queue_depth`,
        '--cooldown',
        '500ms',
        '--recovery-within',
        '6s',
        '--workers',
        '1',
        '-q',
        '--out-dir',
        out,
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      ramps[name] = out;
    } finally {
      await server.close();
    }
  }

  beforeAll(async () => {
    [port, dir, browser] = await Promise.all([freePort(), mkdtemp(join(tmpdir(), 'overload-compare-ramp-')), launchChromium()]);
    await rampAgainst('baseline', { capacityRps: 425 });
    await rampAgainst('again', { capacityRps: 425 });
    await rampAgainst('smaller', { capacityRps: 340 });
    await rampAgainst('slower', { capacityRps: 425, addedMs: 20 });
  }, 240_000);
  afterAll(() => browser?.close());

  it('the same target twice is no regression, in both orders', async () => {
    for (const [b, c] of [
      ['baseline', 'again'],
      ['again', 'baseline'],
    ] as const) {
      const r = await runCli(['compare', ramps[b]!, ramps[c]!]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('NO REGRESSION');
      expect(r.stdout).toMatch(/^knee +400 req\/s +400 req\/s .*no-regression/m);
      expect(r.stdout).toMatch(/^recovery +recovered after .* no-regression/m);
    }
  });

  it('20 % less capacity is regressed: the knee, with both values; JUnit names it and validates', async () => {
    const junit = join(dir, 'smaller-junit.xml');
    const r = await runCli(['compare', ramps.baseline!, ramps.smaller!, '--junit', junit]);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expect(r.stdout).toContain('REGRESSED: knee 400 req/s -> 300 req/s');
    const xml = await readFile(junit, 'utf8');
    const v = xmllintValidate(junit, JUNIT_XSD);
    expect(v.code, v.stderr).toBe(0);
    expect(xml).toMatch(
      /<testcase name="knee" classname="capacity" time="0.000">\s*<failure message="knee: 400 req\/s -&gt; 300 req\/s" type="regressed">/,
    );
    expect(xml).toMatch(/<testcase name="p99" classname="at 300 req\/s"/);
  });

  it('20 ms slower at every rate is regressed, naming the metric, the rate and both values; the page overlays both ramps', async () => {
    const files = { json: join(dir, 'slower.json'), markdown: join(dir, 'slower.md'), html: join(dir, 'slower.html') };
    const r = await runCli([
      'compare',
      ramps.baseline!,
      ramps.slower!,
      '--json',
      files.json,
      '--markdown',
      files.markdown,
      '--html',
      files.html,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    // The latency rows are what this case changes; the knee row is not asserted.
    expect(r.stdout).toMatch(/REGRESSED: .*p50 at the \d rates both held [\d.]+ ms -> 2\d ms/);
    const report = JSON.parse(await readFile(files.json, 'utf8'));
    const at350 = report.metrics.find((m: { metric: string }) => m.metric === 'p50 at 350 req/s');
    expect(at350.outcome).toBe('regressed');
    expect(at350.current - at350.baseline).toBeGreaterThan(15);
    expect(await readFile(files.markdown, 'utf8')).toMatch(/\| p50 at 350 req\/s \| [\d.]+ ms \| 2\d ms \| .* \| regressed \|/);

    const page = await openChartPage(browser, files.html);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual(['chart-latency-vs-rate', 'chart-probe-0']);
    for (const c of page.charts) {
      expect(c.seriesPixels, `${c.id} has drawn data`).toBeGreaterThan(100);
      // Each axis says its unit.
      expect(c.texts).toContain(`${c.spec.xLabel} (${c.spec.xUnit})`);
      expect(c.texts).toContain(c.spec.yLabel);
    }
    const hockey = page.charts[0]!;
    expect(hockey.texts).toContain('offered rate (req/s)');
    expect(hockey.texts).toContain('latency (ms)');
    expect(hockey.spec.series.map((s) => s.label)).toEqual([
      'baseline p50',
      'baseline p99',
      'baseline achieved req/s',
      'current p50',
      'current p99',
      'current achieved req/s',
    ]);
  });

  it('overload history: the four ramps oldest first, each judged against the one before; the knee over time and their curves overlaid', async () => {
    const html = join(dir, 'trend.html');
    const r = await runCli(['history', join(dir, 'ramps'), '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^when \(UTC\) +file +knee +collapse \(signature\) +recovery +p99 at knee +vs previous$/m);
    const rows = r.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(rows.map((l) => l.split(/ {2,}/)[1])).toEqual([
      'baseline/result.json',
      'again/result.json',
      'smaller/result.json',
      'slower/result.json',
    ]);
    expect(rows[0]).toMatch(/400 req\/s +450 req\/s: \S.* +recovered after .* - \(first of its series\)$/);
    expect(rows[1]).toMatch(/no regression$/);
    expect(rows[2]).toMatch(/ 300 req\/s .*REGRESSED: knee 400 req\/s -> 300 req\/s/);
    expect(rows[3]).toMatch(/REGRESSED: .*p50 at 300 req\/s [\d.]+ ms -> 2\d ms/);
    const page = await openChartPage(browser, html);
    expect(page.errors).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual(['chart-knee-0', 'chart-curves-0']);
    for (const c of page.charts) {
      expect(c.seriesPixels, `${c.id} has drawn data`).toBeGreaterThan(100);
      expect(c.texts).toContain(`${c.spec.xLabel} (${c.spec.xUnit})`);
    }
    expect(page.charts[0]!.texts).toContain('knee (req/s)');
    expect(page.charts[1]!.texts).toContain('offered rate (req/s)');
  });
});

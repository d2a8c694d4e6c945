import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChartPage } from './support/chart-page.js';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';

/**
 * `overload history`: three real runs of one loopback target (the second like the first, the
 * third 30 ms slower), whose verdicts come from the real comparison; then 300 copies of them,
 * re-dated and spread over three targets, for volume, and two files that are not results.
 */
describe('overload history (real runs, then copies for volume)', () => {
  let server: Server;
  let delayMs = 2;
  let dir: string;
  let browser: Browser;
  const ts = (minute: number) => new Date(Date.UTC(2026, 11, 1, 8, minute)).toISOString();

  beforeAll(async () => {
    server = createServer((_req, res) => {
      setTimeout(() => res.end('ok'), delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    [dir, browser] = await Promise.all([mkdtemp(join(tmpdir(), 'overload-history-')), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('groups by scenario and target, oldest first, with each verdict against the previous run; skips and names what it cannot read', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const results = join(dir, 'overload-results');
    const run = async (name: string) => {
      const r = await runCli([
        'run',
        url,
        '--rate',
        '100',
        '--duration',
        '7s',
        '--workers',
        '1',
        '-q',
        '--out-dir',
        join(results, 'real', name),
      ]);
      expect(r.code, r.stderr).toBe(0);
    };
    await run('1-first');
    await run('2-same');
    delayMs = 32;
    await run('3-slower');

    // Volume: the real results copied 300 times under 3 other targets, one a minute, in turn.
    const real = await Promise.all(
      ['1-first', '2-same', '3-slower'].map(async (n) => readFile(join(results, 'real', n, 'result.json'), 'utf8')),
    );
    for (let k = 0; k < 300; k++) {
      const copy = JSON.parse(real[Math.floor(k / 3) % 3]!);
      copy.startedAt = ts(10 + k);
      copy.target.url = `http://127.0.0.1:${9000 + (k % 3)}/x`;
      const to = join(results, 'copies', `target-${k % 3}`, `run-${String(k).padStart(3, '0')}`);
      await mkdir(to, { recursive: true });
      await writeFile(join(to, 'result.json'), JSON.stringify(copy));
    }
    await writeFile(join(results, 'copies', 'truncated.json'), real[0]!.slice(0, 500));
    await cp(join(results, 'real', '1-first', 'report.html'), join(results, 'copies', 'not-json.json'));

    const html = join(dir, 'trend.html');
    const json = join(dir, 'history.json');
    const r = await runCli(['history', '--html', html, '--json', json, '--min-effect-ms', '20'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const realTable = r.stdout.split('\n\n').find((t) => t.includes(`on GET ${url}:`))!;
    expect(realTable).toMatch(/: 3 results, oldest first/);
    const lines = realTable.split('\n').slice(2);
    expect(lines[0]).toMatch(/real\/1-first\/result\.json .*- \(first of its series\)$/);
    expect(lines[1]).toMatch(/real\/2-same\/result\.json .*no regression$/);
    expect(lines[2]).toMatch(/real\/3-slower\/result\.json .*REGRESSED: p50 \(run\) [\d.]+ ms -> 3\d ms/);
    // The copies: three targets of 100 results each, oldest first.
    for (let t = 0; t < 3; t++) {
      const table = r.stdout.split('\n\n').find((x) => x.includes(`on GET http://127.0.0.1:${9000 + t}/x:`))!;
      expect(table).toContain(': 100 results, oldest first');
      const files = [...table.matchAll(/copies\/target-\d\/run-(\d+)\//g)].map((m) => Number(m[1]));
      expect(files).toEqual([...files].sort((a, b) => a - b));
    }
    expect(r.stdout).toContain('skipped 2 files that could not be read as a result:');
    expect(r.stdout).toMatch(/copies\/truncated\.json: .*JSON/);
    expect(r.stdout).toMatch(/copies\/not-json\.json: .*JSON/);

    const history = JSON.parse(await readFile(json, 'utf8'));
    expect(history.groups).toHaveLength(4);
    expect(history.skipped.map((s: { file: string }) => s.file).sort()).toEqual([
      join('overload-results', 'copies', 'not-json.json'),
      join('overload-results', 'copies', 'truncated.json'),
    ]);

    const page = await openChartPage(browser, html);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts).toHaveLength(4);
    for (const c of page.charts) {
      expect(c.seriesPixels, `${c.id} has drawn data`).toBeGreaterThan(100);
      expect(c.texts).toContain(`${c.spec.xLabel} (${c.spec.xUnit})`);
      expect(c.texts).toContain('p99 (ms)');
    }
  }, 120_000);
});

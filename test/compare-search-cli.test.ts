import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/**
 * `--baseline` on search: a loopback target whose delay the test turns up between searches (same
 * URL, so comparable). Two trials each: 200 req/s holds, 380 req/s breaches the SLO's p50 limit
 * (the target answers in order, one request per 4 ms: 250 req/s at most), and a bracket within
 * 99 % ends the search. Trials of 6 s give the 5 judged intervals a comparison needs.
 */
describe('--baseline on search (real searches, real CLI)', () => {
  let server: Server;
  let url: string;
  let addedMs = 0;
  let received = 0;
  let dir: string;
  beforeAll(async () => {
    // One request at a time, 4 ms each, then `addedMs` more that hold nothing.
    let busyUntil = 0;
    server = createServer((_req, res) => {
      received++;
      const now = performance.now();
      busyUntil = Math.max(busyUntil, now) + 4;
      setTimeout(() => setTimeout(() => res.end('ok'), addedMs), busyUntil - now);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    dir = await mkdtemp(join(tmpdir(), 'overload-compare-search-'));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const search = (out: string, ...extra: string[]) =>
    runCli([
      'search',
      url,
      '--slo',
      'p50<100ms,errors<1%',
      '--start',
      '200',
      '--factor',
      '1.9',
      '--precision',
      '0.99',
      '--min-trial',
      '6s',
      '--trial-cooldown',
      '500ms',
      '--workers',
      '1',
      '-q',
      '--out-dir',
      join(dir, out),
      ...extra,
    ]);

  it('the same target: exit 0 comparing the bracket and the trials; 30 ms slower: exit 8 at 200 req/s; another SLO: refused before sending', async () => {
    const first = await search('baseline');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const baseline = join(dir, 'baseline');

    const same = await search('same', '--baseline', baseline, '--min-effect-ms', '20');
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^sustainable rate +200 req\/s +200 req\/s .*no-regression/m);
    const report = JSON.parse(await readFile(join(dir, 'same', 'compare.json'), 'utf8'));
    expect(report.kind).toBe('search');
    expect(report.metrics.map((m: { metric: string }) => m.metric)).toContain('p50 at 200 req/s');

    addedMs = 30;
    const slower = await search('slower', '--baseline', baseline, '--min-effect-ms', '20');
    expect(slower.code, slower.stdout + slower.stderr).toBe(8);
    expect(slower.stdout).toMatch(/REGRESSED: .*p50 at 200 req\/s [\d.]+ ms -> [34]\d ms/);

    const before = received;
    const otherSlo = await search('other', '--baseline', baseline, '--slo', 'p50<90ms,errors<1%');
    expect(otherSlo.code, otherSlo.stdout + otherSlo.stderr).toBe(2);
    expect(otherSlo.stderr).toMatch(/--baseline slo baseline .*"maxMs":100.*current .*"maxMs":90.*--allow-different/);
    // A comparison's own file is not a result.
    const notResult = await search('not-result', '--baseline', join(dir, 'same', 'compare.json'));
    expect(notResult.code).toBe(2);
    expect(notResult.stderr).toMatch(/--baseline.*cannot be read as a result: has no target/);
    expect(received).toBe(before);
  }, 150_000);
});

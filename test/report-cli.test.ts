import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hdrFilesOf } from '@overload/core/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResults } from '../packages/cli/dist/results/write-results.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

describe('report files of a CLI ramp, and `overload report` after the fact', () => {
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    server = await startChildServer('capacity', { capacityRps: 250 });
    dir = await mkdtemp(join(tmpdir(), 'overload-report-cli-'));
  });
  afterAll(() => server.close());

  it('a ramp writes result.json, the HdrHistogram files, report.html and junit.xml; `overload report` reproduces the HTML and JUnit byte for byte', async () => {
    const out = join(dir, 'ramp');
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=100,step=100,every=1s,max=500',
      '--slo',
      'p90<50ms,errors<1%',
      '--cooldown',
      '300ms',
      '--recovery-within',
      '2s',
      '--workers',
      '1',
      '--probe',
      `depth=prometheus:${server.url}/metrics#queue_depth`,
      '--out-dir',
      out,
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'intervals.hlog',
      'junit.xml',
      'latency.hgrm',
      'report.html',
      'result.json',
      'service-time.hgrm',
    ]);
    for (const f of ['result.json', 'latency.hgrm', 'service-time.hgrm', 'intervals.hlog', 'report.html', 'junit.xml'])
      expect(r.stdout).toContain(join(out, f));
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    const hdr = hdrFilesOf(result.run);
    expect(await readFile(join(out, 'latency.hgrm'), 'utf8')).toBe(hdr.latencyHgrm);
    expect(await readFile(join(out, 'service-time.hgrm'), 'utf8')).toBe(hdr.serviceTimeHgrm);
    expect(await readFile(join(out, 'intervals.hlog'), 'utf8')).toBe(hdr.intervalLog);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    // The runbook of the run is in the report.
    expect(html).toContain('Parameters and guardrails');
    expect(html).toContain(result.runbook.guardrails.runId);
    expect(html).toContain('depth (prometheus)');

    const again = join(dir, 'again');
    const rep = await runCli([
      'report',
      join(out, 'result.json'),
      '--html',
      join(again, 'report.html'),
      '--junit',
      join(again, 'junit.xml'),
    ]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toContain(join(again, 'report.html'));
    expect(await readFile(join(again, 'report.html'), 'utf8')).toBe(html);
    expect(await readFile(join(again, 'junit.xml'), 'utf8')).toBe(await readFile(join(out, 'junit.xml'), 'utf8'));
  }, 60_000);

  it('writeResults honours --json, --html and --junit as extra copies', async () => {
    const result = JSON.parse(await readFile(join(dir, 'ramp', 'result.json'), 'utf8'));
    const out = join(dir, 'copies');
    const extra = { json: join(dir, 'ci', 'r.json'), html: join(dir, 'ci', 'r.html'), junit: join(dir, 'ci', 'r.xml') };
    const written = await writeResults(result, 'copies', { outDir: out, ...extra });
    expect(written).toEqual(expect.arrayContaining(Object.values(extra)));
    expect(await readFile(extra.html, 'utf8')).toBe(await readFile(join(out, 'report.html'), 'utf8'));
    expect(await readFile(extra.junit, 'utf8')).toBe(await readFile(join(out, 'junit.xml'), 'utf8'));
    expect(await readFile(extra.html, 'utf8')).toBe(await readFile(join(dir, 'ramp', 'report.html'), 'utf8'));
  });

  it('`overload report` refuses what is not a result, with exit code 2 and the reason', async () => {
    const missing = await runCli(['report', join(dir, 'nope.json'), '--html', join(dir, 'x.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot be read');
    const notResult = join(dir, 'ramp', 'junit.xml');
    const bad = await runCli(['report', notResult, '--html', join(dir, 'x.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not JSON');
    const wrongKind = join(dir, 'ramp', 'intervals.hlog');
    expect((await runCli(['report', wrongKind])).code).toBe(2);
  });
});

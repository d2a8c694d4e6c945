import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const SCENARIO = fileURLToPath(new URL('./fixtures/scenarios/report-journey.ts', import.meta.url));
const SCHEMA_FILE = new URL('../docs/result.schema.json', import.meta.url);

describe('journeys through the CLI: per-name results in every output', () => {
  let server: ChildServer;
  let dir: string;
  let cli: Awaited<ReturnType<typeof runCli>>;
  let result: Record<string, any>;
  beforeAll(async () => {
    server = await startChildServer('reports', { readyMs: 60 });
    dir = await mkdtemp(join(tmpdir(), 'overload-journeys-'));
    cli = await runCli(
      [
        'run',
        SCENARIO,
        '--target',
        server.url,
        '--profile',
        'constant:rate=40,duration=3s',
        '--out-dir',
        dir,
        '--junit',
        join(dir, 'junit.xml'),
        '-q',
      ],
      {
        env: { REPORTS_TOKEN: 'not-a-real-token' },
      },
    );
    result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
  });
  afterAll(() => server.close());

  it('exits 0, and the result validates against the schema', async () => {
    expect(cli.code).toBe(0);
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
    expect(validate(result) ? [] : validate.errors).toEqual([]);
  });

  it('adds up per name: the requests of requests and steps are the totals, in result.json and in every interval', async () => {
    const names: { kind: string; name: string; requests: number; count: number; ok: number }[] = result.byName;
    expect(names.map((n) => `${n.kind}:${n.name}`)).toEqual([
      'request:unknown-report',
      'journey:get-report',
      'step:generate',
      'step:poll',
      'step:download',
    ]);
    const requests = (rows: { kind: string; requests: number }[]) =>
      rows.filter((n) => n.kind !== 'journey').reduce((a, n) => a + n.requests, 0);
    expect(requests(names)).toBe(result.totals.sent);
    for (const i of result.intervals) {
      const kinds = names.map((n) => ({ kind: n.kind }));
      expect(requests(i.byName.map((n: { requests: number }, k: number) => ({ ...kinds[k]!, requests: n.requests })))).toBe(i.sent);
    }
    const journey = names.find((n) => n.kind === 'journey')!;
    const plain = names.find((n) => n.kind === 'request')!;
    expect(journey.count + plain.count).toBe(result.totals.offered);
    expect(journey.ok).toBe(journey.count);
    const s = await server.stats<{ created: number; downloads: number; mismatched: number }>();
    expect(s.downloads).toBe(journey.count);
    expect(s.mismatched).toBe(0);
  });

  it('prints the per-name table in the summary, and writes it into the HTML report and the JUnit XML', async () => {
    expect(cli.stdout).toMatch(/journey get-report\s+[\d,]+\s+[\d,]+\s+0\s/);
    expect(cli.stdout).toMatch(/^\s+poll\s/m);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Per request, journey and step');
    expect(html).toContain('get-report › download');
    expect(html).toContain('journey-1-over-time');
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    for (const name of ['journey get-report', 'get-report › generate', 'get-report › poll', 'get-report › download', 'unknown-report']) {
      expect(junit).toContain(`name="${name}" classname="names"`);
    }
  });

  it('never writes the {{env.…}} value into a result file', async () => {
    for (const f of ['result.json', 'report.html', 'junit.xml'])
      expect(await readFile(join(dir, f), 'utf8')).not.toContain('not-a-real-token');
    expect(cli.stdout + cli.stderr).not.toContain('not-a-real-token');
  });

  it('refuses a scenario whose {{env.NAME}} is not set, naming the placeholder, before sending anything', async () => {
    const env = { ...process.env } as Record<string, string>;
    delete env.REPORTS_TOKEN;
    const before = (await server.stats<{ created: number }>()).created;
    const missing = await runCli(['run', SCENARIO, '--target', server.url, '--profile', 'constant:rate=10,duration=1s', '-q'], {
      env: { ...env, REPORTS_TOKEN: undefined as unknown as string },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'journeys[0].steps[0].headers.authorization uses {{env.REPORTS_TOKEN}} but the environment variable REPORTS_TOKEN is not set',
    );
    expect((await server.stats<{ created: number }>()).created).toBe(before);
  });
});

import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const EMAILS = fileURLToPath(new URL('./fixtures/scenarios/emails.ts', import.meta.url));

/**
 * Hostile input through the real CLI: every bad value is exit 2 with a message naming the flag
 * (or the file and line) and the accepted form, never a stack trace, and nothing is sent.
 */
describe('validation that never crashes', () => {
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-validation-'));
  });
  afterAll(async () => {
    expect((await server.stats()).count).toBe(0);
    await server.close();
  });

  const usage = async (args: string[], ...expected: (string | RegExp)[]) => {
    const r = await runCli(args[0] === 'plan' ? args : [...args, '--out-dir', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const e of expected) expect(r.stderr).toMatch(e);
    return r;
  };

  it('flag values: each names the flag and the accepted form', async () => {
    const run = ['run', `${'http'}://127.0.0.1:1/`];
    await usage(
      [...run, '--rate', '-5', '--duration', '1s'],
      "option '--rate <rps>' argument '-5' is invalid",
      'expected a rate in req/s > 0',
    );
    await usage([...run, '--rate', '0', '--duration', '1s'], "'--rate <rps>' argument '0' is invalid");
    await usage(
      [...run, '--rate', '10', '--duration', '0'],
      "'--duration <time>' argument '0' is invalid",
      'expected a duration > 0 such as 30s',
    );
    await usage([...run, '--rate', '10', '--duration', '1s', '--timeout', 'soon'], "'--timeout <time>' argument 'soon' is invalid");
    await usage(
      [...run, '--rate', '10', '--duration', '1s', '--log-level', 'bogus'],
      "'--log-level <level>' argument 'bogus' is invalid",
      /Allowed choices are fatal, error, warn, info, debug, trace, silent/,
    );
    await usage(
      [...run, '--rate', '10', '--duration', '1s', '--workers', '0'],
      "'--workers <n>' argument '0' is invalid",
      'expected a number of worker threads from 1 to 256',
    );
    await usage([...run, '--rate', '10', '--duration', '1s', '--workers', '100000'], 'from 1 to 256');
    await usage([...run, '--rate', '10', '--duration', '1s', '-H', 'x-evil: a\nb'], 'a header value on one line');
    await usage(
      [...run, '--rate', '10', '--duration', '1s', '--abort-on-errors', '500%/5s'],
      "'--abort-on-errors <rate/window>' argument '500%/5s' is invalid",
    );
    await usage([...run, '--rate', '10', '--duration', '1s', '--expect-status', '200-700'], 'status codes 100-599');
    await usage(
      ['ramp', `http://127.0.0.1:${server.port}/`, '--recovery-baseline', '150%'],
      "'--recovery-baseline <rate|ratio%>' argument '150%' is invalid",
    );
    await usage(
      ['run', 'ftp://127.0.0.1/', '--rate', '10', '--duration', '1s'],
      '"ftp://127.0.0.1/" is a URL, but only http:// and https:// targets can be loaded',
    );
  });

  it('a rate above the ceiling is refused, not silently clamped', async () => {
    await usage(
      ['run', server.url, '--rate', '500', '--duration', '1s', '--max-rate', '100'],
      '--rate 500 req/s is above the rate ceiling of 100 req/s (--max-rate)',
    );
  });

  it('flags only tighten a scenario: a budget or cap above the scenario is refused (exit 2); below, it applies', async () => {
    await usage(
      ['run', EMAILS, '--target', server.url, '--budget', 'emails=5000'],
      "--budget emails=5000 is above the scenario's budget emails=1000: flags can only tighten",
    );
    const dirCap = await mkdtemp(join(tmpdir(), 'overload-caps-'));
    const capped = join(dirCap, 'capped.mjs');
    await writeFile(
      capped,
      `export default { name: 'capped', requests: [{ name: 'home', path: '/' }], profile: { kind: 'constant', rateRps: 50, durationMs: '1s' }, safety: { maxRps: 100, maxRequests: 1000, maxDurationMs: '1m' } };\n`,
    );
    await usage(
      ['plan', capped, '--target', server.url, '--max-rate', '200', '--max-requests', '5000', '--max-duration', '2m'],
      "--max-rate 200 is above the scenario's safety.maxRps 100",
      "--max-requests 5000 is above the scenario's safety.maxRequests 1000",
      "--max-duration 2m is above the scenario's safety.maxDurationMs 1m",
    );
    const ok = await runCli(['plan', EMAILS, '--target', server.url, '--budget', 'emails=10']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/budgets: +emails=10\b/);
  });

  it('a misspelt scenario field is refused with the field it meant, never ignored: a typo cannot turn a guardrail off', async () => {
    const d = await mkdtemp(join(tmpdir(), 'overload-typos-'));
    const file = join(d, 'typos.mjs');
    await writeFile(
      file,
      `export default {
  name: 'typos',
  slos: 'p99<100ms',
  requests: [{ name: 'home', path: '/', expectedStatus: [200] }],
  profile: { kind: 'constant', rateRps: 60, durationMs: '1s' },
  safety: { maxRPS: 10, budget: { emails: 1 } },
  recovery: { cooldown: '1s' },
  action: [{ name: 'pause', at: '1s', path: '/pause' }],
  actions: [{ name: 'pause', at: '1s', path: '/pause', methd: 'POST' }],
};\n`,
    );
    const expected = [
      'safety.maxRPS is not a field of safety, and would be ignored: did you mean safety.maxRps?',
      'safety.budget is not a field of safety, and would be ignored: did you mean safety.budgets?',
      'slos is not a field of a scenario, and would be ignored: did you mean slo?',
      'requests[0].expectedStatus is not a field of a request, and would be ignored: did you mean requests[0].expectStatus?',
      'recovery.cooldown is not a field of recovery, and would be ignored: did you mean recovery.cooldownMs?',
      'action is not a field of a scenario, and would be ignored: did you mean actions?',
      'actions[0].methd is not a field of an action, and would be ignored: did you mean actions[0].method?',
    ];
    await usage(['plan', file, '--target', server.url], ...expected);
    // The run is refused the same way, before anything is sent (afterAll checks the server saw nothing).
    await usage(['run', file, '--target', server.url], ...expected);
  });

  it('a scenario file with no default export is told so, naming what it does export', async () => {
    const file = join(dir, 'named.mjs');
    await writeFile(file, "export const scenario = { name: 'named', requests: [{ name: 'home', path: '/' }] };\n");
    const r = await usage(
      ['plan', file, '--target', server.url],
      'export default is missing: the file must end with `export default { name, requests, … }` (it exports only scenario)',
    );
    expect(r.stderr).not.toContain('name must be');
  });

  it('an SLO condition that names no probe is refused (it could never breach, and no step could be the knee)', async () => {
    await usage(
      ['ramp', server.url, '--profile', 'step:start=10,step=10,every=2s,max=30', '--slo', 'p99<100ms,latency<5'],
      '--slo condition "latency<5" names no probe (this run has no probes)',
      '--probe "latency=prometheus:URL#metric"',
    );
    await usage(
      ['plan', server.url, '--slo', 'p99<100ms,queue_dpeth<100', '--probe', `queue_depth=prometheus:${server.url}/metrics#q`],
      '--slo condition "queue_dpeth<100" names no probe (the probes of this run are queue_depth)',
    );
  });

  it('malformed feeders: exit 2 naming the file, the line and the problem', async () => {
    const d = await mkdtemp(join(tmpdir(), 'overload-feeder-'));
    await writeFile(join(d, 'users.csv'), 'id,name\nu1,Ada\nu2,"Bob, Jr\nu3,Cy\n');
    await writeFile(join(d, 'items.json'), '[\n  {"sku": "a"},\n  {"sku": "b",}\n]\n');
    await writeFile(join(d, 'ids.csv'), 'id,name\nu1,Ada,extra\n');
    const scenario = (feeder: string) =>
      `export default { name: 'f', feeders: { data: ${feeder} }, requests: [{ name: 'x', path: '/{{data.id}}' }], profile: { kind: 'constant', rateRps: 10, durationMs: '1s' } };\n`;
    await writeFile(join(d, 'csv.mjs'), scenario("{ csv: 'users.csv' }"));
    await writeFile(join(d, 'json.mjs'), scenario("{ json: 'items.json' }"));
    await writeFile(join(d, 'fields.mjs'), scenario("{ csv: 'ids.csv' }"));
    await writeFile(join(d, 'throws.mjs'), scenario("(i) => { if (i === 3) throw new Error('no row 3'); return { id: i }; }"));
    await usage(
      ['run', join(d, 'csv.mjs'), '--target', server.url],
      `feeders.data ${join(d, 'users.csv')}:3: a quoted field opened on this line is never closed`,
    );
    await usage(
      ['run', join(d, 'json.mjs'), '--target', server.url],
      new RegExp(`feeders\\.data ${join(d, 'items.json').replace(/[.]/g, '\\.')}:3: is not valid JSON at column \\d+`),
    );
    await usage(['run', join(d, 'fields.mjs'), '--target', server.url], `${join(d, 'ids.csv')}:2: has 3 fields, the header has 2`);
    await usage(['run', join(d, 'throws.mjs'), '--target', server.url], 'feeders.data threw for index 3: no row 3');
  });

  it('an out dir that cannot be written is refused before anything is sent', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await runCli(['run', server.url, '--rate', '10', '--duration', '1s', '--out-dir', join(file, 'sub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out-dir ${file} is a file, not a folder`);
  });

  it('every output path is checked before anything is sent, names the flag and the cause, and a refused run leaves nothing behind', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'overload-outputs-'));
    const folder = await mkdtemp(join(tmpdir(), 'overload-a-folder-'));
    const send = ['run', server.url, '--rate', '10', '--duration', '1s'];
    for (const [flag, example] of [
      ['--json', 'result.json'],
      ['--html', 'report.html'],
      ['--junit', 'junit.xml'],
      ['--log-file', 'overload.log'],
    ] as const) {
      const r = await runCli([...send, flag, folder], { cwd });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${flag} ${folder} is a folder: name a file in it, such as ${join(folder, example)}`);
    }
    // /proc refuses new folders (ENOENT as root, EACCES otherwise), where a recursive mkdir never returns.
    const proc = await runCli([...send, '--out-dir', '/proc/overload-x'], { cwd });
    expect(proc.code, proc.stderr).toBe(2);
    expect(proc.stderr).toMatch(
      /--out-dir cannot write into \/proc\/overload-x: (\/proc does not accept new files or folders|permission denied in \/proc)/,
    );
    const log = await runCli([...send, '--log-file', '/proc/overload-x/run.log'], { cwd });
    expect(log.code, log.stderr).toBe(2);
    expect(log.stderr).toContain('--log-file /proc/overload-x/run.log cannot be written');
    // Nothing was created where the refused runs were started (no empty ./overload-results).
    expect(await readdir(cwd)).toEqual([]);
    expect(await readdir(folder)).toEqual([]);
  });

  it('a duration needs a unit, and a run that would send nothing is refused', async () => {
    const send = ['run', server.url, '--rate', '10'];
    await usage([...send, '--duration', '30'], "'--duration <time>' argument '30' is invalid", 'a duration needs a unit: 30s or 30ms');
    await usage([...send, '--duration', '2s', '--timeout', '10'], "'--timeout <time>' argument '10' is invalid", '10s or 10ms');
    await usage(
      ['ramp', server.url, '--slo', 'p99<100ms', '--profile', 'step:start=10,step=10,every=2,max=30'],
      '--profile every=2 needs a unit: every=2s or every=2ms',
    );
    await usage(['run', server.url, '--profile', 'stages:30@10'], '--profile stage "30@10" needs a unit on its duration: 30s@10');
    await usage([...send, '--duration', '50ms'], '--duration sends no request: the constant profile over 50ms schedules 0 arrivals');
    // Zero is a duration in any unit: a cool-down can be skipped.
    const plan = await runCli([
      'plan',
      server.url,
      '--slo',
      'p99<100ms',
      '--profile',
      'step:start=10,step=10,every=2s,max=30',
      '--cooldown',
      '0',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
  });
});

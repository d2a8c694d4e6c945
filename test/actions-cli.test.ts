import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CRASH_ENV } from '@overload/workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

interface Arrival {
  readonly method: string;
  readonly path: string;
  readonly atEpochMs: number;
}

/** A loopback target that answers everything 200 and records when each /admin call arrives. */
async function startAdminTarget(options: { failPath?: string; failLoad?: boolean } = {}) {
  const admin: Arrival[] = [];
  let load = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = req.url ?? '/';
    if (path.startsWith('/admin')) admin.push({ method: req.method ?? '', path, atEpochMs: Date.now() });
    else load++;
    const fail = path === options.failPath || (options.failLoad === true && !path.startsWith('/admin'));
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    admin,
    load: () => load,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('actions on the target during a run', () => {
  let target: Awaited<ReturnType<typeof startAdminTarget>>;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'overload-actions-'));
  });
  afterEach(async () => {
    await target?.close();
  });

  it('sends each action at its moment from t0 and records it in the result', async () => {
    target = await startAdminTarget();
    const r = await runCli([
      'run',
      `${target.url}/`,
      '--rate',
      '50',
      '--duration',
      '3s',
      '--workers',
      '1',
      '--action',
      'pause=POST /admin/pause@1s',
      '--action',
      'resume=POST /admin/resume@2s,always',
      '--action',
      'after=PUT /admin/after@end',
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(r.code).toBe(0);
    expect(target.admin.map((a) => `${a.method} ${a.path}`)).toEqual(['POST /admin/pause', 'POST /admin/resume', 'PUT /admin/after']);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    const [pause, resume, after] = result.actions;
    expect(pause).toMatchObject({ name: 'pause', intendedAtMs: 1000, status: 200, ok: true });
    expect(resume).toMatchObject({ name: 'resume', intendedAtMs: 2000, status: 200, ok: true, always: true });
    expect(after).toMatchObject({ name: 'after', status: 200, ok: true });
    // Each started within 50 ms of its moment, by the main thread's clock.
    expect(Math.abs(pause.actualAtMs - 1000)).toBeLessThan(50);
    expect(Math.abs(resume.actualAtMs - 2000)).toBeLessThan(50);
    // And the target's own clock agrees: one second between them.
    expect(Math.abs(target.admin[1]!.atEpochMs - target.admin[0]!.atEpochMs - 1000)).toBeLessThan(100);
    expect(r.stdout).toMatch(/action pause: POST http:\/\/127\.0\.0\.1:\d+\/admin\/pause at 1\.\d\d s \(due 1\.00 s\): 200/);
  });

  it('SIGTERM mid-run: the always action still runs before the process exits, the skipped one is recorded, exit 3', async () => {
    target = await startAdminTarget();
    let pid = 0;
    let sent = false;
    const r = await runCli(
      [
        'run',
        `${target.url}/`,
        '--rate',
        '50',
        '--duration',
        '30s',
        '--workers',
        '1',
        '--action',
        'pause=POST /admin/pause@0s',
        '--action',
        'resume=POST /admin/resume@25s,always',
        '--action',
        'later=POST /admin/later@20s',
        '--json',
        join(dir, 'result.json'),
      ],
      {
        onSpawn: (p) => (pid = p),
        onStderr: (chunk) => {
          if (!sent && /\[\s+2s\]/.test(chunk)) {
            sent = true;
            process.kill(pid, 'SIGTERM');
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(3);
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/pause', '/admin/resume']);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('signal');
    expect(result.actions[1]).toMatchObject({ name: 'resume', ok: true, ranAtStop: true, status: 200 });
    expect(result.actions[2]).toMatchObject({ name: 'later', skipped: true, ok: false });
  });

  it('the kill file: the always action runs', async () => {
    target = await startAdminTarget();
    const killFile = join(dir, 'STOP');
    let written = false;
    const r = await runCli(
      [
        'run',
        `${target.url}/`,
        '--rate',
        '50',
        '--duration',
        '30s',
        '--workers',
        '1',
        '--kill-file',
        killFile,
        '--action',
        'resume=POST /admin/resume@25s,always',
      ],
      {
        onStderr: (chunk) => {
          if (!written && /\[\s+2s\]/.test(chunk)) {
            written = true;
            void writeFile(killFile, '');
          }
        },
      },
    );
    expect(r.code).toBe(3);
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/resume']);
  });

  // Every other way a run ends but SIGKILL (SIGINT: student-reports-pinch.test.ts; a collapse:
  // actions-ramp-cli.test.ts): the clean-up due at 25 s is sent early, when sending stops.
  const LONG_RUN = ['--rate', '50', '--duration', '30s', '--workers', '1'];
  const CLEAN_UP = ['--action', 'resume=POST /admin/resume@25s,always'];
  const stops = [
    { how: 'a request cap (--max-requests)', args: ['--max-requests', '60'], reason: 'max-requests', code: 3 },
    { how: '--max-duration', args: ['--max-duration', '1s'], reason: 'max-duration', code: 3 },
    { how: 'a side-effect budget', args: ['--budget', 'reports=60'], reason: 'budget', code: 3, sideEffects: true },
    { how: 'a worker crash', args: [], env: { [TEST_CRASH_ENV]: 'worker 0 throws after 60 requests' }, reason: 'worker-crash', code: 70 },
  ];
  it.each(stops)('$how: the always action runs', async ({ args, reason, code, env, sideEffects }) => {
    target = await startAdminTarget();
    let ref = `${target.url}/`;
    const extra = [...args];
    if (sideEffects) {
      ref = join(dir, 'reports.mjs');
      await writeFile(ref, `export default { name: 'reports', requests: [{ name: 'r', path: '/', sideEffects: { reports: 1 } }] };\n`);
      extra.push('--target', target.url);
    }
    const r = await runCli(['run', ref, ...LONG_RUN, ...CLEAN_UP, ...extra, '--json', join(dir, 'result.json')], env ? { env } : {});
    expect(r.code).toBe(code);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe(reason);
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/resume']);
    expect(result.actions[0]).toMatchObject({ name: 'resume', ok: true, ranAtStop: true, status: 200 });
    expect(result.actions[0].actualAtMs).toBeLessThan(25_000);
  });

  it('the control endpoint (POST /stop): the always action runs', async () => {
    target = await startAdminTarget();
    const token = 'actions-test-token';
    let base: string | undefined;
    let stopped: number | undefined;
    const r = await runCli(['run', `${target.url}/`, ...LONG_RUN, ...CLEAN_UP, '--control-port', '0', '--control-token', token], {
      onStderr: (chunk) => {
        base ??= /control endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk)?.[1];
        if (stopped === undefined && base && /\[\s+1s\]/.test(chunk)) {
          stopped = 0;
          void fetch(`${base}/stop`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then(
            (res) => (stopped = res.status),
          );
        }
      },
    });
    expect(stopped).toBe(202);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('stopped: control-endpoint');
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/resume']);
  });

  it('the error-burst abort: the always action runs', async () => {
    target = await startAdminTarget({ failLoad: true });
    const r = await runCli([
      'run',
      `${target.url}/`,
      '--rate',
      '50',
      '--duration',
      '30s',
      '--workers',
      '1',
      '--abort-on-errors',
      '50%/1s',
      '--action',
      'resume=POST /admin/resume@25s,always',
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(r.code).toBe(3);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('error-burst');
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/resume']);
  });

  it('a failed action stops the run: exit 3, action-failed, and the clean-up still runs', async () => {
    target = await startAdminTarget({ failPath: '/admin/pause' });
    const r = await runCli([
      'run',
      `${target.url}/`,
      '--rate',
      '50',
      '--duration',
      '30s',
      '--workers',
      '1',
      '--action',
      'pause=POST /admin/pause@1s',
      '--action',
      'resume=POST /admin/resume@25s,always',
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(r.code).toBe(3);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('action-failed');
    expect(result.stopDetail).toContain('action "pause"');
    expect(result.durationMs).toBeLessThan(5000);
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/pause', '/admin/resume']);
  });

  it('a clean-up that fails: exit 3 although the run passed, and the exact request to run by hand, last', async () => {
    target = await startAdminTarget({ failPath: '/admin/resume' });
    const r = await runCli([
      'run',
      `${target.url}/`,
      '--rate',
      '20',
      '--duration',
      '1s',
      '--workers',
      '1',
      '--action',
      'resume=POST /admin/resume@end,always',
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('NOT UNDONE');
    expect(r.stderr).toContain(`curl -X POST '${target.url}/admin/resume'`);
    // And in the runbook stored with the result (the HTML report's parameters section shows it).
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.runbook.notUndone).toEqual([
      { name: 'resume', error: 'status 500 is not one of the expected statuses', request: `curl -X POST '${target.url}/admin/resume'` },
    ]);
  });

  it('an action host outside the allowlist is refused before anything is sent: exit 2', async () => {
    target = await startAdminTarget();
    const r = await runCli([
      'run',
      `${target.url}/`,
      '--rate',
      '20',
      '--duration',
      '1s',
      '--action',
      'pause=POST http://db.example.com/pause@1s',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('action "pause" calls db.example.com, which is not an allowed host');
    expect(target.load()).toBe(0);
    expect(target.admin).toEqual([]);
  });

  it('plan lists the actions and sends nothing, actions included', async () => {
    target = await startAdminTarget();
    const r = await runCli([
      'plan',
      `${target.url}/`,
      '--profile',
      'constant:rate=20,duration=5s',
      '--action',
      'resume=POST /admin/resume@4s,always',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resume\s+at 4s\s+POST http:\/\/127\.0\.0\.1:\d+\/admin\/resume {2}\(always/);
    expect(target.admin).toEqual([]);
    expect(target.load()).toBe(0);
  });

  it('a malformed --action names the flag and the fix: exit 2', async () => {
    target = await startAdminTarget();
    const r = await runCli(['run', `${target.url}/`, '--rate', '20', '--duration', '1s', '--action', 'pause=POST /admin/pause@soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--action "pause=POST /admin/pause@soon".at`);
    expect(r.stderr).toContain("'start', 'end', 'step:N' or 'collapse'");
    expect(target.load()).toBe(0);
  });
});

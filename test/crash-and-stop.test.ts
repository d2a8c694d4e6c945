import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CRASH_ENV } from '@overload/workers';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * A worker that crashes and a SIGTERM in the middle of a ramp: each leaves a result.json that
 * validates against docs/result.schema.json, marked partial with the reason, and the documented
 * exit code (70 for a crash, 3 for a signal). The crash is a real uncaught exception in the
 * worker thread, armed by the test-only OVERLOAD_TEST_CRASH variable (see workers/src/test-crash.ts).
 */
describe('crashes and stops leave valid, partial results', () => {
  let server: ChildServer;
  let dir: string;
  let validate: ReturnType<InstanceType<typeof Ajv2020>['compile']>;
  const errorsOf = (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  beforeAll(async () => {
    validate = new Ajv2020({ strict: true, allErrors: true }).compile(
      JSON.parse(await readFile(new URL('../docs/result.schema.json', import.meta.url), 'utf8')),
    );
  });
  beforeEach(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-crash-'));
  });
  afterEach(() => server.close());

  it('a worker that throws mid-run: exit 70, no stack trace, and the result measured so far, marked partial', async () => {
    const r = await runCli(['run', server.url, '--rate', '200', '--duration', '5s', '--workers', '1', '--out-dir', dir, '-q'], {
      env: { [TEST_CRASH_ENV]: 'worker 0 throws after 300 requests' },
    });
    expect(r.code).toBe(70);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toContain('stopped: worker-crash');
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(errorsOf(result)).toEqual([]);
    expect(result.stopReason).toBe('worker-crash');
    expect(result.partial.reason).toBe('worker-crash');
    expect(result.partial.detail).toContain('threw on purpose after');
    expect(result.workerErrors[0].code).toBe('OVL_WORKER_CRASHED');
    // What the first second measured is kept: 200 arrivals, all answered.
    expect(result.intervals.length).toBeGreaterThanOrEqual(1);
    expect(result.totals.sent).toBeGreaterThanOrEqual(200);
    expect(result.totals.sent).toBeLessThanOrEqual((await server.stats()).count);
    expect(result.totals.ok).toBe(result.totals.responses);
    // The load stopped with the crash: nowhere near the 1,000 requests the profile wanted.
    expect((await server.stats()).count).toBeLessThan(500);
  });

  it('the crash switch is armed only by its exact sentence: any other value runs normally (exit 0)', async () => {
    const r = await runCli(['run', server.url, '--rate', '100', '--duration', '1s', '--workers', '1', '--out-dir', dir, '-q'], {
      env: { [TEST_CRASH_ENV]: '1' },
    });
    expect(r.code).toBe(0);
    expect((await server.stats()).count).toBe(100);
  });

  it('SIGTERM in the middle of a ramp: exit 3 and a valid ramp result, partial, with the steps measured so far', async () => {
    let pid = 0;
    let sent = false;
    const r = await runCli(
      [
        'ramp',
        server.url,
        '--profile',
        'step:start=100,step=100,every=2s,max=1000',
        '--slo',
        'p99<2s',
        '--no-recovery',
        '--workers',
        '1',
        '--out-dir',
        dir,
      ],
      {
        onSpawn: (p) => (pid = p),
        onStderr: (chunk) => {
          if (!sent && /\[\s+3s\]/.test(chunk)) {
            sent = true;
            process.kill(pid, 'SIGTERM');
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('SIGTERM: stopped sending');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(errorsOf(result)).toEqual([]);
    expect(result.kind).toBe('ramp');
    expect(result.stopReason).toBe('signal');
    expect(result.partial).toEqual({ reason: 'signal', detail: 'SIGTERM received' });
    expect(result.run.partial.reason).toBe('signal');
    expect(result.steps.length).toBeGreaterThanOrEqual(1);
    expect(result.run.totals.sent).toBe((await server.stats()).count);
    // The HTML report and the JUnit file are written from the partial result too.
    for (const f of ['report.html', 'junit.xml', 'latency.hgrm']) expect((await readFile(join(dir, f), 'utf8')).length).toBeGreaterThan(0);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/**
 * The error-burst guard stops sending into a failing target. After the last scheduled arrival
 * there is nothing left to stop: timeouts that land in the drain are measured, and the run that
 * sent its whole schedule is complete (exit 0), never "stopped: error-burst".
 */
describe('the error-burst guard and the drain', () => {
  let server: Server;
  let url: string;
  let firstAt: number | undefined;
  beforeAll(async () => {
    // Answers for 1.4 s after its first request, then never again: with --timeout 1s, the first
    // timeout comes at 2.4 s at the earliest, after the 2 s schedule has ended.
    server = createServer((req, res) => {
      firstAt ??= performance.now();
      req.resume();
      if (performance.now() - firstAt < 1400) res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('timeouts in the drain of a complete run leave it complete (exit 0) with the errors counted', async () => {
    const out = await mkdtemp(join(tmpdir(), 'overload-drain-'));
    const r = await runCli([
      'run',
      url,
      '--rate',
      '50',
      '--duration',
      '2s',
      '--timeout',
      '1s',
      '--abort-on-errors',
      '50%/1s',
      '--out-dir',
      out,
      '-q',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('completed');
    expect(result.partial).toBeUndefined();
    expect(result.errorsByClass.timeout).toBeGreaterThan(0);
  }, 30_000);
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

describe('the control endpoint', () => {
  let server: ChildServer;
  beforeEach(async () => {
    server = await startChildServer('counting');
  });
  afterEach(() => server.close());

  it('answers GET /status with the token while the load runs, refuses without it, and POST /stop ends the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-control-'));
    const token = 'test-token-123';
    const seen: { status?: number; body?: Record<string, unknown>; unauthorized?: number; stop?: number } = {};
    let acting = false;
    let base: string | undefined;
    const r = await runCli(
      ['run', server.url, '--rate', '3000', '--duration', '30s', '--control-port', '0', '--control-token', token, '--out-dir', dir],
      {
        onStderr: (chunk) => {
          base ??= /control endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk)?.[1];
          if (!acting && base && /\[\s+2s\]/.test(chunk)) {
            acting = true;
            void (async () => {
              const denied = await fetch(`${base}/status`);
              seen.unauthorized = denied.status;
              const status = await fetch(`${base}/status`, { headers: { authorization: `Bearer ${token}` } });
              seen.status = status.status;
              seen.body = (await status.json()) as Record<string, unknown>;
              const stop = await fetch(`${base}/stop`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
              seen.stop = stop.status;
            })();
          }
        },
      },
    );
    expect(seen.unauthorized).toBe(401);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ phase: 'run', stopped: null });
    expect((seen.body!.lastInterval as { offeredRps: number }).offeredRps).toBe(3000);
    expect(seen.stop).toBe(202);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('control-endpoint');
    expect(result.totals.sent).toBe((await server.stats()).count);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(r.code).toBe(3);
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const EMAILS = fileURLToPath(new URL('./fixtures/scenarios/emails.ts', import.meta.url));

describe('side-effect budgets', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('stops the run before the email budget can be exceeded when every request fails', async () => {
    // Every request fails, and the target sends one email per failure (it counts its 500s).
    server = await startChildServer('faulty', { statusEvery: 1, status: 500 });
    const dir = await mkdtemp(join(tmpdir(), 'overload-budget-'));
    const r = await runCli(['run', EMAILS, '--target', server.url, '--budget', 'emails=300', '--out-dir', dir, '-q']);
    const stats = await server.stats<{ count: number; status: number }>();
    // Never more emails than the budget, and the budget was used to the last one.
    expect(stats.status).toBeLessThanOrEqual(300);
    expect(stats.status).toBe(300);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.stopReason).toBe('budget');
    expect(result.stopDetail).toContain('emails');
    expect(result.budgets).toEqual({ limits: { emails: 300 }, used: { emails: 300 } });
    expect(result.runbook.guardrails.budgets.emails).toEqual({ limit: 300, used: 300 });
    expect(r.code).toBe(3);
  });

  it('gives back the reservation of every request that succeeds, so a healthy run is not stopped', async () => {
    server = await startChildServer('counting');
    const dir = await mkdtemp(join(tmpdir(), 'overload-budget-'));
    const r = await runCli([
      'run',
      EMAILS,
      '--target',
      server.url,
      '--budget',
      'emails=5',
      '--profile',
      'constant:rate=200,duration=2s',
      '--out-dir',
      dir,
      '-q',
    ]);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    // An arrival that finds the 5 emails reserved by requests still in flight is dropped (the
    // budget may yet hold): after a stall on a busy machine a few can come due at once.
    expect((await server.stats()).count).toBe(result.totals.sent);
    expect(result.totals.sent + result.totals.dropped).toBe(400);
    expect(result.totals.sent).toBeGreaterThan(380);
    expect(result.stopReason).toBe('completed');
    expect(result.budgets.used.emails).toBe(0);
    // Every request carries the run id, so the target can tag synthetic traffic.
    expect(result.runId).toMatch(/\w+-\w+/);
    expect(r.code).toBe(0);
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from './support/cli.js';

/**
 * Issue 18, item 1 and 4: a stop during a ramp step is never a verdict about the target. The real
 * CLI ramps a healthy loopback server (~1 ms answers) and is stopped 2 s into its second 4 s step,
 * by each switch a user has: SIGINT (Ctrl-C), SIGTERM (a CI runner cancelling), the kill file,
 * and the pair a wrapper makes of one Ctrl-C (pnpm forwards a SIGTERM right after the SIGINT).
 * Each gives exit 3 and a partial result that says what held, and never "collapsed".
 */
describe('a stop during a ramp step: partial, exit 3, never a collapse', () => {
  let server: Server;
  let url: string;
  let requests: number;
  /** While set, answers wait here instead of going out after 1 ms: in-flight requests at the stop. */
  let held: (() => void)[] | undefined;
  let dir: string;

  beforeEach(async () => {
    requests = 0;
    held = undefined;
    server = createServer((_req, res) => {
      requests++;
      const answer = () => res.end('ok');
      if (held) held.push(answer);
      else setTimeout(answer, 1);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    dir = await mkdtemp(join(tmpdir(), 'overload-stop-verdict-'));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /**
   * Ramps 100 → 400 req/s in 4 s steps (16 s if nothing stops it) and calls `stop` once, 2 s into
   * step 2: the progress line of the first interval of step 2 ends at 5 s, then 1 s more.
   */
  async function rampAndStop(stop: (pid: number) => void | Promise<void>, extra: readonly string[] = []) {
    let pid = 0;
    let armed = false;
    let stoppedAt = 0;
    const run = await runCli(
      [
        'ramp',
        url,
        '--profile',
        'step:start=100,step=100,every=4s,max=400',
        '--slo',
        'p50<250ms,errors<1%',
        '--no-recovery',
        '--workers',
        '1',
        '--out-dir',
        join(dir, 'out'),
        ...extra,
      ],
      {
        onSpawn: (p) => (pid = p),
        onStderr: (chunk) => {
          if (armed || !chunk.includes('step 2/4')) return;
          armed = true;
          setTimeout(() => {
            stoppedAt = performance.now();
            void stop(pid);
          }, 1000);
        },
      },
    );
    expect(stoppedAt).toBeGreaterThan(0);
    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8'));
    return { run, result };
  }

  function expectPartialNotCollapsed(run: CliRun, result: Record<string, unknown>, partial: { reason: string; detail: string }) {
    expect(run.code).toBe(3);
    expect(result.verdict).toBe('partial');
    expect(result.partial).toEqual(partial);
    expect(result.stopReason).toBe(partial.reason);
    // Step 1 held on a healthy target; the stop landed in step 2, and that is all the verdict says.
    expect(result.verdictLine).toMatch(/^held up to 100 req\/s; stopped during 200 req\/s/);
    expect((result.stoppedDuring as { index: number }).index).toBe(1);
    expect(result.verdictLine).not.toMatch(/collaps/i);
    expect(run.stdout).toContain(result.verdictLine as string);
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/collapsed/i);
    const totals = (result.run as { totals: { sent: number } }).totals;
    expect(totals.sent).toBe(requests);
  }

  it('SIGINT (Ctrl-C) mid-step', async () => {
    const { run, result } = await rampAndStop((pid) => void process.kill(pid, 'SIGINT'));
    expectPartialNotCollapsed(run, result, { reason: 'signal', detail: 'SIGINT received' });
    expect(run.stderr).toContain('SIGINT: stopped sending');
  });

  it('SIGTERM (a CI runner cancelling) mid-step', async () => {
    const { run, result } = await rampAndStop((pid) => void process.kill(pid, 'SIGTERM'));
    expectPartialNotCollapsed(run, result, { reason: 'signal', detail: 'SIGTERM received' });
    expect(run.stderr).toContain('SIGTERM: stopped sending');
  });

  it('the kill file appearing mid-step', async () => {
    const killFile = join(dir, 'stop-load');
    const { run, result } = await rampAndStop(() => writeFile(killFile, ''), ['--kill-file', killFile]);
    expectPartialNotCollapsed(run, result, { reason: 'kill-file', detail: `kill file ${killFile} appeared` });
  });

  it('SIGINT then SIGTERM 50 ms apart (pnpm forwarding one Ctrl-C) is one stop: it drains, nothing is abandoned', async () => {
    // The answers of the last 100 ms before the SIGINT are held until 300 ms after it, so requests
    // are in flight when the SIGTERM lands: a hard stop would abandon them, one stop drains them.
    const { run, result } = await rampAndStop(async (pid) => {
      const answers: (() => void)[] = [];
      held = answers;
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.kill(pid, 'SIGINT');
      setTimeout(() => process.kill(pid, 'SIGTERM'), 50);
      setTimeout(() => {
        held = undefined;
        for (const answer of answers.splice(0)) answer();
      }, 300);
    });
    expectPartialNotCollapsed(run, result, { reason: 'signal', detail: 'SIGINT received' });
    expect(run.stderr).toMatch(/SIGTERM \d+ ms after SIGINT: the same stop/);
    expect(run.stderr).not.toContain('abandoning in-flight');
    const totals = (result.run as { totals: { responses: number; abandoned: number } }).totals;
    expect(totals.abandoned).toBe(0);
    expect(totals.responses).toBe(requests);
  });

  it('a second Ctrl-C 1.5 s after the first, past the grace, is the hard stop: in-flight requests are abandoned', async () => {
    // Answers held from 100 ms before the first SIGINT until 3 s after it: still in flight (the
    // drain allows 5 s) when the user presses Ctrl-C again.
    const { run, result } = await rampAndStop(async (pid) => {
      const answers: (() => void)[] = [];
      held = answers;
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.kill(pid, 'SIGINT');
      setTimeout(() => process.kill(pid, 'SIGINT'), 1500);
      setTimeout(() => {
        held = undefined;
        for (const answer of answers.splice(0)) answer();
      }, 3000);
    });
    expectPartialNotCollapsed(run, result, { reason: 'signal', detail: 'SIGINT received' });
    expect(run.stderr).toContain('SIGINT again: abandoning in-flight requests');
    expect((result.run as { totals: { abandoned: number } }).totals.abandoned).toBeGreaterThan(0);
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/cli.js';

/**
 * The main job (`overload ramp student-reports`, the embedded demo target and its probes),
 * stopped from outside: the result is partial, says what held, never calls the stop a collapse,
 * and exits 3. (test/stop-verdict.test.ts stops a plain loopback ramp by every switch.)
 */
describe('stopping the main job', () => {
  it('POST /stop on the control endpoint early in step 2: partial, held up to step 1, exit 3, never "collapsed"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-main-stop-'));
    let base: string | undefined;
    let stopStatus = 0;
    let asked = false;
    const run = await runCli(['ramp', 'student-reports', '--control-port', '0', '--control-token', 'main-job', '--out-dir', dir], {
      onStderr: (chunk) => {
        base ??= /control endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk)?.[1];
        // The first progress line of step 2 ends 1 s into it: stop there, mid-step.
        if (asked || !base || !chunk.includes('step 2/')) return;
        asked = true;
        void fetch(`${base}/stop`, { method: 'POST', headers: { authorization: 'Bearer main-job' } }).then((r) => (stopStatus = r.status));
      },
    });
    expect(stopStatus).toBe(202);
    expect(run.code, run.stderr).toBe(3);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('partial');
    expect(result.partial).toEqual({ reason: 'control-endpoint', detail: 'POST /stop from 127.0.0.1' });
    expect(result.stoppedDuring.index).toBe(1);
    expect(result.verdictLine).toMatch(/^held up to 250 journeys\/s \([\d,]+ req\/s\); stopped during 300 journeys\/s \(POST \/stop/);
    expect(run.stdout).toContain(result.verdictLine);
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/collaps/i);
  });

  it('Ctrl-C to the whole process group reaches overload alone: the demo target drains, no request fails, exit 3', async () => {
    // A terminal sends SIGINT to every process of its foreground group. Were the demo target in
    // that group, it would shut down at once and reset the requests overload is draining.
    const dir = await mkdtemp(join(tmpdir(), 'overload-main-ctrl-c-'));
    const child = spawn(process.execPath, [CLI, 'ramp', 'student-reports', '--out-dir', dir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stderr = '';
    let pressed = false;
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // 1 s into step 1, with requests in flight (250 journeys/s, each polling its report).
      if (!pressed && /\[\s+1s\]/.test(stderr)) {
        pressed = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(3);
    expect(stderr).toContain(`SIGINT: stopped sending; draining in-flight requests and writing results to ${dir}`);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('partial');
    expect(result.partial).toEqual({ reason: 'signal', detail: 'SIGINT received' });
    expect(result.verdictLine).not.toMatch(/collaps/i);
    const totals = result.run.totals as { sent: number; errors: number; transportErrors: number };
    expect(totals.sent).toBeGreaterThan(0);
    expect(totals.transportErrors).toBe(0);
    expect(totals.errors).toBe(0);
    // overload stopped the target itself, once the results were written.
    const pid = Number(/embedded demo target at \S+ \(pid (\d+)/.exec(stderr)![1]);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { fileURLToPath } from 'node:url';
import { CLI } from './support/cli.js';

/** The installed command: it starts node again with --no-memory-reducer (in place on Node ≥ 22.15, else as a child). */
const BIN = fileURLToPath(new URL('../packages/cli/bin/overload.js', import.meta.url));

/**
 * A SIGTERM to `npx` (a CI runner cancelling the job's top process) kills the `sh -c` that npm
 * runs the bin through, and nothing else: overload, orphaned, was never told. Started by a package
 * manager, overload takes the exit of a wrapper between it and the package manager as a stop: the
 * load ends at once, partial, instead of running its whole schedule with nobody watching. The
 * wrappers are the shapes measured (docs/stopping.md): `npx overload` is npm → sh → overload, and
 * `npx -y pnpm overload` is npm → sh → pnpm → overload, whose sh dies while pnpm lives on.
 */
describe('a wrapper stopped without passing the stop on', () => {
  let server: ChildServer;
  beforeEach(async () => {
    server = await startChildServer('counting');
  });
  afterEach(() => server.close());

  it.each([
    ['its parent (npx overload)', CLI, (run: string) => ['-c', `${run}; :`]],
    ['its grandparent (npx -y pnpm overload)', CLI, (run: string) => ['-c', `sh -c '${run}; :'; :`]],
    ['its parent, through the bin that starts node again', BIN, (run: string) => ['-c', `${run}; :`]],
    ['its grandparent, through the bin that starts node again', BIN, (run: string) => ['-c', `sh -c '${run}; :'; :`]],
  ])('the exit of %s stops the load at once: partial, signal', async (_, cli, shell) => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-wrapper-gone-'));
    const out = join(dir, 'out');
    const run = `"${process.execPath}" "${cli}" run ${server.url} --rate 50 --duration 30s --out-dir ${out}`;
    // The outer sh stands for the wrapper npm runs the bin through; the user agent is npm's.
    const wrapper = spawn('sh', shell(run), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, npm_config_user_agent: 'npm/11.0.0 node/v22.0.0 linux x64 workspaces/false' },
    });
    await new Promise<void>((resolve) => wrapper.stderr.setEncoding('utf8').on('data', (d: string) => d.includes('offered') && resolve()));
    wrapper.kill('SIGTERM');
    const stoppedAt = performance.now();
    // overload is no child of this test: its result.json says when and how it ended.
    while (!existsSync(join(out, 'result.json')) && performance.now() - stoppedAt < 15_000) await new Promise((r) => setTimeout(r, 50));
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(result.partial).toEqual({ reason: 'signal', detail: 'a process of the npm command that started overload exited' });
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.totals.sent).toBe((await server.stats()).count);
  });

  // Where node has no process.execve, the bin runs the CLI as its child: a SIGKILL to the bin
  // passes nothing on, and the child, orphaned, must stop by itself.
  it.skipIf(typeof (process as { execve?: unknown }).execve === 'function')(
    'a SIGKILL to the bin that started node again stops the load at once: partial, signal',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'overload-launcher-gone-'));
      const out = join(dir, 'out');
      const launcher = spawn(process.execPath, [BIN, 'run', server.url, '--rate', '50', '--duration', '30s', '--out-dir', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, npm_config_user_agent: '' },
      });
      await new Promise<void>((resolve) =>
        launcher.stderr.setEncoding('utf8').on('data', (d: string) => d.includes('offered') && resolve()),
      );
      launcher.kill('SIGKILL');
      const stoppedAt = performance.now();
      while (!existsSync(join(out, 'result.json')) && performance.now() - stoppedAt < 15_000) await new Promise((r) => setTimeout(r, 50));
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(result.partial).toEqual({
        reason: 'signal',
        detail: `the overload launcher (PID ${launcher.pid}) that started this process exited`,
      });
      expect(result.durationMs).toBeLessThan(10_000);
      expect(result.totals.sent).toBe((await server.stats()).count);
    },
  );
});

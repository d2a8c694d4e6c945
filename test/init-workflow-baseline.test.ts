import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/cli.js';
import { fakeGitHub, runWorkflowJob } from './support/workflow-runner.js';

/**
 * The workflow `overload init` writes keeps the last passing result and compares the next run
 * with it. Its steps run here as written (see support/workflow-runner.ts) against a loopback
 * service whose delay the test turns up, three runs of the workflow in a row.
 */
describe("overload init's workflow: the last passing result is the next run's baseline", () => {
  let server: Server;
  let delayMs = 2;
  let dir: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      setTimeout(() => res.end('ok'), delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'overload-workflow-'));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('run 1 passes and is kept; run 2 compares with it (no regression) and is kept; run 3, 30 ms slower, fails as regressed', async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'checkout-api', private: true }));
    const port = (server.address() as AddressInfo).port;
    const init = await runCli(['init', 'checkout', '--target', `http://127.0.0.1:${port}`], { cwd: project });
    expect(init.code, init.stderr).toBe(0);
    // The user's first edit: one 6 s step at 300 req/s instead of a 10-minute ramp (a test's budget).
    const scenario = join(project, 'scenarios/checkout.ts');
    const text = readFileSync(scenario, 'utf8');
    const edited = text.replace(
      /profile: \{[^}]*\}/,
      "profile: { kind: 'step', startRps: 300, stepRps: 100, stepDurationMs: '6s', maxRps: 300 }",
    );
    expect(edited).not.toBe(text);
    writeFileSync(scenario, edited);
    // overload installed as the project's dev dependency, as `npx overload` finds it.
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
    symlinkSync(join(CLI, '../../bin/overload.js'), join(project, 'node_modules/.bin/overload'));

    const gh = fakeGitHub(dir);
    const workflow = join(project, '.github/workflows/overload.yml');
    const run = (runId: number, inputs: Record<string, string> = {}) => {
      const cwd = join(dir, `checkout-${runId}`);
      // Each run starts from a fresh checkout of the project.
      rmSync(cwd, { recursive: true, force: true });
      mkdirSync(cwd);
      for (const f of ['package.json', 'scenarios', 'node_modules', '.github']) {
        symlinkSync(join(project, f), join(cwd, f));
      }
      return runWorkflowJob(workflow, 'ramp', { cwd, runId, inputs: { max_rate: '400', baseline: 'last', ...inputs }, gh, temp: dir });
    };
    const step = (r: Awaited<ReturnType<typeof run>>, name: string) => r.steps.find((s) => s.name.startsWith(name))!;

    const first = await run(1);
    expect(step(first, 'Fetch the last passing result').stdout).toContain('no passing result yet');
    expect(first.outputs.ramp?.exit_code, step(first, 'Ramp').stdout + step(first, 'Ramp').stderr).toBe('0');
    expect(first.steps.map((s) => s.name)).toContain('Keep this result as the next baseline');
    expect(step(first, 'Judge the exit code').code).toBe(0);

    const second = await run(2);
    expect(step(second, 'Fetch the last passing result').stdout).toContain('comparing with the result of run 1');
    expect(second.outputs.ramp?.exit_code, step(second, 'Ramp').stdout).toBe('0');
    expect(step(second, 'Ramp').stdout).toContain('compared with the baseline overload-baseline');
    expect(second.summary).toContain('#### Against the last passing run');
    expect(second.summary).toContain('**NO REGRESSION');
    expect(step(second, 'Judge the exit code').code).toBe(0);

    delayMs = 32;
    const third = await run(3);
    expect(step(third, 'Fetch the last passing result').stdout).toContain('comparing with the result of run 2');
    expect(third.outputs.ramp?.exit_code, step(third, 'Ramp').stdout).toBe('8');
    expect(third.summary).toMatch(/\*\*REGRESSED: .*p50 at/);
    const judge = step(third, 'Judge the exit code');
    expect(judge.code).toBe(1);
    expect(judge.stdout).toContain('::error::regressed against the last passing run');
    // A regressed run is not kept: the next run still compares with run 2.
    expect(third.steps.map((s) => s.name)).not.toContain('Keep this result as the next baseline');
    const fresh = await run(4, { baseline: 'none' });
    expect(step(fresh, 'Fetch the last passing result').stdout).toContain('this run starts a new series');
    expect(fresh.outputs.ramp?.exit_code).toBe('0');
    expect(step(fresh, 'Ramp').stdout).not.toContain('compared with the baseline');
  }, 120_000);
});

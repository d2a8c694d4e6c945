import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, runCli } from './support/cli.js';
import { fakeGitHub, runWorkflowJob } from './support/workflow-runner.js';

/**
 * The workflow `overload init` writes, run as written (support/workflow-runner.ts) in a project
 * where overload is installed the way npm installs it (node_modules/.bin/overload), against the
 * loopback target given to init. The operator stops the ramp with the kill file the workflow
 * names: the guardrail flags are accepted by the scenario written beside it, the summary quotes
 * the verdict, the reports are where the upload step takes them from, and the last step fails the
 * job on exit 3.
 */
describe('the workflow overload init writes', () => {
  let server: Server;
  let target: string;
  let dir: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'overload-init-run-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written: a kill-file stop gives exit 3, the verdict in the job summary, the reports to upload', async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true }));
    const init = await runCli(['init', 'shop', '--target', target], { cwd: project });
    expect(init.code, init.stderr).toBe(0);
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
    symlinkSync(join(CLI, '../../bin/overload.js'), join(project, 'node_modules/.bin/overload'));
    const file = join(project, '.github/workflows/overload.yml');
    const outDir = join(
      project,
      (parse(readFileSync(file, 'utf8')) as { jobs: { ramp: { env: Record<string, string> } } }).jobs.ramp.env['OUT_DIR']!,
    );

    let stopped = false;
    const run = await runWorkflowJob(file, 'ramp', {
      cwd: project,
      runId: 1,
      inputs: {},
      gh: fakeGitHub(dir),
      temp: dir,
      // The operator's kill switch, at the path the workflow gave it, once the load is going.
      onOutput: (step, text) => {
        if (!stopped && step.startsWith('Ramp') && text.includes('offered')) {
          stopped = true;
          writeFileSync(join(dir, 'stop-overload'), '');
        }
      },
    });

    const ramp = run.steps.find((s) => s.name.startsWith('Ramp'))!;
    // The step goes on past the non-zero exit (set +e), and records it.
    expect(ramp.code, ramp.stdout + ramp.stderr).toBe(0);
    expect(run.outputs['ramp']).toEqual({ exit_code: '3' });
    const result = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8'));
    expect(result.partial).toEqual({ reason: 'kill-file', detail: `kill file ${join(dir, 'stop-overload')} appeared` });
    expect(run.summary).toContain(`### overload: ${result.verdictLine}`);
    expect(run.summary).toContain('Exit code 3');
    expect(readdirSync(outDir)).toEqual(expect.arrayContaining(['result.json', 'report.html', 'junit.xml']));
    const judge = run.steps.find((s) => s.name === 'Judge the exit code')!;
    expect(judge.code).toBe(1);
    expect(judge.stdout + judge.stderr).toContain('::error::overload exited 3');
    expect(run.steps.map((s) => s.name)).not.toContain('Keep this result as the next baseline');
  }, 120_000);
});

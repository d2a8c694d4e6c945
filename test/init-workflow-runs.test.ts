import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

const BIN = fileURLToPath(new URL('../packages/cli/bin/overload.js', import.meta.url));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

/**
 * The workflow `overload init` writes, run as written: each `run:` step of its job, in order,
 * with bash as GitHub runs it (`bash -e`), the job's environment, and the runner's files
 * (RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), in a project where overload is installed the
 * way npm installs it (node_modules/.bin/overload), against the loopback target given to init.
 * The operator stops the ramp with the kill file the workflow names: the guardrail flags are
 * accepted by the scenario written beside it, the summary quotes the verdict, the reports are
 * where the upload step takes them from, and the last step fails the job on exit 3.
 */
describe('the workflow overload init writes', () => {
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('runs as written: a kill-file stop gives exit 3, the verdict in the job summary, the reports to upload', async () => {
    const project = await mkdtemp(join(tmpdir(), 'overload-init-run-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true }));
    const init = await runCli(['init', 'shop', '--target', target], { cwd: project });
    expect(init.code, init.stderr).toBe(0);
    await mkdir(join(project, 'node_modules/.bin'), { recursive: true });
    await symlink(BIN, join(project, 'node_modules/.bin/overload'));

    const workflow = parse(await readFile(join(project, '.github/workflows/overload.yml'), 'utf8')) as {
      jobs: { ramp: { env: Record<string, string>; steps: Step[] } };
    };
    const runner = await mkdtemp(join(tmpdir(), 'overload-runner-'));
    const files = { RUNNER_TEMP: runner, GITHUB_OUTPUT: join(runner, 'output'), GITHUB_STEP_SUMMARY: join(runner, 'summary') };
    await writeFile(files.GITHUB_OUTPUT, '');
    await writeFile(files.GITHUB_STEP_SUMMARY, '');
    const outputs: Record<string, Record<string, string>> = {};
    // The GitHub expressions the workflow uses, evaluated as the runner would for a dispatch
    // with the default inputs; any other expression fails the test, so none goes untried.
    const expand = (text: string) =>
      text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
        const input = /^inputs\.(\w+)(?: \|\| '(.*)')?$/.exec(expr);
        if (input) return input[2] ?? '';
        const output = /^steps\.(\w+)\.outputs\.(\w+)$/.exec(expr);
        if (output) return outputs[output[1]!]?.[output[2]!] ?? '';
        if (expr === 'env.OUT_DIR') return workflow.jobs.ramp.env['OUT_DIR']!;
        if (expr === 'github.run_id') return '1';
        throw new Error(`the test does not know the expression \${{ ${expr} }}`);
      });
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(workflow.jobs.ramp.env).map(([k, v]) => [k, expand(String(v))])),
      ...files,
    };

    const results: { name: string; code: number | null; out: string }[] = [];
    const ran: string[] = [];
    for (const step of workflow.jobs.ramp.steps) {
      if (step.uses !== undefined || step.run === undefined || /install/.test(step.run)) continue;
      ran.push(step.name ?? step.run);
      const isRamp = step.run.includes('ramp scenarios/shop.ts');
      const bash = spawn('bash', ['-e', '-c', expand(step.run)], {
        cwd: project,
        env: { ...env, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)])) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let stopped = false;
      const read = (d: string) => {
        out += d;
        // The operator's kill switch, at the path the workflow gave it, once the load is going.
        if (isRamp && !stopped && out.includes('offered')) {
          stopped = true;
          void writeFile(join(runner, 'stop-overload'), '');
        }
      };
      bash.stdout.setEncoding('utf8').on('data', read);
      bash.stderr.setEncoding('utf8').on('data', read);
      const code = await new Promise<number | null>((resolve) => bash.on('close', resolve));
      results.push({ name: step.name ?? '', code, out });
      const id = (step as { id?: string }).id;
      if (id)
        outputs[id] = Object.fromEntries(
          (await readFile(files.GITHUB_OUTPUT, 'utf8'))
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split('=') as [string, string]),
        );
    }

    expect(ran).toEqual(['Ramp staging to collapse (guarded)', 'Job summary', 'Judge the exit code']);
    const [ramp, summary, judge] = results;
    // The step goes on past the non-zero exit (set +e), and records it.
    expect(ramp!.code, ramp!.out).toBe(0);
    expect(outputs['ramp']).toEqual({ exit_code: '3' });
    const outDir = join(project, workflow.jobs.ramp.env['OUT_DIR']!);
    const result = JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8'));
    expect(result.partial).toEqual({ reason: 'kill-file', detail: `kill file ${join(runner, 'stop-overload')} appeared` });
    expect(summary!.code).toBe(0);
    expect(await readFile(files.GITHUB_STEP_SUMMARY, 'utf8')).toBe(
      `### overload: ${result.verdictLine}\nExit code 3; open report.html from the artifact for the charts.\n`,
    );
    expect(await readdir(outDir)).toEqual(expect.arrayContaining(['result.json', 'report.html', 'junit.xml']));
    expect(judge!.code).toBe(1);
    expect(judge!.out).toContain('::error::overload exited 3');
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

/**
 * `overload init` in a fresh project: a commented scenario that `overload plan` accepts as it
 * is, a CI workflow for the project's package manager, and never a file overwritten without
 * --force (all or nothing).
 */
interface Workflow {
  on: { workflow_dispatch: unknown; push?: unknown };
  jobs: { ramp: { env?: Record<string, unknown>; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] } };
}

describe('overload init', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'overload-init-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/checkout-api', private: true }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a scenario that plan validates and a guarded workflow that keeps the reports', async () => {
    const init = await runCli(['init', '--target', 'https://staging.example.com'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote scenarios/checkout-api.ts');
    expect(init.stdout).toContain('wrote .github/workflows/overload.yml');
    expect(init.stdout).toContain('npx overload plan scenarios/checkout-api.ts');

    const scenario = readFileSync(join(dir, 'scenarios/checkout-api.ts'), 'utf8');
    expect(scenario).toContain("target: 'https://staging.example.com'");
    expect(scenario).toContain("allowedHosts: ['staging.example.com']");

    // By name from ./scenarios, as the user will run it: the written file is valid as it is.
    const plan = await runCli(['plan', 'checkout-api'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('target:      https://staging.example.com');
    expect(plan.stdout).toContain('allowlist:   staging.example.com');
    expect(plan.stdout).toMatch(/^profile: {5}step, 10m, peak 400 req\/s/m);
    expect(plan.stdout).toMatch(/budgets: {9}orders=2,000, emails=50/);

    // The user's own scenario is listed beside the bundled ones.
    const list = await runCli(['scenarios'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^checkout-api\s+Ramp staging\.example\.com to collapse/m);
    expect(list.stdout).toMatch(/^student-reports\s+Student Reports/m);

    const workflow = parse(readFileSync(join(dir, '.github/workflows/overload.yml'), 'utf8')) as Workflow;
    // Started by hand only: a ramp to collapse never runs because someone pushed.
    expect(workflow.on.workflow_dispatch).toBeDefined();
    expect(workflow.on.push).toBeUndefined();
    const steps = workflow.jobs.ramp.steps;
    expect(steps.some((s) => s.run === 'npm install')).toBe(true);
    const rampStep = steps.find((s) => s.run?.includes('node_modules/.bin/overload ramp scenarios/checkout-api.ts'));
    expect(rampStep?.run).toMatch(/--max-rate .*--max-duration \S+ .*--kill-file .*--out-dir/s);
    // The workflow's guardrail flags are accepted by the scenario written beside it (flags may only
    // tighten a scenario: one above its ceiling fails every run with exit 2).
    const maxDuration = /--max-duration (\S+)/.exec(rampStep!.run!)![1]!;
    const maxRate = /inputs\.max_rate \|\| '(\d+)'/.exec(String(workflow.jobs.ramp.env?.['MAX_RATE']))![1]!;
    const guarded = await runCli(['plan', 'checkout-api', '--max-rate', maxRate, '--max-duration', maxDuration], { cwd: dir });
    expect(guarded.code, guarded.stderr).toBe(0);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with?.['path']).toBe('$' + '{{ env.OUT_DIR }}/');
  });

  it('never overwrites: exit 2 naming every existing file and --force, and writes nothing', async () => {
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(join(dir, '.github/workflows/overload.yml'), 'mine\n');
    const refused = await runCli(['init', 'checkout', '--target', 'https://staging.example.com'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('.github/workflows/overload.yml already exists; nothing was written (pass --force to overwrite)');
    expect(readFileSync(join(dir, '.github/workflows/overload.yml'), 'utf8')).toBe('mine\n');
    // All or nothing: the scenario that did not exist was not written either.
    expect(existsSync(join(dir, 'scenarios/checkout.ts'))).toBe(false);

    const forced = await runCli(['init', 'checkout', '--target', 'https://staging.example.com', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, '.github/workflows/overload.yml'), 'utf8')).toContain(
      'node_modules/.bin/overload ramp scenarios/checkout.ts',
    );

    writeFileSync(join(dir, 'scenarios/checkout.ts'), '// edited\n');
    const again = await runCli(['init', 'checkout', '--target', 'https://staging.example.com'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('scenarios/checkout.ts and .github/workflows/overload.yml already exist');
    expect(readFileSync(join(dir, 'scenarios/checkout.ts'), 'utf8')).toBe('// edited\n');
  });

  it('follows the project: pnpm lockfile, a loopback target, --no-workflow', async () => {
    writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const init = await runCli(['init', 'local', '--target', 'http://127.0.0.1:8080'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('pnpm exec overload plan scenarios/local.ts');
    expect(readFileSync(join(dir, 'scenarios/local.ts'), 'utf8')).toContain("allowedHosts: ['loopback']");
    const workflow = parse(readFileSync(join(dir, '.github/workflows/overload.yml'), 'utf8')) as Workflow;
    const steps = workflow.jobs.ramp.steps;
    // No packageManager field in package.json: pnpm/action-setup needs the version.
    expect(steps.find((s) => s.uses === 'pnpm/action-setup@v4')?.with?.['version']).toBe(10);
    expect(steps.some((s) => s.run === 'pnpm install --frozen-lockfile')).toBe(true);
    expect(steps.some((s) => s.run?.includes('node_modules/.bin/overload ramp scenarios/local.ts'))).toBe(true);

    const plan = await runCli(['plan', 'scenarios/local.ts'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('allowlist:   loopback');

    const bare = await runCli(['init', 'bare', '--target', 'http://127.0.0.1:8080', '--no-workflow'], { cwd: dir });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).not.toContain('overload.yml');
    expect(existsSync(join(dir, 'scenarios/bare.ts'))).toBe(true);
  });

  it('bad input exits 2 naming the argument and the fix, and writes nothing', async () => {
    const bad = await runCli(['init', 'a/b', '--target', 'ftp://staging.example.com'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`name "a/b" must be a file name of letters, digits, '.', '_' or '-'`);
    expect(bad.stderr).toContain(
      '--target must be an absolute http(s) URL, e.g. https://staging.example.com (got "ftp://staging.example.com")',
    );
    const missing = await runCli(['init'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--target <url>' not specified");
    expect(existsSync(join(dir, 'scenarios'))).toBe(false);
    expect(existsSync(join(dir, '.github'))).toBe(false);
  });
});

import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Runs a GitHub Actions job of a workflow file on this machine, as far as it is ours: every `run:`
 * step is executed as written, with GitHub's default shell (`bash --noprofile --norc -eo pipefail`),
 * its `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY` and `$RUNNER_TEMP`, in the project folder. What is
 * GitHub's is stood in for: `actions/upload-artifact` copies into a local artifact store, the
 * GitHub CLI (`gh`) is a small program that answers the two calls a workflow makes to find and
 * download an artifact from that store (see FAKE_GH), and the set-up steps (checkout, Node, the
 * install) are skipped: the project already has overload in node_modules/.bin. An expression
 * (`${{ … }}`) or a condition this runner does not know fails the run, naming it.
 */
export interface WorkflowRun {
  /** Each step that ran: its name, exit code and output. */
  readonly steps: { readonly name: string; readonly code: number; readonly stdout: string; readonly stderr: string }[];
  readonly outputs: Record<string, Record<string, string>>;
  readonly summary: string;
}

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

/** The artifact store: `artifacts.json` in the GitHub API's shape, and each artifact's files under runs/<run id>/<name>/. */
const FAKE_GH = `#!/usr/bin/env node
const { cpSync, readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const store = process.env.FAKE_GH_STORE;
const args = process.argv.slice(2);
if (!process.env.GH_TOKEN) { console.error('gh: set the GH_TOKEN environment variable'); process.exit(4); }
const flag = (f) => args[args.indexOf(f) + 1];
if (args[0] === 'api') {
  const url = new URL(args[1], 'https://api.github.com/');
  if (!/^\\/repos\\/[^/]+\\/[^/]+\\/actions\\/artifacts$/.test(url.pathname)) { console.error('gh (stand-in): no route ' + args[1]); process.exit(1); }
  const all = JSON.parse(readFileSync(join(store, 'artifacts.json'), 'utf8'));
  const name = url.searchParams.get('name');
  const body = JSON.stringify({ ...all, artifacts: all.artifacts.filter((a) => !name || a.name === name) });
  process.stdout.write(args.includes('--jq') ? execFileSync('jq', ['-r', flag('--jq')], { input: body }) : body);
} else if (args[0] === 'run' && args[1] === 'download') {
  cpSync(join(store, 'runs', args[2], flag('--name')), flag('--dir'), { recursive: true });
} else { console.error('gh (stand-in): not supported: ' + args.join(' ')); process.exit(1); }
`;

/** A folder holding the stand-in `gh`, to put first on PATH, and an empty artifact store. */
export function fakeGitHub(dir: string): { bin: string; store: string } {
  const bin = join(dir, 'gh-bin');
  const store = join(dir, 'gh-store');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(store, 'runs'), { recursive: true });
  writeFileSync(join(bin, 'gh'), FAKE_GH);
  chmodSync(join(bin, 'gh'), 0o755);
  writeFileSync(join(store, 'artifacts.json'), JSON.stringify({ total_count: 0, artifacts: [] }));
  return { bin, store };
}

function upload(store: string, runId: number, name: string, path: string, cwd: string): void {
  const from = join(cwd, path);
  if (!existsSync(from)) return;
  const to = join(store, 'runs', String(runId), name);
  mkdirSync(to, { recursive: true });
  // A single file lands at the artifact's root; a folder's contents do.
  cpSync(from, path.endsWith('/') ? to : join(to, path.split('/').pop()!), { recursive: true });
  const index = JSON.parse(readFileSync(join(store, 'artifacts.json'), 'utf8'));
  index.artifacts.push({ name, expired: false, created_at: new Date(Date.now() + runId).toISOString(), workflow_run: { id: runId } });
  index.total_count = index.artifacts.length;
  writeFileSync(join(store, 'artifacts.json'), JSON.stringify(index));
}

/** A step's shell, asynchronously: a loopback service in the test's own process must keep answering. */
function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  onOutput?: (text: string) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onOutput?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onOutput?.(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export async function runWorkflowJob(
  file: string,
  job: string,
  o: {
    cwd: string;
    runId: number;
    inputs: Record<string, string>;
    gh: { bin: string; store: string };
    temp: string;
    /** Sees each step's output as it comes (an operator watching the log). */
    onOutput?: (step: string, text: string) => void;
  },
): Promise<WorkflowRun> {
  const workflow = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { env?: Record<string, string>; steps: Step[] }> };
  const spec = workflow.jobs[job]!;
  const outputs: Record<string, Record<string, string>> = {};
  const summaryFile = join(o.temp, `summary-${o.runId}.md`);
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {};
  let failed = false;
  const expression = (text: string): string =>
    text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
      let m = /^inputs\.(\w+)(?:\s*\|\|\s*'([^']*)')?$/.exec(e);
      if (m) return o.inputs[m[1]!] || m[2] || '';
      if ((m = /^env\.(\w+)$/.exec(e))) return env[m[1]!] ?? '';
      if ((m = /^steps\.(\w+)\.outputs\.(\w+)$/.exec(e))) return outputs[m[1]!]?.[m[2]!] ?? '';
      if (e === 'github.token') return 'token-of-the-stand-in';
      if (e === 'github.run_id') return String(o.runId);
      throw new Error(`workflow runner: unknown expression \${{ ${e} }}`);
    });
  const condition = (c: string | undefined): boolean => {
    if (c === undefined) return !failed;
    if (c.trim() === 'always()') return true;
    const m = /^steps\.(\w+)\.outputs\.(\w+) == '([^']*)'$/.exec(c.trim());
    if (m) return !failed && (outputs[m[1]!]?.[m[2]!] ?? '') === m[3];
    throw new Error(`workflow runner: unknown condition ${c}`);
  };
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = expression(String(v));
  const steps: WorkflowRun['steps'] = [];
  for (const step of spec.steps) {
    const name = step.name ?? step.uses ?? step.run ?? '';
    if (!condition(step.if)) continue;
    if (step.uses?.startsWith('actions/upload-artifact@')) {
      upload(o.gh.store, o.runId, expression(step.with!.name!), expression(step.with!.path!), o.cwd);
      steps.push({ name, code: 0, stdout: '', stderr: '' });
      continue;
    }
    // Set-up steps are GitHub's and the package manager's: the project is already set up.
    if (step.uses || /^(npm|pnpm|yarn) (install|ci)\b/.test(step.run ?? '')) continue;
    const outputFile = join(o.temp, `output-${o.runId}-${steps.length}`);
    writeFileSync(outputFile, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expression(String(v))]));
    const r = await bash(
      expression(step.run!),
      o.cwd,
      {
        ...process.env,
        ...env,
        ...stepEnv,
        PATH: `${o.gh.bin}:${process.env.PATH}`,
        FAKE_GH_STORE: o.gh.store,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_REPOSITORY: 'acme/checkout-api',
        GITHUB_RUN_ID: String(o.runId),
        RUNNER_TEMP: o.temp,
        FORCE_COLOR: '0',
        npm_config_update_notifier: 'false',
      },
      o.onOutput && ((text) => o.onOutput!(name, text)),
    );
    const code = r.code;
    steps.push({ name, code, stdout: r.stdout, stderr: r.stderr });
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    }
    if (code !== 0) failed = true;
  }
  return { steps, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

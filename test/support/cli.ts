import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateJunitFile } from './consumers.js';
import { assertValidResultFile } from './result-schema.js';

export const CLI = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI as a child process, the way a user or a CI job would. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; onSpawn?: (pid: number) => void; onStderr?: (chunk: string) => void } = {},
): Promise<CliRun> {
  const done = await spawnCli(args, options);
  // Every result.json a CLI test makes the CLI write must validate against the documented schema.
  const cwd = options.cwd ?? fileURLToPath(new URL('../..', import.meta.url));
  for (const file of writtenResultFiles(args)) {
    const path = isAbsolute(file) ? file : resolvePath(cwd, file);
    if (await exists(path)) await assertValidResultFile(path);
  }
  // Every junit.xml likewise, against Jenkins' JUnit schema and ours (test/fixtures/schemas).
  for (const file of writtenJunitFiles(args)) {
    const path = isAbsolute(file) ? file : resolvePath(cwd, file);
    if (await exists(path)) validateJunitFile(path);
  }
  return done;
}

/** The JUnit files named by `--junit <file>` and `--out-dir <dir>` (its junit.xml). */
function writtenJunitFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  args.forEach((a, i) => {
    const next = args[i + 1];
    if (a === '--junit' && next) files.push(next);
    if (a === '--out-dir' && next) files.push(join(next, 'junit.xml'));
  });
  return files;
}

/** The result files named by `--json <file>` and `--out-dir <dir>` (its result.json). */
function writtenResultFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  // compare's --json is a comparison report, history's a history: not results.
  if (args[0] === 'compare' || args[0] === 'history') return files;
  args.forEach((a, i) => {
    const next = args[i + 1];
    if (a === '--json' && next && next !== '-') files.push(next);
    if (a === '--out-dir' && next) files.push(join(next, 'result.json'));
  });
  return files;
}

/** A result file was written there (a folder named by a refused --json is not one). */
async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function spawnCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; onSpawn?: (pid: number) => void; onStderr?: (chunk: string) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(d);
    });
    child.on('error', reject);
    child.on('spawn', () => options.onSpawn?.(child.pid!));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { OverloadError, type ValidationIssue, ValidationError } from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { detectPackageManager } from '../init/package-manager.js';
import { scenarioTemplate } from '../init/scenario-template.js';
import { workflowTemplate } from '../init/workflow-template.js';

export interface InitFlags {
  target: string;
  force?: boolean;
  workflow: boolean;
}

const WORKFLOW_FILE = '.github/workflows/overload.yml';
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

export function registerInit(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('init')
    .description('write a commented scenario for your service (scenarios/<name>.ts) and a CI workflow that ramps staging')
    .argument('[name]', 'scenario name (default: the package name, or the folder name)')
    .requiredOption('--target <url>', 'base URL of the service to ramp, e.g. https://staging.example.com')
    .option('--force', 'overwrite files that already exist')
    .option('--no-workflow', `do not write ${WORKFLOW_FILE}`)
    .addHelpText(
      'after',
      `
Writes scenarios/<name>.ts (target, SLO, a step profile, the allowlist, budgets) and
${WORKFLOW_FILE} (a guarded ramp of staging, reports kept as artifacts). Never overwrites a
file unless --force is given. Then: overload plan scenarios/<name>.ts

Examples:
  $ overload init checkout --target https://staging.example.com
  $ overload init --target http://127.0.0.1:8080 --no-workflow`,
    )
    .action((name: string | undefined, flags: InitFlags) => setExit(initCommand(name, flags, process.cwd())));
}

export function initCommand(nameArg: string | undefined, flags: InitFlags, cwd: string): ExitCode {
  const issues: ValidationIssue[] = [];
  const name = nameArg ?? defaultName(cwd);
  if (!NAME_PATTERN.test(name)) {
    issues.push({
      path: nameArg === undefined ? '[name]' : `name "${name}"`,
      message: "must be a file name of letters, digits, '.', '_' or '-' (e.g. checkout)",
    });
  }
  let target: URL | undefined;
  try {
    target = new URL(flags.target);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http');
  } catch {
    issues.push({ path: '--target', message: `must be an absolute http(s) URL, e.g. https://staging.example.com (got "${flags.target}")` });
  }
  if (issues.length > 0) throw new ValidationError('overload init', issues);

  const pm = detectPackageManager(cwd);
  const files = [{ path: `scenarios/${name}.ts`, text: scenarioTemplate({ name, target: target!, pm }) }];
  if (flags.workflow) files.push({ path: WORKFLOW_FILE, text: workflowTemplate({ name, target: target!, pm }) });

  // All or nothing: a half-written setup is worse than none.
  const existing = flags.force ? [] : files.filter((f) => existsSync(join(cwd, f.path)));
  if (existing.length > 0) {
    const names = existing.map((f) => f.path).join(' and ');
    throw new OverloadError(
      'OVL_INVALID_OPTIONS',
      `${names} already exist${existing.length === 1 ? 's' : ''}; nothing was written (pass --force to overwrite)`,
    );
  }
  for (const f of files) {
    mkdirSync(dirname(join(cwd, f.path)), { recursive: true });
    writeFileSync(join(cwd, f.path), f.text);
    process.stdout.write(`wrote ${f.path}\n`);
  }
  process.stdout.write(
    `\nNext:\n  ${pm.exec} plan scenarios/${name}.ts   # dry run: checks the scenario, sends nothing\n` +
      `  ${pm.exec} ramp scenarios/${name}.ts   # ramp ${target!.host} to collapse\n`,
  );
  return EXIT.ok;
}

/** The project's package name without its scope, else the folder's name, as a file name. */
function defaultName(cwd: string): string {
  let name = basename(cwd);
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof pkg.name === 'string' && pkg.name !== '') name = pkg.name.replace(/^@[^/]+\//, '');
  } catch {
    // No package.json (or not JSON): the folder's name will do.
  }
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'service'
  );
}

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The product as a user gets it: every package packed with `pnpm pack`, the tarballs
 * installed with npm into a new project under the OS temp dir, outside the workspace, and the
 * CLI and the library used from there. Nothing in that project can reach the workspace: the
 * child environment drops the package manager's variables and the workspace's bin folders.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  packageManager: string;
  devDependencies: Record<string, string>;
};
const PNPM = `pnpm@${rootPkg.packageManager.split('@')[1]}`;
const PACKAGES = ['cli', 'core', 'scenarios', 'workers'];
/** The packages are released together, at the CLI's version. */
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
/** What each package needs of the others, so `npm i -D @overload/cli` alone brings the flagship. */
const INTERNAL_DEPENDENCIES: Record<string, string[]> = {
  cli: ['core', 'scenarios', 'workers'],
  core: [],
  scenarios: ['core'],
  workers: ['core'],
};

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A user's shell: no npm_/pnpm_/vitest variables, no workspace node_modules/.bin on PATH. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|vitest)/i.test(k) || ['INIT_CWD', 'NODE_ENV', 'TEST', 'NODE_OPTIONS'].includes(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.startsWith(ROOT.replace(/\/$/, '')))
    .join(delimiter);
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  return env;
}

function sh(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the installed product (packed tarballs, npm, a project outside the workspace)', () => {
  let tmp: string;
  let project: string;
  /**
   * `npx overload …` in the project. `--no` makes a missing bin a failure instead of a download
   * (npx assumes --yes without a TTY, and an unrelated `overload` package exists on the
   * registry); `--` keeps flags such as --version for overload rather than npx.
   */
  const overload = (...args: string[]) => sh('npx', ['--no', '--', 'overload', ...args], project);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'overload-installed-'));
    const tarballs = join(tmp, 'tarballs');
    project = join(tmp, 'my-service');
    mkdirSync(project);
    const packed = await sh(
      'npx',
      ['-y', PNPM, '--recursive', '--filter', './packages/*', '--filter', './scenarios', 'pack', '--pack-destination', tarballs],
      ROOT,
    );
    if (packed.code !== 0) throw new Error(`pnpm pack failed (${packed.code}):\n${packed.stderr}`);
    const files = readdirSync(tarballs).sort();
    expect(files).toEqual(PACKAGES.map((p) => `overload-${p}-${VERSION}.tgz`));

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-service', private: true, type: 'module' }, null, 2));
    const installed = await sh(
      'npm',
      [
        'install',
        '--save-dev',
        '--no-audit',
        '--no-fund',
        ...files.map((f) => join(tarballs, f)),
        `vitest@${rootPkg.devDependencies['vitest']}`,
      ],
      project,
    );
    if (installed.code !== 0) throw new Error(`npm install failed (${installed.code}):\n${installed.stderr}`);
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('installs publishable packages: versions for workspace ranges, types, README, LICENSE; the bin is the installed one', () => {
    for (const name of PACKAGES) {
      const dir = join(project, 'node_modules', '@overload', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        exports: Record<string, { types?: string } | string>;
      };
      expect(
        Object.values(pkg.dependencies ?? {}).filter((range) => range.startsWith('workspace:')),
        name,
      ).toEqual([]);
      const internal = Object.entries(pkg.dependencies ?? {}).filter(([dep]) => dep.startsWith('@overload/'));
      expect(Object.fromEntries(internal), name).toEqual(
        Object.fromEntries(INTERNAL_DEPENDENCIES[name]!.map((d) => [`@overload/${d}`, VERSION])),
      );
      const main = pkg.exports['.'] as { types: string };
      expect(existsSync(join(dir, main.types)), `${name} ${main.types}`).toBe(true);
      expect(existsSync(join(dir, 'README.md')), `${name} README.md`).toBe(true);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `${name} LICENSE`).toMatch(/^MIT License/);
    }
    expect(realpathSync(join(project, 'node_modules', '.bin', 'overload'))).toBe(
      realpathSync(join(project, 'node_modules', '@overload', 'cli', 'bin', 'overload.js')),
    );
  });

  it('overload --version prints the installed version', async () => {
    const r = await overload('--version');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it('overload scenarios lists the bundled flagship', async () => {
    const r = await overload('scenarios');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^student-reports\s+Student Reports before back to school/m);
    expect(r.stdout).toMatch(/^student-reports-pinch\s+Pinch test/m);
  });

  it('a scenario written by overload init (TypeScript, loaded without a build) validates with overload plan', async () => {
    const init = await overload('init', '--target', 'https://staging.example.com');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote scenarios/my-service.ts');
    const plan = await overload('plan', 'scenarios/my-service.ts');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`scenario:    ${join(realpathSync(project), 'scenarios', 'my-service.ts')}`);
    expect(plan.stdout).toContain('allowlist:   staging.example.com');
  });

  it('a vitest file using run() and ramp() against a loopback node:http server passes', async () => {
    mkdirSync(join(project, 'test'), { recursive: true });
    copyFileSync(
      fileURLToPath(new URL('./fixtures/installed-project/library-check.ts', import.meta.url)),
      join(project, 'test', 'library.test.ts'),
    );
    const r = await sh('npx', ['--no', '--', 'vitest', 'run'], project);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal's colour codes
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+2 passed \(2\)/);
  }, 120_000);

  it('overload ramp student-reports exits 0 with a knee, the simulated service started from the installed package', async () => {
    const r = await overload('ramp', 'student-reports');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/^started the embedded demo target at http:\/\/127\.0\.0\.1:\d+ \(pid \d+, nice \d+: below the generator\)/m);
    expect(r.stdout).toMatch(
      /^knee \d[\d,]* journeys\/s \(\d[\d,]* req\/s\); collapsed at \d[\d,]* journeys\/s \(\d[\d,]* req\/s\): .+; recovered after /m,
    );
    expect(existsSync(join(project, 'overload-results'))).toBe(true);
    // The README's sample output is this command's: its table headers are the ones printed.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const sample = /^## Start here\n[\s\S]*?^```text\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
    const headers = sample
      .split('\n')
      .filter((l) => /^(step|name) {2,}/.test(l) || /^(per name|collapse signature at|recovery check at)\b/.test(l));
    expect(headers.length, 'the README sample shows the summary').toBeGreaterThanOrEqual(5);
    const printed = r.stdout.split('\n');
    const shape = (l: string) =>
      l
        .replace(/\d[\d,.]*/g, '9')
        .replace(/\s+/g, ' ')
        .split(':')[0];
    for (const h of headers) expect(printed.map(shape), `README sample line: ${h}`).toContain(shape(h));
  }, 240_000);
});

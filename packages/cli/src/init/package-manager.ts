import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the user's project installs and runs its dev tools, for the commands `overload init` writes. */
export interface PackageManager {
  readonly name: 'npm' | 'pnpm' | 'yarn';
  /** Runs a locally installed bin: `npx overload`, `pnpm exec overload`, `yarn overload`. */
  readonly exec: string;
  /**
   * The bin itself, for CI: through npx and pnpm exec a cancelled job's SIGINT reaches the shell
   * as 130 and never overload's exit 3 (docs/stopping.md). Yarn 2+ keeps no node_modules/.bin.
   */
  readonly bin: string;
  /** The reproducible install a CI job runs. */
  readonly ciInstall: string;
  /** package.json names the package manager's version (`"packageManager": "pnpm@10.…"`). */
  readonly pinned: boolean;
}

/**
 * Read from the project's lockfile, the one thing every package manager leaves behind, so the
 * workflow `overload init` writes installs exactly what the developer installed. npm when there
 * is none: it is the one that comes with Node.
 */
export function detectPackageManager(cwd: string): PackageManager {
  const declared = declaredPackageManager(cwd);
  if (existsSync(join(cwd, 'pnpm-lock.yaml')) || declared === 'pnpm') {
    return {
      name: 'pnpm',
      exec: 'pnpm exec overload',
      bin: 'node_modules/.bin/overload',
      ciInstall: 'pnpm install --frozen-lockfile',
      pinned: declared === 'pnpm',
    };
  }
  if (existsSync(join(cwd, 'yarn.lock')) || declared === 'yarn') {
    // Yarn 2+ (a .yarnrc.yml) renamed --frozen-lockfile to --immutable.
    const berry = existsSync(join(cwd, '.yarnrc.yml'));
    return {
      name: 'yarn',
      exec: 'yarn overload',
      bin: 'yarn overload',
      ciInstall: berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile',
      pinned: declared === 'yarn',
    };
  }
  return {
    name: 'npm',
    exec: 'npx overload',
    bin: 'node_modules/.bin/overload',
    ciInstall: existsSync(join(cwd, 'package-lock.json')) ? 'npm ci' : 'npm install',
    pinned: false,
  };
}

/** The name in package.json's `packageManager` field (corepack's), if any. */
function declaredPackageManager(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { packageManager?: unknown };
    return typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
  } catch {
    return undefined;
  }
}

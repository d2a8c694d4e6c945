import { readFileSync } from 'node:fs';
import { DEFAULTS } from '@overload/core/internal';

/**
 * The package manager that started overload (npx, pnpm exec, an npm script), by the user agent
 * it sets for its children: `npm`, `pnpm`, `yarn`; undefined when overload was started otherwise.
 */
export function wrapperOf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const agent = env['npm_config_user_agent'];
  return agent ? /^([\w-]+)\//.exec(agent)?.[1] : undefined;
}

/** The parent of a process, from /proc (Linux); undefined where it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once if a wrapper that started overload exits first: its parent, or the parent's
 * parent (`npx -y pnpm overload` is npm → sh → pnpm → overload). A package manager never exits
 * before its child unless it was stopped, and some stop without passing the stop on: a SIGTERM to
 * `npx` kills the `sh -c` npm runs the bin through and nothing else, and overload, orphaned, would
 * go on loading the target with nobody watching. So a wrapper's exit is a stop of its own.
 */
export function watchWrapper(onGone: () => void, everyMs = DEFAULTS.signal.wrapperCheckEveryMs): { dispose(): void } {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    if (process.ppid === parent && (grandparent === undefined || parentOf(parent) === grandparent)) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return { dispose: () => clearInterval(timer) };
}

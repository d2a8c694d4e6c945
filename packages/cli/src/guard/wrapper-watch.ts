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

/**
 * The PID of the `overload` launcher that started this process again with node's flags
 * (bin/overload.js, where node has no process.execve), when it is still this process's parent.
 */
export function launcherOf(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const pid = Number(env['OVERLOAD_LAUNCHER_PID']);
  return Number.isInteger(pid) && pid === process.ppid ? pid : undefined;
}

/** The parent of a process, from /proc (Linux); undefined where it cannot be read. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** This process's ancestors, nearest first, as many as `levels` (fewer where /proc cannot tell). */
function ancestors(levels: number): number[] {
  const chain = [process.ppid];
  while (chain.length < levels) {
    const next = parentOf(chain[chain.length - 1]!);
    if (next === undefined) break;
    chain.push(next);
  }
  return chain;
}

/**
 * Calls `onGone` once if a process that started overload exits first: one of its nearest `levels`
 * ancestors. A package manager never exits before its child unless it was stopped, and some stop
 * without passing the stop on: a SIGTERM to `npx` kills the `sh -c` npm runs the bin through and
 * nothing else, and overload, orphaned, would go on loading the target with nobody watching. So a
 * wrapper's exit is a stop of its own: its parent or the parent's parent (`npx -y pnpm overload`
 * is npm → sh → pnpm → overload), one more above overload's own launcher (bin/overload.js, which
 * a SIGKILL stops without passing anything on). Only the launcher when no package manager started
 * overload: the shell above it may exit by design (`nohup overload … &`).
 */
export function watchWrapper(
  onGone: () => void,
  { levels, everyMs = DEFAULTS.signal.wrapperCheckEveryMs }: { levels: number; everyMs?: number },
): { dispose(): void } {
  const chain = ancestors(levels);
  const timer = setInterval(() => {
    const now = ancestors(chain.length);
    if (now.length === chain.length && now.every((pid, i) => pid === chain[i])) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return { dispose: () => clearInterval(timer) };
}

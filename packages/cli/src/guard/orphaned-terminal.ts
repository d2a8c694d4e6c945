import { launcherOf, parentOf } from './wrapper-watch.js';

/**
 * A wrapper that exits on the user's Ctrl-C without waiting for overload (pnpm dies of the SIGINT
 * within milliseconds; see docs/stopping.md) hands the terminal back to the shell at once, while
 * overload goes on draining and writing its results. Whatever overload printed from then on would
 * land after the shell's prompt, and the user would type over the summary. So once the process
 * that started overload is gone, nothing more is written to a terminal: the results are on disk,
 * and the first signal's notice, printed before the wrapper exited, said where. Pipes and files
 * are left alone: a reader there (`| tee log`) still gets every line, and no prompt is in the way.
 * Started again by overload's own launcher (bin/overload.js where node has no process.execve), the
 * launcher outlives the wrapper (it waits for this process), so the launcher's parent is watched too.
 */
export function muteTerminalOnceOrphaned(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  // process.ppid is read from the OS on every access: it changes when the parent exits.
  const parent = process.ppid;
  const launched = launcherOf() !== undefined;
  const grandparent = launched ? parentOf(parent) : undefined;
  const attached = () => process.ppid === parent && (!launched || parentOf(parent) === grandparent);
  for (const stream of streams) {
    if (!stream.isTTY) continue;
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (attached()) return write(chunk, ...rest);
      const callback = rest.find((r): r is (error?: Error | null) => void => typeof r === 'function');
      if (callback) queueMicrotask(() => callback());
      return true;
    }) as typeof stream.write;
  }
}

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { createInterface } from 'node:readline';

export interface EmbeddedTargetProcess {
  readonly url: string;
  readonly pid: number;
  /** The target's nice value (higher = lower priority), or undefined if it could not be lowered. */
  readonly nice: number | undefined;
  stop(): Promise<void>;
}

/** How much lower than the generator the embedded target runs (nice steps; 19 is the floor). */
export const EMBEDDED_TARGET_NICE_OFFSET = 10;

/**
 * Starts a scenario's simulated target in a child process on a free loopback port and waits for
 * the `{"url": …}` line it prints once listening. The child also exits if this process dies
 * (its IPC channel closes), so a crashed run never leaves a demo server behind.
 *
 * The child gets a process group of its own: a Ctrl-C at the terminal goes to the whole
 * foreground group, and a target that shut down on it would reset the requests overload is
 * draining, send the emails of the reports it drops, and fail the pre-flight with "target
 * unreachable". Only overload takes the stop; it stops the target once the results are written.
 *
 * The demo target shares the machine with the generator (two cores on a CI runner), and a target
 * pushed past its knee burns all the CPU it gets. At equal priority the scheduler takes the core
 * from the generator's send loop for milliseconds at a time, and the verdict would then blame the
 * generator. So the target runs EMBEDDED_TARGET_NICE_OFFSET nice steps below this process: it
 * still gets every cycle the generator leaves idle, and its own collapse is what it would be on
 * its own machine.
 */
export async function startEmbeddedTarget(
  modulePath: string,
  options: Readonly<Record<string, string | number | boolean>>,
): Promise<EmbeddedTargetProcess> {
  const args = ['--port', '0', ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${String(v)}`])];
  const child = fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the embedded target exited with code ${String(code)} before listening: ${stderr.trim()}`);
    }),
  ]);
  let url: string;
  try {
    url = (JSON.parse(first) as { url: string }).url;
  } catch {
    child.kill('SIGTERM');
    throw new Error(`the embedded target printed "${first}" instead of {"url": …}`);
  }
  return {
    url,
    pid: child.pid!,
    nice: lowerPriority(child.pid!, EMBEDDED_TARGET_NICE_OFFSET),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Lowers a child's CPU priority. On Linux a nice value belongs to each thread, so every thread
 * the child has by now is lowered (threads it starts later inherit the main thread's value);
 * elsewhere the process's. Returns the nice value set, or undefined when the OS refused (the run
 * goes on at equal priority: a slower verdict is better than none).
 */
export function lowerPriority(pid: number, by: number): number | undefined {
  const nice = Math.min(19, getPriority() + by);
  let tids = [pid];
  if (process.platform === 'linux') {
    try {
      tids = readdirSync(`/proc/${pid}/task`).map(Number).filter(Number.isInteger);
    } catch {
      // The child is gone or /proc is not mounted: lower the main thread alone.
    }
  }
  let lowered = false;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      lowered = true;
    } catch {
      // A thread that exited in between, or a system that does not allow it.
    }
  }
  return lowered ? nice : undefined;
}

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface EmbeddedTargetProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a scenario's simulated target in a child process on a free loopback port and waits for
 * the `{"url": …}` line it prints once listening. The child also exits if this process dies
 * (its IPC channel closes), so a crashed run never leaves a demo server behind.
 */
export async function startEmbeddedTarget(modulePath: string, options: Readonly<Record<string, string | number | boolean>>): Promise<EmbeddedTargetProcess> {
  const args = ['--port', '0', ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${String(v)}`])];
  const child = fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

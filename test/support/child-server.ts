import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/**
 * A test target running in its own process (so a server that blocks its event loop, or burns
 * CPU, does not stall the test runner), listening on 127.0.0.1 port 0. The child reports its
 * port and answers `stats` requests over IPC, so counting never needs an extra HTTP request.
 */
export interface ChildServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stats<T = ServerStats>(): Promise<T>;
  close(): Promise<void>;
}

export interface ServerStats {
  /** Requests received, in arrival order, as ms since the server started. */
  readonly count: number;
  readonly arrivalsMs?: readonly number[];
  readonly [key: string]: unknown;
}

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url));

export async function startChildServer(name: string, options: Record<string, unknown> = {}): Promise<ChildServer> {
  const child: ChildProcess = fork(`${SERVERS}${name}.mjs`, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = (await once(child, 'message')) as [{ port: number }];
  let seq = 0;
  return {
    url: `http://127.0.0.1:${msg.port}`,
    port: msg.port,
    pid: child.pid!,
    async stats<T>() {
      const id = ++seq;
      child.send({ type: 'stats', id });
      for (;;) {
        const [reply] = (await once(child, 'message')) as [{ id: number; stats: T }];
        if (reply.id === id) return reply.stats;
      }
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

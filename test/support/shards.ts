import { type CliRun, runCli } from './cli.js';

export const TOKEN = 'shard-test-token';

export interface Process {
  readonly pid: Promise<number>;
  readonly done: Promise<CliRun>;
}

/** Processes started by these helpers that have not exited yet (a failed test leaves none behind). */
const running = new Set<number>();

/** Kills (SIGKILL, by pid) whatever a test started here and left running. */
export function killLeftovers(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

function start(args: readonly string[], onStderr?: (chunk: string) => void, env?: Record<string, string>): Process {
  let setPid!: (pid: number) => void;
  const pid = new Promise<number>((r) => (setPid = r));
  const done = runCli(args, {
    onSpawn: (p) => {
      running.add(p);
      setPid(p);
    },
    ...(onStderr ? { onStderr } : {}),
    ...(env ? { env } : {}),
  });
  void Promise.all([pid, done]).then(([p]) => running.delete(p));
  return { pid, done };
}

/** The real CLI as a coordinator; resolves its URL from what it prints once it listens. */
export function startCoordinator(args: readonly string[], onStderr?: (chunk: string) => void): Process & { readonly url: Promise<string> } {
  let setUrl!: (url: string) => void;
  let failUrl!: (e: Error) => void;
  const url = new Promise<string>((resolve, reject) => ((setUrl = resolve), (failUrl = reject)));
  let text = '';
  const p = start([...args, '--coordinator-port', '0', '--coordinator-token', TOKEN], (chunk) => {
    text += chunk;
    onStderr?.(chunk);
    const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (m) setUrl(m[1]!);
  });
  void p.done.then((r) => failUrl(new Error(`the coordinator exited (${r.code}) before listening: ${r.stderr}`)));
  return { ...p, url };
}

/** The real CLI as shard i of n of a coordinator. */
export function startFollower(args: readonly string[], index: number, count: number, url: string, env?: Record<string, string>): Process {
  return start(
    [...args, '--shard', `${index}/${count}`, '--coordinator', url, '--coordinator-token', TOKEN, '--workers', '1'],
    undefined,
    env,
  );
}

export function startProcess(args: readonly string[]): Process {
  return start(args);
}

/** Arrival times at the counting server, as epoch ms. */
export function arrivalEpochs(stats: { firstEpochMs?: unknown; arrivalsMs?: readonly number[] }): number[] {
  const first = stats.firstEpochMs as number;
  return (stats.arrivalsMs ?? []).map((ms) => first + ms);
}

let validate: (((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null }) | undefined;

/** Problems docs/result.schema.json finds in a result (none: an empty list). */
export async function schemaErrors(value: unknown): Promise<string[]> {
  if (!validate) {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { readFile } = await import('node:fs/promises');
    validate = new Ajv2020({ strict: true, allErrors: true }).compile(
      JSON.parse(await readFile(new URL('../../docs/result.schema.json', import.meta.url), 'utf8')),
    );
  }
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

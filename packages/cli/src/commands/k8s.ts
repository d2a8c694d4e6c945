import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, normalize, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { BUNDLED_SCENARIOS } from '@overload/scenarios';
import { parseDurationMs, ValidationError, type ValidationIssue } from '@overload/core/internal';
import { stringify } from 'yaml';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { manifests, FAIL_JOB_EXIT_CODES } from '../k8s/manifests.js';
import { durationArg, positiveIntArg, rateArg } from '../parse.js';
import { loadScenario } from '../scenario/load.js';

interface K8sFlags {
  shards: number;
  image: string;
  command: 'run' | 'ramp';
  name?: string;
  namespace: string;
  maxDuration?: number;
  target?: string;
  profile?: string;
  slo?: string;
  maxRate?: number;
  maxRequests?: number;
  budget?: string[];
  workers?: number;
  port: number;
  joinTimeout: number;
  cpu: string;
  memory: string;
}

/** A ConfigMap holds at most 1 MiB; the scenario and its data files must fit. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024 - 16 * 1024;

export function registerK8s(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('k8s')
    .description(
      'print Kubernetes YAML for a sharded run: an Indexed Job of shards, a coordinator pod, a headless Service, the scenario in a ConfigMap',
    )
    .argument('<scenario>', 'your scenario file or name (its source and data files go into the ConfigMap)')
    .requiredOption('--shards <n>', 'number of shards (pods of the Indexed Job)', positiveIntArg)
    .requiredOption('--image <image>', 'container image with overload (see the Dockerfile)')
    .option('--command <command>', 'run or ramp', 'ramp')
    .option('--name <name>', 'prefix of every object name (default overload-<scenario>)')
    .option('--namespace <ns>', 'namespace', 'default')
    .option(
      '--max-duration <time>',
      "the run's ceiling; the Job's activeDeadlineSeconds follows it (default: the scenario's safety.maxDurationMs)",
      durationArg,
    )
    .option('--target <url>', "the target (default: the scenario's)")
    .option('--profile <profile>', 'profile, as for run and ramp')
    .option('--slo <conditions>', 'SLO, as for ramp')
    .option('--max-rate <rps>', 'rate ceiling of the whole run (the schedule is clamped before it is sliced)', rateArg)
    .option('--max-requests <n>', 'request cap of the whole run (split exactly across shards)', positiveIntArg)
    .option('--budget <name=N>', 'side-effect budget of the whole run (split across shards), repeatable', (v: string, p: string[] = []) => [
      ...p,
      v,
    ])
    .option('--workers <n>', 'worker threads per shard', positiveIntArg)
    .option('--port <port>', 'coordinator port', (v) => Number(v), 7070)
    .option('--join-timeout <time>', 'how long the coordinator waits for every shard pod', durationArg, 300_000)
    .option('--cpu <cpu>', 'CPU request of each shard and of the coordinator', '1')
    .option('--memory <size>', 'memory request and limit of each shard and of the coordinator', '1Gi')
    .addHelpText(
      'after',
      `
One shard fails the whole Job (podFailurePolicy FailJob) on exit codes ${FAIL_JOB_EXIT_CODES.join(', ')}. See docs/distributed.md
for starting, watching, stopping (kubectl suspend/delete, the control endpoint) and collecting results.

Examples:
  $ overload k8s scenarios/checkout.ts --shards 8 --image ghcr.io/acme/overload:0.1.0 --max-duration 15m > overload.yaml
  $ kubectl apply -f overload.yaml`,
    )
    .action(async (ref: string, flags: K8sFlags) => setExit(await k8sCommand(ref, flags)));
}

async function k8sCommand(ref: string, flags: K8sFlags): Promise<ExitCode> {
  const issues: ValidationIssue[] = [];
  if (flags.command !== 'run' && flags.command !== 'ramp')
    issues.push({ path: '--command', message: `must be run or ramp (got "${flags.command}")` });
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace))
    issues.push({ path: '--namespace', message: `must be a DNS label (got "${flags.namespace}")` });
  if (!Number.isInteger(flags.port) || flags.port < 1 || flags.port > 65535)
    issues.push({ path: '--port', message: `must be a port 1-65535 (got ${flags.port})` });
  if (issues.length > 0) throw new ValidationError('command line', issues);
  const { scenario, file } = await loadScenario(ref);
  if (BUNDLED_SCENARIOS.some((s) => s.file === file)) {
    throw new ValidationError('command line', [
      {
        path: '<scenario>',
        message: `"${ref}" is bundled with overload and starts a demo target on every machine: shard a scenario of your own (overload init writes one)`,
      },
    ]);
  }
  const target = flags.target ?? scenario.target;
  if (!target)
    issues.push({
      path: '--target',
      message: `is required: scenario "${scenario.name}" has no target, and each shard would start its own demo target`,
    });
  const maxDurationMs =
    flags.maxDuration ?? (scenario.safety?.maxDurationMs !== undefined ? parseDurationMs(scenario.safety.maxDurationMs) : undefined);
  if (maxDurationMs === undefined)
    issues.push({
      path: '--max-duration',
      message: "is required (or safety.maxDurationMs in the scenario): the Job's activeDeadlineSeconds, so no shard can load forever",
    });
  if (flags.command === 'ramp' && !(flags.profile ?? scenario.profile))
    issues.push({ path: '--profile', message: `is required: scenario "${scenario.name}" declares no profile` });
  const name =
    flags.name ??
    `overload-${scenario.name}`
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40)
    issues.push({ path: '--name', message: `must be a DNS label of at most 40 characters (got "${name}")` });

  // The scenario and its data files, by path relative to the scenario (they keep their layout).
  const files: Record<string, string> = { [basename(file)]: await readFile(file, 'utf8') };
  for (const [feeder, f] of Object.entries(scenario.feeders ?? {})) {
    const path =
      typeof f === 'object' && f !== null && !Array.isArray(f) ? ((f as { csv?: string }).csv ?? (f as { json?: string }).json) : undefined;
    if (path === undefined) continue;
    const rel = normalize(path);
    if (isAbsolute(rel) || rel.startsWith('..')) {
      issues.push({
        path: `feeders.${feeder}`,
        message: `reads ${path}, outside the scenario's folder: move it next to the scenario so it can go into the ConfigMap`,
      });
      continue;
    }
    files[relative('.', rel)] = await readFile(resolve(dirname(file), rel), 'utf8');
  }
  const size = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0);
  if (size > CONFIGMAP_MAX_BYTES)
    issues.push({
      path: '<scenario>',
      message: `and its data files take ${size} bytes, more than a ConfigMap holds (1 MiB): feed large data from the target or a volume of your own`,
    });
  if (issues.length > 0) throw new ValidationError('command line', issues);

  const args: string[] = ['--target', target!];
  if (flags.profile) args.push('--profile', flags.profile);
  if (flags.slo) args.push('--slo', flags.slo);
  if (flags.maxRate !== undefined) args.push('--max-rate', String(flags.maxRate));
  if (flags.maxRequests !== undefined) args.push('--max-requests', String(flags.maxRequests));
  for (const b of flags.budget ?? []) args.push('--budget', b);
  if (flags.workers !== undefined) args.push('--workers', String(flags.workers));
  const objects = manifests({
    name,
    namespace: flags.namespace,
    image: flags.image,
    shards: flags.shards,
    command: flags.command,
    scenarioFile: basename(file),
    files,
    args,
    maxDurationMs: maxDurationMs!,
    joinTimeoutMs: flags.joinTimeout,
    port: flags.port,
    token: randomBytes(16).toString('hex'),
    cpu: flags.cpu,
    memory: flags.memory,
  });
  process.stdout.write(
    `# overload ${flags.command} ${scenario.name}: ${flags.shards} shards (Indexed Job ${name}-shards), coordinator pod ${name}-coordinator.\n` +
      `# kubectl apply -f this file; see docs/distributed.md to watch, stop and collect results.\n` +
      objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join(''),
  );
  return EXIT.ok;
}

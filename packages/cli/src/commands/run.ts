import { type Command, Option } from 'commander';
import { parseProfileText, type Profile, parseStatusList, type RunResult, ValidationError } from '@overload/core';
import { startRun } from '@overload/workers';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { createLogger, redactHeaders } from '../logger.js';
import { formatIntervalLine, formatRunSummary } from '../output/run-summary.js';
import { durationArg, headerArg, positiveIntArg, rateArg } from '../parse.js';
import { installStopSignals } from '../stop-signals.js';
import { writeJson } from '../write-json.js';

interface RunFlags {
  rate?: number;
  duration?: number;
  profile?: string;
  arrivals?: 'uniform' | 'poisson';
  seed?: number;
  workers?: number;
  connections?: number;
  method: string;
  header?: Record<string, string>;
  body?: string;
  timeout?: number;
  maxInFlight?: number;
  maxRequests?: number;
  expectStatus?: string;
  json?: string;
  quiet?: boolean;
  logLevel?: string;
  logFile?: string;
}

export function registerRun(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('run')
    .description('fire an open-loop load (a constant rate or any profile) at one URL and report corrected latency')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:8080/health')
    .option('--rate <rps>', 'constant rate in requests per second (with --duration)', rateArg)
    .option('--duration <time>', 'how long to run at --rate, e.g. 20s, 2m', durationArg)
    .option('--profile <profile>', 'a profile instead of --rate: constant|linear|step|exponential|spike|pinch|stages, e.g. "linear:from=100,to=2000,duration=1m" or JSON')
    .addOption(new Option('--arrivals <process>', 'arrival process').choices(['uniform', 'poisson']).default('uniform'))
    .option('--seed <n>', 'seed for poisson arrivals', positiveIntArg)
    .option('--workers <n>', 'worker threads (default: cores - 1, at least 1)', positiveIntArg)
    .option('--connections <n>', 'connections per worker (default: fits the rate)', positiveIntArg)
    .option('-m, --method <method>', 'HTTP method', 'GET')
    .option('-H, --header <name:value>', 'request header (repeatable)', headerArg)
    .option('--body <text>', 'request body')
    .option('--timeout <time>', 'per-request timeout (default 10s)', durationArg)
    .option('--max-in-flight <n>', 'cap on requests in flight; arrivals beyond it are dropped and counted', positiveIntArg)
    .option('--max-requests <n>', 'send at most N requests in total, across all workers', positiveIntArg)
    .option('--expect-status <list>', 'statuses that count as success, e.g. "200-299,404" (default 200-399)')
    .option('--json <file>', 'write the result JSON to this file')
    .option('-q, --quiet', 'no per-interval progress lines')
    .option('--log-level <level>', 'pino log level (default warn; info with --log-file)')
    .option('--log-file <file>', 'write structured logs to this file')
    .addHelpText(
      'after',
      `
Examples:
  $ overload run http://127.0.0.1:8080/ --rate 1000 --duration 20s --json result.json
  $ overload run http://127.0.0.1:8080/ --profile "linear:from=100,to=2000,duration=1m" --workers 1
  $ overload run http://127.0.0.1:8080/reports -m POST -H "content-type: application/json" --body '{"a":1}' --rate 50 --duration 10s`,
    )
    .action(async (url: string, flags: RunFlags) => {
      setExit(await runCommand(url, flags));
    });
}

export function profileFromFlags(flags: { rate?: number; duration?: number; profile?: string }): Profile | undefined {
  if (flags.profile !== undefined) {
    if (flags.rate !== undefined) {
      throw new ValidationError('command line', [{ path: '--rate', message: 'cannot be combined with --profile; put the rate in the profile' }]);
    }
    return parseProfileText(flags.profile) as Profile;
  }
  if (flags.rate === undefined || flags.duration === undefined) {
    throw new ValidationError('command line', [
      { path: flags.rate === undefined ? '--rate' : '--duration', message: 'is required (give --rate and --duration, or --profile)' },
    ]);
  }
  return { kind: 'constant', rateRps: flags.rate, durationMs: flags.duration };
}

async function runCommand(url: string, flags: RunFlags): Promise<ExitCode> {
  const log = createLogger({ ...(flags.logLevel ? { level: flags.logLevel } : {}), ...(flags.logFile ? { file: flags.logFile } : {}) });
  const profile = profileFromFlags(flags);
  const headers = flags.header ?? {};
  const handle = startRun({
    url,
    method: flags.method,
    headers,
    ...(flags.body !== undefined ? { body: flags.body } : {}),
    ...(profile ? { profile } : {}),
    ...(flags.arrivals ? { arrivals: flags.arrivals } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(flags.connections !== undefined ? { connections: flags.connections } : {}),
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    ...(flags.maxInFlight !== undefined ? { maxInFlight: flags.maxInFlight } : {}),
    ...(flags.maxRequests !== undefined ? { maxRequests: flags.maxRequests } : {}),
    ...(flags.expectStatus !== undefined ? { expectStatus: parseStatusList(flags.expectStatus) } : {}),
    onInterval: (i) => {
      if (!flags.quiet) process.stderr.write(`${formatIntervalLine(i)}\n`);
    },
  });
  log.info({ url, method: flags.method, headers: redactHeaders(headers), profile }, 'run started');
  const signals = installStopSignals((reason, immediate) => handle.stop(reason, undefined, { immediate }));
  let result: RunResult;
  try {
    result = await handle.result;
  } finally {
    signals.dispose();
  }
  const stored = { ...result, request: { headers: redactHeaders(headers) } };
  if (flags.json) await writeJson(flags.json, stored);
  process.stdout.write(`${formatRunSummary(result)}\n`);
  if (flags.json) process.stdout.write(`result written to ${flags.json}\n`);
  log.info({ stopReason: result.stopReason, totals: result.totals }, 'run finished');
  if (result.stopReason !== 'completed') return EXIT.stopped;
  if (result.generator.saturated) return EXIT.inconclusive;
  return EXIT.ok;
}

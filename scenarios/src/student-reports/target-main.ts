#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStudentReportsTarget, TargetOptionsError, type StudentReportsOptions } from './target.js';

/**
 * Runs the simulated Student Reports service as its own process, so the load generator and the
 * target do not share an event loop (or a core's worth of CPU accounting) and the target can be
 * killed on its own. Prints one JSON line `{"url","port","pid"}` on stdout once listening; that
 * line is the whole stdout contract, so a parent can read it without parsing logs.
 *
 *   node node_modules/@overload/scenarios/dist/student-reports/target-main.js [--port N] [--host 127.0.0.1]
 *        [--bug sticky-breaker] [--fail-renders] [--option key=value ...]
 *
 * Exit codes: 0 on SIGTERM/SIGINT or when the parent's IPC channel closes, 2 for invalid
 * arguments or a non-loopback host, 1 when the server cannot start (e.g. port in use).
 */

const USAGE = `usage: target-main [--port N] [--host 127.0.0.1] [--bug none|sticky-breaker] [--fail-renders] [--option key=value ...]
options for --option: translationSlots, translationQueryMs, translationQueueLimit, translationTimeoutMs,
  renderCpuMs, failRenders, breakerThreshold, breakerResetMs, bug, reportRetention`;

class UsageError extends Error {
  readonly code = 'OVL_INVALID_OPTIONS';
}

interface MainArgs {
  readonly port: number;
  readonly host: string;
  readonly options: Partial<StudentReportsOptions>;
}

function parseMainArgs(argv: readonly string[]): MainArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      bug: { type: 'string' },
      'fail-renders': { type: 'boolean' },
      option: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port!) || port > 65_535)
    throw new UsageError(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(values.port)})`);

  const options: Record<string, unknown> = {};
  for (const pair of values.option ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option must look like key=value (got ${JSON.stringify(pair)})`);
    options[pair.slice(0, eq).trim()] = parseValue(pair.slice(eq + 1).trim());
  }
  // The dedicated flags win over --option, being the more explicit spelling.
  if (values.bug !== undefined) options.bug = values.bug;
  if (values['fail-renders']) options.failRenders = true;
  return { port, host: values.host!, options: options as Partial<StudentReportsOptions> };
}

/** `--option` values arrive as text; numbers and booleans are recognised, the rest stays text. */
function parseValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

async function main(): Promise<void> {
  let args: MainArgs | 'help';
  try {
    args = parseMainArgs(process.argv.slice(2));
  } catch (error) {
    // parseArgs throws TypeErrors with codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION.
    fail(2, `${(error as Error).message}\n${USAGE}`);
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let target: Awaited<ReturnType<typeof startStudentReportsTarget>>;
  try {
    target = await startStudentReportsTarget({ ...args.options, port: args.port, host: args.host });
  } catch (error) {
    if (error instanceof TargetOptionsError) fail(2, `${error.code}: ${error.message}`);
    fail(1, `cannot start the student-reports target: ${(error as Error).message}`);
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    target.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started with an IPC channel (fork): a parent that dies must not leave the target behind.
  if (process.send !== undefined) process.on('disconnect', stop);

  process.stdout.write(`${JSON.stringify({ url: target.url, port: target.port, pid: process.pid })}\n`);
}

function fail(exitCode: number, message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(exitCode);
}

await main();

import { Command, CommanderError } from 'commander';
import { formatIssue, ValidationError } from '@overload/core/internal';
import { registerK8s } from './commands/k8s.js';
import { registerMerge } from './commands/merge.js';
import { registerCompare } from './commands/compare.js';
import { registerHistory } from './commands/history.js';
import { registerPlan } from './commands/plan.js';
import { registerRamp } from './commands/ramp.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerInit } from './commands/init.js';
import { registerScenarios } from './commands/scenarios.js';
import { registerSearch } from './commands/search.js';
import { registerTarget } from './commands/target.js';
import { EXIT, EXIT_CODE_TABLE, type ExitCode, exitCodeForError } from './exit-codes.js';
import { registerArgvSecrets } from './secrets.js';
import { CLI_VERSION } from './version.js';

export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command('overload')
    .description('Push an HTTP service to collapse on purpose, safely: find the knee, see how it collapses, check it recovers.')
    .version(CLI_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODE_TABLE}`)
    .exitOverride();
  registerRamp(program, setExit);
  registerRun(program, setExit);
  registerSearch(program, setExit);
  registerPlan(program, setExit);
  registerScenarios(program, setExit);
  registerReport(program, setExit);
  registerMerge(program, setExit);
  registerCompare(program, setExit);
  registerHistory(program, setExit);
  registerK8s(program, setExit);
  registerTarget(program, setExit);
  registerInit(program, setExit);
  return program;
}

/** Runs the CLI; returns the process exit code (never calls process.exit itself). */
export async function main(argv: readonly string[]): Promise<number> {
  registerArgvSecrets(argv);
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ValidationError) {
      process.stderr.write(`error: ${error.message.split('\n')[0]}\n${error.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}\n`);
      return EXIT.usage;
    }
    const code = exitCodeForError(error);
    process.stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    if (code === EXIT.internal && process.env.OVERLOAD_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return code;
  }
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { renderHtmlReport } from '../report/html.js';
import { renderJunit } from '../report/junit.js';
import { assertStoredResult, type StoredResult } from '../report/stored-result.js';
import { RESULT_FILES } from '../results/write-results.js';

interface ReportCommandFlags {
  html?: string;
  junit?: string;
}

export function registerReport(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('report')
    .description('render the reports of a previous run from its result.json (HTML, JUnit); nothing is sent')
    .argument('<result.json>', 'a result file written by run, ramp or search')
    .option(
      '--html <file>',
      `write the HTML report here (default: ${RESULT_FILES.html} next to the result, when no other output is asked for)`,
    )
    .option('--junit <file>', 'write JUnit XML here: one testcase per SLO condition per step, plus the recovery check')
    .addHelpText(
      'after',
      `
The HTML report is the same, byte for byte, as the one written at the end of the run.

Examples:
  $ overload report overload-results/student-reports-2026-11-29T18-04-05/result.json --html report.html
  $ overload report result.json --junit junit.xml`,
    )
    .action(async (file: string, flags: ReportCommandFlags) => setExit(await reportCommand(file, flags)));
}

async function reportCommand(file: string, flags: ReportCommandFlags): Promise<ExitCode> {
  const result = await readResult(file);
  const html = flags.html ?? (flags.junit ? undefined : join(dirname(file), RESULT_FILES.html));
  const written: string[] = [];
  if (html) {
    await writeOut(html, renderHtmlReport(result));
    written.push(html);
  }
  if (flags.junit) {
    await writeOut(flags.junit, renderJunit(result));
    written.push(flags.junit);
  }
  process.stdout.write(`report: ${written.join(', ')}\n`);
  return EXIT.ok;
}

/** Reads and checks a result file; every problem is a usage error naming the file. */
export async function readResult(file: string): Promise<StoredResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError('command line', [{ path: '<result.json>', message: `cannot be read: ${(error as Error).message}` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(file, [{ path: '', message: `is not JSON: ${(error as Error).message}` }]);
  }
  assertStoredResult(parsed, file);
  return parsed;
}

async function writeOut(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError, type ValidationIssue } from '@overload/core/internal';
import { addMinEffectOptions, type CompareFlags, parseCompareOptions } from '../compare/compare-output.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { historyOf } from '../history/history-model.js';
import { renderHistoryText } from '../history/history-text.js';
import { readResults } from '../history/read-results.js';
import { renderTrendHtml } from '../history/trend-html.js';
import { writeJson } from '../write-json.js';

interface HistoryFlags extends Omit<CompareFlags, 'allowDifferent'> {
  html?: string;
  json?: string;
}

/** Where results land by default (`defaultOutDir`). */
const DEFAULT_DIR = 'overload-results';

export function registerHistory(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('history')
    .description(
      'every result under a folder, by scenario and target, oldest first: knee, collapse, recovery, p99 at the knee, and the verdict against the previous comparable result',
    )
    .argument('[dir]', 'the folder to read, at any depth', DEFAULT_DIR);
  // No --allow-different: a history compares like with like, and another profile or SLO starts a new series.
  addMinEffectOptions(cmd)
    .option('--html <file>', "also write a trend page: the knee over time, and the last results' latency-vs-rate curves overlaid")
    .option('--json <file>', 'also write the history as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ overload history
  $ overload history ci-artifacts/ --html trend.html

Files that cannot be read as a result are skipped and named. Exit 0 whatever the verdicts (it reports; overload compare gates).`,
    )
    .action(async (dir: string, flags: HistoryFlags) => setExit(await historyCommand(dir, flags)));
}

async function historyCommand(dir: string, flags: HistoryFlags): Promise<ExitCode> {
  const issues: ValidationIssue[] = [];
  const options = parseCompareOptions(flags, issues);
  try {
    if (!(await stat(dir)).isDirectory())
      issues.push({ path: 'dir', message: `${dir} is not a folder: give the folder holding the results` });
  } catch {
    issues.push({ path: 'dir', message: `${dir} does not exist: give the folder holding the results (default ${DEFAULT_DIR})` });
  }
  if (issues.length > 0) throw new ValidationError('command line', issues);
  const { results, skipped } = await readResults(dir);
  // History shows verdicts, not intervals: rows whose verdict is certain skip the bootstrap.
  const groups = historyOf(results, { ...options, bootstrap: 'when-undecided' });
  process.stdout.write(renderHistoryText(dir, groups, skipped));
  if (flags.json) await writeJson(flags.json, { dir, groups, skipped });
  if (flags.html) await writeFile(flags.html, renderTrendHtml(dir, groups, skipped));
  return EXIT.ok;
}

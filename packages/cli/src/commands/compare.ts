import type { Command } from 'commander';
import { type ComparableResult, compareResults, differencesOf, ValidationError, type ValidationIssue } from '@overload/core/internal';
import { type ComparisonFiles, writeComparisonFiles } from '../compare/compare-files.js';
import {
  addCompareOptions,
  type CompareFlags,
  comparisonExitCode,
  differenceIssues,
  parseCompareOptions,
  renderComparison,
} from '../compare/compare-output.js';
import { readComparable } from '../compare/read-result.js';
import type { ExitCode } from '../exit-codes.js';

interface CompareCommandFlags extends CompareFlags, ComparisonFiles {}

export function registerCompare(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('compare')
    .description('compare a run, ramp or search against a baseline: regressed (exit 8), no regression (0), or cannot tell (9)')
    .argument('<baseline>', 'a result.json, or a results folder holding one')
    .argument('<current>', 'a result.json, or a results folder holding one');
  addCompareOptions(cmd)
    .option('--json <file>', 'also write the comparison as JSON')
    .option('--markdown <file>', 'also write the table as Markdown (a pull-request comment, a step summary)')
    .option('--junit <file>', 'also write JUnit XML: one testcase per metric')
    .option('--html <file>', "also write a page overlaying the two results' latency-vs-rate and probe curves")
    .addHelpText(
      'after',
      `
Examples:
  $ overload compare overload-results/base overload-results/student-reports-2026-12-04T21-00-00
  $ overload compare base/result.json current/result.json --markdown "$GITHUB_STEP_SUMMARY" --junit compare-junit.xml --html compare.html
  $ overload compare base current --min-effect 20% --min-effect-ms 10

How each verdict is reached (bootstrap over intervals, minimum effects): docs/compare.md.`,
    )
    .action(async (b: string, c: string, flags: CompareCommandFlags) => setExit(await compareCommand(b, c, flags)));
}

async function readResult(path: string, issues: ValidationIssue[]): Promise<ComparableResult | undefined> {
  try {
    return await readComparable(path);
  } catch (error) {
    issues.push({ path, message: `cannot be read as a result: ${(error as Error).message}` });
    return undefined;
  }
}

async function compareCommand(baselinePath: string, currentPath: string, flags: CompareCommandFlags): Promise<ExitCode> {
  const issues: ValidationIssue[] = [];
  const options = parseCompareOptions(flags, issues);
  const baseline = await readResult(baselinePath, issues);
  const current = await readResult(currentPath, issues);
  if (issues.length > 0 || !baseline || !current) throw new ValidationError('command line', issues);
  const differences = differencesOf(baseline, current);
  if (differences.length > 0 && !flags.allowDifferent) throw new ValidationError('compare', differenceIssues(differences));
  const report = compareResults(baseline, current, options);
  const sources = { baseline: baselinePath, current: currentPath };
  const rendered = renderComparison(report, sources);
  process.stdout.write(rendered.text);
  await writeComparisonFiles(flags, rendered, report, { baseline, current }, sources);
  return comparisonExitCode(report);
}

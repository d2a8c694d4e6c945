import type { Command } from 'commander';
import { type ComparableResult, compareResults, differencesOf, ValidationError, type ValidationIssue } from '@overload/core/internal';
import {
  addCompareOptions,
  type CompareFlags,
  comparisonExitCode,
  differenceIssues,
  parseCompareOptions,
  renderComparison,
  writeComparison,
} from '../compare/compare-output.js';
import { readComparable } from '../compare/read-result.js';
import type { ExitCode } from '../exit-codes.js';

interface CompareCommandFlags extends CompareFlags {
  json?: string;
  markdown?: string;
}

export function registerCompare(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('compare')
    .description('compare a run or ramp against a baseline: regressed (exit 8), no regression (0), or cannot tell (9)')
    .argument('<baseline>', 'a result.json, or a results folder holding one')
    .argument('<current>', 'a result.json, or a results folder holding one');
  addCompareOptions(cmd)
    .option('--json <file>', 'also write the comparison as JSON')
    .option('--markdown <file>', 'also write the table as Markdown (a pull-request comment, a step summary)')
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
  const rendered = renderComparison(report, { baseline: baselinePath, current: currentPath });
  process.stdout.write(rendered.text);
  await writeComparison(rendered, flags);
  return comparisonExitCode(report);
}

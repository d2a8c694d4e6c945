import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  type ComparableIdentity,
  type ComparableResult,
  type CompareOptions,
  compareResults,
  identityDifferences,
  identityOf,
  ValidationError,
  type ValidationIssue,
} from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { secrets } from '../secrets.js';
import {
  addCompareOptions,
  type CompareFlags,
  comparisonExitCode,
  differenceIssues,
  parseCompareOptions,
  renderComparison,
} from './compare-output.js';
import { COMPARE_FILES, writeComparisonFiles } from './compare-files.js';
import { readComparable } from './read-result.js';

export interface BaselineFlags extends CompareFlags {
  baseline?: string;
}

export function addBaselineOptions(cmd: Command): Command {
  cmd.option(
    '--baseline <result.json|dir>',
    'compare with this earlier result when done (as `overload compare`): exit 8 if regressed, 9 if it cannot tell, when the run itself passed',
  );
  return addCompareOptions(cmd);
}

export interface LoadedBaseline {
  readonly path: string;
  readonly result: ComparableResult;
  readonly options: CompareOptions;
}

/**
 * Reads and checks `--baseline` before anything is sent: a baseline that cannot be read, or of
 * another kind, target, profile or SLO than the command about to start, is refused (exit 2).
 * `plan` says whether the target is a scenario's embedded demo target, which listens on a new
 * port every time: then the scenario's name says which target it is.
 */
export async function loadBaseline(
  flags: BaselineFlags,
  identity: ComparableIdentity,
  plan?: { readonly name: string; readonly embedded: unknown },
): Promise<LoadedBaseline | undefined> {
  const current: ComparableIdentity = plan?.embedded ? { ...identity, embedded: plan.name } : identity;
  const issues: ValidationIssue[] = [];
  const options = parseCompareOptions(flags, issues);
  if (flags.baseline === undefined) {
    for (const f of ['minEffect', 'minEffectMs', 'allowDifferent'] as const) {
      if (flags[f] !== undefined) issues.push({ path: kebab(f), message: 'only applies with --baseline <result.json|dir>' });
    }
    if (issues.length > 0) throw new ValidationError('command line', issues);
    return undefined;
  }
  const path = flags.baseline;
  let result: ComparableResult | undefined;
  try {
    result = await readComparable(path);
  } catch (error) {
    const looksLikeRate = /^\d+(?:\.\d+)?%?$/.test(path.trim()) && !(await exists(path));
    issues.push({
      path: '--baseline',
      message: looksLikeRate
        ? `"${path}" is not a result: --baseline names an earlier result.json (or its folder) to compare with; the recovery baseline rate is --recovery-baseline ${path}`
        : `"${path}" cannot be read as a result: ${(error as Error).message}; give a result.json of an earlier run or ramp, or its folder`,
    });
  }
  if (result) {
    // The stored result has its secrets scrubbed: compare like with like.
    const expected = JSON.parse(secrets.scrub(JSON.stringify(current))) as ComparableIdentity;
    const differences = identityDifferences(identityOf(result), expected);
    if (differences.length > 0 && !flags.allowDifferent) issues.push(...differenceIssues(differences, '--baseline'));
  }
  if (issues.length > 0 || !result) throw new ValidationError('command line', issues);
  return { path, result, options };
}

/**
 * After the results are written: compares the result.json just written with the baseline, prints
 * the table, writes compare.json and compare.md beside it, and returns the exit code. The run's own
 * failure code wins; the comparison decides only a run that passed.
 */
export async function compareWithBaseline(baseline: LoadedBaseline | undefined, files: string[], ownExit: ExitCode): Promise<ExitCode> {
  if (!baseline) return ownExit;
  const resultFile = files[0]!;
  const current = await readComparable(resultFile);
  const report = compareResults(baseline.result, current, baseline.options);
  const sources = { baseline: baseline.path, current: resultFile };
  const rendered = renderComparison(report, sources);
  const dir = dirname(resultFile);
  const targets = Object.fromEntries(Object.entries(COMPARE_FILES).map(([k, f]) => [k, join(dir, f)]));
  const written = await writeComparisonFiles(targets, rendered, report, { baseline: baseline.result, current }, sources);
  files.push(...written);
  process.stdout.write(`\ncompared with the baseline ${baseline.path}:\n${rendered.text}comparison: ${written.join(', ')}\n`);
  if (ownExit !== EXIT.ok) {
    if (report.outcome !== 'no-regression') process.stdout.write(`(the run's own exit code ${ownExit} stands)\n`);
    return ownExit;
  }
  return comparisonExitCode(report);
}

const kebab = (f: string) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

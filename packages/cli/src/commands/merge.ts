import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { mergeShardResults, type RunResult, type ShardInput, ValidationError, type ValidationIssue } from '@overload/core/internal';
import { EXIT, type ExitCode, exitCodeForStop } from '../exit-codes.js';
import { formatRunSummary } from '../output/run-summary.js';
import { defaultOutDir, type OutputFlags, RESULT_FILES, writeResults } from '../results/write-results.js';

interface MergeFlags extends OutputFlags {
  quiet?: boolean;
}

export function registerMerge(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('merge')
    .description(
      "add the results of a run's shards into the result of the one run: exact HDR merges, or a refusal; a missing shard makes it incomplete (exit 7)",
    )
    .argument('<result.json...>', 'the result.json of every shard (written by run --shard i/N)')
    .option('--out-dir <dir>', 'write the merged result files here (default ./overload-results/<name>-merged-<time>)')
    .option('--json <file>', 'also write the merged result JSON to this file')
    .option('--html <file>', 'also write the HTML report here (always written to the out dir as report.html)')
    .option('--junit <file>', 'also write the JUnit XML here (always written to the out dir as junit.xml)')
    .option('-q, --quiet', 'print only the result paths');
  cmd
    .addHelpText(
      'after',
      `
Histograms are added bucket by bucket (never averaged), interval by interval (intervals are keyed
by schedule time since the shared --start-at, so clocks do not matter) and per request, journey
and step. Results with different histogram settings, schedules or run ids are refused (exit 2),
naming each difference. A shard with no result, or one that crashed, makes the merged result
"incomplete" (written, listed, exit 7): it never passes for the whole run.

Examples:
  $ overload merge shard-*/result.json --out-dir merged
  $ overload merge artifacts/*/result.json --junit junit.xml`,
    )
    .action(async (files: string[], flags: MergeFlags) => setExit(await mergeCommand(files, flags)));
}

async function mergeCommand(files: string[], flags: MergeFlags): Promise<ExitCode> {
  const inputs: ShardInput[] = [];
  const issues: ValidationIssue[] = [];
  for (const file of files) {
    try {
      inputs.push({ source: file, result: JSON.parse(await readFile(file, 'utf8')) as RunResult });
    } catch (error) {
      issues.push({ path: file, message: `cannot be read as a result: ${(error as Error).message}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('command line', issues);
  const merged = mergeShardResults(inputs);
  const name = `${new URL(merged.target.url).host.replace(/[^\w.-]+/g, '_')}-merged`;
  const outDir = flags.outDir ?? defaultOutDir(name);
  // A merged run always gets its JUnit: CI reads a missing shard from it as a failed test.
  const written = await writeResults(merged, name, { ...flags, outDir, junit: flags.junit ?? join(outDir, RESULT_FILES.junit) });
  if (!flags.quiet) {
    process.stdout.write(
      `${formatRunSummary(merged, `shards ${merged.shards!.merged.join(', ')} of ${merged.shards!.count} (run id ${merged.runId})`)}\n`,
    );
  }
  if (merged.incomplete) process.stdout.write(`INCOMPLETE: ${merged.incomplete.detail}\n`);
  process.stdout.write(`results: ${written.join(', ')}\n`);
  if (merged.incomplete) return EXIT.incomplete;
  if (merged.stopReason !== 'completed') return exitCodeForStop(merged.stopReason) ?? EXIT.stopped;
  if (merged.generator.saturated) return EXIT.inconclusive;
  return EXIT.ok;
}

import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  type ComparableResult,
  type ComparisonReport,
  compareResults,
  DEFAULT_COMPARE_OPTIONS,
  differencesOf,
  type MetricComparison,
  ValidationError,
  type ValidationIssue,
} from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';

interface CompareFlags {
  minEffect?: string;
  minEffectMs?: string;
  allowDifferent?: boolean;
  json?: string;
  markdown?: string;
}

export function registerCompare(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('compare')
    .description('compare a run or ramp against a baseline: regressed (exit 8), no regression (0), or cannot tell (9)')
    .argument('<baseline>', 'a result.json, or a results folder holding one')
    .argument('<current>', 'a result.json, or a results folder holding one')
    .option(
      '--min-effect <percent>',
      `the smallest latency worsening that counts, as a share of the baseline (default ${DEFAULT_COMPARE_OPTIONS.minEffectRatio * 100}%)`,
    )
    .option('--min-effect-ms <ms>', `...and never less than this many ms (default ${DEFAULT_COMPARE_OPTIONS.minEffectMs})`)
    .option('--allow-different', 'compare results of a different target, profile or SLO anyway (said on every output)')
    .option('--json <file>', 'also write the comparison as JSON')
    .option('--markdown <file>', 'also write the table as Markdown (a pull-request comment, a step summary)')
    .action(async (b: string, c: string, flags: CompareFlags) => setExit(await compareCommand(b, c, flags)));
}

async function readResult(path: string, issues: ValidationIssue[]): Promise<ComparableResult | undefined> {
  try {
    const file = (await stat(path)).isDirectory() ? join(path, 'result.json') : path;
    const r = JSON.parse(await readFile(file, 'utf8')) as ComparableResult;
    if (r.kind !== 'run' && r.kind !== 'ramp')
      throw new Error(`kind ${JSON.stringify((r as { kind?: unknown }).kind)} is neither run nor ramp`);
    return r;
  } catch (error) {
    issues.push({ path, message: `cannot be read as a result: ${(error as Error).message}` });
    return undefined;
  }
}

function parseOptions(flags: CompareFlags, issues: ValidationIssue[]) {
  const o = { ...DEFAULT_COMPARE_OPTIONS };
  if (flags.minEffect !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(flags.minEffect.trim());
    if (!m) issues.push({ path: '--min-effect', message: `must be a percentage such as 10%, got ${JSON.stringify(flags.minEffect)}` });
    else o.minEffectRatio = Number(m[1]) / 100;
  }
  if (flags.minEffectMs !== undefined) {
    const n = Number(flags.minEffectMs);
    if (!Number.isFinite(n) || n < 0)
      issues.push({ path: '--min-effect-ms', message: `must be a number of ms ≥ 0, got ${JSON.stringify(flags.minEffectMs)}` });
    else o.minEffectMs = n;
  }
  return o;
}

const fmt = (m: MetricComparison, x: number) =>
  Number.isNaN(x) ? '-' : m.kind === 'latency-ms' ? `${x.toFixed(2)} ms` : `${(x * 100).toFixed(2)} %`;

function rows(report: ComparisonReport): string[][] {
  const out: string[][] = [];
  if (report.knee) {
    const k = report.knee;
    out.push(['knee', `${k.baselineRps ?? '-'} req/s`, `${k.currentRps ?? '-'} req/s`, '', '', k.outcome, k.detail]);
  }
  for (const m of report.metrics) {
    const iv = m.interval ? `[${fmt(m, m.interval.low)}, ${fmt(m, m.interval.high)}]` : '-';
    out.push([m.metric, fmt(m, m.baseline), fmt(m, m.current), fmt(m, m.change), iv, m.outcome, m.detail]);
  }
  return out;
}

const HEAD = ['metric', 'baseline', 'current', 'change', 'interval', 'verdict', 'why'];

function textTable(all: string[][]): string {
  const widths = HEAD.map((_, i) => Math.max(...[HEAD, ...all].map((r) => r[i]!.length)));
  return [HEAD, ...all].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function markdownTable(all: string[][]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...all.map(line)].join('\n');
}

async function compareCommand(baselinePath: string, currentPath: string, flags: CompareFlags): Promise<ExitCode> {
  const issues: ValidationIssue[] = [];
  const options = parseOptions(flags, issues);
  const baseline = await readResult(baselinePath, issues);
  const current = await readResult(currentPath, issues);
  if (issues.length > 0 || !baseline || !current) throw new ValidationError('command line', issues);
  const differences = differencesOf(baseline, current);
  if (differences.length > 0 && !flags.allowDifferent) {
    throw new ValidationError(
      'compare',
      differences.map((d) => ({
        path: d.split(':')[0]!,
        message: `${d.slice(d.indexOf(':') + 2)} (add --allow-different to compare them anyway)`,
      })),
    );
  }
  const report = compareResults(baseline, current, options);
  const warning = differences.length > 0 ? `COMPARED DESPITE DIFFERENCES (--allow-different): ${differences.join('; ')}\n` : '';
  const headline =
    report.outcome === 'regressed'
      ? `REGRESSED: ${report.metrics
          .filter((m) => m.outcome === 'regressed')
          .map((m) => m.metric)
          .concat(report.knee?.outcome === 'regressed' ? ['knee'] : [])
          .join(', ')}`
      : report.outcome === 'cannot-tell'
        ? `CANNOT TELL: ${report.missing.join('; ')}`
        : 'NO REGRESSION';
  const table = rows(report);
  process.stdout.write(`${warning}${textTable(table)}\n${headline}\n`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify({ ...report, allowedDifferent: differences.length > 0 }, null, 2)}\n`);
  if (flags.markdown)
    await writeFile(flags.markdown, `${warning ? `> **${warning.trim()}**\n\n` : ''}**${headline}**\n\n${markdownTable(table)}\n`);
  return report.outcome === 'regressed' ? EXIT.regressed : report.outcome === 'cannot-tell' ? EXIT.cannotTell : EXIT.ok;
}

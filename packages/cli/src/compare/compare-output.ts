import type { Command } from 'commander';
import { type CompareOptions, type ComparisonReport, DEFAULT_COMPARE_OPTIONS, type ValidationIssue } from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { type ComparisonRow, comparisonHeadline, comparisonRows } from './compare-rows.js';

/** The flags every comparison takes: `overload compare`, and `--baseline` on run, ramp and search. */
export interface CompareFlags {
  minEffect?: string;
  minEffectMs?: string;
  allowDifferent?: boolean;
}

/** The minimum effects, which `overload history` takes too. */
export function addMinEffectOptions(cmd: Command): Command {
  return cmd
    .option(
      '--min-effect <percent>',
      `the smallest latency worsening that counts, as a share of the baseline (default ${DEFAULT_COMPARE_OPTIONS.minEffectRatio * 100}%)`,
    )
    .option('--min-effect-ms <ms>', `...and never less than this many ms (default ${DEFAULT_COMPARE_OPTIONS.minEffectMs})`);
}

export function addCompareOptions(cmd: Command): Command {
  return addMinEffectOptions(cmd).option(
    '--allow-different',
    'compare results of a different target, profile or SLO anyway (said on every output)',
  );
}

export function parseCompareOptions(flags: CompareFlags, issues: ValidationIssue[]): CompareOptions {
  const o = { ...DEFAULT_COMPARE_OPTIONS };
  if (flags.minEffect !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(flags.minEffect.trim());
    if (!m) issues.push({ path: '--min-effect', message: `must be a percentage such as 10%, got ${JSON.stringify(flags.minEffect)}` });
    else o.minEffectRatio = Number(m[1]) / 100;
  }
  if (flags.minEffectMs !== undefined) {
    const n = Number(flags.minEffectMs);
    if (flags.minEffectMs.trim() === '' || !Number.isFinite(n) || n < 0)
      issues.push({ path: '--min-effect-ms', message: `must be a number of ms ≥ 0, got ${JSON.stringify(flags.minEffectMs)}` });
    else o.minEffectMs = n;
  }
  return o;
}

/** Differences refused unless --allow-different: one issue each, named by its field. */
export function differenceIssues(differences: readonly string[], flag?: string): ValidationIssue[] {
  return differences.map((d) => ({
    path: flag ? `${flag} ${d.split(':')[0]!}` : d.split(':')[0]!,
    message: `${d.slice(d.indexOf(':') + 2)} (add --allow-different to compare them anyway)`,
  }));
}

const HEAD = ['metric', 'baseline', 'current', 'change', 'interval', 'verdict', 'why'];
const cells = (r: ComparisonRow) => [r.metric, r.baseline, r.current, r.change, r.interval, r.outcome ?? '-', r.why];

function textTable(rows: readonly ComparisonRow[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function markdownTable(rows: readonly ComparisonRow[]): string {
  const line = (r: readonly string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}

/**
 * The terminal shows the capacity, collapse and recovery rows, the rows that pool every rate, and
 * of the rows at single rates and per name only those that did not compare as no regression: a
 * ramp's steps and a scenario's journeys multiply the rows by dozens, and the JSON and Markdown
 * keep every one.
 */
function terminalRows(report: ComparisonReport, rows: readonly ComparisonRow[]): { shown: ComparisonRow[]; hidden: number } {
  const pooled = report.metrics.some((m) => m.rates !== undefined);
  const shown = rows.filter((r) => r.group === 'capacity' || r.outcome !== 'no-regression' || (r.group === 'all' && (!pooled || r.pooled)));
  return { shown, hidden: rows.length - shown.length };
}

/** Each collapse in full, under the table (its row says only where, and what changed). */
function collapseLines(report: ComparisonReport): string {
  const c = report.collapse;
  return c
    ? `collapse, baseline: ${c.baselineLabel}
collapse, current:  ${c.currentLabel}
`
    : '';
}

export interface RenderedComparison {
  readonly text: string;
  readonly markdown: string;
  readonly json: string;
}

export function differencesWarning(report: ComparisonReport): string | undefined {
  return report.differences.length > 0 ? `COMPARED DESPITE DIFFERENCES (--allow-different): ${report.differences.join('; ')}` : undefined;
}

/** The table as a terminal shows it, as Markdown, and the report as JSON; differences on each. */
export function renderComparison(report: ComparisonReport, sources?: { baseline: string; current: string }): RenderedComparison {
  const warning = differencesWarning(report);
  const headline = comparisonHeadline(report);
  const rows = comparisonRows(report);
  const { shown, hidden } = terminalRows(report, rows);
  const hiddenLine =
    hidden > 0 ? `(and ${hidden} rows at single rates and per name with no regression: every row is in --json and --markdown)\n` : '';
  const main = rows.filter((r) => r.group !== 'name');
  const names = rows.filter((r) => r.group === 'name');
  const namesBlock =
    names.length > 0
      ? `\n<details><summary>Per request, journey and step (${names.length} rows)</summary>\n\n${markdownTable(names)}\n\n</details>\n`
      : '';
  return {
    text: `${warning ? `${warning}\n` : ''}${textTable(shown)}\n${hiddenLine}${collapseLines(report)}${headline}\n`,
    markdown: `${warning ? `> **${warning}**\n\n` : ''}**${headline}**\n\n${markdownTable(main)}\n\n${collapseLines(report).replace(/\n/g, '  \n')}${namesBlock}`,
    json: `${JSON.stringify({ ...(sources ? { sources } : {}), ...report, allowedDifferent: warning !== undefined }, null, 2)}\n`,
  };
}

export function comparisonExitCode(report: ComparisonReport): ExitCode {
  return report.outcome === 'regressed' ? EXIT.regressed : report.outcome === 'cannot-tell' ? EXIT.cannotTell : EXIT.ok;
}

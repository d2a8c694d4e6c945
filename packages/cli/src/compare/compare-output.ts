import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type CompareOptions,
  type ComparisonReport,
  DEFAULT_COMPARE_OPTIONS,
  type MetricComparison,
  type ValidationIssue,
} from '@overload/core/internal';
import { EXIT, type ExitCode } from '../exit-codes.js';

/** The flags every comparison takes: `overload compare`, and `--baseline` on run and ramp. */
export interface CompareFlags {
  minEffect?: string;
  minEffectMs?: string;
  allowDifferent?: boolean;
}

export function addCompareOptions(cmd: Command): Command {
  return cmd
    .option(
      '--min-effect <percent>',
      `the smallest latency worsening that counts, as a share of the baseline (default ${DEFAULT_COMPARE_OPTIONS.minEffectRatio * 100}%)`,
    )
    .option('--min-effect-ms <ms>', `...and never less than this many ms (default ${DEFAULT_COMPARE_OPTIONS.minEffectMs})`)
    .option('--allow-different', 'compare results of a different target, profile or SLO anyway (said on every output)');
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

/** The one-line verdict: what regressed, what is missing, or that nothing did. */
export function comparisonHeadline(report: ComparisonReport): string {
  if (report.outcome === 'regressed') {
    const names = report.metrics.filter((m) => m.outcome === 'regressed').map((m) => m.metric);
    if (report.knee?.outcome === 'regressed') names.push('knee');
    return `REGRESSED: ${names.join(', ')}`;
  }
  return report.outcome === 'cannot-tell' ? `CANNOT TELL: ${report.missing.join('; ')}` : 'NO REGRESSION';
}

export interface RenderedComparison {
  readonly text: string;
  readonly markdown: string;
  readonly json: string;
}

/** The table as a terminal shows it, as Markdown, and the report as JSON; differences on each. */
export function renderComparison(report: ComparisonReport, sources?: { baseline: string; current: string }): RenderedComparison {
  const different = report.differences.length > 0;
  const warning = different ? `COMPARED DESPITE DIFFERENCES (--allow-different): ${report.differences.join('; ')}` : '';
  const headline = comparisonHeadline(report);
  const table = rows(report);
  return {
    text: `${warning ? `${warning}\n` : ''}${textTable(table)}\n${headline}\n`,
    markdown: `${warning ? `> **${warning}**\n\n` : ''}**${headline}**\n\n${markdownTable(table)}\n`,
    json: `${JSON.stringify({ ...(sources ? { sources } : {}), ...report, allowedDifferent: different }, null, 2)}\n`,
  };
}

export async function writeComparison(rendered: RenderedComparison, files: { json?: string; markdown?: string }): Promise<void> {
  if (files.json) await writeFile(files.json, rendered.json);
  if (files.markdown) await writeFile(files.markdown, rendered.markdown);
}

export function comparisonExitCode(report: ComparisonReport): ExitCode {
  return report.outcome === 'regressed' ? EXIT.regressed : report.outcome === 'cannot-tell' ? EXIT.cannotTell : EXIT.ok;
}

import { relative } from 'node:path';
import { formatMs } from '@overload/core/internal';
import type { HistoryEntry, HistoryGroup } from './history-model.js';
import type { SkippedFile } from './read-results.js';

const VERDICT = { regressed: 'REGRESSED', 'no-regression': 'no regression', 'cannot-tell': 'cannot tell' } as const;

/** `2026-12-07 05:17:02` (UTC, as stored), or the raw value when it is not an ISO time. */
function when(startedAt: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(startedAt);
  return m ? `${m[1]} ${m[2]}` : startedAt || '-';
}

function verdictText(e: HistoryEntry): string {
  if (!e.verdict) return '- (first of its series)';
  const v = e.verdict;
  return v.detail ? `${VERDICT[v.outcome]}: ${v.detail}` : VERDICT[v.outcome];
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** One table per group, oldest first; the files it could not read, named, at the end. */
export function renderHistoryText(dir: string, groups: readonly HistoryGroup[], skipped: readonly SkippedFile[]): string {
  const file = (f: string) => relative(dir, f);
  const parts = groups.map((g) => {
    const capacity = g.kind === 'search' ? 'sustainable' : 'knee';
    const head =
      g.kind === 'ramp'
        ? ['when (UTC)', 'file', 'knee', 'collapse (signature)', 'recovery', 'p99 at knee', 'vs previous']
        : g.kind === 'search'
          ? ['when (UTC)', 'file', capacity, 'p99 there', 'vs previous']
          : ['when (UTC)', 'file', 'p99', 'vs previous'];
    const rows = g.entries.map((e) => {
      const p99 = e.p99Ms === undefined ? '-' : formatMs(e.p99Ms);
      const knee = e.knee?.label ?? 'none';
      const at = [when(e.startedAt), file(e.file)];
      // The verdict last: it is the one cell that can run long.
      return g.kind === 'ramp'
        ? [...at, knee, e.collapse ?? '-', e.recovery ?? '-', p99, verdictText(e)]
        : g.kind === 'search'
          ? [...at, knee, p99, verdictText(e)]
          : [...at, p99, verdictText(e)];
    });
    const n = g.entries.length;
    return `${g.scenario} (${g.kind}) on ${g.target}: ${n} ${n === 1 ? 'result' : 'results'}, oldest first\n${table(head, rows)}`;
  });
  if (groups.length === 0) parts.push('no results found');
  if (skipped.length > 0) {
    parts.push(
      `skipped ${skipped.length} ${skipped.length === 1 ? 'file' : 'files'} that could not be read as a result:\n${skipped.map((s) => `  ${file(s.file)}: ${s.reason}`).join('\n')}`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

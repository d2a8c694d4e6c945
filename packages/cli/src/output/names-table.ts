import type { NamedStats } from '@overload/core/internal';
import { int, ms, table } from './format.js';

/** `generate`, `get-report (journey)`, `  poll` under its journey: how a row is labelled. */
export function nameLabel(n: NamedStats): string {
  if (n.kind === 'journey') return `journey ${n.name}`;
  if (n.kind === 'step') return `  ${n.name}`;
  return n.name;
}

/** Failures by class, most frequent first: `status 12, capture-missing 3`. */
export function failureList(n: Pick<NamedStats, 'failures'>): string {
  return Object.entries(n.failures)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, c]) => `${cls} ${int(c)}`)
    .join(', ');
}

/**
 * Results per request, journey and step: what ended, how it failed, how many requests it took
 * (polls included), and its corrected latency — a journey's from its intended start to its last
 * response, a step's from when it was due.
 */
export function formatNamesTable(byName: readonly NamedStats[]): string {
  const rows = [['name', 'count', 'ok', 'failed', 'requests', 'tries max', 'p50', 'p90', 'p99', 'p99.9', 'failures']];
  for (const n of byName) {
    rows.push([
      nameLabel(n),
      int(n.count),
      int(n.ok),
      int(n.failed),
      int(n.requests),
      n.kind === 'journey' ? '-' : int(n.maxTries),
      ms(n.latencyMs.p50),
      ms(n.latencyMs.p90),
      ms(n.latencyMs.p99),
      ms(n.latencyMs.p999),
      failureList(n),
    ]);
  }
  return table(rows);
}

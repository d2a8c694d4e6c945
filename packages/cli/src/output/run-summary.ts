import { formatDurationMs, type IntervalStats, type LatencySummaryMs, type RunResult } from '@overload/core/internal';
import { int, ms, pct, table } from './format.js';
import { formatNamesTable } from './names-table.js';

function latencyRow(name: string, l: LatencySummaryMs): string[] {
  return [name, ms(l.p50), ms(l.p90), ms(l.p99), ms(l.p999), ms(l.max)];
}

/** The summary a person reads at a glance after `overload run`. */
export function formatRunSummary(r: RunResult, title = `${r.target.method} ${r.target.url}`): string {
  const t = r.totals;
  const lines: string[] = [];
  lines.push(`overload run: ${title}`);
  lines.push(
    `profile ${describeProfile(r)}; stopped: ${r.stopReason}${r.stopDetail ? ` (${r.stopDetail})` : ''} after ${formatDurationMs(r.durationMs)}`,
  );
  lines.push('');
  lines.push(
    `requests: offered ${int(t.offered)}, sent ${int(t.sent)}, ok ${int(t.ok)}, errors ${int(t.errors)} (${pct(t.errors, Math.max(1, t.sent))}), dropped at in-flight cap ${int(t.dropped)}`,
  );
  const errs = Object.entries(r.errorsByClass).filter(([, n]) => n > 0);
  if (errs.length > 0) lines.push(`errors by class: ${errs.map(([c, n]) => `${c} ${int(n)}`).join(', ')}`);
  for (const [c, message] of Object.entries(r.errorExamples ?? {})) lines.push(`  first ${c}: ${message}`);
  const codes = Object.entries(r.statusCodes);
  if (codes.length > 0) lines.push(`status codes: ${codes.map(([c, n]) => `${c} ${int(n)}`).join(', ')}`);
  lines.push('');
  lines.push(
    table([
      ['', 'p50', 'p90', 'p99', 'p99.9', 'max'],
      latencyRow('latency (corrected)', r.latencyMs),
      latencyRow('service time', r.serviceTimeMs),
    ]),
  );
  if (r.byName && r.byName.length > 0) {
    lines.push('');
    lines.push(formatNamesTable(r.byName));
  }
  lines.push('');
  const g = r.generator;
  lines.push(
    g.saturated
      ? `generator SATURATED: ${g.reasons.join('; ')}. The target was not offered the scheduled load, so these numbers describe the generator: add --workers or shard.`
      : `generator ok: offered the scheduled load; schedule lag p99 ${ms(g.lagMsP99)}, max ${ms(g.lagMsMax)}, ${g.workers} worker${g.workers === 1 ? '' : 's'}`,
  );
  for (const note of g.notes ?? []) lines.push(`note: ${note}`);
  if (g.bodyReadPauses) {
    lines.push(
      `note: big response bodies came faster than a worker reads them (1 Gbit/s each): they were read at that pace (${int(g.bodyReadPauses)} pauses), and their latencies include the wait; add --workers to read faster`,
    );
  }
  return lines.join('\n');
}

export function describeProfile(r: RunResult): string {
  const p = r.config.profile as unknown as Record<string, unknown>;
  const fields = Object.entries(p)
    .filter(([k]) => k !== 'kind')
    // A duration is echoed as a duration (durationMs=2s), however it was given (--duration 2s is 2000).
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'object' ? JSON.stringify(v) : k.endsWith('Ms') && typeof v === 'number' ? formatDurationMs(v) : String(v)}`,
    )
    .join(' ');
  return `${String(p.kind)} ${fields} (${r.config.arrivals}, ~${int(r.config.plannedRequests)} requests)`;
}

/** One line per interval, for CI logs and non-TTY output. */
export function formatIntervalLine(i: IntervalStats, extra = ''): string {
  const t = (i.startMs + i.durationMs) / 1000;
  return (
    `[${t.toFixed(0).padStart(4)}s] offered ${int(i.offeredRps).padStart(6)}/s  achieved ${int(i.achievedRps).padStart(6)}/s  ` +
    `in-flight ${int(i.inFlight).padStart(5)}  p50 ${ms(i.latencyMs.p50).padStart(8)}  p99 ${ms(i.latencyMs.p99).padStart(8)}  ` +
    `errors ${int(i.errors)}  drops ${int(i.dropped + i.droppedGenerator)}${extra}`
  );
}

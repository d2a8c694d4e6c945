import { formatCount, formatMs, type NamedStats, type RunResult } from '@overload/core/internal';
import { failureList } from '../output/names-table.js';
import { escapeHtml as h } from './escape.js';

/**
 * Results per request, journey and step. Each journey is followed by its steps; the requests of
 * the request and step rows add up to the run's sent total, which the caption says.
 */
export function namesSection(run: RunResult, title: string): string {
  const byName = run.byName;
  if (!byName || byName.length === 0) return '';
  const cell = (v: string) => `<td>${h(v)}</td>`;
  const lat = (n: NamedStats, v: number) => (n.latencyMs.count === 0 ? '—' : formatMs(v));
  const rows = byName.map((n) => {
    const label = n.kind === 'journey' ? `journey ${n.name}` : n.kind === 'step' ? `${n.journey} › ${n.name}` : n.name;
    const cls = n.kind === 'journey' ? ' class="journey"' : '';
    return `<tr${cls}><th scope="row">${h(label)}</th>${cell(n.kind)}${cell(formatCount(n.count))}${cell(formatCount(n.ok))}${cell(formatCount(n.failed))}${cell(formatCount(n.requests))}${cell(n.kind === 'journey' ? '—' : formatCount(n.maxTries))}${cell(lat(n, n.latencyMs.p50))}${cell(lat(n, n.latencyMs.p90))}${cell(lat(n, n.latencyMs.p99))}${cell(lat(n, n.latencyMs.p999))}${cell(n.serviceTimeMs.count === 0 ? '—' : formatMs(n.serviceTimeMs.p99))}${cell(failureList(n) || '—')}</tr>`;
  });
  const requests = byName.filter((n) => n.kind !== 'journey').reduce((a, n) => a + n.requests, 0);
  return `<section><h2>${h(title)}</h2>
<p class="muted">${h(`Corrected latency: a journey's from its intended start to its last response (polls and think time included), a step's from when it was due. Requests of the request and step rows: ${formatCount(requests)} (the run sent ${formatCount(run.totals.sent)}).`)}</p>
<table class="grid names"><thead><tr><th>name</th><th>kind</th><th>count</th><th>ok</th><th>failed</th><th>requests</th><th>tries max</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>service p99</th><th>failures</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></section>`;
}

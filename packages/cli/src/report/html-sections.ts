import {
  type ArrivalUnit,
  type ConditionOutcome,
  formatArrivalRate,
  formatCondition,
  formatCount,
  formatMs,
  formatRate,
  formatSlo,
  rateSymbol,
  type LatencySummaryMs,
  type RunResult,
  type Slo,
  type StepResult,
} from '@overload/core/internal';
import { escapeHtml as h } from './escape.js';
import { arrivalUnitOf, stepRateText } from './rate-unit.js';
import type { StoredRampResult, StoredResult, StoredSearchResult } from './stored-result.js';

/**
 * The text parts of the HTML report, rendered in Node. Every value from the result passes
 * through `h()` (escapeHtml) exactly once, here; the helpers below take already-escaped HTML
 * only where their parameter is named `html`.
 */

type Tone = 'bad' | 'good' | 'warn' | 'neutral';

function badge(text: string, tone: Tone): string {
  return `<span class="badge ${tone}">${h(text)}</span>`;
}

function row(label: string, html: string): string {
  return `<tr><th scope="row">${h(label)}</th><td>${html}</td></tr>`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '<span class="muted">none</span>' : `<ul>${items.map((i) => `<li>${h(i)}</li>`).join('')}</ul>`;
}

function conditionsHtml(conditions: readonly ConditionOutcome[]): string {
  const css = { held: 'ok', breached: 'breach', unjudged: 'unjudged' } as const;
  return conditions.map((c) => `<span class="cond ${css[c.status] ?? (c.ok ? 'ok' : 'breach')}">${h(formatCondition(c))}</span>`).join(' ');
}

function latencyLine(l: LatencySummaryMs): string {
  return l.count === 0 ? 'no responses' : `p50 ${formatMs(l.p50)}, p90 ${formatMs(l.p90)}, p99 ${formatMs(l.p99)}, max ${formatMs(l.max)}`;
}

function stepLine(s: StepResult, unit: ArrivalUnit): string {
  return `${stepRateText(s, unit)}: achieved ${formatArrivalRate(s.achievedRps, unit)}, ${latencyLine(s.latencyMs)}`;
}

/** The verdict block at the top of the page: what a reader needs if they read nothing else. */
export function verdictSection(result: StoredResult): string {
  if (result.kind === 'ramp') return rampVerdict(result);
  if (result.kind === 'search') return searchVerdict(result);
  return runVerdict(result);
}

function rampVerdict(r: StoredRampResult): string {
  const tone: Tone = r.verdict === 'collapsed' ? 'bad' : r.verdict === 'held' ? 'good' : 'warn';
  const rows: string[] = [];
  const unit = arrivalUnitOf(r);
  if (r.knee) rows.push(row('Knee', h(`${stepLine(r.knee, unit)} — the last step that held before the collapse`)));
  else if (r.verdict === 'collapsed') rows.push(row('Knee', h('none: the first step already breached the SLO; start the ramp lower')));
  if (r.lastHeld && !r.knee) rows.push(row('Highest step held', h(stepLine(r.lastHeld, unit))));
  if (r.collapse) {
    const w = r.collapse.window;
    rows.push(
      row(
        'Collapse',
        `${h(`at ${stepRateText(r.collapse.step, unit)}, judged on ${w.kind === 'sliding' ? 'a sliding window' : 'the step'} from ${formatMs(w.startMs)} for ${formatMs(w.durationMs)}: offered ${formatArrivalRate(w.offeredRps, unit)}, achieved ${formatArrivalRate(w.achievedRps, unit)}`)}` +
          `<div class="signature">Signature: ${conditionsHtml(r.collapse.signature)}</div>`,
      ),
    );
  }
  if (r.inconclusive) rows.push(row('Inconclusive', h(`${r.inconclusive.reason}; ${r.inconclusive.advice}`)));
  rows.push(row('Recovery', recoveryHtml(r)));
  rows.push(stopRow(r.stopReason, r.stopDetail));
  rows.push(generatorRow(r.run));
  const recoveryBadge =
    r.recovery && 'recovered' in r.recovery
      ? badge(r.recovery.recovered ? 'recovered' : 'did not recover', r.recovery.recovered ? 'good' : 'bad')
      : '';
  return verdictBlock(`${badge(r.verdict, tone)} ${recoveryBadge}`, r.verdictLine, rows);
}

function recoveryHtml(r: StoredRampResult): string {
  const rec = r.recovery;
  if (!rec) return '<span class="muted">not recorded</span>';
  if ('skipped' in rec) return h(`not checked: ${rec.skipped}`);
  const head = `baseline ${formatArrivalRate(rec.baselineRps, arrivalUnitOf(r))} after a ${formatMs(rec.cooldownMs)} cool-down, judged on ${formatMs(rec.windowMs)} windows within ${formatMs(rec.withinMs)}`;
  const failing = rec.failing.length > 0 ? `<div class="signature">Still failing: ${conditionsHtml(rec.failing)}</div>` : '';
  return `${badge(rec.recovered ? 'recovered' : 'not recovered', rec.recovered ? 'good' : 'bad')} ${h(rec.detail)}<div class="muted">${h(head)}</div>${failing}`;
}

function searchVerdict(r: StoredSearchResult): string {
  const [lo, hi] = r.bracket;
  const unit = arrivalUnitOf(r);
  const line =
    r.sustainableRps !== undefined ? `sustainable rate ${formatArrivalRate(r.sustainableRps, unit)}` : 'no trial rate held the SLO';
  const rows = [
    row(
      'Bracket',
      h(`held at ${lo === null ? '—' : formatArrivalRate(lo, unit)}, breached at ${hi === null ? '—' : formatArrivalRate(hi, unit)}`),
    ),
    row('Search', h(`${r.converged ? 'converged' : 'did not converge'} after ${r.trials.length} trial(s): ${r.reason}`)),
    stopRow(r.stopReason ?? (r.aborted ? 'aborted' : 'completed'), r.stopDetail),
  ];
  return verdictBlock(badge(r.converged ? 'converged' : 'not converged', r.converged ? 'good' : 'warn'), line, rows);
}

function runVerdict(r: RunResult): string {
  const t = r.totals;
  const line = `${formatCount(t.sent)} requests, ${formatCount(t.ok)} ok, ${formatCount(t.errors)} errors; corrected latency ${latencyLine(r.latencyMs)}`;
  const tone: Tone = r.stopReason !== 'completed' ? 'warn' : r.generator.saturated ? 'warn' : 'good';
  return verdictBlock(badge(r.stopReason === 'completed' ? 'completed' : `stopped: ${r.stopReason}`, tone), line, [
    stopRow(r.stopReason, r.stopDetail),
    generatorRow(r),
  ]);
}

function stopRow(reason: string, detail: string | undefined): string {
  return row('Ended', h(`${reason}${detail ? `: ${detail}` : ''}`));
}

function generatorRow(run: RunResult): string {
  const g = run.generator;
  const text = g.saturated
    ? `SATURATED — the numbers may describe the load generator, not the target: ${g.reasons.join('; ')}`
    : `offered the scheduled load: lag p99 ${formatMs(g.lagMsP99)}, max ${formatMs(g.lagMsMax)}, ${g.workers} worker(s)${(g.notes ?? []).length > 0 ? `; ${g.notes.join('; ')}` : ''}`;
  return row('Load generator', `${g.saturated ? badge('saturated', 'warn') : ''} ${h(text)}`);
}

function verdictBlock(badgesHtml: string, line: string, rows: readonly string[]): string {
  return `<section class="verdict"><div class="badges">${badgesHtml}</div><p class="verdict-line">${h(line)}</p><table class="kv">${rows.join('')}</table></section>`;
}

/** The runbook of the run: what was done to the system and what could have stopped it. */
export function runbookSection(result: StoredResult): string {
  const rb = result.runbook;
  const run = result.kind === 'run' ? result : result.kind === 'ramp' ? result.run : undefined;
  const rows: string[] = [];
  if (rb) {
    rows.push(row('Name', h(rb.name)));
    if (rb.description) rows.push(row('Description', h(rb.description)));
    if (rb.scenarioFile) rows.push(row('Scenario file', h(rb.scenarioFile)));
  }
  rows.push(row('Target', h(`${result.target.method} ${result.target.url}${rb?.embeddedTarget ? ' (embedded demo target)' : ''}`)));
  const profile = rb?.profile ?? run?.config.profile;
  if (profile) rows.push(row('Profile', `<code>${h(formatProfile(profile))}</code>`));
  const slo = rb?.slo ?? (result.kind === 'run' ? undefined : result.slo);
  if (slo) rows.push(row('SLO', `<code>${h(formatSlo(slo as Slo))}</code>`));
  if (run) {
    const c = run.config;
    const g = run.generator;
    rows.push(
      row(
        'Load',
        h(
          `${c.arrivals} arrivals (seed ${c.seed}), peak ${formatArrivalRate(c.peakRps, c.arrivalUnit ?? 'request')}, timeout ${formatMs(c.timeoutMs)}, ${g.workers} worker(s) × ${g.connectionsPerWorker} connections${g.client ? ` (${g.client === 'hot-path' ? 'hot path' : 'undici'})` : ''}, in-flight cap ${formatCount(g.maxInFlight)}, ${formatMs(c.intervalMs)} intervals`,
        ),
      ),
    );
  }
  if (rb) {
    rows.push(row('Probes', list(rb.probes.map((p) => `${p.name} (${p.kind}) ${p.url}`))));
    if (rb.actions)
      rows.push(row('Actions', list(rb.actions.map((a) => `${a.name}: ${a.method} ${a.url} at ${a.at}${a.always ? ' (always)' : ''}`))));
    if (rb.notUndone)
      rows.push(
        row(
          'NOT UNDONE',
          `<strong>A clean-up failed: the target may still be in the state this test put it in. Run by hand:</strong>${list(rb.notUndone.map((u) => `${u.name} (${u.error}): ${u.request}`))}`,
        ),
      );
    rows.push(row('Recovery check', h(rb.recovery === false ? 'disabled' : describeObject(rb.recovery))));
    const g = rb.guardrails;
    rows.push(row('Allowed hosts', h(g.allowedHosts.join(', '))));
    rows.push(row('Max rate', h(g.maxRps === null ? 'none' : formatRate(g.maxRps))));
    rows.push(row('Max requests', h(g.maxRequests === null ? 'none' : formatCount(g.maxRequests))));
    rows.push(row('Max duration', h(g.maxDurationMs === null ? 'none' : formatMs(g.maxDurationMs))));
    const budgets = Object.entries(g.budgets).map(([k, b]) => `${k}: used ${formatCount(b.used)} of ${formatCount(b.limit)}`);
    rows.push(row('Side-effect budgets', list(budgets)));
    rows.push(row('Error-burst stop', h(g.errorBurst === null || g.errorBurst === false ? 'off' : describeObject(g.errorBurst))));
    rows.push(row('Kill file', h(g.killFile ?? 'none')));
    rows.push(row('Control endpoint', h(g.controlEndpoint ? 'on (127.0.0.1)' : 'off')));
    rows.push(row('Run id', h(`${g.runIdHeader}: ${g.runId}`)));
  } else {
    rows.push(row('Run id', h(run?.runId ?? (result.kind === 'search' ? 'one per trial' : 'not recorded'))));
    rows.push(row('Runbook', '<span class="muted">not stored: this result came from the library API, not the overload CLI</span>'));
  }
  rows.push(row('Started', h(result.startedAt)));
  return `<section><h2>Parameters and guardrails</h2><table class="kv">${rows.join('')}</table></section>`;
}

/** `step: startRps=100, stepRps=100, stepDurationMs=2s, maxRps=600` (nested values as JSON). */
export function formatProfile(profile: unknown): string {
  if (typeof profile !== 'object' || profile === null) return String(profile);
  const { kind, ...rest } = profile as Record<string, unknown>;
  return `${String(kind)}: ${describeObject(rest)}`;
}

function describeObject(o: object): string {
  const parts = Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return parts.length === 0 ? 'defaults' : parts.join(', ');
}

/** Totals, latency and generator health of a run (the ramp phase for a ramp). */
export function totalsSection(run: RunResult, title: string): string {
  const t = run.totals;
  const errorClasses = Object.entries(run.errorsByClass)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${formatCount(n)}`);
  const codes = Object.entries(run.statusCodes).map(([k, n]) => `${k}: ${formatCount(n)}`);
  const lat = (name: string, l: LatencySummaryMs) =>
    `<tr><th scope="row">${h(name)}</th>${[l.p50, l.p90, l.p99, l.p999, l.max].map((v) => `<td>${h(l.count === 0 ? '—' : formatMs(v))}</td>`).join('')}</tr>`;
  return `<section><h2>${h(title)}</h2>
<table class="kv">
${row('Requests', h(`offered ${formatCount(t.offered)}, sent ${formatCount(t.sent)}, responses ${formatCount(t.responses)}, ok ${formatCount(t.ok)}`))}
${row('Errors', h(`${formatCount(t.errors)}${errorClasses.length > 0 ? ` (${errorClasses.join(', ')})` : ''}`))}
${row('Dropped', h(`${formatCount(t.dropped)} at the in-flight cap, ${formatCount(t.droppedGenerator)} by the generator`))}
${row('Status codes', h(codes.join(', ') || 'none'))}
${row('Duration', h(`${formatMs(run.durationMs)} (${run.stopReason}${run.stopDetail ? `: ${run.stopDetail}` : ''})`))}
</table>
<table class="grid"><thead><tr><th></th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>
${lat('corrected latency', run.latencyMs)}
${lat('service time', run.serviceTimeMs)}
</tbody></table></section>`;
}

/** One row per step (ramp) with its verdict and every condition judged. */
export function stepsSection(
  steps: readonly StepResult[],
  title: string,
  unit: ArrivalUnit,
  firstColumn: (s: StepResult, i: number) => string,
  firstHeader = 'step',
): string {
  // Offered and achieved count arrivals; with journeys the requests they meant go beside them.
  const journeys = unit === 'journey';
  const rate = (rps: number) => formatCount(rps >= 100 ? Math.round(rps) : Math.round(rps * 10) / 10);
  const requests = (s: StepResult) => formatCount(Math.round(s.durationMs > 0 ? (s.sent * 1000) / s.durationMs : 0));
  const rows = steps.map((s, i) => {
    const tone: Tone = s.verdict === 'held' ? 'good' : s.verdict === 'breached' ? 'bad' : 'warn';
    const l = s.latencyMs;
    const cell = (v: string) => `<td>${h(v)}</td>`;
    return `<tr>${cell(firstColumn(s, i))}${cell(rate(s.judged.offeredRps))}${cell(rate(s.achievedRps))}${journeys ? cell(requests(s)) : ''}${cell(l.count ? formatMs(l.p50) : '—')}${cell(l.count ? formatMs(l.p90) : '—')}${cell(l.count ? formatMs(l.p99) : '—')}${cell(formatCount(s.errors))}${cell(formatCount(s.dropped + s.droppedGenerator))}<td>${badge(s.verdict, tone)}</td><td class="conds">${conditionsHtml(s.conditions)}${s.detail ? `<div class="muted">${h(s.detail)}</div>` : ''}</td></tr>`;
  });
  return `<section><h2>${h(title)}</h2><table class="grid"><thead><tr><th>${h(firstHeader)}</th><th>offered (${h(rateSymbol(unit))})</th><th>achieved (${h(rateSymbol(unit))})</th>${journeys ? '<th>sent (req/s)</th>' : ''}<th>p50</th><th>p90</th><th>p99</th><th>errors</th><th>drops</th><th>verdict</th><th>conditions (judged window)</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

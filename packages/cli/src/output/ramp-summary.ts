import { formatArrivalRate, formatCondition, formatStepRate, type StepResult } from '@overload/core/internal';
import type { RampResult, SearchRunResult } from '@overload/workers';
import { int, ms, table } from './format.js';
import { formatNamesTable } from './names-table.js';

function stepRow(s: StepResult, marks: Map<number, string>, journeys: boolean): string[] {
  const achievedPct = s.rateRps > 0 ? `${Math.round((100 * s.achievedRps) / s.rateRps)} %` : '-';
  return [
    `${s.index + 1}`,
    `${int(s.rateRps)}`,
    `${int(s.achievedRps)}`,
    achievedPct,
    // With journeys: the requests per second those journeys sent (every step and poll try).
    ...(journeys ? [`${int(s.durationMs > 0 ? (s.sent * 1000) / s.durationMs : 0)}`] : []),
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p99),
    `${int(s.errors)}`,
    `${int(s.dropped)}`,
    `${s.verdict}${marks.get(s.index) ? ` ${marks.get(s.index)}` : ''}`,
  ];
}

/** The ramp summary: a row per step and the verdict line a person reads at a glance. */
export function formatRampSummary(r: RampResult, title = `${r.target.method} ${r.target.url}`): string {
  const marks = new Map<number, string>();
  if (r.knee) marks.set(r.knee.index, '<- knee');
  if (r.collapse) marks.set(r.collapse.step.index, '<- collapse');
  const unit = r.run.config.arrivalUnit ?? 'request';
  const journeys = unit === 'journey';
  const header = journeys
    ? ['step', 'journeys/s', 'ok/s', 'ok', 'requests/s', 'p50', 'p99', 'errors', 'drops', 'verdict']
    : ['step', 'offered/s', 'achieved/s', 'ach.', 'p50', 'p99', 'errors', 'drops', 'verdict'];
  const rows = [header, ...r.steps.map((s) => stepRow(s, marks, journeys))];
  const lines = [`overload ramp: ${title}`, '', table(rows), ''];
  if (r.collapse) {
    lines.push(`collapse signature at ${formatStepRate(r.collapse.step, unit)}:`);
    for (const c of r.collapse.signature) lines.push(`  - ${formatCondition(c)}${c.detail ? ` (${c.detail})` : ''}`);
    // What the side channel saw in the breaching window, breached or not: where the queue was.
    const probes = r.collapse.step.conditions.filter((c) => c.kind === 'probe' && c.status === 'held');
    if (probes.length > 0) lines.push(`  probes in that window (within limits): ${probes.map(formatCondition).join(', ')}`);
  }
  if (r.recovery) {
    if ('skipped' in r.recovery) lines.push(`recovery check: skipped (${r.recovery.skipped})`);
    else
      lines.push(
        `recovery check at ${formatArrivalRate(r.recovery.baselineRps, unit)} after a ${ms(r.recovery.cooldownMs)} cool-down: ${r.recovery.detail}`,
      );
  }
  const unjudged = r.steps.filter((s) => s.verdict === 'unjudged');
  if (unjudged.length > 0)
    lines.push(
      `not judged (never a knee): ${unjudged.map((s) => `step ${s.index + 1} (${s.detail ?? 'a condition could not be judged'})`).join('; ')}`,
    );
  if (r.run.byName && r.run.byName.length > 0) lines.push('', 'per name, over the ramp:', formatNamesTable(r.run.byName));
  if (r.run.generator.saturated) lines.push(`generator: SATURATED (${r.run.generator.reasons.join('; ')})`);
  lines.push('', r.verdictLine);
  return lines.join('\n');
}

export function formatSearchSummary(r: SearchRunResult, title = `${r.target.method} ${r.target.url}`): string {
  const rows = [
    ['trial', 'rate/s', 'duration', 'verdict', 'p99', 'achieved/s', 'detail'],
    ...r.evidence.map((e) => [
      `${e.index + 1}`,
      int(e.rateRps),
      `${(e.durationMs / 1000).toFixed(0)} s`,
      e.verdict,
      e.step ? ms(e.step.latencyMs.p99) : '-',
      e.step ? int(e.step.achievedRps) : '-',
      `${e.detail ?? ''}${e.recovery ? `; ${e.recovery.recovered ? `recovered after ${ms(e.recovery.timeToRecoverMs ?? 0)}` : 'did not recover'}` : ''}`,
    ]),
  ];
  const [lo, hi] = r.bracket;
  return [
    `overload search: ${title}`,
    '',
    table(rows),
    '',
    r.sustainableRps !== undefined
      ? `highest sustainable rate ${int(r.sustainableRps)} req/s${hi !== null ? ` (breached at ${int(hi)} req/s)` : ''}; ${r.reason}`
      : `no sustainable rate found${lo === null && hi !== null ? ` (breached even at ${int(hi)} req/s)` : ''}; ${r.reason}`,
    ...(r.reliable
      ? []
      : ['the bracket is UNRELIABLE: the target did not recover between trials, so later trials measured a target still broken']),
  ].join('\n');
}

import {
  type ConditionOutcome,
  formatCondition,
  formatCount,
  formatMs,
  formatRate,
  formatSlo,
  type RunResult,
  type StepResult,
} from '@overload/core/internal';
import { failureList } from '../output/names-table.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from './escape.js';
import { actionCases, pinchCases } from './junit-actions.js';
import type { StoredRampResult, StoredResult, StoredRunResult } from './stored-result.js';

/**
 * JUnit XML, so CI systems list what failed the way they list failed unit tests: one testcase
 * per SLO condition per step (classname = the step, name = the condition), plus the recovery
 * check. The shape is what every JUnit schema CI reporters use accepts (Jenkins' junit-4.xsd and
 * xunit-plugin junit-10.xsd, Ant's, GitLab's and GitHub's reporters):
 * testsuites > testsuite[name, tests, failures, errors, skipped, time, timestamp] >
 * testcase[name, classname, time] > failure[message, type] | error[message, type] | skipped (its reason as text).
 * `testsuites` carries no attributes (junit-4.xsd allows none; each testsuite has the totals), and
 * `skipped` no `message` attribute (junit-4.xsd has none; Jenkins reads the text when it is absent).
 *
 * - breached condition of a breached step: `<failure type="breached">`;
 * - condition of an inconclusive step: `<error type="inconclusive">`. The load generator, not
 *   the target, was the limit, so the measurement itself failed — JUnit's meaning of an error
 *   (as opposed to a failed assertion); CI shows it red, as exit code 5 fails the job;
 * - percentile not judged for lack of samples: `<skipped>` — nothing was learned about it;
 * - recovery: `<failure type="not-recovered">`, or `<skipped>` when it was not checked.
 * A plain run (only with an explicit --junit) gets two testcases: it completed, and the load
 * generator kept its schedule.
 */
export function renderJunit(result: StoredResult): string {
  if (result.kind === 'run') return renderRunJunit(result);
  const cases: Case[] = [];
  if (result.kind === 'ramp') {
    for (const s of result.steps) cases.push(...stepCases(s, `step ${s.index + 1}: ${s.label}`));
    cases.push(recoveryCase(result));
    cases.push(...nameCases(result.run, false));
    cases.push(...actionCases(result.actions));
  } else {
    for (const e of result.evidence) {
      if (e.step) cases.push(...stepCases(e.step, `trial ${e.index + 1}: ${formatRate(e.rateRps)}`));
    }
  }
  const timeSec = seconds(
    result.kind === 'ramp'
      ? result.run.durationMs + recoveryMs(result)
      : result.evidence.reduce((sum, e) => sum + (e.step?.durationMs ?? 0), 0),
  );
  const suiteName = result.runbook?.name ?? result.target.url;
  const fullName = `overload ${result.kind}: ${suiteName}`;
  const props: [string, string][] = [
    ['target', `${result.target.method} ${result.target.url}`],
    ['slo', formatSlo(result.slo)],
    ['verdict', result.kind === 'ramp' ? result.verdict : result.converged ? 'converged' : 'not converged'],
  ];
  if (result.kind === 'ramp' && result.knee) props.push(['knee_rps', String(result.knee.rateRps)]);
  if (result.kind === 'search' && result.sustainableRps !== undefined) props.push(['sustainable_rps', String(result.sustainableRps)]);
  if (result.runbook?.guardrails.runId) props.push(['run_id', result.runbook.guardrails.runId]);
  const summary =
    result.kind === 'ramp'
      ? result.verdictLine
      : `sustainable ${result.sustainableRps === undefined ? 'none' : formatRate(result.sustainableRps)}: ${result.reason}`;
  return suite(fullName, timeSec, result.startedAt, props, cases, summary);
}

/**
 * A plain run has no SLO; its JUnit (only with an explicit --junit) says whether it ran as
 * planned: completed without a guardrail stop, with a generator that kept its schedule.
 */
function renderRunJunit(r: StoredRunResult): string {
  const classname = 'run';
  const timeSec = seconds(r.durationMs);
  const stopReason = r.stopReason;
  const cases: Case[] = [
    {
      classname,
      name: 'run completes without a stop',
      timeSec,
      outcome:
        stopReason === 'completed'
          ? { kind: 'passed' }
          : {
              kind: 'failure',
              type: 'stopped',
              message: `stopped: ${stopReason}${r.stopDetail ? `: ${r.stopDetail}` : ''}`,
              body: `${formatCount(r.totals.sent)} of ${formatCount(r.config.plannedRequests)} planned requests sent`,
            },
    },
    {
      classname,
      name: 'load generator keeps its schedule',
      timeSec,
      outcome: r.generator.saturated
        ? {
            kind: 'error',
            type: 'inconclusive',
            message: `generator saturated: ${r.generator.reasons.join('; ')}`,
            body: r.generator.reasons.join('\n'),
          }
        : { kind: 'passed' },
    },
  ];
  if (r.shards) {
    // A merge of shards: a missing or failed shard fails the suite, as it fails the command (exit 7).
    cases.push({
      classname,
      name: `every shard's result is merged (${r.shards.count} shards)`,
      timeSec,
      outcome: r.incomplete
        ? {
            kind: 'failure',
            type: 'incomplete',
            message: r.incomplete.detail,
            body: `merged shards: ${r.shards.merged.join(', ') || 'none'}`,
          }
        : { kind: 'passed' },
    });
  }
  cases.push(...nameCases(r, true));
  cases.push(...actionCases(r.actions), ...pinchCases(r.pinch));
  const summary = `${formatCount(r.totals.sent)} requests, ${formatCount(r.totals.errors)} errors; corrected latency p50 ${formatMs(r.latencyMs.p50)}, p99 ${formatMs(r.latencyMs.p99)}`;
  const props: [string, string][] = [
    ['target', `${r.target.method} ${r.target.url}`],
    ['run_id', r.runId],
  ];
  return suite(`overload run: ${r.runbook?.name ?? r.target.url}`, timeSec, r.startedAt, props, cases, summary);
}

/** A JUnit document of one testsuite (also `overload compare --junit`'s). */
export function suite(
  name: string,
  timeSec: string,
  startedAt: string,
  props: readonly [string, string][],
  cases: readonly Case[],
  summary: string,
): string {
  const failures = cases.filter((c) => c.outcome.kind === 'failure').length;
  const errors = cases.filter((c) => c.outcome.kind === 'error').length;
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length;
  const totals = `tests="${cases.length}" failures="${failures}" errors="${errors}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="${attr(name)}" ${totals} skipped="${skipped}" time="${timeSec}" timestamp="${attr(startedAt.replace(/(\.\d+)?Z$/, ''))}">
    <properties>
${props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n')}
    </properties>
${cases.map(renderCase).join('\n')}
    <system-out>${text(summary)}</system-out>
  </testsuite>
</testsuites>
`;
}

export type Outcome =
  | { kind: 'passed'; out?: string }
  | { kind: 'failure' | 'error'; type: string; message: string; body: string }
  | { kind: 'skipped'; message: string };

export interface Case {
  readonly classname: string;
  readonly name: string;
  readonly timeSec: string;
  readonly outcome: Outcome;
}

function stepCases(s: StepResult, classname: string): Case[] {
  const timeSec = seconds(s.judged.durationMs);
  return s.conditions.map((c) => ({ classname, name: conditionName(c), timeSec, outcome: conditionOutcome(s, c) }));
}

function conditionOutcome(s: StepResult, c: ConditionOutcome): Outcome {
  if (s.verdict === 'inconclusive') {
    const message = `inconclusive: ${s.detail ?? 'the load generator was saturated'}`;
    return { kind: 'error', type: 'inconclusive', message, body: `${message}\n${formatCondition(c)} (not attributable to the target)` };
  }
  if (c.status === 'breached') {
    const w = s.judged;
    const body =
      `${formatCondition(c)}${c.detail ? ` (${c.detail})` : ''}\n` +
      `judged on ${w.kind === 'sliding' ? 'a sliding window' : 'the step'} from ${formatMs(w.startMs)} for ${formatMs(w.durationMs)}: ` +
      `offered ${formatRate(w.offeredRps)}, achieved ${formatRate(w.achievedRps)}; step p50 ${formatMs(s.latencyMs.p50)}, p99 ${formatMs(s.latencyMs.p99)}, ` +
      `${formatCount(s.errors)} errors, ${formatCount(s.dropped)} dropped`;
    return { kind: 'failure', type: 'breached', message: formatCondition(c), body };
  }
  if (c.status === 'unjudged') return { kind: 'skipped', message: `${c.name} ${c.detail ?? 'not judged'}` };
  return { kind: 'passed', out: formatCondition(c) };
}

/**
 * A testcase per request, journey and step (classname `names`; steps as `journey › step`), with
 * its figures. In a plain run any failure of that name fails its testcase. A ramp pushes the
 * target past its knee on purpose, so its failures there are the finding, not a test failure:
 * its per-name testcases report the figures and the SLO conditions judge the steps.
 */
function nameCases(run: RunResult, failOnFailures: boolean): Case[] {
  return (run.byName ?? []).map((n) => {
    const name = n.kind === 'step' ? `${n.journey} › ${n.name}` : n.kind === 'journey' ? `journey ${n.name}` : n.name;
    const figures =
      `${formatCount(n.count)} ended, ${formatCount(n.ok)} ok, ${formatCount(n.failed)} failed${n.failed > 0 ? ` (${failureList(n)})` : ''}; ` +
      `${formatCount(n.requests)} requests${n.kind === 'step' && n.maxTries > 1 ? `, up to ${formatCount(n.maxTries)} tries` : ''}; ` +
      `corrected latency p50 ${formatMs(n.latencyMs.p50)}, p99 ${formatMs(n.latencyMs.p99)}`;
    const timeSec = seconds(run.durationMs);
    const outcome: Outcome =
      failOnFailures && n.failed > 0
        ? {
            kind: 'failure',
            type: 'failed',
            message: `${formatCount(n.failed)} of ${formatCount(n.count)} failed: ${failureList(n)}`,
            body: figures,
          }
        : { kind: 'passed', out: figures };
    return { classname: 'names', name, timeSec, outcome };
  });
}

function recoveryCase(r: StoredRampResult): Case {
  const base = { classname: 'recovery', name: 'target recovers after the load is removed' };
  const rec = r.recovery;
  if (!rec) return { ...base, timeSec: '0.000', outcome: { kind: 'skipped', message: 'no recovery check recorded' } };
  if ('skipped' in rec) return { ...base, timeSec: '0.000', outcome: { kind: 'skipped', message: `not checked: ${rec.skipped}` } };
  const timeSec = seconds(rec.cooldownMs + rec.run.durationMs);
  if (rec.recovered) return { ...base, timeSec, outcome: { kind: 'passed', out: rec.detail } };
  const body = [rec.detail, ...rec.failing.map(formatCondition)].join('\n');
  return { ...base, timeSec, outcome: { kind: 'failure', type: 'not-recovered', message: rec.detail, body } };
}

function renderCase(c: Case): string {
  const open = `    <testcase name="${attr(c.name)}" classname="${attr(c.classname)}" time="${c.timeSec}"`;
  const o = c.outcome;
  switch (o.kind) {
    case 'passed':
      return o.out ? `${open}>\n      <system-out>${text(o.out)}</system-out>\n    </testcase>` : `${open}/>`;
    case 'skipped':
      return `${open}>\n      <skipped>${text(o.message)}</skipped>\n    </testcase>`;
    case 'failure':
    case 'error':
      return `${open}>\n      <${o.kind} message="${attr(o.message)}" type="${attr(o.type)}">${text(o.body)}</${o.kind}>\n    </testcase>`;
  }
}

/**
 * The condition as a stable test name (the limit, never the observed value, so the same
 * testcase keeps its name from run to run and CI can track its history): `p99 <= 500 ms`,
 * `errors <= 1 %`, `achieved >= 95 %`, `queue_depth < 1000`, `health ok`.
 */
export function conditionName(c: ConditionOutcome): string {
  if (c.op === 'ok') return `${c.name} ok`;
  const limit =
    c.unit === 'ratio'
      ? `${formatCount(round6(c.limit * 100))} %`
      : c.unit === ''
        ? formatCount(c.limit)
        : `${formatCount(round6(c.limit))} ${c.unit}`;
  return `${c.name} ${c.op} ${limit}`;
}

function recoveryMs(r: StoredRampResult): number {
  return r.recovery && 'run' in r.recovery ? r.recovery.cooldownMs + r.recovery.run.durationMs : 0;
}

export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function round6(v: number): number {
  return Number(v.toPrecision(6));
}

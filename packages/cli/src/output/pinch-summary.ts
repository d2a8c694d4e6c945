import {
  type ActionRecord,
  analyzePinch,
  formatCount,
  type PinchAnalysis,
  pinchOfRun,
  type ProbeSeries,
  QUEUE_LIKE_PROBE,
  type QueueDrain,
  type RunConfig,
  type RunResult,
  type StretchVerdict,
} from '@overload/core/internal';
import type { ResolvedPlan } from '../plan/resolve.js';

/** What result.json keeps of a pinch: the analysis, and whether it was real (actions) or the generator's profile. */
export interface StoredPinch extends PinchAnalysis {
  readonly source: 'action' | 'profile';
  /** The action that released it, and the one that began the hold (a real pinch). */
  readonly releaseAction?: string;
  readonly holdAction?: string;
}

/**
 * The pinch part of a run's summary, one finding a line: the headline (what held, what released),
 * the queue's peak and drain, the drain's throughput against the steady rate, the SLO after the
 * release and whether the target settled back. A queue-like probe the pinch did not move is left
 * out (it is in result.json, `rose: false`), unless no queue rose at all: then that is the finding.
 */
export function formatPinch(p: StoredPinch): string[] {
  const lines = [`pinch: ${headline(p)}`];
  const main = p.queues.find((q) => q.probe === p.queue);
  const risen = p.queues.filter((q) => q.rose);
  if (!main?.rose) {
    const watched = p.queues.map((q) => q.probe);
    lines.push(
      watched.length === 0
        ? '  no queue to watch: name its probe with release: { queue: … }, or probe one whose name says queue, depth or backlog'
        : `  NO BACKLOG: ${watched.join(', ')} never rose above ${watched.length === 1 ? 'its' : 'their'} steady range during the hold; check that the hold pauses the consumers`,
    );
  }
  for (const q of main?.rose ? [main, ...risen.filter((q) => q !== main)] : risen) lines.push(`  ${queueLine(q, p.releaseAtMs)}`);
  const t = p.throughput;
  if (t) {
    const from = t.source === 'counter' ? `the ${t.probe} counter` : `the slope of ${t.probe}`;
    lines.push(
      `  throughput during the drain: ${perSecond(t.drainRps)}, ${t.ratio.toFixed(1)}× the steady ${perSecond(t.steadyRps)} (from ${from})`,
    );
  }
  if (p.sloAfterRelease) lines.push(`  SLO after the release: ${stretchText(p.sloAfterRelease)}`);
  lines.push(`  recovery: ${p.recovery.status === 'breached' ? 'DID NOT HOLD' : p.recovery.status} (${p.recovery.detail})`);
  return lines;
}

function headline(p: StoredPinch): string {
  if (p.source === 'profile')
    return `the generator's pinch profile held its arrivals${p.holdAtMs !== undefined ? ` from ${sec(p.holdAtMs)}` : ''} and released them at ${sec(p.releaseAtMs)}`;
  const hold = p.holdAction && p.holdAtMs !== undefined ? `"${p.holdAction}" at ${sec(p.holdAtMs)}, ` : '';
  return `${hold}released by "${p.releaseAction}" at ${sec(p.releaseAtMs)}`;
}

function queueLine(q: QueueDrain, releaseAtMs: number): string {
  const peak = `${q.probe} peaked at ${formatCount(q.peak)} at ${sec(q.peakAtMs)} (steady ${formatCount(q.baseline)})`;
  if (!q.drained || q.drainMs === undefined) return `${peak}, and had NOT drained when the load stopped`;
  // The probe saw it above the range at lastAboveMs and back in it at drainedAtMs: the drain ended in between.
  const seen =
    q.lastAboveMs !== undefined && q.lastAboveMs > releaseAtMs
      ? `between ${sec(q.lastAboveMs)} and ${sec(q.drainedAtMs!)}`
      : `by ${sec(q.drainedAtMs!)}`;
  return `${peak}; drained ${sec(q.drainMs)} after the release (back to ≤ ${formatCount(q.steadyMax)} ${seen})`;
}

function stretchText(v: StretchVerdict): string {
  return `${v.status === 'breached' ? 'BREACHED' : v.status} (${v.detail})`;
}

function perSecond(rps: number): string {
  return `${formatCount(rps >= 10 ? Math.round(rps) : rps)}/s`;
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The pinch of a finished run, if it had one (a release action was sent, or the profile is a
 * pinch), analysed from the probes, the actions' actual times and the run's intervals and SLO.
 */
export function pinchOf(
  result: RunResult,
  config: Pick<RunConfig, 'curve' | 'names' | 'arrivalNames'>,
  probes: readonly ProbeSeries[],
  plan: Pick<ResolvedPlan, 'actions' | 'slo'>,
  records: readonly ActionRecord[] | undefined,
): StoredPinch | undefined {
  const found = pinchOfRun(config.curve, records, plan.actions, result.durationMs);
  // The generator's pinch profile says nothing about a target whose queues nobody probes.
  if (!found || (found.source === 'profile' && !probes.some((p) => QUEUE_LIKE_PROBE.test(p.name)))) return undefined;
  const analysis = analyzePinch({
    moments: found.moments,
    probes,
    ...(found.queue !== undefined ? { queue: found.queue } : {}),
    ...(found.completed !== undefined ? { completed: found.completed } : {}),
    intervals: result.intervals,
    ...(plan.slo ? { slo: plan.slo } : {}),
    names: config.names,
    ...(config.arrivalNames ? { arrivalNames: config.arrivalNames } : {}),
  });
  return storedPinch(analysis, found.source, records);
}

/** The result's pinch, from the analysis and the actions that made it. */
function storedPinch(analysis: PinchAnalysis, source: StoredPinch['source'], records: readonly ActionRecord[] | undefined): StoredPinch {
  const release = source === 'action' ? records?.find((r) => r.release && r.ok && r.actualAtMs === analysis.releaseAtMs) : undefined;
  const hold = source === 'action' ? records?.find((r) => r.ok && r.actualAtMs === analysis.holdAtMs) : undefined;
  return { ...analysis, source, ...(release ? { releaseAction: release.name } : {}), ...(hold ? { holdAction: hold.name } : {}) };
}

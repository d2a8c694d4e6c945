import type { RecoveryVerdict } from '../recovery/judge-recovery.js';
import type { ArrivalUnit } from '../run/config.js';
import { formatArrivalRate, formatCondition, formatCount, formatMs } from './format.js';
import type { RampSummary, StepResult } from './step-result.js';

/**
 * A step's rate as the verdict line says it. With journeys the profile's rate is a rate of
 * journeys, and the request rate it meant is worth knowing too: `500 journeys/s (1,670 req/s)`.
 */
export function formatStepRate(step: Pick<StepResult, 'rateRps' | 'sent' | 'durationMs'>, unit: ArrivalUnit): string {
  if (unit === 'request') return formatArrivalRate(step.rateRps, unit);
  const requestsRps = step.durationMs > 0 ? (step.sent * 1000) / step.durationMs : 0;
  return `${formatArrivalRate(step.rateRps, unit)} (${formatCount(Math.round(requestsRps))} req/s)`;
}

export interface VerdictLineOptions {
  readonly unit?: ArrivalUnit;
  /** With a `partial` summary: what stopped sending (`SIGINT received`). */
  readonly stoppedBy?: string;
}

/**
 * The line a person reads first:
 * `knee 1,800 req/s; collapsed at 2,000 req/s: p99 2.3 s > 500 ms, achieved 71 % < 95 %; recovered after 4.2 s`.
 * Unjudged steps below the collapse are named, so a knee that sits below them reads as the
 * lower bound it is. A ramp stopped from outside says only what it could conclude:
 * `held up to 300 journeys/s; stopped during 400 journeys/s (SIGINT received)`.
 */
export function formatVerdictLine(summary: RampSummary, recovery?: RecoveryVerdict, options: VerdictLineOptions = {}): string {
  const unit = options.unit ?? 'request';
  const parts: string[] = [];
  const rate = (s: StepResult) => formatStepRate(s, unit);
  const signature = () => summary.collapse!.signature.map(formatCondition).join(', ');
  if (summary.verdict === 'never-healthy' && summary.collapse) {
    parts.push(
      `the target failed at the first step (${rate(summary.collapse.step)}): it was never healthy: ${signature()}; ` +
        'check that it works at all (the URL, the path, its dependencies), or start the ramp lower',
    );
  } else if (summary.verdict === 'collapsed' && summary.collapse) {
    const knee = summary.knee;
    const between = (summary.unjudged ?? []).filter((s) => s.index > (knee?.index ?? -1) && s.index < summary.collapse!.step.index);
    const notJudged =
      between.length > 0 ? ` (not judged above it: ${between.map((s) => formatArrivalRate(s.rateRps, unit)).join(', ')})` : '';
    parts.push(knee ? `knee ${rate(knee)}${notJudged}` : `no step held${notJudged}`);
    parts.push(`collapsed at ${rate(summary.collapse.step)}: ${signature()}`);
  } else if (summary.verdict === 'partial') {
    const by = options.stoppedBy ? ` (${options.stoppedBy})` : '';
    parts.push(summary.lastHeld ? `held up to ${rate(summary.lastHeld)}` : 'no step held before the stop');
    if (summary.stoppedDuring) parts.push(`stopped during ${formatArrivalRate(summary.stoppedDuring.rateRps, unit)}${by}`);
    else parts.push(`stopped${by} before the next step`);
  } else if (summary.verdict === 'inconclusive' && summary.inconclusive) {
    parts.push(`inconclusive: ${summary.inconclusive.reason}; ${summary.inconclusive.advice}`);
    if (summary.lastHeld) parts.push(`held up to ${rate(summary.lastHeld)}`);
  } else {
    parts.push(summary.lastHeld ? `held at every step up to ${rate(summary.lastHeld)}; no collapse` : 'no step judged');
  }
  if (recovery) {
    if (recovery.recovered) parts.push(`recovered after ${formatMs(recovery.timeToRecoverMs ?? 0)}`);
    else if (recovery.failing.length > 0)
      parts.push(
        `did not recover: ${recovery.failing.map(formatCondition).join(', ')}${recovery.relapses > 0 ? ` (held now and then, broke again ${recovery.relapses} times)` : ''}`,
      );
    else parts.push('did not recover: the SLO did not hold long enough');
  }
  return parts.join('; ');
}

import type { RecoveryVerdict } from '../recovery/judge-recovery.js';
import { formatCondition, formatCount, formatMs, formatRate } from './format.js';
import type { RampSummary, StepResult } from './ramp-judge.js';

/**
 * A step's rate as the verdict line says it. With journeys the profile's rate is a rate of
 * journeys, and the request rate it meant is worth knowing too: `500 journeys/s (1,670 req/s)`.
 */
export function formatStepRate(step: Pick<StepResult, 'rateRps' | 'sent' | 'durationMs'>, journeys: boolean): string {
  if (!journeys) return formatRate(step.rateRps);
  const journeysRate = formatRate(step.rateRps).replace(' req/s', ' journeys/s');
  const requestsRps = step.durationMs > 0 ? (step.sent * 1000) / step.durationMs : 0;
  return `${journeysRate} (${formatCount(Math.round(requestsRps))} req/s)`;
}

/**
 * The line a person reads first:
 * `knee 1,800 req/s; collapsed at 2,000 req/s: p99 2.3 s > 500 ms, achieved 71 % < 95 %; recovered after 4.2 s`.
 * Unjudged steps below the collapse are named, so a knee that sits below them reads as the
 * lower bound it is.
 */
export function formatVerdictLine(summary: RampSummary, recovery?: RecoveryVerdict, options: { readonly journeys?: boolean } = {}): string {
  const parts: string[] = [];
  const rate = (s: StepResult) => formatStepRate(s, options.journeys ?? false);
  if (summary.verdict === 'collapsed' && summary.collapse) {
    const knee = summary.knee;
    const between = (summary.unjudged ?? []).filter((s) => s.index > (knee?.index ?? -1) && s.index < summary.collapse!.step.index);
    const notJudged = between.length > 0 ? ` (not judged above it: ${between.map((s) => formatRate(s.rateRps)).join(', ')})` : '';
    parts.push(knee ? `knee ${rate(knee)}${notJudged}` : `no step held${notJudged}`);
    parts.push(`collapsed at ${rate(summary.collapse.step)}: ${summary.collapse.signature.map(formatCondition).join(', ')}`);
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

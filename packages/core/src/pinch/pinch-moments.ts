import type { ActionRecord, PinchRelease, ResolvedAction } from '../action/action.js';
import type { RateCurve } from '../profile/curve.js';
import type { PinchMoments } from './queue-drain.js';

/** A pinch found in a run: when it held and released, and which probes it is about. */
export interface PinchOfRun extends PinchRelease {
  readonly moments: PinchMoments;
  /** `action`: a real pinch (a release action was sent); `profile`: the generator-side `pinch` profile. */
  readonly source: 'action' | 'profile';
}

/**
 * The pinch of a run, if it had one. A generator-side `pinch` profile holds at its `hold` step and
 * releases at its `release …` step. A real pinch releases when its release action was actually
 * sent (a release that failed released nothing); its hold began with the last action sent before
 * it (the pause), so the steady state is read from before that action.
 */
export function pinchOfRun(
  curve: RateCurve,
  records: readonly ActionRecord[] | undefined,
  actions: readonly ResolvedAction[],
  endMs: number,
): PinchOfRun | undefined {
  const releaseStep = curve.steps.find((s) => s.label.startsWith('release'));
  if (releaseStep) {
    const hold = curve.steps.find((s) => s.label === 'hold');
    return { source: 'profile', moments: { releaseAtMs: releaseStep.startMs, endMs, ...(hold ? { holdAtMs: hold.startMs } : {}) } };
  }
  const release = records?.find((r) => r.release && r.ok && r.actualAtMs !== undefined);
  if (!release || release.actualAtMs === undefined) return undefined;
  const releaseAtMs = release.actualAtMs;
  let holdAtMs: number | undefined;
  for (const r of records ?? [])
    if (
      r !== release &&
      r.ok &&
      r.actualAtMs !== undefined &&
      r.actualAtMs < releaseAtMs &&
      (holdAtMs === undefined || r.actualAtMs > holdAtMs)
    )
      holdAtMs = r.actualAtMs;
  const spec = actions.find((a) => a.name === release.name)?.release;
  return {
    source: 'action',
    moments: { releaseAtMs, endMs: Math.max(endMs, releaseAtMs), ...(holdAtMs !== undefined ? { holdAtMs } : {}) },
    ...(spec ? spec : {}),
  };
}

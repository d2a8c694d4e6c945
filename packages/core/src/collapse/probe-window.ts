import type { ProbeCondition } from '../slo/slo.js';
import type { ConditionVerdict } from './judge-window.js';

// The sample shape belongs to the probes (probe/series.ts); the judge only reads it.
import type { ProbeSample, ProbeWindow } from '../probe/series.js';

export type { ProbeSample, ProbeWindow };

/** The samples of one probe with startMs ≤ tMs < endMs. */
export function samplesIn(samples: readonly ProbeSample[] | undefined, startMs: number, endMs: number): ProbeSample[] {
  if (!samples) return [];
  return samples.filter((s) => s.tMs >= startMs && s.tMs < endMs);
}

/**
 * Judges one probe condition on the samples of a window.
 *
 * Gauges are judged on the LAST sample in the window, not a mean or max: a gauge is a state
 * ("the breaker is open now", "the queue holds 1,200 now"), and a mean of states describes no
 * moment the target was in, while a max would let one transient spike end a ramp that the target
 * absorbed. Nothing is lost by this: the ramp judge slides its window one interval at a time, so
 * every sample is the last one of some window and a lasting breach is always seen; the recovery
 * check, which asks "is it healthy now?", wants exactly the latest state.
 *
 * A probe that could not be read breaches its condition: an unreachable health endpoint or
 * metrics page during overload is a symptom of the overload, not an error of the harness.
 * A window without any sample cannot be judged, so it does not breach (said in `detail`); nor
 * does a condition on a probe that was never recorded (`samples` undefined), which is a
 * configuration mistake for validation to catch, not a signal from the target.
 */
export function judgeProbeCondition(condition: ProbeCondition, samples: readonly ProbeSample[] | undefined): ConditionVerdict {
  const base = {
    name: condition.probe,
    kind: 'probe' as const,
    op: condition.op,
    unit: '' as const,
    limit: condition.op === 'ok' ? 1 : (condition.value ?? Number.NaN),
  };
  if (!samples) {
    return { ...base, observed: Number.NaN, ok: true, detail: 'not judged: no probe of that name was recorded' };
  }
  const last = samples[samples.length - 1];
  if (!last) {
    return { ...base, observed: Number.NaN, ok: true, detail: 'not judged: no sample in the window' };
  }
  if (condition.op === 'ok') {
    return last.ok
      ? { ...base, observed: 1, ok: true }
      : { ...base, observed: 0, ok: false, detail: `not ok${last.error ? `: ${last.error}` : ''}` };
  }
  if (!last.ok || last.value === null || !Number.isFinite(last.value)) {
    // A null value means nothing was read (unreachable, timeout, missing metric); a value with
    // ok false means the target answered and said it is unwell (an http probe's 503 reads 0).
    const err = last.error ? `: ${last.error}` : '';
    const hasValue = last.value !== null && Number.isFinite(last.value);
    const why = hasValue ? `not ok${err}` : last.ok ? `no value${err}` : `unreachable${err}`;
    return { ...base, observed: hasValue ? (last.value as number) : Number.NaN, ok: false, detail: why };
  }
  return { ...base, observed: last.value, ok: compare(last.value, condition.op, condition.value ?? Number.NaN) };
}

function compare(observed: number, op: Exclude<ProbeCondition['op'], 'ok'>, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
  }
}

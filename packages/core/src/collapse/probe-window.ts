import type { ProbeCondition } from '../slo/slo.js';
import { BREACHED, HELD, UNJUDGED } from './condition-status.js';
import type { ConditionOutcome } from './judge-window.js';

// The sample shape belongs to the probes (probe/series.ts); the judge only reads it.
import type { ProbeSample, ProbeWindow } from '../probe/series.js';

export type { ProbeSample, ProbeWindow };

/** The samples of one probe with startMs ≤ tMs < endMs. */
export function samplesIn(samples: readonly ProbeSample[] | undefined, startMs: number, endMs: number): ProbeSample[] {
  if (!samples) return [];
  return samples.filter((s) => s.tMs >= startMs && s.tMs < endMs);
}

/**
 * Judges a probe condition on every sample in the window: it holds only if every sample does,
 * and the verdict reports the worst one (the highest queue for `<`, the lowest for `>`). A
 * window's last sample alone would miss a queue that spiked and was then emptied by a breaker
 * shedding all load, which is exactly the collapse a queue-depth condition is there to catch.
 * An unreachable probe (no value) breaches: it is a signal, not a crash. A window without a
 * sample leaves the condition unjudged.
 */
export function judgeProbeCondition(condition: ProbeCondition, samples: readonly ProbeSample[] | undefined): ConditionOutcome {
  const base = {
    name: condition.probe,
    kind: 'probe' as const,
    op: condition.op,
    unit: '' as const,
    limit: condition.op === 'ok' ? 1 : (condition.value ?? Number.NaN),
  };
  if (!samples) {
    return { ...base, observed: Number.NaN, ...UNJUDGED, detail: 'not judged: no probe of that name was recorded' };
  }
  const last = samples[samples.length - 1];
  if (!last) {
    return { ...base, observed: Number.NaN, ...UNJUDGED, detail: 'not judged: no sample in the window' };
  }
  let worst: ConditionOutcome | undefined;
  for (const sample of samples) {
    const v = judgeSample(base, condition, sample);
    if (!v.ok && (!worst || moreExtreme(v.observed, worst.observed, condition.op))) worst = v;
  }
  return worst ?? judgeSample(base, condition, last);
}

type Base = Pick<ConditionOutcome, 'name' | 'kind' | 'op' | 'unit' | 'limit'>;

function judgeSample(base: Base, condition: ProbeCondition, sample: ProbeSample): ConditionOutcome {
  if (condition.op === 'ok') {
    return sample.ok
      ? { ...base, observed: 1, ...HELD }
      : { ...base, observed: 0, ...BREACHED, detail: `not ok${sample.error ? `: ${sample.error}` : ''}` };
  }
  if (!sample.ok || sample.value === null || !Number.isFinite(sample.value)) {
    // A null value means nothing was read (unreachable, timeout, missing metric); a value with
    // ok false means the target answered and said it is unwell (an http probe's 503 reads 0).
    const err = sample.error ? `: ${sample.error}` : '';
    const hasValue = sample.value !== null && Number.isFinite(sample.value);
    const why = hasValue ? `not ok${err}` : sample.ok ? `no value${err}` : `unreachable${err}`;
    return { ...base, observed: hasValue ? (sample.value as number) : Number.NaN, ...BREACHED, detail: why };
  }
  return { ...base, observed: sample.value, ...(compare(sample.value, condition.op, condition.value ?? Number.NaN) ? HELD : BREACHED) };
}

/** Is `a` a worse breach than `b`? A number beats "no value"; then the farther past the limit. */
function moreExtreme(a: number, b: number, op: ProbeCondition['op']): boolean {
  if (Number.isNaN(b)) return !Number.isNaN(a);
  if (Number.isNaN(a)) return false;
  return op === '>' || op === '>=' ? a < b : a > b;
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

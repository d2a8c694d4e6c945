import {
  ArrivalCursor,
  type ArrivalCursorOptions,
  type DurationInput,
  type Profile,
  type ProfileKind,
  type RateCurve,
  parseDurationMs,
} from '@overload/core/internal';
import fc from 'fast-check';

/**
 * fast-check arbitraries for valid profiles of every kind. Sizes are bounded (tens of thousands
 * of arrivals at most) so a property can walk the whole schedule a hundred times in well under a
 * second; the 10⁶-arrival checks live in their own tests.
 */

export const rateArb = (min: number, max: number): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true });

/** A duration as users write it: plain milliseconds (fractional too), `NNNms` or `N.Ns`. */
export function durationArb(minMs: number, maxMs: number): fc.Arbitrary<DurationInput> {
  return fc.oneof(
    fc.double({ min: minMs, max: maxMs, noNaN: true }),
    fc.integer({ min: Math.max(1, Math.ceil(minMs)), max: Math.floor(maxMs) }).map((ms) => `${ms}ms`),
    fc.integer({ min: Math.max(1, Math.ceil(minMs / 100)), max: Math.floor(maxMs / 100) }).map((ds) => `${ds / 10}s`),
  );
}

const constantArb: fc.Arbitrary<Profile> = fc.record({
  kind: fc.constant('constant' as const),
  rateRps: rateArb(0.01, 2000),
  durationMs: durationArb(1, 20_000),
});

const linearArb: fc.Arbitrary<Profile> = fc
  .record({
    kind: fc.constant('linear' as const),
    fromRps: fc.oneof(fc.constant(0), rateArb(0, 2000)),
    toRps: fc.oneof(fc.constant(0), rateArb(0, 2000)),
    durationMs: durationArb(1, 20_000),
  })
  .filter((p) => p.fromRps > 0 || p.toRps > 0);

const stepArb: fc.Arbitrary<Profile> = fc
  .record({
    startRps: rateArb(0.01, 200),
    stepRps: rateArb(0.01, 200),
    steps: fc.integer({ min: 0, max: 8 }),
    // 0: maxRps is exactly the last step (it must be included); otherwise it falls between steps.
    extra: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.99, noNaN: true })),
    stepDurationMs: durationArb(1, 1500),
  })
  .map(
    ({ startRps, stepRps, steps, extra, stepDurationMs }): Profile => ({
      kind: 'step',
      startRps,
      stepRps,
      stepDurationMs,
      maxRps: startRps + (steps + extra) * stepRps,
    }),
  );

const exponentialArb: fc.Arbitrary<Profile> = fc
  .record({
    startRps: rateArb(0.5, 200),
    factor: rateArb(1.2, 3),
    exactSteps: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    maxFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    stepDurationMs: durationArb(1, 500),
  })
  .map(
    ({ startRps, factor, exactSteps, maxFraction, stepDurationMs }): Profile => ({
      kind: 'exponential',
      startRps,
      factor,
      stepDurationMs,
      maxRps: exactSteps !== undefined ? startRps * factor ** exactSteps : startRps + maxFraction * (3000 - startRps),
    }),
  );

const spikeArb: fc.Arbitrary<Profile> = fc
  .record({
    baseRps: fc.oneof(fc.constant(0), rateArb(0.01, 500)),
    spikeRps: rateArb(0.01, 3000),
    atMs: durationArb(0, 5000),
    spikeDurationMs: durationArb(1, 3000),
    tailMs: durationArb(0, 5000),
  })
  .map(
    ({ tailMs, ...p }): Profile => ({
      kind: 'spike',
      ...p,
      durationMs: parseDurationMs(p.atMs) + parseDurationMs(p.spikeDurationMs) + parseDurationMs(tailMs),
    }),
  );

export const pinchArb: fc.Arbitrary<Profile & { kind: 'pinch' }> = fc
  .record({
    baseRps: rateArb(0.01, 500),
    holdMs: durationArb(1, 5000),
    // The release must outrun demand; keeping it ≥ 1.5× base bounds the release to 2× the hold.
    releaseFactor: rateArb(1.5, 10),
    beforeMs: fc.option(durationArb(0, 3000), { nil: undefined }),
    afterMs: fc.option(durationArb(0, 3000), { nil: undefined }),
  })
  .map(({ baseRps, holdMs, releaseFactor, beforeMs, afterMs }) => ({
    kind: 'pinch' as const,
    baseRps,
    holdMs,
    releaseRps: baseRps * releaseFactor,
    ...(beforeMs !== undefined ? { beforeMs } : {}),
    ...(afterMs !== undefined ? { afterMs } : {}),
  }));

const stagesArb: fc.Arbitrary<Profile> = fc
  .record({
    startRps: fc.option(fc.oneof(fc.constant(0), rateArb(0, 1000)), { nil: undefined }),
    stages: fc.array(fc.record({ durationMs: durationArb(1, 3000), targetRps: fc.oneof(fc.constant(0), rateArb(0, 1000)) }), {
      minLength: 1,
      maxLength: 6,
    }),
  })
  .map(({ startRps, stages }): Profile => ({ kind: 'stages', ...(startRps !== undefined ? { startRps } : {}), stages }));

export const PROFILE_ARBS: Record<ProfileKind, fc.Arbitrary<Profile>> = {
  constant: constantArb,
  linear: linearArb,
  step: stepArb,
  exponential: exponentialArb,
  spike: spikeArb,
  pinch: pinchArb,
  stages: stagesArb,
};

/** A whole schedule (or one slice of it) as parallel arrays. */
export interface Schedule {
  readonly indexes: number[];
  readonly offsetsMs: number[];
}

export function collect(curve: RateCurve, options: ArrivalCursorOptions = {}): Schedule {
  const cursor = new ArrivalCursor(curve, options);
  const indexes: number[] = [];
  const offsetsMs: number[] = [];
  while (cursor.next()) {
    indexes.push(cursor.index);
    offsetsMs.push(cursor.offsetMs);
  }
  return { indexes, offsetsMs };
}

/** Merges slices back into one schedule ordered by global index. */
export function unionOfSlices(slices: readonly Schedule[]): Schedule {
  const pairs: [number, number][] = [];
  for (const s of slices) s.indexes.forEach((index, k) => pairs.push([index, s.offsetsMs[k]!]));
  pairs.sort((a, b) => a[0] - b[0]);
  return { indexes: pairs.map((p) => p[0]), offsetsMs: pairs.map((p) => p[1]) };
}

/** The first place two schedules differ, or null when they are identical (same indexes, same offsets). */
export function firstDifference(actual: Schedule, expected: Schedule): string | null {
  if (actual.indexes.length !== expected.indexes.length) {
    return `length ${actual.indexes.length} ≠ ${expected.indexes.length}`;
  }
  for (let k = 0; k < expected.indexes.length; k++) {
    if (actual.indexes[k] !== expected.indexes[k] || actual.offsetsMs[k] !== expected.offsetsMs[k]) {
      return `at ${k}: (${actual.indexes[k]}, ${actual.offsetsMs[k]}) ≠ (${expected.indexes[k]}, ${expected.offsetsMs[k]})`;
    }
  }
  return null;
}

/** Number of sorted offsets ≤ tMs. */
export function countAtOrBefore(sortedOffsetsMs: readonly number[], tMs: number): number {
  let lo = 0;
  let hi = sortedOffsetsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedOffsetsMs[mid]! <= tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of sorted offsets in [fromMs, toMs). */
export function countInWindow(sortedOffsetsMs: readonly number[], fromMs: number, toMs: number): number {
  return countBefore(sortedOffsetsMs, toMs) - countBefore(sortedOffsetsMs, fromMs);
}

function countBefore(sortedOffsetsMs: readonly number[], tMs: number): number {
  let lo = 0;
  let hi = sortedOffsetsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedOffsetsMs[mid]! < tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

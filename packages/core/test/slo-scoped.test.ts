import {
  createHistogram,
  encodeHistogram,
  formatCondition,
  formatSlo,
  type IntervalStats,
  judgeMerged,
  mergeWindow,
  type NameEntry,
  type NameStats,
  parseSlo,
  recordMicros,
  summarizeMs,
  validateScenario,
  validateScopedNames,
  type ValidationError,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { interval } from './support/intervals.js';

const NAMES: NameEntry[] = [
  { kind: 'journey', name: 'get-report' },
  { kind: 'step', name: 'generate', journey: 'get-report' },
  { kind: 'step', name: 'download', journey: 'get-report' },
];

/** Figures of one name in one interval: `latencyMs` values (each a journey or step that ended), `failed` of them failed. */
function named(latencyMs: readonly number[], failed = 0, maxTries = 1): NameStats {
  const h = createHistogram();
  for (const v of latencyMs) recordMicros(h, v * 1000);
  const e = encodeHistogram(h);
  return {
    count: latencyMs.length,
    requests: latencyMs.length,
    ok: latencyMs.length - failed,
    failed,
    failures: failed > 0 ? { status: failed } : {},
    tries: latencyMs.length,
    maxTries,
    latencyMs: summarizeMs(h),
    serviceTimeMs: summarizeMs(h),
    histograms: { latency: e, serviceTime: e },
  };
}

function withNames(i: IntervalStats, byName: NameStats[]): IntervalStats {
  return { ...i, byName };
}

describe('SLO conditions on a journey, a step or a request', () => {
  it('reads and writes the one-line form: journey:NAME p99<5s, step:NAME errors<1%', () => {
    const slo = parseSlo('p99<500ms,journey:get-report p99<5s,journey:get-report errors<1%,step:download errors<0.5%,queue<10');
    expect(slo.scoped).toEqual([
      { scope: 'journey', name: 'get-report', latency: [{ percentile: 99, maxMs: 5000 }], maxErrorRate: 0.01 },
      { scope: 'step', name: 'download', latency: [], maxErrorRate: 0.005 },
    ]);
    expect(parseSlo(formatSlo(slo))).toEqual(slo);
  });

  it('refuses a scoped term that is not a latency or an error rate, naming the term', () => {
    try {
      parseSlo('journey:get-report achieved>95%');
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues[0]!.message).toContain('a journey condition is a latency percentile or an error rate');
    }
  });

  it("judges a journey's latency and failures on its own figures in the window, not the requests'", () => {
    const fast = Array.from({ length: 300 }, () => 20);
    const slow = Array.from({ length: 300 }, () => 1500);
    const intervals = [0, 1, 2, 3].map((k) =>
      withNames(interval({ index: k, latencyMs: [[5, 1000]] }), [named(k === 3 ? slow : fast, k === 3 ? 30 : 0), named(fast), named(fast)]),
    );
    const slo = parseSlo('p99<500ms,journey:get-report p99<1s,journey:get-report errors<1%,step:download errors<1%');
    const v = judgeMerged(mergeWindow(intervals), slo, undefined, { names: NAMES });
    const cond = (name: string) => v.conditions.find((c) => c.name === name)!;
    expect(cond('p99').status).toBe('held'); // every request was fast…
    expect(cond('journey:get-report p99')).toMatchObject({ status: 'breached', kind: 'latency' }); // …the journeys were not
    expect(cond('journey:get-report errors')).toMatchObject({ status: 'breached', observed: 2.5 });
    expect(formatCondition(cond('journey:get-report errors'))).toBe('journey:get-report errors 2.5 % > 1 %');
    expect(cond('step:download errors').status).toBe('held');
  });

  it('leaves a journey percentile unjudged when too few journeys ended', () => {
    const intervals = [withNames(interval({ index: 0, latencyMs: [[5, 1000]] }), [named([10, 20, 30]), named([1]), named([1])])];
    const v = judgeMerged(mergeWindow(intervals), parseSlo('journey:get-report p99<1s'), undefined, { names: NAMES });
    expect(v.conditions.find((c) => c.name === 'journey:get-report p99')).toMatchObject({ status: 'unjudged' });
    expect(v.ok).toBe(false);
  });

  it("takes the lag out once per request a journey sent before it calls a breach the target's", () => {
    const slow = Array.from({ length: 2000 }, () => 120);
    const i = withNames(interval({ index: 0, latencyMs: [[5, 1000]], lagMs: [[40, 1000]] }), [named(slow, 0, 3), named(slow), named(slow)]);
    const v = judgeMerged(mergeWindow([i]), parseSlo('journey:get-report p99<100ms'), undefined, { names: NAMES });
    const c = v.conditions.find((x) => x.name === 'journey:get-report p99')!;
    expect(c.status).toBe('breached');
    // 120 ms with up to 3 requests each 40 ms late: without the lag it may have been 0 ms.
    expect(c.withoutLagMs).toBe(0);
  });

  it('names a journey or step the scenario does not have, in validation', () => {
    expect(validateScopedNames(parseSlo('journey:get-reports p99<1s,step:get-report/download errors<1%'), NAMES)).toEqual([
      { path: 'slo', message: 'names journey:get-reports, but the run has no such journey (journeys: get-report)' },
    ]);
    const issues = validateScenario({
      name: 'x',
      journeys: [{ name: 'get-report', steps: [{ name: 'generate', path: '/r' }] }],
      slo: 'step:download errors<1%',
    });
    expect(issues.map((i) => `${i.path} ${i.message}`)).toEqual([
      'slo names step:download, but the run has no such step (steps: get-report/generate)',
    ]);
  });
});

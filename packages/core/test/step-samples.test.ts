import {
  STEP_SAMPLE_MARGIN,
  compileProfile,
  formatShortStep,
  judgedMsOf,
  minRequestsPerArrival,
  parseSlo,
  stepsTooShort,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

describe('stepsTooShort: what plan warns about before anything is sent', () => {
  it('names the steps too short for the strictest percentile at their rate, and how long they would need to be', () => {
    // 6 s steps judged after a 1 s warm-up: 5 s of responses. p99.9 needs 10,000.
    const steps = compileProfile({ kind: 'step', startRps: 200, stepRps: 1000, stepDurationMs: '6s', maxRps: 2200 }).steps;
    const short = stepsTooShort(steps, parseSlo('p99<300ms,p999<1s'));
    // The durations give the count with a 10 % margin (STEP_SAMPLE_MARGIN).
    expect(short.map((s) => [s.rateRps, s.expected, s.needed, s.edge, s.neededDurationMs])).toEqual([
      [200, 1000, 10_000, false, 56_000],
      [1200, 6000, 10_000, false, 11_000],
    ]);
    expect(formatShortStep(short[0]!)).toBe(
      'step 1 (200 req/s, 6 s) is too short for p99.9: 5 s judged after the warm-up gives ~1,000 responses, p99.9 needs 10,000; at this rate the step would need 56 s',
    );
    // 2,200 req/s × 5 s = 11,000: enough, with the margin.
    expect(short.some((s) => s.rateRps === 2200)).toBe(false);
    expect(STEP_SAMPLE_MARGIN).toBe(1.1);
  });

  it("uses the judge's own warm-up and interval rules, and is silent without a percentile", () => {
    // 4 s steps: the warm-up is 0.8 s, so the first interval (midpoint 0.5 s) is not judged.
    expect(judgedMsOf(4000, 800)).toBe(3000);
    expect(judgedMsOf(6000, 1000)).toBe(5000);
    const steps = compileProfile({ kind: 'step', startRps: 300, stepRps: 100, stepDurationMs: '4s', maxRps: 500 }).steps;
    expect(stepsTooShort(steps, parseSlo('p99<300ms')).map((s) => [s.rateRps, s.expected, s.edge, s.neededDurationMs])).toEqual([
      [300, 900, false, 5000],
    ]);
    expect(stepsTooShort(steps, parseSlo('errors<1%'))).toEqual([]);
    // A journey of three steps sends at least three requests per arrival: three times the samples.
    expect(stepsTooShort(steps, parseSlo('p99<300ms'), { requestsPerArrival: 3 })).toEqual([]);
    expect(minRequestsPerArrival({ templates: [{ weight: 1 }], journeys: [{ weight: 3, steps: [1, 2, 3] }] })).toBe(2.5);
    expect(minRequestsPerArrival(undefined)).toBe(1);
    // At exactly the count it needs a step is long enough, but only just: a response or two that
    // lands in the next step leaves it unjudged. Said, with what would be safe.
    const exact = compileProfile({ kind: 'step', startRps: 200, stepRps: 100, stepDurationMs: '6s', maxRps: 200 }).steps;
    const [edge] = stepsTooShort(exact, parseSlo('p99<300ms'));
    expect(edge).toMatchObject({ edge: true, expected: 1000, needed: 1000, neededDurationMs: 7000 });
    expect(formatShortStep(edge!)).toBe(
      'step 1 (200 req/s, 6 s) is barely long enough for p99: 5 s judged after the warm-up gives ~1,000 responses, p99 needs 1,000; a few responses short leaves it unjudged (never a knee); 7 s would be safe at this rate',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { compareMetric, compareStrata, type MetricSamples, mulberry32, type Share } from '@overload/core/internal';

/** Per-interval values around a centre, with a spread (deterministic noise). */
function samples(n: number, centre: number, spread: number, seed: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => centre + (rand() - 0.5) * 2 * spread);
}

/** A latency percentile per interval, with the next percentile up `gapMs` above it. */
const latency = (values: number[], gapMs = 1): MetricSamples => ({ kind: 'latency-ms', values, next: values.map((v) => v + gapMs) });
const shares = (kind: 'error-rate' | 'achieved-ratio', ratios: number[], of = 1000): MetricSamples => ({
  kind,
  shares: ratios.map((r): Share => ({ events: Math.round(r * of), of })),
});

describe('compareMetric (bootstrap over intervals with a minimum effect)', () => {
  it('a 20 ms rise on a 40 ms p99 with little noise is regressed', () => {
    const m = compareMetric('p99', latency(samples(30, 40, 3, 1)), latency(samples(30, 60, 3, 2)));
    expect(m.outcome).toBe('regressed');
    expect(m.interval!.low).toBeGreaterThan(m.minEffect);
    expect(m.detail).toContain('worse by more than 5 ms');
  });

  it('two samples of the same distribution are no regression, in both orders', () => {
    const a = latency(samples(30, 40, 3, 3));
    const b = latency(samples(30, 40, 3, 4));
    expect(compareMetric('p99', a, b).outcome).toBe('no-regression');
    expect(compareMetric('p99', b, a).outcome).toBe('no-regression');
  });

  it('an improvement is no regression', () => {
    expect(compareMetric('p99', latency(samples(30, 60, 3, 5)), latency(samples(30, 40, 3, 6))).outcome).toBe('no-regression');
  });

  it('a rise beyond the minimum effect that the noise does not prove is cannot tell, saying how far down the interval reaches', () => {
    // 20 ms rise against a 5 ms floor, but each interval varies by ±30 ms.
    const m = compareMetric('p99', latency(samples(8, 40, 30, 7)), latency(samples(8, 60, 30, 8)));
    expect(m.outcome).toBe('cannot-tell');
    expect(m.detail).toMatch(/beyond the minimum effect 5 ms, but the 95 % interval reaches down to/);
  });

  it('noise that hides a change within the minimum effect is no regression, saying what it cannot exclude', () => {
    const m = compareMetric('p99', latency(samples(8, 40, 30, 7)), latency(samples(8, 40, 30, 8)));
    expect(m.outcome).toBe('no-regression');
    expect(m.detail).toContain('cannot exclude a worsening of up to');
  });

  it('too few intervals is cannot tell, naming both counts', () => {
    const m = compareMetric('p99', latency(samples(3, 40, 1, 9)), latency(samples(30, 90, 1, 10)));
    expect(m.outcome).toBe('cannot-tell');
    expect(m.detail).toContain('3 in the baseline and 30 in the current run');
  });

  it('a real shift smaller than the floor is no regression (2 ms on a 2 ms p99 is below the 5 ms floor)', () => {
    expect(compareMetric('p99', latency(samples(30, 2, 0.1, 11)), latency(samples(30, 4, 0.1, 12))).outcome).toBe('no-regression');
  });

  it('a percentile that jumps between the humps of a two-humped distribution is no regression', () => {
    // A journey either finds its report ready (12 ms) or polls once (260 ms): with 49 % polling
    // the p50 is 12 ms and the p90 260 ms; with 52 % polling the p50 is 260 ms. A few percent of
    // journeys changed sides, which the baseline's own p50-to-p90 spread (248 ms) says.
    const before: MetricSamples = { kind: 'latency-ms', values: samples(5, 12, 0.5, 13), next: samples(5, 261, 1, 14) };
    const after: MetricSamples = { kind: 'latency-ms', values: samples(5, 260, 1, 15), next: samples(5, 262, 1, 16) };
    const m = compareMetric('p50 journey', before, after);
    expect(m.outcome).toBe('no-regression');
    expect(m.minEffect).toBeGreaterThan(240);
    // Without the spread (a steep distribution: p90 1 ms above p50) the same jump is regressed.
    expect(compareMetric('p50', latency(samples(5, 12, 0.5, 13)), latency(samples(5, 260, 1, 15))).outcome).toBe('regressed');
  });

  it('errors and achieved are pooled shares: achieved falling 20 points is regressed; errors rising 10 points is regressed', () => {
    expect(
      compareMetric('achieved', shares('achieved-ratio', samples(20, 1, 0.01, 17)), shares('achieved-ratio', samples(20, 0.8, 0.01, 18)))
        .outcome,
    ).toBe('regressed');
    expect(
      compareMetric('errors', shares('error-rate', samples(20, 0, 0, 19)), shares('error-rate', samples(20, 0.1, 0.01, 20))).outcome,
    ).toBe('regressed');
    // An error rate of 0.5 % in both is no regression.
    expect(
      compareMetric('errors', shares('error-rate', samples(20, 0.005, 0.001, 21)), shares('error-rate', samples(20, 0.005, 0.001, 22)))
        .outcome,
    ).toBe('no-regression');
  });

  it('pooled over rates, the median change across them is what counts: one wild rate does not move it, a shift at every rate does', () => {
    const calm = (seed: number, shift = 0) => [0, 1, 2, 3, 4].map((k) => ({ v: samples(5, 10 + k + shift, 1, seed + k) }));
    const base = calm(30);
    const wild = calm(40).map((s, k) => (k === 4 ? { v: samples(5, 200, 50, 99) } : s));
    const strata = (b: { v: number[] }[], c: { v: number[] }[]) => b.map((s, k) => ({ baseline: latency(s.v), current: latency(c[k]!.v) }));
    expect(compareStrata('p99 at every rate', strata(base, wild)).outcome).toBe('no-regression');
    const slower = compareStrata('p99 at every rate', strata(base, calm(40, 20)));
    expect(slower.outcome).toBe('regressed');
    expect(slower.change).toBeGreaterThan(15);
  });
});

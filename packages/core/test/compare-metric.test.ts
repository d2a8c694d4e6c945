import { describe, expect, it } from 'vitest';
import { compareMetric, mulberry32 } from '@overload/core/internal';

/** Per-interval p99s around a centre, with a spread (deterministic noise). */
function samples(n: number, centre: number, spread: number, seed: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => centre + (rand() - 0.5) * 2 * spread);
}

describe('compareMetric (bootstrap over intervals with a minimum effect)', () => {
  it('a 20 ms rise on a 40 ms p99 with little noise is regressed', () => {
    const m = compareMetric('p99', 'latency-ms', samples(30, 40, 3, 1), samples(30, 60, 3, 2));
    expect(m.outcome).toBe('regressed');
    expect(m.interval!.low).toBeGreaterThan(m.minEffect);
  });

  it('two samples of the same distribution are no regression, in both orders', () => {
    const a = samples(30, 40, 3, 3);
    const b = samples(30, 40, 3, 4);
    expect(compareMetric('p99', 'latency-ms', a, b).outcome).toBe('no-regression');
    expect(compareMetric('p99', 'latency-ms', b, a).outcome).toBe('no-regression');
  });

  it('an improvement is no regression', () => {
    expect(compareMetric('p99', 'latency-ms', samples(30, 60, 3, 5), samples(30, 40, 3, 6)).outcome).toBe('no-regression');
  });

  it('a shift that noise straddles is cannot tell', () => {
    // 8 ms rise against a 5 ms floor, but each interval varies by ±30 ms: the interval covers 5 ms.
    const m = compareMetric('p99', 'latency-ms', samples(8, 40, 30, 7), samples(8, 48, 30, 8));
    expect(m.outcome).toBe('cannot-tell');
    expect(m.detail).toContain('straddles');
  });

  it('too few intervals is cannot tell, naming both counts', () => {
    const m = compareMetric('p99', 'latency-ms', samples(3, 40, 1, 9), samples(30, 90, 1, 10));
    expect(m.outcome).toBe('cannot-tell');
    expect(m.detail).toContain('3 in the baseline and 30 in the current run');
  });

  it('a real shift smaller than the floor is no regression (2 ms on a 2 ms p99 is below the 5 ms floor)', () => {
    expect(compareMetric('p99', 'latency-ms', samples(30, 2, 0.1, 11), samples(30, 4, 0.1, 12)).outcome).toBe('no-regression');
  });

  it('achieved ratio falling by 20 points is regressed; errors rising 10 points is regressed', () => {
    expect(compareMetric('achieved', 'achieved-ratio', samples(20, 1, 0.01, 13), samples(20, 0.8, 0.01, 14)).outcome).toBe('regressed');
    expect(compareMetric('errors', 'error-rate', samples(20, 0, 0, 15), samples(20, 0.1, 0.01, 16)).outcome).toBe('regressed');
  });
});

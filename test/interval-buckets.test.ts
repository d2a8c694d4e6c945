import { decodeHistogram } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { IntervalBuckets } from '../packages/workers/dist/interval-buckets.js';

describe('interval buckets: every outcome recorded is reported once', () => {
  it('the last flush takes in outcomes recorded past its interval (a timeout whose clock crossed the boundary)', () => {
    const b = new IntervalBuckets();
    for (let i = 0; i < 10; i++) b.arrival(0, 'sent', 100);
    b.flush(10, 0);
    b.failure(1, 'timeout', 1_000_000, 1_000_000);
    // Read after the loop's own clock: already in interval 2, while the run ends in interval 1.
    for (let i = 0; i < 4; i++) b.failure(2, 'timeout', 1_000_500, 1_000_500);
    b.response(3, 200, true, 900_000, 900_000);
    const last = b.flush(0, 0, 999, 4, 0, true);
    expect(last.index).toBe(1);
    expect(last.errors.timeout).toBe(5);
    expect(last.responses).toBe(1);
    expect(last.statusCodes).toEqual({ 200: 1 });
    expect(decodeHistogram(last.latency).totalCount).toBe(6);
    expect(last.abandoned).toBe(4);
  });

  it('an ordinary flush reports its own interval only', () => {
    const b = new IntervalBuckets();
    b.failure(0, 'reset', 1000, 1000);
    b.failure(1, 'reset', 1000, 1000);
    expect(b.flush(1, 0).errors.reset).toBe(1);
    expect(b.flush(0, 0, 500, 0, 0, true).errors.reset).toBe(1);
  });
});

import { ArrivalCursor, compileProfile } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

/**
 * 10⁶ arrivals, checked one by one against the analytic inverse of the area. A schedule built by
 * adding intervals to the previous arrival would drift by ~10⁶ rounding errors by the end; one
 * computed from t0 stays exact. One microsecond is 0.001 ms.
 */
const MICROSECOND_MS = 0.001;

describe('10⁶ arrivals without drift', () => {
  it('constant 10,000 req/s for 100 s: arrival i at (i + ½) / 10 ms, all 10⁶ of them', () => {
    const curve = compileProfile({ kind: 'constant', rateRps: 10_000, durationMs: '100s' });
    const cursor = new ArrivalCursor(curve);
    let count = 0;
    let worstErrorMs = 0;
    let lastOffsetMs = Number.NaN;
    while (cursor.next()) {
      worstErrorMs = Math.max(worstErrorMs, Math.abs(cursor.offsetMs - (cursor.index + 0.5) / 10));
      lastOffsetMs = cursor.offsetMs;
      count++;
    }
    expect(count).toBe(1_000_000);
    expect(cursor.index).toBe(999_999);
    expect(Math.abs(lastOffsetMs - 99_999.95)).toBeLessThan(MICROSECOND_MS);
    expect(worstErrorMs).toBeLessThan(MICROSECOND_MS);
  });

  it('linear ramp 1,000 → 19,000 req/s over 100 s: every arrival at the analytic A⁻¹(i + ½)', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 1000, toRps: 19_000, durationMs: '100s' });
    // A(t) = a·t + b·t²/2 in arrivals, t in ms: a = 1 per ms, b = 18 / 100,000 per ms².
    const a = 1;
    const b = 18 / 100_000;
    const inverse = (x: number): number => (Math.sqrt(a * a + 2 * b * x) - a) / b;
    const cursor = new ArrivalCursor(curve);
    let count = 0;
    let worstErrorMs = 0;
    let lastOffsetMs = Number.NaN;
    const perSecond = new Float64Array(100);
    while (cursor.next()) {
      worstErrorMs = Math.max(worstErrorMs, Math.abs(cursor.offsetMs - inverse(cursor.index + 0.5)));
      perSecond[Math.floor(cursor.offsetMs / 1000)]!++;
      lastOffsetMs = cursor.offsetMs;
      count++;
    }
    expect(count).toBe(1_000_000);
    expect(Math.abs(lastOffsetMs - inverse(999_999.5))).toBeLessThan(MICROSECOND_MS);
    expect(worstErrorMs).toBeLessThan(MICROSECOND_MS);
    // Second k offers ∫ from k to k+1 s of (1000 + 180·t) = 1090 + 180·k arrivals.
    const off = [...perSecond].map((n, k) => n - (1090 + 180 * k)).filter((d) => Math.abs(d) > 1);
    expect(off).toEqual([]);
  });

  it('the last worker of 7 ends on the same intended times as the single schedule at 10⁶ arrivals', () => {
    const curve = compileProfile({ kind: 'linear', fromRps: 1000, toRps: 19_000, durationMs: '100s' });
    const single = new ArrivalCursor(curve);
    const offsets = new Float64Array(1_000_000);
    while (single.next()) offsets[single.index] = single.offsetMs;
    const slice = new ArrivalCursor(curve, { start: 6, stride: 7 });
    let mismatches = 0;
    let seen = 0;
    while (slice.next()) {
      if (slice.offsetMs !== offsets[slice.index]) mismatches++;
      seen++;
    }
    expect(seen).toBe(Math.ceil((1_000_000 - 6) / 7));
    expect(mismatches).toBe(0);
  });

  it('a step profile of 1.1·10⁶ arrivals puts exactly the step rate in every aligned second', () => {
    // Steps of 1000…10,000 req/s, 20 s each: every 1 s window has an integer area, and with
    // centred arrivals no window may gain or lose one, however far into the run.
    const curve = compileProfile({ kind: 'step', startRps: 1000, stepRps: 1000, stepDurationMs: '20s', maxRps: 10_000 });
    const perSecond = new Float64Array(200);
    const cursor = new ArrivalCursor(curve);
    while (cursor.next()) perSecond[Math.floor(cursor.offsetMs / 1000)]!++;
    expect(cursor.index).toBe(1_099_999);
    const expected = Array.from({ length: 200 }, (_, s) => 1000 * (Math.floor(s / 20) + 1));
    expect([...perSecond]).toEqual(expected);
  });
});

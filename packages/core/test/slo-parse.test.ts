import {
  type Slo,
  ValidationError,
  formatSlo,
  minSamplesForPercentile,
  parseSlo,
  strictestPercentile,
  validateSlo,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues.map((i) => `${i.path} ${i.message}`);
  }
  throw new Error('expected a ValidationError');
}

describe('parseSlo', () => {
  it('reads every kind of condition of the one-line form', () => {
    expect(parseSlo('p99<500ms,p50<100ms,errors<1%,achieved>95%,drops<1%,queue_depth<1000,breaker_open==0,health ok')).toEqual({
      latency: [
        { percentile: 99, maxMs: 500 },
        { percentile: 50, maxMs: 100 },
      ],
      maxErrorRate: 0.01,
      minAchievedRatio: 0.95,
      maxDropRate: 0.01,
      probes: [
        { probe: 'queue_depth', op: '<', value: 1000 },
        { probe: 'breaker_open', op: '==', value: 0 },
        { probe: 'health', op: 'ok' },
      ],
    });
  });

  it('reads p999 and p99.9 as the same percentile, durations in any unit, spaces around terms', () => {
    expect(parseSlo(' p999 < 2s , p9999<1m ').latency).toEqual([
      { percentile: 99.9, maxMs: 2000 },
      { percentile: 99.99, maxMs: 60_000 },
    ]);
    expect(parseSlo('p99.9<1.5s,max<10s,p90<=250ms').latency).toEqual([
      { percentile: 99.9, maxMs: 1500 },
      { percentile: 100, maxMs: 10_000 },
      { percentile: 90, maxMs: 250 },
    ]);
    expect(parseSlo('errors <= 0.5 %').maxErrorRate).toBe(0.005);
    expect(parseSlo('p99<500ms').maxErrorRate).toBeUndefined();
  });

  it('reports every bad term with its position, not just the first', () => {
    const issues = issuesOf(() => parseSlo('p99<fast,errors>1%,achieved>95,wat,,depth<lots'));
    expect(issues).toEqual([
      'slo[0] "p99<fast": "fast" is not a duration such as 500ms or 2s',
      'slo[1] "errors>1%": errors takes < (a ceiling, e.g. errors<1%)',
      'slo[2] "achieved>95": "95" is not a percentage such as 1% or 0.5%',
      expect.stringMatching(/^slo\[3\] "wat" is not an SLO condition; expected e\.g\. p99<500ms/),
      'slo[4] is empty (two commas in a row?)',
      'slo[5] "depth<lots": "lots" is not a number',
    ]);
    expect(issuesOf(() => parseSlo('', '--slo'))[0]).toMatch(/^--slo must list at least one condition/);
    expect(issuesOf(() => parseSlo('errors<1%,errors<2%'))).toEqual(['slo[1] "errors<2%": errors is limited twice; keep one']);
  });

  it('checks values once the syntax is right (a 0 ms limit, 150 %)', () => {
    expect(issuesOf(() => parseSlo('p99<0ms,errors<150%'))).toEqual([
      'slo.latency[0].maxMs must be > 0 (got 0)',
      'slo.maxErrorRate must be a fraction between 0 and 1, e.g. 0.01 for 1 % (got 1.5)',
    ]);
  });

  it('round-trips through formatSlo', () => {
    const text = 'p99<500ms,p99.9<2s,errors<1%,achieved>95%,drops<0.5%,queue_depth<1000,breaker_open==0,health ok';
    expect(formatSlo(parseSlo(text))).toBe(text);
    const slo: Slo = { latency: [{ percentile: 50, maxMs: 12.5 }], maxErrorRate: 0.07 };
    expect(parseSlo(formatSlo(slo))).toEqual(slo);
  });
});

describe('validateSlo', () => {
  it('returns every problem with its path', () => {
    const issues = validateSlo({
      latency: [
        { percentile: 99, maxMs: 500 },
        { percentile: 99, maxMs: -1 },
        { percentile: 120, maxMs: 5 },
      ],
      maxErrorRate: -0.1,
      minAchievedRatio: 95,
      probes: [
        { probe: 'q d', op: '<', value: 3 },
        { probe: 'health', op: 'ok', value: 1 },
        { probe: 'x', op: '=~' },
      ],
    }).map((i) => `${i.path} ${i.message}`);
    expect(issues).toEqual([
      'slo.latency[1].percentile repeats slo.latency[0] (p99); give each percentile one limit',
      'slo.latency[1].maxMs must be > 0 (got -1)',
      'slo.latency[2].percentile must be a number > 0 and <= 100 (got 120)',
      'slo.maxErrorRate must be a fraction between 0 and 1, e.g. 0.01 for 1 % (got -0.1)',
      'slo.minAchievedRatio must be a fraction between 0 and 1, e.g. 0.01 for 1 % (got 95)',
      'slo.probes[0].probe must be a probe name such as queue_depth (letters, digits, _ . : -) (got "q d")',
      'slo.probes[1].value must be left out with op "ok" (got 1)',
      'slo.probes[2].op must be one of < <= > >= == ok (got "=~")',
    ]);
    expect(validateSlo({ latency: [], probes: [{ probe: 'errors', op: '<', value: 1 }] })[0]!.message).toMatch(/names an SLO signal/);
    expect(validateSlo({ latency: [] })).toEqual([]);
    expect(validateSlo('p99<500ms', 'scenario.slo')[0]!.path).toBe('scenario.slo');
  });
});

describe('minimum samples for a percentile', () => {
  it('asks for ten samples beyond the percentile', () => {
    expect(minSamplesForPercentile(50)).toBe(20);
    expect(minSamplesForPercentile(90)).toBe(100);
    expect(minSamplesForPercentile(99)).toBe(1000);
    expect(minSamplesForPercentile(99.9)).toBe(10_000);
    expect(minSamplesForPercentile(100)).toBe(1);
    expect(strictestPercentile(parseSlo('p50<1s,p99.9<3s,p99<2s'))).toBe(99.9);
    expect(strictestPercentile(parseSlo('errors<1%'))).toBeUndefined();
  });
});

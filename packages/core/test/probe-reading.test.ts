import { probeWindow, readProbeResponse, resolveProbes, type ProbeSeries, type ProbeSpec } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

type SpecWithoutTarget = ProbeSpec extends infer S ? (S extends ProbeSpec ? Omit<S, 'name' | 'url'> : never) : never;
const probe = (spec: SpecWithoutTarget) => resolveProbes([{ name: 'p', url: 'http://127.0.0.1:1/', ...spec } as ProbeSpec])[0]!;

describe('readProbeResponse', () => {
  it('http: 1 and ok for an expected status, 0 and not ok with the status otherwise', () => {
    const health = probe({ kind: 'http' });
    expect(readProbeResponse(health, 204, '')).toEqual({ value: 1, ok: true });
    expect(readProbeResponse(health, 503, '')).toEqual({ value: 0, ok: false, error: 'status 503' });
    expect(readProbeResponse(health, 301, '')).toEqual({ value: 0, ok: false, error: 'status 301' });
    const lenient = probe({ kind: 'http', expectStatus: [[200, 299], 429] });
    expect(readProbeResponse(lenient, 429, '')).toEqual({ value: 1, ok: true });
  });

  it('json: the number at the path, booleans as 1/0, anything else a stated error', () => {
    const depth = probe({ kind: 'json', path: 'queue.depth' });
    expect(readProbeResponse(depth, 200, '{"queue":{"depth":42}}')).toEqual({ value: 42, ok: true });
    expect(readProbeResponse(probe({ kind: 'json', path: 'breaker.open' }), 200, '{"breaker":{"open":true}}')).toEqual({
      value: 1,
      ok: true,
    });
    expect(readProbeResponse(depth, 200, '{"queue":{}}')).toEqual({ value: null, ok: false, error: 'no value at queue.depth' });
    expect(readProbeResponse(depth, 200, '{"queue":{"depth":"42"}}')).toEqual({
      value: null,
      ok: false,
      error: 'queue.depth is a string, not a number',
    });
    expect(readProbeResponse(depth, 200, '{"queue":{"depth":null}}')).toEqual({
      value: null,
      ok: false,
      error: 'queue.depth is null, not a number',
    });
    expect(readProbeResponse(depth, 200, '<html>')).toEqual({ value: null, ok: false, error: 'body is not JSON' });
    expect(readProbeResponse(depth, 500, '{"queue":{"depth":42}}')).toEqual({ value: null, ok: false, error: 'status 500' });
  });

  it('prometheus: the matching sample, summed; a missing metric or NaN is not ok', () => {
    const page = 'q{stage="a"} 3\nq{stage="b"} 4\nbroken NaN\n';
    expect(readProbeResponse(probe({ kind: 'prometheus', metric: 'q', labels: { stage: 'b' } }), 200, page)).toEqual({
      value: 4,
      ok: true,
    });
    expect(readProbeResponse(probe({ kind: 'prometheus', metric: 'q' }), 200, page)).toEqual({ value: 7, ok: true });
    expect(readProbeResponse(probe({ kind: 'prometheus', metric: 'q', labels: { stage: 'c' } }), 200, page)).toEqual({
      value: null,
      ok: false,
      error: 'no sample of q{stage="c"}',
    });
    expect(readProbeResponse(probe({ kind: 'prometheus', metric: 'broken' }), 200, page)).toEqual({
      value: null,
      ok: false,
      error: 'value is NaN',
    });
  });
});

describe('probeWindow', () => {
  const series: ProbeSeries[] = [
    { name: 'depth', kind: 'prometheus', points: [0, 1000, 2000, 3000].map((tMs) => ({ tMs, value: tMs / 10, ok: true })) },
    { name: 'health', kind: 'http', points: [{ tMs: 500, value: 1, ok: true }] },
  ];

  it('keeps fromMs <= tMs < toMs, so adjacent windows never share a sample', () => {
    const w = probeWindow(series, 1000, 3000);
    expect(w['depth']!.map((s) => s.tMs)).toEqual([1000, 2000]);
    expect(probeWindow(series, 3000, 4000)['depth']!.map((s) => s.tMs)).toEqual([3000]);
  });

  it('lists a probe with no sample in the window as empty rather than leaving it out', () => {
    expect(probeWindow(series, 1000, 3000)['health']).toEqual([]);
    expect(Object.keys(probeWindow(series, 10_000, 11_000))).toEqual(['depth', 'health']);
  });
});

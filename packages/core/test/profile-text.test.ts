import {
  ValidationError,
  compileProfile,
  formatDurationMs,
  parseDurationMs,
  parseProfileText,
  validateProfile,
  type Profile,
} from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('parseDurationMs', () => {
  it.each([
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    ['20s', 20_000],
    ['250us', 0.25],
    ['1h1m1s1ms', 3_661_001],
    ['  30s ', 30_000],
    ['750', 750],
    ['4.1m', 246_000],
    ['1.001s', 1001],
    ['9us', 0.009],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('passes numbers through as milliseconds', () => {
    expect(parseDurationMs(1234.5)).toBe(1234.5);
  });

  it.each(['', '   ', 'abc', '-5s', '5 s', '1m30', '1d', '.5s', '1e3ms', 's', '10s!', '1,5s', 'NaN', 'Infinity'])('%j is NaN', (text) => {
    expect(parseDurationMs(text)).toBeNaN();
  });

  it('adds the parts of any h/m/s/ms combination exactly', () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        expect(parseDurationMs(`${h}h${m}m${s}s${ms}ms`)).toBe(h * 3_600_000 + m * 60_000 + s * 1000 + ms);
      }),
    );
  });

  it('reads back what formatDurationMs prints (whole ms under 1 s, tenths of a second above)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(999),
          fc.integer({ min: 10, max: 1_000_000 }).map((ds) => ds * 100),
        ),
        (ms) => {
          expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
        },
      ),
    );
  });
});

describe('parseProfileText', () => {
  it('compact step form with aliases, compiling to 20 steps', () => {
    const parsed = parseProfileText('step:start=100,step=100,every=10s,max=2000');
    expect(parsed).toEqual({ kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '10s', maxRps: 2000 });
    expect(compileProfile(parsed as Profile).steps).toHaveLength(20);
  });

  it('k6-style stages: duration@target', () => {
    const parsed = parseProfileText('stages:30s@100,1m@2000');
    expect(parsed).toEqual({
      kind: 'stages',
      stages: [
        { durationMs: '30s', targetRps: 100 },
        { durationMs: '1m', targetRps: 2000 },
      ],
    });
    expect(compileProfile(parsed as Profile).durationMs).toBe(90_000);
  });

  it('the other compact forms from the docs parse to valid profiles', () => {
    expect(parseProfileText('constant:rate=500,duration=30s')).toEqual({ kind: 'constant', rateRps: 500, durationMs: '30s' });
    expect(parseProfileText('linear:from=10,to=1000,duration=1m')).toEqual({ kind: 'linear', fromRps: 10, toRps: 1000, durationMs: '1m' });
    expect(parseProfileText('pinch:base=50,hold=20s,release=500,after=20s')).toEqual({
      kind: 'pinch',
      baseRps: 50,
      holdMs: '20s',
      releaseRps: 500,
      afterMs: '20s',
    });
    expect(parseProfileText('spike:base=10,spike=100,at=5s,for=2s,duration=10s')).toEqual({
      kind: 'spike',
      baseRps: 10,
      spikeRps: 100,
      atMs: '5s',
      spikeDurationMs: '2s',
      durationMs: '10s',
    });
    for (const text of [
      'constant:rate=500,duration=30s',
      'linear:from=10,to=1000,duration=1m',
      'pinch:base=50,hold=20s,release=500,after=20s',
    ]) {
      expect(validateProfile(parseProfileText(text))).toEqual([]);
    }
  });

  it('tolerates spaces around parts, keys and values; keeps decimals and negatives as numbers', () => {
    expect(parseProfileText('  constant: rate = 2.5 , duration = 30s ')).toEqual({ kind: 'constant', rateRps: 2.5, durationMs: '30s' });
    expect(validateProfile(parseProfileText('constant:rate=-1,duration=1s'))).toEqual([
      { path: 'profile.rateRps', message: 'must be > 0 (got -1)' },
    ]);
  });

  it('JSON passes through; invalid JSON is a ValidationError on path "profile"', () => {
    const json = { kind: 'exponential', startRps: 10, factor: 2, stepDurationMs: '5s', maxRps: 640 };
    expect(parseProfileText(JSON.stringify(json))).toEqual(json);
    expect(() => parseProfileText('{"kind": "constant",')).toThrow(ValidationError);
    try {
      parseProfileText('{"kind": "constant",');
    } catch (error) {
      expect((error as ValidationError).issues[0]!.path).toBe('profile');
      expect((error as ValidationError).issues[0]!.message).toMatch(/^is not valid JSON/);
    }
  });

  it('a part without "=" is a ValidationError that names the part and shows the form', () => {
    let thrown: unknown;
    try {
      parseProfileText('constant:rate=500,duration');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toEqual([
      { path: 'profile', message: '"duration" must be key=value, e.g. constant:rate=100,duration=30s' },
    ]);
  });

  it('names a typo in the compact form as typed, and leaves unknown kinds and a stage without a target to validateProfile', () => {
    expect(validateProfile(parseProfileText('sine:rate=5'))[0]!.path).toBe('profile.kind');
    expect(() => parseProfileText('constant:rat=500,duration=30s')).toThrow(
      'rat= is not a field of a constant profile: did you mean rate=?',
    );
    // An object (JSON, a scenario, a library call) names the unknown field and the missing one.
    expect(validateProfile({ kind: 'constant', rat: 500, durationMs: '30s' })).toEqual([
      { path: 'profile.rat', message: 'is not a field of a constant profile, and would be ignored: did you mean profile.rateRps?' },
      { path: 'profile.rateRps', message: 'must be a rate in req/s (got nothing)' },
    ]);
    expect(validateProfile(parseProfileText('stages:30s@100,1m'))).toEqual([
      { path: 'profile.stages[1].targetRps', message: 'must be a rate in req/s (got "")' },
    ]);
    expect(validateProfile(parseProfileText('stages'))[0]!.path).toBe('profile.stages');
  });

  it('round-trips any compact step profile', () => {
    const rps = (max: number) => fc.integer({ min: 1, max });
    fc.assert(
      fc.property(rps(5000), rps(500), fc.integer({ min: 1, max: 600 }), fc.nat(50), (start, step, everyS, n) => {
        const text = `step:start=${start},step=${step},every=${everyS}s,max=${start + n * step}`;
        const curve = compileProfile(parseProfileText(text) as Profile);
        expect(curve.steps.map((s) => s.rateRps)).toEqual(Array.from({ length: n + 1 }, (_, k) => start + k * step));
        expect(curve.durationMs).toBe((n + 1) * everyS * 1000);
      }),
      { numRuns: 100 },
    );
  });
});

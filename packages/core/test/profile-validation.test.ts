import {
  PROFILE_KINDS,
  type Profile,
  type ProfileKind,
  ValidationError,
  compileProfile,
  formatIssue,
  validateProfile,
} from '@overload/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_ARBS } from './support/profiles.js';

const paths = (issues: readonly { path: string }[]): string[] => issues.map((i) => i.path);

describe('validateProfile: every problem, each with its path', () => {
  it('reports wrong types and a negative rate together', () => {
    const issues = validateProfile({ kind: 'constant', rateRps: -5, durationMs: 'soon' });
    expect(issues).toEqual([
      { path: 'profile.rateRps', message: 'must be > 0 (got -5)' },
      { path: 'profile.durationMs', message: 'must be a duration such as 30s, 500ms or 2m (got "soon")' },
    ]);
  });

  it('reports a string where a rate belongs, and a missing field as "nothing"', () => {
    expect(validateProfile({ kind: 'linear', fromRps: '10', durationMs: '1m' })).toEqual([
      { path: 'profile.fromRps', message: 'must be a rate in req/s (got "10")' },
      { path: 'profile.toRps', message: 'must be a rate in req/s (got nothing)' },
    ]);
  });

  it('names the stage and field: stages[2].durationMs, stages[1].targetRps, a non-object stage', () => {
    const issues = validateProfile({
      kind: 'stages',
      startRps: 'abc',
      stages: [
        { durationMs: '30s', targetRps: 100 },
        { durationMs: '1m', targetRps: -3 },
        { durationMs: 0, targetRps: 10 },
        'x',
        { durationMs: 'ten', targetRps: '5' },
      ],
    });
    expect(paths(issues)).toEqual([
      'profile.startRps',
      'profile.stages[1].targetRps',
      'profile.stages[2].durationMs',
      'profile.stages[3]',
      'profile.stages[4].durationMs',
      'profile.stages[4].targetRps',
    ]);
    expect(issues.find((i) => i.path === 'profile.stages[2].durationMs')!.message).toBe('must be > 0 ms (got 0)');
    expect(paths(validateProfile({ kind: 'stages', stages: [] }))).toEqual(['profile.stages']);
    expect(paths(validateProfile({ kind: 'stages' }))).toEqual(['profile.stages']);
  });

  it('rejects an unknown kind, listing the known ones; and anything that is not an object', () => {
    const [unknown] = validateProfile({ kind: 'sine', rateRps: 5 });
    expect(unknown!.path).toBe('profile.kind');
    for (const kind of PROFILE_KINDS) expect(unknown!.message).toContain(kind);
    expect(unknown!.message).toContain('(got "sine")');
    // Inherited property names are not kinds.
    expect(paths(validateProfile({ kind: 'toString' }))).toEqual(['profile.kind']);
    expect(paths(validateProfile({ kind: '__proto__' }))).toEqual(['profile.kind']);
    expect(paths(validateProfile({}))).toEqual(['profile.kind']);
    for (const notObject of [null, undefined, 'constant', 42, []]) {
      expect(paths(validateProfile(notObject))).toEqual(['profile']);
    }
  });

  it('cross-field rules: max below start, too many steps, factor ≤ 1, spike past the end, release ≤ base, 0→0 ramp', () => {
    expect(validateProfile({ kind: 'step', startRps: 500, stepRps: 100, stepDurationMs: '10s', maxRps: 100 })).toEqual([
      { path: 'profile.maxRps', message: 'must be >= startRps (500) (got 100)' },
    ]);
    expect(paths(validateProfile({ kind: 'step', startRps: 1, stepRps: 0.001, stepDurationMs: '1s', maxRps: 1000 }))).toEqual([
      'profile.stepRps',
    ]);
    expect(paths(validateProfile({ kind: 'exponential', startRps: 1, factor: 1, stepDurationMs: '1s', maxRps: 10 }))).toEqual([
      'profile.factor',
    ]);
    expect(paths(validateProfile({ kind: 'exponential', startRps: 1, factor: 1.0001, stepDurationMs: '1s', maxRps: 1e6 }))).toEqual([
      'profile.factor',
    ]);
    const spikePastEnd = { kind: 'spike', baseRps: 10, spikeRps: 100, atMs: '20s', spikeDurationMs: '15s', durationMs: '30s' };
    expect(paths(validateProfile(spikePastEnd))).toEqual(['profile.durationMs']);
    expect(paths(validateProfile({ kind: 'pinch', baseRps: 100, holdMs: '10s', releaseRps: 100 }))).toEqual(['profile.releaseRps']);
    expect(paths(validateProfile({ kind: 'linear', fromRps: 0, toRps: 0, durationMs: '10s' }))).toEqual(['profile.toRps']);
    expect(paths(validateProfile({ kind: 'pinch', baseRps: 1, holdMs: '1s', releaseRps: 2, beforeMs: -1, afterMs: 'later' }))).toEqual([
      'profile.beforeMs',
      'profile.afterMs',
    ]);
  });

  it("uses the caller's path prefix", () => {
    expect(paths(validateProfile({ kind: 'stages', stages: [{ durationMs: -1, targetRps: 1 }] }, 'scenario.profile'))).toEqual([
      'scenario.profile.stages[0].durationMs',
    ]);
  });
});

const FIELDS: Record<Exclude<ProfileKind, 'stages'>, readonly string[]> = {
  constant: ['rateRps', 'durationMs'],
  linear: ['fromRps', 'toRps', 'durationMs'],
  step: ['startRps', 'stepRps', 'stepDurationMs', 'maxRps'],
  exponential: ['startRps', 'factor', 'stepDurationMs', 'maxRps'],
  spike: ['baseRps', 'spikeRps', 'atMs', 'spikeDurationMs', 'durationMs'],
  pinch: ['baseRps', 'holdMs', 'releaseRps', 'beforeMs', 'afterMs'],
};

const badValueArb = fc.constantFrom<unknown>('oops', '', null, -1, Number.NaN, Number.POSITIVE_INFINITY, {}, true, []);

describe.each(Object.keys(FIELDS) as (keyof typeof FIELDS)[])('validateProfile on a broken %s profile', (kind) => {
  it('reports every corrupted field, not just the first', () => {
    const fields = FIELDS[kind];
    fc.assert(
      fc.property(
        PROFILE_ARBS[kind],
        fc.subarray([...fields], { minLength: 1 }),
        fc.array(badValueArb, { minLength: fields.length, maxLength: fields.length }),
        (profile, broken, bad) => {
          const corrupted: Record<string, unknown> = { ...profile };
          broken.forEach((field, k) => (corrupted[field] = bad[k]));
          const issues = validateProfile(corrupted);
          const reported = new Set(paths(issues));
          for (const field of broken) expect(reported, `${field} = ${String(bad[broken.indexOf(field)])}`).toContain(`profile.${field}`);
          for (const path of reported) expect(path.startsWith('profile.')).toBe(true);

          let thrown: unknown;
          try {
            compileProfile(corrupted as unknown as Profile);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ValidationError);
          const error = thrown as ValidationError;
          expect(error.code).toBe('OVL_INVALID_OPTIONS');
          expect(error.issues).toEqual(issues);
          for (const issue of issues) expect(error.message).toContain(`  - ${formatIssue(issue)}`);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('compileProfile', () => {
  it('throws one ValidationError whose message lists each problem on its own line', () => {
    const bad = {
      kind: 'stages',
      stages: [
        { durationMs: '30s', targetRps: 100 },
        { durationMs: '1m', targetRps: -1 },
        { durationMs: '0s', targetRps: 5 },
      ],
    };
    let thrown: unknown;
    try {
      compileProfile(bad as unknown as Profile);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toBe(
      'profile is invalid (2 problems):\n  - profile.stages[1].targetRps must be >= 0 (got -1)\n  - profile.stages[2].durationMs must be > 0 ms (got "0s")',
    );
    expect((thrown as ValidationError).toJSON()).toEqual({ code: 'OVL_INVALID_OPTIONS', message: (thrown as ValidationError).message });
  });

  it('throws for an unknown kind instead of crashing', () => {
    expect(() => compileProfile({ kind: 'sine' } as unknown as Profile)).toThrow(ValidationError);
  });
});

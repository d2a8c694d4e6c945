import { describe, expect, it } from 'vitest';

/**
 * `@overload/core` is what a scenario file and a reader of results need, and nothing else: the
 * internals the workers and the CLI build on are `@overload/core/internal`, which may change in
 * any release. A new export here is a promise to users; this test makes adding one a decision.
 */
describe('@overload/core: the public API', () => {
  it('exports exactly the public values', async () => {
    const api = await import('@overload/core');
    expect(Object.keys(api).sort()).toEqual(
      [
        'DEFAULTS',
        'OverloadError',
        'RESULT_SCHEMA_VERSION',
        'TargetUnreachableError',
        'ValidationError',
        'WorkerCrashError',
        'defineScenario',
        'formatDurationMs',
        'formatSlo',
        'parseDurationMs',
        'parseProfileText',
        'parseSlo',
        'validateProfile',
        'validateScenario',
      ].sort(),
    );
  });

  it('keeps the internals importable for the other packages, under ./internal', async () => {
    const internal = await import('@overload/core/internal');
    expect(typeof internal.RampJudge).toBe('function');
    expect(typeof internal.resolveRunConfig).toBe('function');
    const api: Record<string, unknown> = await import('@overload/core');
    expect(api.RampJudge).toBeUndefined();
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * A misspelled scenario field is never ignored: for a safety tool, an ignored `safety.maxRPS` is a
 * rate cap silently switched off. Every unknown field, at every level, is exit 2 naming its path
 * and the field meant, and nothing is sent.
 */
describe('scenarios are checked strictly', () => {
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-strict-'));
  });
  afterAll(async () => {
    expect((await server.stats()).count).toBe(0);
    await server.close();
  });

  const scenario = async (file: string, body: string) => {
    const path = join(dir, file);
    await writeFile(path, `export default ${body};\n`);
    return path;
  };

  it('a misspelled guardrail stops the run before anything is sent', async () => {
    const path = await scenario(
      'max-rps.mjs',
      `{ name: 'typo', requests: [{ name: 'home', path: '/' }], profile: { kind: 'constant', rateRps: 60, durationMs: '2s' }, safety: { maxRPS: 10 } }`,
    );
    const r = await runCli(['run', path, '--target', server.url, '--out-dir', join(dir, 'out-max-rps')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('safety.maxRPS is not a field: did you mean safety.maxRps?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('every level names its path and the nearest field, all in one report', async () => {
    const path = await scenario(
      'everywhere.mjs',
      `{
        name: 'typos',
        slos: 'p99<500ms',
        requests: [{ name: 'home', path: '/', expectedStatus: [200] }],
        journeys: [{ name: 'flow', wieght: 2, steps: [{ name: 'a', path: '/a', thinktime: '1s', poll: { until: { status: [200] }, intervalMs: '1s', maxTry: 3 } }] }],
        profile: { kind: 'constant', rateRps: 5, durationMs: '1s' },
        safety: { budget: { emails: 1 }, errorBurst: { maxErrorRatio: 0.5 } },
        recovery: { cooldown: '2s' },
        actions: [{ at: '1s' }],
      }`,
    );
    const r = await runCli(['plan', path, '--target', server.url]);
    expect(r.code, r.stderr).toBe(2);
    for (const line of [
      'slos is not a field: did you mean slo?',
      'requests[0].expectedStatus is not a field: did you mean requests[0].expectStatus?',
      'journeys[0].wieght is not a field: did you mean journeys[0].weight?',
      'journeys[0].steps[0].thinktime is not a field: did you mean journeys[0].steps[0].thinkTime?',
      'journeys[0].steps[0].poll.maxTry is not a field: did you mean journeys[0].steps[0].poll.maxTries?',
      'safety.budget is not a field: did you mean safety.budgets?',
      'safety.errorBurst.maxErrorRatio is not a field: did you mean safety.errorBurst.maxErrorRate?',
      'recovery.cooldown is not a field: did you mean recovery.cooldownMs?',
    ])
      expect(r.stderr).toContain(line);
    // A name near no field lists the fields there are.
    expect(r.stderr).toMatch(/actions is not a field \(the fields of a scenario are name, description, target, .*safety, recovery/);
  });

  it('an SLO object with a misspelled limit is refused', async () => {
    const path = await scenario(
      'slo-object.mjs',
      `{ name: 'slo', requests: [{ name: 'home', path: '/' }], slo: { latency: [{ percentile: 99, maxMS: 500 }], maxErrorRates: 0.01 } }`,
    );
    const r = await runCli(['plan', path, '--target', server.url]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('slo.maxErrorRates is not a field: did you mean slo.maxErrorRate?');
    expect(r.stderr).toContain('slo.latency[0].maxMS is not a field: did you mean slo.latency[0].maxMs?');
  });

  it('a scenario with only known fields still plans', async () => {
    const path = await scenario(
      'fine.mjs',
      `{ name: 'fine', requests: [{ name: 'home', path: '/', expectStatus: [200] }], profile: { kind: 'constant', rateRps: 5, durationMs: '1s' }, safety: { maxRps: 10 }, recovery: { cooldownMs: '1s' } }`,
    );
    const r = await runCli(['plan', path, '--target', server.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/max rate: +10 req\/s/);
  });
});

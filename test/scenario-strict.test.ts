import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * A typo at any depth of a scenario, and a duration typed without its unit anywhere, through the
 * real CLI: exit 2 naming the path and the fix, and nothing sent (the server counts, and saw
 * nothing). (test/cli-validation.test.ts has the top-level fields and the duration flags.)
 */
describe('a scenario checked to its last field', () => {
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

  const refused = async (args: string[], ...expected: string[]) => {
    const r = await runCli(args[0] === 'plan' ? args : [...args, '--out-dir', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const e of expected) expect(r.stderr).toContain(e);
    return r;
  };

  /** A valid scenario with a journey, a probe, a feeder and a stages profile, with `edits` applied to its text. */
  async function scenario(name: string, edits: Record<string, string> = {}): Promise<string> {
    let text = `export default {
  name: '${name}',
  feeders: { users: { csv: 'users.csv' } },
  journeys: [{ name: 'report', steps: [
    { name: 'gen', method: 'POST', path: '/r/{{users.id}}', capture: { id: { json: '$.id' } } },
    { name: 'poll', path: '/r/{{id}}', poll: { until: { json: 'status', equals: 'done' }, intervalMs: '250ms', maxTries: 5 },
      thinkTime: { uniform: ['10ms', '20ms'] } },
  ] }],
  slo: { latency: [{ percentile: 99, maxMs: 500 }], maxErrorRate: 0.01, probes: [{ probe: 'queue', op: '<', value: 100 }] },
  probes: [{ name: 'queue', kind: 'prometheus', url: '/metrics', metric: 'q' }],
  actions: [{ name: 'pause', at: '1s', method: 'POST', path: '/admin/pause' }],
  profile: { kind: 'stages', startRps: 1, stages: [{ durationMs: '2s', targetRps: 5 }] },
  timeoutMs: '2s',
};\n`;
    for (const [from, to] of Object.entries(edits)) {
      expect(text, `${name}: ${from}`).toContain(from);
      text = text.replace(from, to);
    }
    const file = join(dir, `${name}.mjs`);
    await writeFile(file, text);
    await writeFile(join(dir, 'users.csv'), 'id\nu1\n');
    return file;
  }

  it('the scenario as written is valid (so each refusal below is its one edit)', async () => {
    const plan = await runCli(['plan', await scenario('valid'), '--target', server.url]);
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('a misspelt field of a capture, a condition, a think time, a probe, a stage, a feeder or an SLO object', async () => {
    const typos = await scenario('deep-typos', {
      "{ json: '$.id' }": "{ jsn: '$.id' }",
      "equals: 'done'": "equal: 'done'",
      'thinkTime: { uniform:': 'thinkTime: { uniformly:',
      "url: '/metrics'": "uri: '/metrics'",
      "{ durationMs: '2s', targetRps: 5 }": "{ duration: '2s', targetRps: 5 }",
      "{ csv: 'users.csv' }": "{ cvs: 'users.csv' }",
      'maxErrorRate: 0.01': 'maxErorRate: 0.01',
    });
    const expected = [
      'journeys[0].steps[0].capture.id.jsn is not a field of a capture, and would be ignored: did you mean journeys[0].steps[0].capture.id.json?',
      'journeys[0].steps[1].poll.until.equal is not a field of a condition, and would be ignored: did you mean journeys[0].steps[1].poll.until.equals?',
      'journeys[0].steps[1].thinkTime.uniformly is not a field of a think time, and would be ignored: did you mean journeys[0].steps[1].thinkTime.uniform?',
      'probes[0].uri is not a probe field: did you mean probes[0].url?',
      'profile.stages[0].duration is not a field of a stage, and would be ignored: did you mean profile.stages[0].durationMs?',
      'feeders.users.cvs is not a field of a feeder file, and would be ignored: did you mean feeders.users.csv?',
      'slo.maxErorRate is not a field of an SLO, and would be ignored: did you mean slo.maxErrorRate?',
    ];
    await refused(['plan', typos, '--target', server.url], ...expected);
    // Before any target is started or probed: the misspelt probe URL once crashed the CLI (exit 70).
    await refused(['run', typos, '--target', server.url], ...expected);
  });

  it('a misspelt profile field, in the compact form and in JSON: the guardrail it names is never dropped', async () => {
    await refused(
      ['plan', server.url, '--slo', 'p99<1s', '--profile', 'step:start=10,stepp=10,every=2s,max=30'],
      '--profile stepp= is not a field of a step profile: did you mean step=?',
    );
    await refused(
      ['run', server.url, '--profile', '{"kind":"step","startRps":1,"stepRps":1,"stepDurationMs":"1s","maxRps":3,"maxRPS":2}'],
      'profile.maxRPS is not a field of a step profile, and would be ignored: did you mean profile.maxRps?',
    );
  });

  it('a duration without its unit, in every kind of scenario field and flag', async () => {
    const unitless = await scenario('unitless', {
      "timeoutMs: '2s'": "timeoutMs: '2'",
      "intervalMs: '250ms'": "intervalMs: '250'",
      "uniform: ['10ms', '20ms']": "uniform: ['10ms', 20]",
      "at: '1s'": 'at: 1000',
      "durationMs: '2s', targetRps": "durationMs: '2', targetRps",
    });
    await refused(
      ['plan', unitless, '--target', server.url],
      "timeoutMs needs a unit: '2s' or '2ms', or the number 2 for milliseconds (got \"2\")",
      "journeys[0].steps[1].poll.intervalMs needs a unit: '250s' or '250ms', or the number 250 for milliseconds",
      // A field whose name carries no unit takes no bare number: `thinkTime: 2` is seconds to a k6 user.
      "journeys[0].steps[1].thinkTime.uniform[1] needs a unit: '20s' or '20ms' (got 20)",
      "actions[0].at needs a unit: '1000s' or '1000ms' (got 1000)",
      "profile.stages[0].durationMs needs a unit: '2s' or '2ms'",
    );
    await refused(
      ['plan', server.url, '--profile', 'constant:rate=10,duration=2s', '--slo', 'p99<500'],
      '"p99<500" needs a unit on its limit: p99<500ms or p99<500s',
    );
    await refused(
      ['run', server.url, '--rate', '5', '--duration', '2s', '--action', 'pause=POST /pause@10'],
      "at needs a unit: '10s' or '10ms' (got \"10\")",
    );
    await refused(
      ['run', server.url, '--rate', '5', '--duration', '2s', '--shard', '0/2', '--start-at', '+30'],
      '--start-at a delay needs a unit: +30s or +30ms',
    );
    await refused(
      ['run', server.url, '--profile', '{"kind":"constant","rateRps":5,"durationMs":"30"}'],
      "profile.durationMs needs a unit: '30s' or '30ms', or the number 30 for milliseconds",
    );
  });

  it('the plan echoes an SLO limit in the unit it was typed in', async () => {
    const plan = await runCli(['plan', server.url, '--profile', 'constant:rate=10,duration=2s', '--slo', 'p99<1s,p50<1.5s,p90<250ms']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('slo:         p99<1s,p50<1.5s,p90<250ms');
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ramp, run, search } from '@overload/workers';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const SCHEMA_FILE = new URL('../docs/result.schema.json', import.meta.url);

/** What a later `JSON.parse(result.json)` sees (NaN becomes null, undefined fields vanish). */
const asWritten = (r: unknown) => JSON.parse(JSON.stringify(r)) as Record<string, any>;

describe('docs/result.schema.json against real results', () => {
  let server: ChildServer;
  let validate: ReturnType<InstanceType<typeof Ajv2020>['compile']>;
  const results: Record<string, Record<string, any>> = {};
  beforeAll(async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    validate = ajv.compile(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
    server = await startChildServer('capacity', { capacityRps: 250 });
  });
  afterAll(() => server.close());

  const errorsOf = (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

  it('a library run() result is valid', async () => {
    results.run = asWritten(await run({ url: server.url, rateRps: 100, durationMs: '2s', workers: 1 }));
    expect(errorsOf(results.run)).toEqual([]);
  });

  it('a library ramp() result (steps, collapse, probes, recovery with its run) is valid', async () => {
    results.ramp = asWritten(
      await ramp({
        url: server.url,
        profile: { kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '1500ms', maxRps: 600 },
        slo: 'p90<50ms,errors<1%,queue_depth<1000',
        workers: 1,
        probes: [
          { name: 'queue_depth', kind: 'prometheus', url: `${server.url}/metrics`, metric: 'queue_depth', intervalMs: 500, timeoutMs: 400 },
        ],
        recovery: { cooldownMs: '300ms', withinMs: '3s', windowMs: '1s' },
      }),
    );
    expect(results.ramp.steps.length).toBeGreaterThan(0);
    expect(results.ramp.probes[0].points.length).toBeGreaterThan(0);
    // Collapsed, so the recovery baseline ran and its run result is nested in the ramp's.
    expect(results.ramp.verdict).toBe('collapsed');
    expect(results.ramp.recovery.run.kind).toBe('run');
    expect(errorsOf(results.ramp)).toEqual([]);
  }, 60_000);

  it('a library search() result (trials, evidence) is valid', async () => {
    results.search = asWritten(
      await search({
        url: server.url,
        slo: 'p50<50ms,errors<1%',
        startRps: 100,
        precision: 0.5,
        minTrialMs: '1s',
        warmupMs: 200,
        cooldownMs: '200ms',
        maxTrials: 4,
        workers: 1,
      }),
    );
    expect(results.search.evidence.length).toBeGreaterThan(0);
    // The breach at 400 req/s was followed by a baseline before the next trial.
    expect(results.search.evidence.some((e: { recovery?: unknown }) => e.recovery !== undefined)).toBe(true);
    expect(errorsOf(results.search)).toEqual([]);
  }, 60_000);

  it('a CLI ramp result with its runbook, and a CLI run result, are valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-schema-'));
    const r = await runCli([
      'ramp',
      `${server.url}/`,
      '--profile',
      'step:start=100,step=100,every=1s,max=300',
      '--slo',
      'p90<50ms',
      '--no-recovery',
      '--workers',
      '1',
      '--budget',
      'emails=50',
      '--max-rate',
      '1000',
      '--out-dir',
      dir,
      '-q',
    ]);
    expect(r.code).toBe(0);
    results.cliRamp = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(results.cliRamp.runbook.guardrails.budgets).toEqual({ emails: { limit: 50, used: 0 } });
    expect(errorsOf(results.cliRamp)).toEqual([]);
    const out = join(dir, 'run.json');
    await runCli(['run', `${server.url}/`, '--rate', '50', '--duration', '1s', '--workers', '1', '--json', out, '-q']);
    results.cliRun = JSON.parse(await readFile(out, 'utf8'));
    expect(errorsOf(results.cliRun)).toEqual([]);
  }, 60_000);

  it('catches a missing, renamed or mistyped field, and an unknown kind', () => {
    const broken: [string, (r: Record<string, any>) => void, string][] = [
      ['run', (r) => delete r.latencyMs, "must have required property 'latencyMs'"],
      ['run', (r) => ((r.latency_ms = r.latencyMs), delete r.latencyMs), "must have required property 'latencyMs'"],
      ['run', (r) => (r.intervals[0].histograms.service = r.intervals[0].histograms.serviceTime), 'must NOT have additional properties'],
      ['run', (r) => (r.totals.sent = '600'), 'must be integer'],
      ['run', (r) => (r.latencyMs.p99 = -1), 'must be >= 0'],
      ['run', (r) => (r.stopReason = 'finished'), 'must be equal to one of the allowed values'],
      ['ramp', (r) => delete r.verdictLine, "must have required property 'verdictLine'"],
      ['ramp', (r) => delete r.steps[0].conditions[0].ok, "must have required property 'ok'"],
      [
        'ramp',
        (r) => ((r.steps[0].judged.begin = r.steps[0].judged.startMs), delete r.steps[0].judged.startMs),
        "must have required property 'startMs'",
      ],
      ['ramp', (r) => delete r.run.histograms, "must have required property 'histograms'"],
      ['search', (r) => delete r.bracket, "must have required property 'bracket'"],
      ['search', (r) => (r.trials[0].phase = 'sideways'), 'must be equal to one of the allowed values'],
      ['cliRamp', (r) => delete r.runbook.guardrails.killFile, "must have required property 'killFile'"],
      ['run', (r) => (r.kind = 'soak'), 'must be equal to one of the allowed values'],
    ];
    for (const [kind, mutate, message] of broken) {
      const copy = structuredClone(results[kind]!);
      mutate(copy);
      expect(errorsOf(copy).join('\n'), `${kind}: ${mutate.toString()}`).toContain(message);
    }
    // A collapsed ramp must say how it collapsed.
    if (results.ramp!.verdict === 'collapsed') {
      const copy = structuredClone(results.ramp!);
      delete copy.collapse;
      expect(errorsOf(copy).join('\n')).toContain("must have required property 'collapse'");
    }
  });
});

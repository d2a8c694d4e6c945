import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig, validateScenario, ValidationError, OverloadError } from '@overload/core/internal';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../dist/program.js';

/**
 * Property-based: random flag strings and random scenario objects go through the real CLI
 * parsing and validation (`overload plan`, in process: it sends nothing). The answer is always
 * exit 0, or exit 2 with an `error:` message — never 70 (an internal error), never a stack trace.
 */

/** Runs the CLI in this process, capturing what it writes. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'overload', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function expectCleanAnswer(r: { code: number; stdout: string; stderr: string }, input: unknown): void {
  const context = `${JSON.stringify(input)}\n${r.stderr}`;
  expect([0, 2], context).toContain(r.code);
  if (r.code === 2) expect(r.stderr, context).toMatch(/error/);
  expect(r.stderr, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const FLAGS_WITH_VALUES = [
  '--profile',
  '--slo',
  '--probe',
  '--target',
  '--target-option',
  '--workers',
  '--connections',
  '--pipelining',
  '--timeout',
  '--max-in-flight',
  '--arrivals',
  '--seed',
  '--method',
  '-H',
  '--body',
  '--ca',
  '--cert',
  '--key',
  '--max-rate',
  '--max-requests',
  '--max-duration',
  '--budget',
  '--abort-on-errors',
  '--kill-file',
  '--control-port',
  '--control-token',
  '--run-id-header',
  '--cooldown',
  '--recovery-within',
  '--recovery-baseline',
];
const BOOLEAN_FLAGS = ['--insecure', '--http2', '--no-recovery', '--no-abort-on-errors'];
const TRICKY = [
  '',
  ' ',
  '0',
  '-1',
  '-0',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '1_000',
  '10%',
  '150%',
  '50%/5s',
  '5s',
  '0ms',
  '1h',
  '2m30s',
  'step:start=100,step=100,every=10s,max=2000',
  'constant:rate=50,duration=2s',
  'stages:1s@10,1s@0',
  '{"kind":"linear"}',
  'p99<500ms,errors<1%',
  'emails=100',
  'emails=-5',
  'q=prometheus:http://127.0.0.1:9/metrics#q',
  'GET',
  'x-a: b',
  'authorization: Bearer x',
  'http://127.0.0.1:9/',
  'https://example.com/',
  'ftp://x',
  '/nonexistent.pem',
  '🙂',
  '"',
  '{{index}}',
  '9'.repeat(40),
];

const value = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1e6, max: 1e9 }).map(String),
  fc.double({ noNaN: false }).map(String),
);
const flag = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...FLAGS_WITH_VALUES), value).map(([f, v]) => [f, v]) },
  { weight: 2, arbitrary: fc.constantFrom(...BOOLEAN_FLAGS).map((f) => [f]) },
  { weight: 1, arbitrary: fc.stringMatching(/^--?[a-z-]{1,12}$/).map((f) => [f]) },
);

describe('property: random flags and scenarios never crash the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overload-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('random flag strings on `plan`: exit 0 or 2 with a message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('http://127.0.0.1:9/', 'https://127.0.0.1:9/x', 'student-reports', 'no-such-scenario', '', './nope.ts'),
        fc.array(flag, { maxLength: 6 }),
        async (target, flags) => {
          const args = ['plan', target, '--profile', 'constant:rate=10,duration=1s', ...flags.flat()];
          expectCleanAnswer(await cli(args), args);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  const scalar = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -10, max: 1e6 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...TRICKY),
  );
  const loose = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }));
  const profile = fc.oneof(
    fc.record(
      {
        kind: fc.constantFrom('constant', 'linear', 'step', 'stages', 'spike', 'pinch', 'exponential', 'nope'),
        rateRps: loose,
        durationMs: loose,
        startRps: loose,
        stepRps: loose,
        stepDurationMs: loose,
        maxRps: loose,
        stages: loose,
      },
      { requiredKeys: ['kind'] },
    ),
    loose,
  );
  const request = fc.oneof(
    fc.record(
      {
        name: loose,
        path: fc.oneof(fc.constantFrom('/', '/a/{{index}}', '/{{nope.x}}', '/{{env.OVERLOAD_PROP_UNSET}}', 'relative'), loose),
        method: loose,
        weight: loose,
        headers: loose,
        body: loose,
        expectStatus: loose,
        sideEffects: loose,
      },
      { requiredKeys: [] },
    ),
    loose,
  );
  const scenario = fc.record(
    {
      name: fc.oneof(fc.constant('prop'), loose),
      target: fc.oneof(fc.constant('http://127.0.0.1:9/'), loose),
      requests: fc.oneof(fc.array(request, { maxLength: 3 }), loose),
      journeys: fc.oneof(
        fc.array(fc.record({ name: loose, steps: fc.oneof(fc.array(request, { maxLength: 2 }), loose) }, { requiredKeys: [] }), {
          maxLength: 2,
        }),
        loose,
      ),
      feeders: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(loose, fc.record({ csv: loose }), fc.record({ json: loose })), { maxKeys: 2 }),
        loose,
      ),
      profile,
      slo: loose,
      probes: loose,
      safety: fc.oneof(
        fc.record(
          {
            maxRps: loose,
            maxRequests: loose,
            maxDurationMs: loose,
            budgets: loose,
            allowedHosts: loose,
            errorBurst: loose,
            runIdHeader: loose,
          },
          { requiredKeys: [] },
        ),
        loose,
      ),
      recovery: loose,
      timeoutMs: loose,
      tls: fc.oneof(fc.record({ ca: loose, cert: loose, key: loose, insecure: loose }, { requiredKeys: [] }), loose),
      http2: loose,
    },
    { requiredKeys: [] },
  );

  it('random scenario objects through `plan <file>`: exit 0 or 2 with a message', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const file = join(dir, `s${n++}.mjs`);
        writeFileSync(file, `export default ${JSON.stringify(s)};\n`);
        expectCleanAnswer(await cli(['plan', file]), s);
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('validateScenario and resolveRunConfig never throw anything but a validation error, whatever they are given', () => {
    fc.assert(
      fc.property(fc.oneof(scenario, fc.anything()), (s) => {
        expect(Array.isArray(validateScenario(s))).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            url: loose,
            rateRps: loose,
            durationMs: loose,
            profile,
            workers: loose,
            connections: loose,
            timeoutMs: loose,
            headers: loose,
            tls: loose,
            http2: loose,
            budgets: loose,
            maxRps: loose,
          },
          { requiredKeys: [] },
        ),
        (o) => {
          try {
            resolveRunConfig(o as never, { defaultWorkers: 1 });
          } catch (error) {
            expect(error instanceof ValidationError || error instanceof OverloadError, String(error)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CLASSES, type JourneyTemplate, type RunResult } from '@overload/core/internal';
import { run } from '@overload/workers';
import { describe, expect, it } from 'vitest';
import { startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * The hot path (`--client auto`, overload's own HTTP/1.1 client) against undici (`--client
 * undici`): the same hostile targets of the fault matrix (test/fault-matrix.test.ts) and the same
 * journeys, each through both clients, must come out with the same exit code, the same error
 * classes and the same counts. Only what a run's timing decides may differ, and no row here leaves
 * anything to timing: every request of a row meets the same fault.
 */

// The in-flight cap is well above what a row can hold (100 req/s × a 1 s timeout): at the default
// cap of exactly 100, whether an arrival finds a timed-out request already swept is timing, and a
// row that never answers drops 2 or 3 arrivals by chance.
const ARGS = ['--rate', '100', '--duration', '2s', '--timeout', '1s', '--max-in-flight', '400', '--workers', '1', '-q'];

/** Fault rows whose every request meets the fault the same way (goes-down's split depends on timing). */
const FAULTS = [
  'ok',
  'reset-before-response',
  'reset-mid-body',
  'never-answer',
  'slow-headers',
  'trickle-body',
  'garbage',
  'premature-close',
  'informational',
  'redirect',
] as const;

interface Outcome {
  readonly exit: number | null;
  readonly totals: RunResult['totals'];
  readonly classes: Record<string, number>;
  readonly statusCodes: RunResult['statusCodes'];
}

async function throughCli(fault: string, client: 'auto' | 'undici'): Promise<Outcome> {
  const server = await startChildServer('faults', { fault });
  const dir = await mkdtemp(join(tmpdir(), `overload-differential-${fault}-`));
  try {
    const cli = await runCli(['run', `http://127.0.0.1:${server.port}/`, ...ARGS, '--client', client, '--out-dir', dir]);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    const r = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
    // result.json says which client sent the requests.
    expect(r.generator.client).toBe(client === 'auto' ? 'hot-path' : 'undici');
    return {
      exit: cli.code,
      totals: r.totals,
      classes: Object.fromEntries(ERROR_CLASSES.filter((c) => r.errorsByClass[c] > 0).map((c) => [c, r.errorsByClass[c]])),
      statusCodes: r.statusCodes,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the hot path and undici give the same results', () => {
  for (const fault of FAULTS) {
    it(`${fault}: the same exit, classes and counts through --client auto and --client undici`, async () => {
      const hot = await throughCli(fault, 'auto');
      const undici = await throughCli(fault, 'undici');
      expect(hot).toEqual(undici);
      expect(hot.totals.dropped).toBe(0);
      expect(hot.totals.sent).toBe(hot.totals.responses + hot.totals.transportErrors + hot.totals.abandoned);
    });
  }

  it('journeys (generate → poll → download, captures from JSON bodies): the same per-step and per-journey counts', async () => {
    const journey: JourneyTemplate = {
      name: 'get-report',
      steps: [
        { name: 'generate', method: 'POST', path: '/reports', body: { student: '{{index}}' }, capture: { id: { json: '$.id' } } },
        { name: 'poll', path: '/reports/{{id}}', poll: { until: { json: 'status', equals: 'done' }, intervalMs: '50ms', maxTries: 40 } },
        { name: 'download', path: '/reports/{{id}}/document' },
      ],
    };
    const outcomes = [];
    for (const client of ['auto', 'undici'] as const) {
      const server = await startChildServer('reports', { readyMs: 120 });
      try {
        const r = await run({
          url: server.url,
          rateRps: 40,
          durationMs: '2s',
          client,
          requests: { templates: [], journeys: [journey], feeders: {}, seed: 1, runId: 'differential' },
        });
        expect(r.generator.client).toBe(client === 'auto' ? 'hot-path' : 'undici');
        const s = await server.stats<{ created: number; downloads: number; mismatched: number }>();
        outcomes.push({
          totals: { ...r.totals },
          byName: r.byName!.map((n) => ({ kind: n.kind, name: n.name, count: n.count, ok: n.ok, failures: n.failures })),
          server: { created: s.created, downloads: s.downloads, mismatched: s.mismatched },
        });
      } finally {
        await server.close();
      }
    }
    // Polls are timed by the target's readiness: their number may differ by a few; everything else may not.
    const [hot, undici] = outcomes;
    expect(hot!.server).toEqual(undici!.server);
    expect(hot!.server.created).toBe(80);
    expect(hot!.server.mismatched).toBe(0);
    for (const kind of ['journey', 'step'])
      for (const name of ['get-report', 'generate', 'download']) {
        const a = hot!.byName.find((n) => n.kind === kind && n.name === name);
        const b = undici!.byName.find((n) => n.kind === kind && n.name === name);
        expect(a).toEqual(b);
      }
    expect(hot!.totals.errors).toBe(0);
    expect(undici!.totals.errors).toBe(0);
  });
});

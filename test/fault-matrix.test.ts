import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CLASSES, type ErrorClass, type RunResult } from '@overload/core/internal';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from './support/certs.js';
import { startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * The fault matrix of docs/faults.md: one row per way a target can misbehave, each run through
 * the real CLI (`overload run`, one worker, 200 req/s for 2 s, 1 s timeout) against
 * test/support/servers/faults.mjs on 127.0.0.1. Every row checks what a user relies on:
 * - the run completes, or stops with the documented guard, with the row's one exit code;
 * - every request sent is counted once: sent = responses + transport errors + abandoned, every
 *   error is in exactly one class, and the classes are the row's (in result.json and in the
 *   summary's "errors by class" line);
 * - the generator does not call itself saturated because of the target;
 * - memory stays bounded: the firing thread and the process grow by less than a body's worth.
 * Set OVERLOAD_FAULTS_REPORT=<file> to write what each row measured (docs/faults.md is made from it).
 */

const RATE = 200;
const DURATION_S = 2;
const BASE_ARGS = ['--rate', String(RATE), '--duration', `${DURATION_S}s`, '--timeout', '1s', '--workers', '1', '-q'];
/** Growth a run of this size may show with every body drained: far below a single 1 GiB body. */
const WORKER_GROWTH_LIMIT = 48 * 1024 * 1024;
const RSS_GROWTH_LIMIT = 160 * 1024 * 1024;

interface FaultStats {
  requests: number;
  connections: number;
  faulted: number;
  bodyBytesWritten: number;
  redirectHits: number;
}

interface Row {
  readonly fault: string;
  readonly what: string;
  readonly server?: Record<string, unknown>;
  readonly https?: 'wrong-host';
  readonly args?: readonly string[];
  readonly exit: number;
  readonly stopReason: string;
  /** The error classes this fault may produce; the first one must hold nearly every request. */
  readonly classes: readonly ErrorClass[];
  /** Statuses every response must have (a fault that answers). */
  readonly status?: string;
  readonly check?: (r: RunResult, stats: FaultStats) => void;
  /** Exit 6: the pre-flight check refuses the target before anything is sent; its message says this. */
  readonly preflight?: string;
}

const ROWS: readonly Row[] = [
  {
    fault: 'refused',
    what: 'connection refused (nothing listens)',
    exit: 6,
    stopReason: '(none: nothing was sent)',
    classes: [],
    preflight: 'ECONNREFUSED',
  },
  {
    fault: 'goes-down',
    what: 'the target dies at its first request (closes its port, resets its connections)',
    exit: 0,
    stopReason: 'completed',
    classes: ['refused', 'reset'],
    check: (_r, s) => expect(s.requests).toBe(1),
  },
  { fault: 'reset-before-response', what: 'TCP reset before any response', exit: 0, stopReason: 'completed', classes: ['reset'] },
  { fault: 'reset-mid-body', what: 'TCP reset after the headers and half the body', exit: 0, stopReason: 'completed', classes: ['reset'] },
  { fault: 'never-answer', what: 'accepts, reads the request, never answers', exit: 0, stopReason: 'completed', classes: ['timeout'] },
  {
    fault: 'slow-headers',
    what: 'the response head written a line at a time over 600 ms, then a 200',
    exit: 0,
    stopReason: 'completed',
    classes: [],
    status: '200',
    check: (r) => expect(r.latencyMs.p50).toBeGreaterThanOrEqual(600),
  },
  { fault: 'trickle-body', what: 'a 10-byte body sent one byte a second', exit: 0, stopReason: 'completed', classes: ['timeout'] },
  {
    fault: 'huge-body',
    what: 'a 1 GiB body on every response, streamed as fast as the socket takes it',
    exit: 0,
    stopReason: 'completed',
    classes: ['timeout'],
    // The target really sent far more than memory could hold had it been buffered.
    check: (r, s) => {
      expect(s.bodyBytesWritten).toBeGreaterThan(512 * 1024 * 1024);
      // Read at the worker's budget, and the result says so.
      expect(r.generator.bodyReadPauses).toBeGreaterThan(0);
    },
  },
  { fault: 'garbage', what: 'non-HTTP bytes instead of a response', exit: 0, stopReason: 'completed', classes: ['protocol'] },
  {
    fault: 'premature-close',
    what: 'a clean close (FIN) after half the promised body',
    exit: 0,
    stopReason: 'completed',
    classes: ['reset'],
  },
  { fault: 'informational', what: '103 Early Hints, then a 200', exit: 0, stopReason: 'completed', classes: [], status: '200' },
  {
    fault: 'redirect',
    what: '302 to another server (which counts whoever follows it)',
    exit: 0,
    stopReason: 'completed',
    classes: [],
    status: '302',
    check: (_r, s) => expect(s.redirectHits).toBe(0),
  },
  {
    fault: 'ok',
    https: 'wrong-host',
    what: 'HTTPS, a certificate for another host name (wrong.example), CA trusted with --ca',
    exit: 6,
    stopReason: '(none: nothing was sent)',
    classes: [],
    preflight: 'its certificate is for another host name',
  },
  {
    fault: 'reset-before-response',
    what: 'resets for 4 s with --abort-on-errors 50%/1s: the error-burst guard stops it',
    args: ['--duration', '4s', '--abort-on-errors', '50%/1s'],
    exit: 3,
    stopReason: 'error-burst',
    classes: ['reset'],
    check: (r) => {
      expect(r.partial?.reason).toBe('error-burst');
      expect(r.totals.offered).toBeLessThan(RATE * 4);
    },
  },
];

/** `errors by class: refused 398, reset 2` from the summary, as numbers. */
function summaryClasses(stdout: string): Record<string, number> {
  const line = /^errors by class: (.*)$/m.exec(stdout)?.[1];
  if (!line) return {};
  return Object.fromEntries(
    line.split(', ').map((p) => {
      const [c, n] = p.split(' ');
      return [c!, Number(n!.replace(/,/g, ''))];
    }),
  );
}

describe('fault matrix: hostile targets through the CLI (docs/faults.md)', () => {
  let certs: TestCerts;
  let validate: ReturnType<InstanceType<typeof Ajv2020>['compile']>;
  const measured: Record<string, unknown>[] = [];
  beforeAll(async () => {
    certs = makeTestCerts();
    validate = new Ajv2020({ strict: true, allErrors: true }).compile(
      JSON.parse(await readFile(new URL('../docs/result.schema.json', import.meta.url), 'utf8')),
    );
  });
  afterAll(async () => {
    certs.remove();
    if (process.env.OVERLOAD_FAULTS_REPORT) await writeFile(process.env.OVERLOAD_FAULTS_REPORT, `${JSON.stringify(measured, null, 2)}\n`);
  });

  for (const row of ROWS) {
    const outcome =
      row.preflight !== undefined ? 'refused by the pre-flight check' : row.classes.join(' + ') || `every response ${row.status}`;
    it(`${row.fault}${row.https ? ` (${row.https} certificate)` : ''}${row.args ? ` ${row.args.join(' ')}` : ''}: exit ${row.exit}, ${outcome}`, async () => {
      const tls = row.https === 'wrong-host' ? { cert: certs.files.wrongHost, key: certs.files.wrongHostKey } : undefined;
      const server = await startChildServer('faults', { fault: row.fault, ...(tls ? { tls } : {}) });
      const dir = await mkdtemp(join(tmpdir(), `overload-fault-${row.fault}-`));
      try {
        const url = `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}/`;
        const cli = await runCli([
          'run',
          url,
          ...BASE_ARGS,
          ...(tls ? ['--ca', certs.files.ca] : []),
          ...(row.args ?? []),
          '--out-dir',
          dir,
        ]);
        const stats = await server.stats<FaultStats & { count: number }>();
        if (row.preflight !== undefined) {
          // Refused before the first request: the message names the target and the cause, nothing
          // reached the target and nothing was written.
          measured.push({
            fault: row.https ? `${row.https} certificate` : row.fault,
            what: row.what,
            args: row.args ?? [],
            exit: cli.code,
            preflight: /pre-flight check failed[^\n]*/.exec(cli.stderr)?.[0] ?? cli.stderr,
            server: stats,
          });
          expect(cli.code).toBe(row.exit);
          expect(cli.stderr).toContain(`pre-flight check failed, nothing was sent: cannot reach the target 127.0.0.1:${server.port}`);
          expect(cli.stderr).toContain(row.preflight);
          expect(cli.stderr).not.toMatch(/\n\s+at /);
          expect(stats.requests).toBe(0);
          expect(existsSync(join(dir, 'result.json'))).toBe(false);
          return;
        }
        const r = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
        // What this row measured, for docs/faults.md (recorded before the checks, so a failing row shows too).
        measured.push({
          fault: row.https ? `${row.https} certificate` : row.fault,
          what: row.what,
          args: row.args ?? [],
          exit: cli.code,
          stopReason: r.stopReason,
          totals: r.totals,
          errorsByClass: Object.fromEntries(ERROR_CLASSES.filter((c) => r.errorsByClass[c] > 0).map((c) => [c, r.errorsByClass[c]])),
          statusCodes: r.statusCodes,
          examples: r.errorExamples ?? {},
          latencyMs: { p50: r.latencyMs.p50, p99: r.latencyMs.p99, max: r.latencyMs.max },
          lagMsP99: r.generator.lagMsP99,
          workerGrowthMiB: (r.generator.memory!.workerMaxBytes - r.generator.memory!.workerStartBytes) / 2 ** 20,
          rssGrowthMiB: (r.generator.memory!.rssMaxBytes - r.generator.memory!.rssStartBytes) / 2 ** 20,
          saturated: r.generator.saturated,
          bodyReadPauses: r.generator.bodyReadPauses ?? 0,
          server: stats,
        });
        expect(cli.stderr).not.toMatch(/\n\s+at /);
        expect(cli.code).toBe(row.exit);
        expect(validate(r) ? [] : validate.errors).toEqual([]);
        expect(r.stopReason).toBe(row.stopReason);

        // Every request sent is accounted for exactly once.
        const t = r.totals;
        expect(t.sent).toBe(t.responses + t.transportErrors + t.abandoned);
        expect(t.transportErrors).toBe(t.errors - r.errorsByClass.status);
        expect(ERROR_CLASSES.reduce((n, c) => n + r.errorsByClass[c], 0)).toBe(t.errors);
        expect(t.responses).toBe(t.ok + r.errorsByClass.status);
        expect(t.offered).toBe(t.sent + t.dropped + t.droppedGenerator);
        // Only this fault's classes, the first holding (nearly) every request.
        const nonZero = ERROR_CLASSES.filter((c) => r.errorsByClass[c] > 0);
        for (const c of nonZero) expect(row.classes).toContain(c);
        if (row.classes.length > 0) {
          expect(r.errorsByClass[row.classes[0]!]).toBeGreaterThanOrEqual(t.sent - 5);
          expect(t.ok).toBe(0);
          for (const c of nonZero) expect(r.errorExamples?.[c]).toContain(`127.0.0.1:${server.port}`);
        } else {
          expect(t.errors).toBe(0);
          expect(r.statusCodes).toEqual({ [row.status!]: t.sent });
        }
        // The summary says the same.
        expect(summaryClasses(cli.stdout)).toEqual(Object.fromEntries(nonZero.map((c) => [c, r.errorsByClass[c]])));
        if (row.fault !== 'huge-body') expect(r.generator.bodyReadPauses).toBeUndefined();
        // Whatever the target did, the generator offered its load.
        expect(r.generator.saturated).toBe(false);
        expect(t.droppedGenerator).toBe(0);
        const m = r.generator.memory!;
        expect(m.workerMaxBytes - m.workerStartBytes).toBeLessThan(WORKER_GROWTH_LIMIT);
        expect(m.rssMaxBytes - m.rssStartBytes).toBeLessThan(RSS_GROWTH_LIMIT);
        row.check?.(r, stats);
      } finally {
        await server.close();
      }
    });
  }
});

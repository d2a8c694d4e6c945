import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const ARRIVAL_RPS = 100;
const DRAIN_RPS = 300;
const PROBE_MS = 100;

interface QueueStats {
  readonly resumedAtMs: number;
  readonly queueAtResume: number;
  readonly drainedAtMs: number;
}

/**
 * The pinch summary against a queue whose drain is known by construction (support/servers/
 * work-queue.mjs): work arrives at 100/s and is accepted (202); the consumers take exactly 300
 * items/s by the server's clock while running. Paused from 2 s to 4 s, the queue holds ~200 items
 * at the resume, which drain at 300 − 100 = 200/s: empty Q/200 s after the resume. The summary
 * must read that from the probes, sampled every 100 ms: it sees the queue back at 0 at most one
 * probe interval (plus a poll's latency) after it really was.
 */
/** A scenario file of `fields` (the text of an object literal's body), against the work queue. */
async function scenarioFile(fields: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'overload-pinch-summary-'));
  const file = join(dir, 'pinch.mjs');
  await writeFile(
    file,
    `export default { name: 'queue-pinch', requests: [{ name: 'work', method: 'POST', path: '/work', expectStatus: [202] }], ${fields} };\n`,
  );
  return { dir, file };
}

describe('the pinch summary', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports the peak, the drain time and the drain throughput of a queue drained at a known rate', async () => {
    server = await startChildServer('work-queue', { drainRps: DRAIN_RPS });
    const { dir, file } = await scenarioFile(`
      profile: { kind: 'constant', rateRps: ${ARRIVAL_RPS}, durationMs: '7s' },
      slo: 'p90<200ms,errors<1%',
      probes: [
        { name: 'work_queue', kind: 'prometheus', url: '/metrics', metric: 'work_queue_depth', intervalMs: ${PROBE_MS}, timeoutMs: 80 },
        { name: 'work_done', kind: 'prometheus', url: '/metrics', metric: 'work_done_total', intervalMs: ${PROBE_MS}, timeoutMs: 80 },
      ],
      actions: [
        { name: 'pause', at: '2s', path: '/admin/consumers/pause' },
        { name: 'resume', at: '4s', path: '/admin/consumers/resume', always: true, release: { queue: 'work_queue', completed: 'work_done' } },
      ],`);
    const r = await runCli(['run', file, '--target', server.url, '--workers', '1', '--json', join(dir, 'result.json')]);
    expect(r.code).toBe(0);
    const truth = await server.stats<QueueStats>();
    const { pinch } = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    const q = pinch.queues[0];
    // By construction: ~200 queued at the resume (100/s for 2 s), drained at 300 − 100 = 200/s.
    expect(truth.queueAtResume).toBeGreaterThanOrEqual(190);
    expect(truth.queueAtResume).toBeLessThanOrEqual(210);
    const constructedMs = (truth.queueAtResume / (DRAIN_RPS - ARRIVAL_RPS)) * 1000;
    expect(pinch).toMatchObject({ source: 'action', holdAction: 'pause', releaseAction: 'resume', queue: 'work_queue' });
    expect(q).toMatchObject({ probe: 'work_queue', baseline: 0, rose: true, drained: true, stayedDrained: true });
    // The peak is the backlog at the release, as a probe saw it (at most the queue at the resume).
    expect(q.peak).toBeGreaterThanOrEqual(truth.queueAtResume - 0.1 * ARRIVAL_RPS);
    expect(q.peak).toBeLessThanOrEqual(truth.queueAtResume + 0.1 * ARRIVAL_RPS);
    // Seen drained no earlier than it was, and at most one probe interval (plus a poll) later.
    expect(q.drainMs).toBeGreaterThanOrEqual(constructedMs - 50);
    expect(q.drainMs).toBeLessThanOrEqual(constructedMs + PROBE_MS + 100);
    expect(Math.abs(q.drainMs - (truth.drainedAtMs - truth.resumedAtMs))).toBeLessThanOrEqual(PROBE_MS + 100);
    // Throughput from the counter: 100/s before the hold; 300/s while draining, diluted by the
    // 100/s of the stretch between the real drain and the sample that saw it.
    expect(pinch.throughput).toMatchObject({ source: 'counter', probe: 'work_done' });
    expect(pinch.throughput.steadyRps).toBeGreaterThan(ARRIVAL_RPS * 0.85);
    expect(pinch.throughput.steadyRps).toBeLessThan(ARRIVAL_RPS * 1.15);
    expect(pinch.throughput.drainRps).toBeGreaterThan(DRAIN_RPS * 0.85);
    expect(pinch.throughput.drainRps).toBeLessThan(DRAIN_RPS * 1.05);
    expect(pinch.sloAfterRelease.status).toBe('held');
    expect(pinch.recovery.status).toBe('held');
    expect(r.stdout).toMatch(/^ {2}work_queue peaked at \d+ at \d+\.\d s \(steady 0\); drained \d\.\d s after the release/m);
    expect(r.stdout).toMatch(/^ {2}throughput during the drain: \d+\/s, \d\.\d× the steady \d+\/s \(from the work_done counter\)$/m);
    expect(r.stdout).toMatch(/^ {2}SLO after the release: held \(/m);
    expect(r.stdout).toMatch(/^ {2}recovery: held \(/m);
  }, 30_000);

  it('a release naming a probe the run does not have is refused before anything is sent: exit 2, naming the field', async () => {
    server = await startChildServer('work-queue', { drainRps: DRAIN_RPS });
    const { file } = await scenarioFile(`
      profile: { kind: 'constant', rateRps: 10, durationMs: '2s' },
      probes: [{ name: 'work_queue', kind: 'prometheus', url: '/metrics', metric: 'work_queue_depth' }],
      actions: [{ name: 'resume', at: '1s', path: '/admin/consumers/resume', release: { queue: 'work_queue', completed: 'work_dne' } }],`);
    const r = await runCli(['run', file, '--target', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('actions[0].release.completed "work_dne" is not a probe of this command (probes: work_queue)');
    expect((await server.stats()).count).toBe(0);
  });
});

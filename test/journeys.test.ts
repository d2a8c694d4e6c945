import type { JourneyTemplate, NamedStats, RequestMix } from '@overload/core/internal';
import { run } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';

interface ReportStats {
  created: number;
  polls: number;
  downloads: number;
  notFound: number;
  notReady: number;
  mismatched: number;
  arrivalsMs: number[];
  bodies: string[];
}

/** generate → poll until done → download, with the journey's own index on every request. */
const GET_REPORT: JourneyTemplate = {
  name: 'get-report',
  steps: [
    {
      name: 'generate',
      method: 'POST',
      path: '/reports',
      headers: { 'x-journey': '{{index}}' },
      body: { student: '{{students.name}}' },
      capture: { id: { json: '$.id' } },
    },
    {
      name: 'poll',
      path: '/reports/{{id}}',
      headers: { 'x-journey': '{{index}}' },
      poll: { until: { json: 'status', equals: 'done' }, intervalMs: '50ms', maxTries: 40 },
    },
    { name: 'download', path: '/reports/{{id}}/document', headers: { 'x-journey': '{{index}}' } },
  ],
};

function mix(
  journeys: JourneyTemplate[],
  feeders: RequestMix['feeders'] = { students: [{ name: 'Ada' }, { name: 'Grace "Amazing" O\'Hara\n\\' }] },
): RequestMix {
  return { templates: [], journeys, feeders, seed: 1, runId: 'journeys-test' };
}

const byName = (rows: readonly NamedStats[] | undefined, kind: string, name: string) =>
  rows!.find((r) => r.kind === kind && r.name === name)!;

describe('journeys', () => {
  let server: ChildServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('runs generate → poll → download with captured ids: every download names an id its own journey created', async () => {
    server = await startChildServer('reports', { readyMs: 120 });
    const result = await run({ url: server.url, rateRps: 50, durationMs: '3s', requests: mix([GET_REPORT]) });
    const s = await server.stats<ReportStats>();
    expect(s.created).toBe(150);
    expect(s.downloads).toBe(150);
    expect(s.mismatched).toBe(0);
    expect(s.notFound).toBe(0);
    expect(s.notReady).toBe(0);
    // Fed values are JSON-encoded into JSON bodies: a quote, a newline or a backslash stays a value.
    for (const body of s.bodies) expect(['Ada', 'Grace "Amazing" O\'Hara\n\\']).toContain(JSON.parse(body).student);

    const journey = byName(result.byName, 'journey', 'get-report');
    expect(journey.count).toBe(150);
    expect(journey.ok).toBe(150);
    // From the intended start to the document: at least the time the report takes to be ready.
    expect(journey.latencyMs.min).toBeGreaterThanOrEqual(120);
    const poll = byName(result.byName, 'step', 'poll');
    expect(poll.count).toBe(150);
    expect(poll.requests).toBe(s.polls);
    expect(poll.maxTries).toBeGreaterThanOrEqual(2);
    // The requests of every request and step name add up to the totals.
    const steps = result.byName!.filter((r) => r.kind !== 'journey');
    expect(steps.reduce((n, r) => n + r.requests, 0)).toBe(result.totals.sent);
    expect(result.totals.sent).toBe(s.created + s.polls + s.downloads);
    expect(result.totals.offered).toBe(150);
    expect(result.totals.errors).toBe(0);
  });

  it('fails a journey whose capture is missing with its own class, and sends none of its later steps', async () => {
    server = await startChildServer('reports', { omitId: true });
    const result = await run({ url: server.url, rateRps: 40, durationMs: '1s', requests: mix([GET_REPORT]) });
    const s = await server.stats<ReportStats>();
    expect(s.created).toBe(40);
    expect(s.polls + s.notFound + s.downloads).toBe(0);
    const generate = byName(result.byName, 'step', 'generate');
    expect(generate.failures).toEqual({ 'capture-missing': 40 });
    expect(byName(result.byName, 'journey', 'get-report').failures).toEqual({ 'capture-missing': 40 });
    expect(result.workerErrors).toBeUndefined();
  });

  it('fails a poll that runs out of tries as poll-exhausted', async () => {
    server = await startChildServer('reports', { neverReady: true });
    const journey: JourneyTemplate = {
      ...GET_REPORT,
      steps: GET_REPORT.steps.map((st) =>
        st.name === 'poll' ? { ...st, poll: { until: { json: 'status', equals: 'done' }, intervalMs: '20ms', maxTries: 3 } } : st,
      ),
    };
    const result = await run({ url: server.url, rateRps: 20, durationMs: '1s', requests: mix([journey]) });
    const s = await server.stats<ReportStats>();
    expect(s.polls).toBe(60);
    expect(s.downloads + s.notReady).toBe(0);
    const poll = byName(result.byName, 'step', 'poll');
    expect(poll.failures).toEqual({ 'poll-exhausted': 20 });
    expect(poll.maxTries).toBe(3);
  });

  it('counts every request of every journey against --max-requests, exactly', async () => {
    server = await startChildServer('reports', { readyMs: 30 });
    const result = await run({ url: server.url, rateRps: 100, durationMs: '5s', maxRequests: 250, requests: mix([GET_REPORT]) });
    const s = await server.stats<ReportStats>();
    expect(s.created + s.polls + s.downloads + s.notReady + s.notFound).toBe(250);
    expect(result.totals.sent).toBe(250);
    expect(result.stopReason).toBe('max-requests');
  });

  it('starts journeys on the schedule, whether or not earlier ones have finished', async () => {
    server = await startChildServer('reports', { readyMs: 400 });
    await run({ url: server.url, rateRps: 200, durationMs: '4s', requests: mix([GET_REPORT]) });
    const s = await server.stats<ReportStats>();
    expect(s.created).toBe(800);
    // Journeys take > 400 ms each, so ~80 overlap; first steps still arrive at 200/s.
    const perSecond = [0, 0, 0];
    for (const t of s.arrivalsMs) if (t < 3000) perSecond[Math.floor(t / 1000)]!++;
    for (const n of perSecond) expect(Math.abs(n - 200)).toBeLessThanOrEqual(4);
  });

  it('refuses, before sending anything, a placeholder that names no feeder, capture or built-in', () => {
    const bad: JourneyTemplate = {
      name: 'bad',
      steps: [
        { name: 'a', path: '/reports', headers: { 'x-token': '{{tokens.value}}' } },
        { name: 'b', path: '/reports/{{reportId}}', body: { note: '{{nope}}' } },
      ],
    };
    expect(() => run({ url: 'http://127.0.0.1:9/', rateRps: 1, durationMs: '1s', requests: mix([bad]) })).toThrow(
      /requests\.journeys\[0\]\.steps\[0\]\.headers\.x-token uses \{\{tokens\.value\}\}[\s\S]*steps\[1\]\.path uses \{\{reportId\}\}[\s\S]*steps\[1\]\.body\.note uses \{\{nope\}\}/,
    );
  });
});

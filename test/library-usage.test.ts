/**
 * How a team uses overload inside its own vitest suite: start the service under test, drive it
 * open-loop for a few seconds, and assert on corrected latency and errors. Copy this file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineScenario } from '@overload/core';
import { ramp, run } from '@overload/workers';
import { afterAll, beforeAll, expect, it } from 'vitest';

let server: Server;
let url: string;

beforeAll(async () => {
  // A stand-in for the service under test: reports are ready 30 ms after they are asked for.
  const created = new Map<string, number>();
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/reports') {
      const id = `r${created.size + 1}`;
      created.set(id, Date.now());
      res.statusCode = 202;
      return res.end(JSON.stringify({ id }));
    }
    const m = /^\/reports\/(\w+)(\/document)?$/.exec(req.url ?? '');
    if (m) {
      const ready = Date.now() - (created.get(m[1]!) ?? Number.POSITIVE_INFINITY) >= 30;
      return res.end(JSON.stringify(m[2] ? { document: m[1] } : { id: m[1], status: ready ? 'done' : 'queued' }));
    }
    res.end(JSON.stringify({ ok: true, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/students`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('serves 200 req/s with no errors and a sane corrected p99', async () => {
  const result = await run({
    url,
    profile: { kind: 'linear', fromRps: 50, toRps: 200, durationMs: '3s' },
    workers: 1,
  });
  expect(result.totals.errors).toBe(0);
  expect(result.totals.ok).toBe(result.totals.sent);
  expect(result.totals.sent).toBe(375); // the area under 50→200 req/s over 3 s
  expect(result.latencyMs.p99).toBeLessThan(250);
  expect(result.intervals.length).toBeGreaterThanOrEqual(3);
});

/**
 * The same journeys a scenario file declares, through the library: ask for a report, poll it
 * until it is ready, download it — open-loop, 40 journeys a second, judged per journey.
 */
const reportScenario = defineScenario({
  name: 'reports',
  journeys: [
    {
      name: 'get-report',
      steps: [
        { name: 'generate', method: 'POST', path: '/reports', expectStatus: [202], capture: { id: { json: 'id' } } },
        { name: 'poll', path: '/reports/{{id}}', poll: { until: { json: 'status', equals: 'done' }, intervalMs: '20ms', maxMs: '2s' } },
        { name: 'download', path: '/reports/{{id}}/document' },
      ],
    },
  ],
});
const requests = { templates: [], journeys: reportScenario.journeys, feeders: {}, seed: 1, runId: 'library-example' };

it('runs a journey open-loop and reports it by name', async () => {
  const result = await run({ url: url.replace('/students', '/'), rateRps: 40, durationMs: '2s', workers: 1, requests });
  const journey = result.byName!.find((n) => n.kind === 'journey')!;
  expect(journey.count).toBe(80);
  expect(journey.failed).toBe(0);
  // From the intended start to the document: at least the 30 ms the report takes.
  expect(journey.latencyMs.p50).toBeGreaterThanOrEqual(30);
});

it('ramps journeys and finds no knee below 60 journeys/s on this healthy service', async () => {
  const result = await ramp({
    url: url.replace('/students', '/'),
    profile: { kind: 'step', startRps: 20, stepRps: 20, stepDurationMs: '2s', maxRps: 60 },
    // p90, not p99: a 2 s step at 20 journeys/s holds ~120 requests, enough for p90 (100) but
    // not for p99 (1,000), which would leave every step unjudged and the ramp inconclusive.
    slo: 'p90<500ms,errors<1%',
    workers: 1,
    requests,
    recovery: false,
  });
  expect(result.verdict).toBe('held');
  expect(result.lastHeld?.rateRps).toBe(60);
});

/**
 * How a team uses overload inside its own vitest suite: start the service under test, drive it
 * open-loop for a few seconds, and assert on corrected latency and errors. Copy this file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '@overload/workers';
import { afterAll, beforeAll, expect, it } from 'vitest';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
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

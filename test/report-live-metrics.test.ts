import { type IntervalStats, parsePrometheusText, type PrometheusSample } from '@overload/core/internal';
import { run } from '@overload/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveMetrics, startLiveMetrics } from '../packages/cli/dist/metrics/live-metrics.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { promtoolCheckMetrics } from './support/consumers.js';

/** Every scrape must pass Prometheus's own linter, as `curl …/metrics | promtool check metrics`. */
function expectPromtoolAccepts(exposition: string): void {
  const checked = promtoolCheckMetrics(exposition);
  expect(`${checked.stdout}${checked.stderr}`).toBe('');
  expect(checked.code).toBe(0);
}

function value(samples: readonly PrometheusSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('--metrics-port: Prometheus metrics of the run itself', () => {
  let server: ChildServer;
  let metrics: LiveMetrics | undefined;
  beforeAll(async () => {
    server = await startChildServer('counting', { delayMs: 1 });
  });
  afterAll(async () => {
    await metrics?.close();
    await server.close();
  });

  it('serves offered/achieved rate, latency, errors, drops, budgets, step and phase of a real run, scraped while it runs', async () => {
    metrics = await startLiveMetrics({ port: 0, host: '127.0.0.1', labels: { run_id: 'test-run' } });
    expect(metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const beforeText = await (await fetch(metrics.url)).text();
    expectPromtoolAccepts(beforeText);
    const before = parsePrometheusText(beforeText);
    expect(value(before, 'overload_offered_total', { run_id: 'test-run' })).toBe(0);
    expect(value(before, 'overload_errors_total', { class: 'timeout' })).toBe(0);

    const seen: IntervalStats[] = [];
    const scrapes: Promise<{ text: string; contentType: string | null }>[] = [];
    const live = metrics;
    const result = await run({
      url: server.url,
      profile: { kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '1s', maxRps: 200 },
      workers: 1,
      onInterval: (interval, handle) => {
        const step = handle.config.curve.steps.find((s) => interval.startMs >= s.startMs && interval.startMs < s.startMs + s.durationMs);
        live.update(interval, { phase: 'ramp', step, budgets: { emails: { used: 3 * (interval.index + 1), limit: 100 } } });
        seen.push(interval);
        // A scrape during the run, as Prometheus would do it.
        scrapes.push(fetch(live.url).then(async (r) => ({ text: await r.text(), contentType: r.headers.get('content-type') })));
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const during = await Promise.all(scrapes);
    for (const { text, contentType } of during) {
      expect(contentType).toContain('text/plain');
      expectPromtoolAccepts(text);
      const samples = parsePrometheusText(text);
      // Each scrape describes the interval published last before it was answered.
      const n = value(samples, 'overload_intervals_total')!;
      expect(n).toBeGreaterThanOrEqual(1);
      const i = seen[n - 1]!;
      expect(value(samples, 'overload_offered_rate_rps')).toBeCloseTo(i.offeredRps, 6);
      expect(value(samples, 'overload_achieved_rate_rps')).toBeCloseTo(i.achievedRps, 6);
      if (i.latencyMs.count === 0) {
        // No response in the interval: no percentile to show, and not a 0 s one.
        expect(value(samples, 'overload_latency_seconds', { quantile: '0.99' })).toBeNaN();
      } else {
        expect(value(samples, 'overload_latency_seconds', { quantile: '0.99' })).toBeCloseTo(i.latencyMs.p99 / 1000, 9);
        expect(value(samples, 'overload_latency_seconds', { quantile: '0.5' })).toBeCloseTo(i.latencyMs.p50 / 1000, 9);
        expect(value(samples, 'overload_service_time_seconds', { quantile: '0.9' })).toBeCloseTo(i.serviceTimeMs.p90 / 1000, 9);
        expect(value(samples, 'overload_latency_seconds', { quantile: '1' })).toBeCloseTo(i.latencyMs.max / 1000, 9);
      }
      // A summary's count and sum cover the run so far; the quantiles only the last interval.
      const upToN = seen.slice(0, n);
      expect(value(samples, 'overload_latency_seconds_count')).toBe(upToN.reduce((s, x) => s + x.latencyMs.count, 0));
      expect(value(samples, 'overload_latency_seconds_sum')).toBeCloseTo(
        upToN.reduce((s, x) => s + (x.latencyMs.mean * x.latencyMs.count) / 1000, 0),
        6,
      );
      expect(text).toContain('# TYPE overload_latency_seconds summary\n');
      expect(text).toMatch(/# HELP overload_achieved_rate_rps [^\n]*expected status[^\n]*journeys that ended ok/);
      expect(value(samples, 'overload_offered_total')).toBe(seen.slice(0, n).reduce((s, x) => s + x.offered, 0));
      expect(value(samples, 'overload_budget_used', { budget: 'emails' })).toBe(3 * n);
      expect(value(samples, 'overload_budget_limit', { budget: 'emails' })).toBe(100);
      expect(value(samples, 'overload_phase', { phase: 'ramp' })).toBe(1);
      expect(samples.every((s) => s.labels.run_id === 'test-run')).toBe(true);
    }
    // The first step's interval says step 1 at 100 req/s.
    const first = parsePrometheusText(during[0]!.text);
    expect(value(first, 'overload_step')).toBe(1);
    expect(value(first, 'overload_step_rate_rps')).toBe(100);

    const afterText = await (await fetch(metrics.url)).text();
    expectPromtoolAccepts(afterText);
    const after = parsePrometheusText(afterText);
    expect(value(after, 'overload_sent_total')).toBe(result.totals.sent);
    expect(value(after, 'overload_responses_total')).toBe(result.totals.responses);
    expect(value(after, 'overload_errors_total', { class: 'status' })).toBe(result.errorsByClass.status);
    expect(value(after, 'overload_dropped_total', { reason: 'in_flight_cap' })).toBe(result.totals.dropped);
    expect(value(after, 'overload_dropped_total', { reason: 'generator' })).toBe(result.totals.droppedGenerator);
    expect(result.totals.sent).toBeGreaterThanOrEqual(290);

    // A phase change replaces the phase, it does not add one.
    live.update(seen[seen.length - 1]!, { phase: 'recovery' });
    const phases = parsePrometheusText(await (await fetch(metrics.url)).text()).filter((s) => s.name === 'overload_phase');
    expect(phases.map((s) => [s.labels.phase, s.value])).toEqual([['recovery', 1]]);
    expect((await fetch(metrics.url.replace('/metrics', '/other'))).status).toBe(404);

    await metrics.close();
    await expect(fetch(metrics.url)).rejects.toThrow();
    metrics = undefined;
  });
});

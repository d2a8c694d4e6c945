import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CLASSES, type IntervalStats } from '@overload/core/internal';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';
import { IntervalSummary } from './interval-summary.js';

/**
 * `--metrics-port`: Prometheus metrics of the load test itself, so the test shows up on the
 * same dashboard as the system under test and an operator can put "what we offered" next to
 * "what the service did" without reading our terminal. Values come from the merged per-second
 * intervals (the same numbers the progress line and the result show), never from a hot path.
 *
 * A private Registry: nothing of the process's default metrics, nothing another library
 * registered globally, only what describes the run. Served on loopback by default; the
 * metrics carry the target URL nowhere, so exposing them leaks no more than rates and timings.
 */
export interface LiveMetricsOptions {
  /** 0 picks a free port (the URL says which). */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Labels on every metric, e.g. `{ run_id }`, to tell two runs apart on one dashboard. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface LiveMetricsContext {
  /** `ramp`, `cooldown`, `recovery`, `run`, `trial 3`, … */
  readonly phase: string;
  /** The profile step the interval belongs to, when there is one (a `ProfileStep` fits). */
  readonly step?: { readonly index: number; readonly rateRps: number } | undefined;
  /** Side-effect budgets so far, by name. */
  readonly budgets?: Readonly<Record<string, { readonly used: number; readonly limit: number }>> | undefined;
}

export interface LiveMetrics {
  /** `http://127.0.0.1:<port>/metrics` */
  readonly url: string;
  readonly port: number;
  /** Publishes one merged interval; call it from `onInterval`. */
  update(interval: IntervalStats, ctx: LiveMetricsContext): void;
  close(): Promise<void>;
}

export async function startLiveMetrics(options: LiveMetricsOptions): Promise<LiveMetrics> {
  const host = options.host ?? '127.0.0.1';
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) => new Gauge({ name, help, labelNames, registers });
  const counter = (name: string, help: string, labelNames: readonly string[] = []) => new Counter({ name, help, labelNames, registers });

  const summary = (name: string, help: string) => {
    const metric = new IntervalSummary(name, help);
    // The registry reads any object of this shape; prom-client's type lists only its own classes.
    registry.registerMetric(metric as unknown as Metric);
    return metric;
  };

  const offeredRate = gauge(
    'overload_offered_rate_rps',
    'Arrivals the schedule intended per second in the last interval (journeys per second when the scenario has journeys).',
  );
  const achievedRate = gauge(
    'overload_achieved_rate_rps',
    'Arrivals that ended well per second in the last interval: responses with an expected status, or journeys that ended ok when the scenario has journeys. Errors are not throughput.',
  );
  const latency = summary(
    'overload_latency_seconds',
    'Coordinated-omission corrected latency (intended send to response). Quantiles are exact for the last interval (quantile 1 is its max); sum and count cover the run.',
  );
  const serviceTime = summary(
    'overload_service_time_seconds',
    'Service time (actual send to response). Quantiles are exact for the last interval (quantile 1 is its max); sum and count cover the run.',
  );
  const inFlight = gauge('overload_in_flight', 'Requests in flight at the end of the last interval.');
  const offered = counter('overload_offered_total', 'Arrivals the schedule intended.');
  const sent = counter('overload_sent_total', 'Requests sent.');
  const responses = counter('overload_responses_total', 'Responses received (any status).');
  const errors = counter('overload_errors_total', 'Failed requests, by how they failed.', ['class']);
  const dropped = counter(
    'overload_dropped_total',
    'Arrivals not sent: at the in-flight cap (target too slow) or by the generator (reached too late).',
    ['reason'],
  );
  const intervals = counter('overload_intervals_total', 'Intervals published so far.');
  const budgetUsed = gauge('overload_budget_used', 'Side effects charged against each budget (worst case).', ['budget']);
  const budgetLimit = gauge('overload_budget_limit', 'Limit of each side-effect budget.', ['budget']);
  const step = gauge('overload_step', 'Current profile step, 1-based (0 outside any step).');
  const stepRate = gauge('overload_step_rate_rps', 'Rate of the current profile step (0 outside any step).');
  const phase = gauge('overload_phase', 'The phase the run is in (1 for the current one).', ['phase']);
  // Present from the first scrape, so a dashboard's rate() has a zero to start from.
  for (const c of ERROR_CLASSES) errors.inc({ class: c }, 0);
  dropped.inc({ reason: 'in_flight_cap' }, 0);
  dropped.inc({ reason: 'generator' }, 0);
  let currentPhase: string | undefined;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('overload serves GET /metrics only\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  server.listen(options.port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    port,
    update(interval, ctx) {
      offeredRate.set(interval.offeredRps);
      achievedRate.set(interval.achievedRps);
      latency.observeInterval(interval.latencyMs);
      serviceTime.observeInterval(interval.serviceTimeMs);
      inFlight.set(interval.inFlight);
      offered.inc(interval.offered);
      sent.inc(interval.sent);
      responses.inc(interval.responses);
      for (const c of ERROR_CLASSES) errors.inc({ class: c }, interval.errorsByClass[c]);
      dropped.inc({ reason: 'in_flight_cap' }, interval.dropped);
      dropped.inc({ reason: 'generator' }, interval.droppedGenerator);
      intervals.inc();
      for (const [name, b] of Object.entries(ctx.budgets ?? {})) {
        budgetUsed.set({ budget: name }, b.used);
        budgetLimit.set({ budget: name }, b.limit);
      }
      step.set(ctx.step ? ctx.step.index + 1 : 0);
      stepRate.set(ctx.step ? ctx.step.rateRps : 0);
      if (ctx.phase !== currentPhase) {
        phase.reset();
        phase.set({ phase: ctx.phase }, 1);
        currentPhase = ctx.phase;
      }
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

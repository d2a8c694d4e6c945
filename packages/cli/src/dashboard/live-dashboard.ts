import type { ArrivalUnit, IntervalStats, NameEntry, ProbeSample, ProfileStep, StepResult } from '@overload/core/internal';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { SessionGuard } from '../guard/session-guard.js';
import { guardrailsOf } from './guardrails-line.js';
import { LiveCharts } from './live-charts.js';
import { type DashboardServer, startDashboardServer } from './dashboard-server.js';

export interface DashboardFlags {
  /** true (any free port) or a port, from `--dashboard[=port]` or OVERLOAD_DASHBOARD=1. */
  dashboard?: boolean | number;
  dashboardHost?: string;
}

/** The port to serve on, or undefined when no dashboard was asked for. */
export function dashboardPortOf(flags: DashboardFlags, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (typeof flags.dashboard === 'number') return flags.dashboard;
  if (flags.dashboard === true || env.OVERLOAD_DASHBOARD === '1') return 0;
  return undefined;
}

/** What the session feeds the page: one event per merged interval, per step verdict, and the end. */
export class LiveDashboard {
  readonly #server: DashboardServer;
  #charts: LiveCharts | undefined;
  #laidOut = false;

  private constructor(server: DashboardServer) {
    this.#server = server;
  }

  static async start(options: { port: number; host: string; guard: SessionGuard }): Promise<LiveDashboard> {
    const server = await startDashboardServer({
      port: options.port,
      host: options.host,
      status: () => options.guard.status(),
      stop: (by) => options.guard.stop('control-endpoint', by),
    });
    const d = new LiveDashboard(server);
    options.guard.onStop(() => d.#server.publish('stop', { detail: options.guard.stopped?.detail ?? 'stopped' }));
    return d;
  }

  get openUrl(): string {
    return this.#server.openUrl;
  }

  /** Who this is and what it is judged against; sent first, so every viewer labels alike. */
  begin(command: string, plan: ResolvedPlan): void {
    this.#charts = new LiveCharts(plan.slo, plan.probes);
    this.#server.publish(
      'start',
      {
        command,
        name: plan.name,
        target: plan.targetUrl,
        sloP99Ms: plan.slo?.latency.find((l) => l.percentile === 99)?.maxMs ?? null,
        guardrails: guardrailsOf(plan.maxDurationMs, plan.run),
      },
      { pinned: true },
    );
  }

  interval(
    i: IntervalStats,
    phase: string,
    step: ProfileStep | undefined,
    stepLabel: string | undefined,
    budgets: unknown,
    config: { arrivalUnit: ArrivalUnit; names: readonly NameEntry[]; intervalMs: number },
  ): void {
    // A follower of a sharded run never called begin: it has no SLO or probes of its own.
    this.#charts ??= new LiveCharts(undefined, []);
    if (!this.#laidOut) {
      this.#laidOut = true;
      this.#server.publish('layout', this.#charts.layout(config), { pinned: true });
    }
    const point = this.#charts.point(i, phase, performance.now());
    this.#server.publish('interval', {
      atS: point.x,
      charts: point.values,
      names: this.#charts.names(i),
      phase,
      step: step ? stepLabel : undefined,
      offeredRps: i.offeredRps,
      achievedRps: i.achievedRps,
      p50Ms: i.latencyMs.p50,
      p90Ms: i.latencyMs.p90,
      p99Ms: i.latencyMs.p99,
      errorsByClass: i.errorsByClass,
      inFlight: i.inFlight,
      dropped: i.dropped,
      budgets,
      lagMsP99: i.lagMsP99,
      generatorElu: i.generatorElu,
    });
  }

  /** A verdict line; a ramp step's also draws a mark on every time chart. */
  verdict(line: string, step?: StepResult): void {
    this.#server.publish('verdict', { line, ...(step && this.#charts ? { mark: this.#charts.mark(step) } : {}) });
  }

  probe(name: string, sample: ProbeSample): void {
    const p = this.#charts?.probe(name, sample);
    if (p) this.#server.publish('probe', p);
  }

  end(info: { verdict: string; exitCode: number; files: readonly string[] }): void {
    this.#server.publish('end', info);
  }

  close(): Promise<void> {
    return this.#server.close();
  }
}

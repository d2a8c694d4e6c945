import {
  type ArrivalUnit,
  generatorCheck,
  type IntervalStats,
  type NameEntry,
  type ProbeSample,
  type ProfileStep,
  type StepResult,
} from '@overload/core/internal';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { SessionGuard } from '../guard/session-guard.js';
import { guardrailsOf, type KillSwitches } from './guardrails-line.js';
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

/** Every viewer hears from the server at least this often, between phases too (and sees a dead one). */
const HEARTBEAT_MS = 1000;
/** The generator's health on the page: the judge's saturation rule over this many latest intervals. */
const HEALTH_WINDOW_INTERVALS = 3;

/**
 * What the session feeds the page: one event per merged interval, per step verdict, per probe
 * sample, the stop and the end, and a heartbeat each second. Each is serialised once, on the main
 * thread, whatever the number of viewers; the firing threads never see the dashboard.
 */
export class LiveDashboard {
  readonly #server: DashboardServer;
  readonly #kill: KillSwitches;
  readonly #guard: SessionGuard;
  readonly #heartbeat: NodeJS.Timeout;
  #charts: LiveCharts | undefined;
  #laidOut = false;
  #ended = false;
  #stopRequest: { atEpochMs: number } | undefined;
  #recent: IntervalStats[] = [];
  #recentPhase = '';

  private constructor(server: DashboardServer, guard: SessionGuard, kill: KillSwitches) {
    this.#server = server;
    this.#guard = guard;
    this.#kill = kill;
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS).unref();
  }

  static async start(options: {
    port: number;
    host: string;
    guard: SessionGuard;
    kill: KillSwitches;
    log: (line: string) => void;
  }): Promise<LiveDashboard> {
    let d: LiveDashboard | undefined;
    const server = await startDashboardServer({
      port: options.port,
      host: options.host,
      status: () => options.guard.status(),
      stop: (by, atEpochMs) => {
        if (options.guard.stopped) return;
        if (d) d.#stopRequest = { atEpochMs };
        options.log(`${by}: stopped sending; draining in-flight requests and writing results`);
        options.guard.stop('control-endpoint', by);
      },
    });
    d = new LiveDashboard(server, options.guard, options.kill);
    const live = d;
    options.guard.onStop(() => {
      const s = options.guard.stopped;
      live.#server.publish('stop', {
        reason: s?.reason ?? 'stopped',
        detail: s?.detail ?? 'stopped',
        // When a Stop reached the server; for any other kill switch, when the guard heard it.
        atEpochMs: live.#stopRequest?.atEpochMs ?? Date.now(),
      });
      live.#beat();
    });
    return d;
  }

  get openUrl(): string {
    return this.#server.openUrl;
  }

  /**
   * Waits for the first viewer, at most `maxMs`, and not past a stop: see DEFAULTS.dashboard.
   * Resolves true when someone has the page open.
   */
  async waitForFirstViewer(maxMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    let stopped!: () => void;
    const onStop = new Promise<void>((resolve) => (stopped = resolve));
    this.#guard.onStop(() => stopped());
    const seen = await Promise.race([
      this.#server.firstViewer.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), maxMs))),
      onStop.then(() => false),
    ]);
    clearTimeout(timer);
    return seen;
  }

  /** Who this is and what it is judged against; sent first, so every viewer labels alike. */
  begin(command: string, plan: ResolvedPlan, shards?: number): void {
    this.#charts = new LiveCharts(plan.slo, plan.probes);
    this.#server.publish(
      'start',
      {
        command,
        name: plan.name,
        target: plan.targetUrl,
        ...(shards !== undefined ? { shards } : {}),
        guardrails: guardrailsOf(plan.maxDurationMs, plan.run, this.#kill),
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
      index: i.index,
      step: step ? stepLabel : undefined,
      offeredRps: i.offeredRps,
      achievedRps: i.achievedRps,
      p50Ms: i.latencyMs.p50,
      p90Ms: i.latencyMs.p90,
      p99Ms: i.latencyMs.p99,
      errorsByClass: i.errorsByClass,
      inFlight: i.inFlight,
      dropped: i.dropped,
      droppedGenerator: i.droppedGenerator,
      budgets,
      lagMsP99: i.lagMsP99,
      generatorElu: i.generatorElu,
      saturated: this.#health(i, phase),
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

  /** The command's end: its verdict line, exit code and result files (none when it failed before writing them). */
  end(info: { verdict: string; exitCode: number | null; files: readonly string[] }): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#heartbeat);
    this.#server.publish('end', info);
  }

  close(): Promise<void> {
    clearInterval(this.#heartbeat);
    return this.#server.close();
  }

  /** Why the generator may not have offered the load lately (the judge's rule), or null when it kept up. */
  #health(i: IntervalStats, phase: string): string | null {
    if (phase !== this.#recentPhase) this.#recent = [];
    this.#recentPhase = phase;
    this.#recent.push(i);
    if (this.#recent.length > HEALTH_WINDOW_INTERVALS) this.#recent.shift();
    const check = generatorCheck(this.#recent);
    return check.saturated ? check.reasons.join(', ') : null;
  }

  #beat(): void {
    if (this.#ended) return;
    const s = this.#guard.status() as { phase: string; elapsedMs: number };
    this.#server.publish(
      'status',
      { atEpochMs: Date.now(), phase: s.phase, elapsedMs: s.elapsedMs, viewers: this.#server.viewers },
      { transient: true },
    );
  }
}

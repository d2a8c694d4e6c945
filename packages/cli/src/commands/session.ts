import { BudgetLedger, DEFAULTS, formatStepLabel, type IntervalStats, type ProfileStep, ValidationError } from '@overload/core/internal';
import type { RunHandle } from '@overload/workers';
import { type DashboardFlags, dashboardPortOf, LiveDashboard } from '../dashboard/live-dashboard.js';
import { EXIT, exitCodeForError } from '../exit-codes.js';
import { SessionGuard } from '../guard/session-guard.js';
import { launcherOf, wrapperOf } from '../guard/wrapper-watch.js';
import { type LiveMetrics, startLiveMetrics } from '../metrics/live-metrics.js';
import type { Progress } from '../output/progress.js';
import type { PlanFlags, ResolvedPlan } from '../plan/resolve.js';
import type { ReportFlags } from '../report/options.js';
import { checkOutputs } from '../results/check-outputs.js';
import type { OutputFlags } from '../results/write-results.js';

export interface SessionFlags extends DashboardFlags {
  killFile?: string;
  controlPort?: number;
  controlToken?: string;
  metricsPort?: number;
}

/** The flags every sending command (run, ramp, search) takes. */
export interface SendingFlags extends PlanFlags, OutputFlags, ReportFlags, SessionFlags {
  quiet?: boolean;
  logLevel?: string;
  logFile?: string;
}

/**
 * What every sending command shares for its whole life: the kill switches, the budget ledger
 * (one SharedArrayBuffer for every phase), the live metrics endpoint and the progress view.
 */
export class CommandSession {
  readonly guard: SessionGuard;
  readonly ledger: BudgetLedger;
  readonly abort = new AbortController();
  #metrics: LiveMetrics | undefined;
  #dashboard: LiveDashboard | undefined;
  readonly #plan: ResolvedPlan;
  readonly #progress: Progress;
  readonly #flags: SessionFlags & OutputFlags & { logFile?: string };

  constructor(plan: ResolvedPlan, flags: SessionFlags & OutputFlags & { logFile?: string }, progress: Progress) {
    this.#plan = plan;
    this.#progress = progress;
    this.#flags = flags;
    this.ledger = new BudgetLedger(plan.budgets);
    const wrapper = wrapperOf();
    const launcherPid = launcherOf();
    this.guard = new SessionGuard({
      ...(flags.killFile ? { killFile: flags.killFile } : {}),
      ...(flags.controlPort !== undefined ? { controlPort: flags.controlPort } : {}),
      ...(flags.controlToken ? { controlToken: flags.controlToken } : {}),
      ...(plan.maxDurationMs !== undefined ? { maxDurationMs: plan.maxDurationMs } : {}),
      resultsWhere: flags.outDir !== undefined ? `to ${flags.outDir}` : 'under overload-results/',
      ...(wrapper ? { wrapper } : {}),
      ...(launcherPid !== undefined ? { launcherPid } : {}),
      log: (line) => progress.event(line),
    });
    // The abort carries the stop itself, so every phase, and the result, name what stopped it.
    this.guard.onStop(() => this.abort.abort(this.guard.stopped));
  }

  async start(): Promise<void> {
    await checkOutputs(this.#flags);
    // Not a progress line: -q must not hide that certificates go unchecked.
    if (this.#plan.run.tls?.insecure) process.stderr.write(`${insecureWarning(this.#plan.targetUrl)}\n`);
    await this.guard.start();
    const e = this.#plan.embedded;
    if (e)
      this.#progress.event(
        `started the embedded demo target at ${e.url} (pid ${e.pid}${e.nice !== undefined ? `, nice ${e.nice}: below the generator` : ''})`,
      );
    if (this.guard.control)
      this.#progress.event(`control endpoint ${this.guard.control.url} (Authorization: Bearer ${this.guard.control.token})`);
    const dashboardPort = dashboardPortOf(this.#flags);
    if (dashboardPort !== undefined) {
      this.#dashboard = await LiveDashboard.start({
        port: dashboardPort,
        host: this.#flags.dashboardHost ?? '127.0.0.1',
        guard: this.guard,
        kill: { ...(this.#flags.killFile ? { killFile: this.#flags.killFile } : {}), controlEndpoint: this.guard.control !== undefined },
        log: (line) => this.#progress.event(line),
      });
      // Straight to stderr, not a progress line: -q must not hide it, and logs never see the token.
      process.stderr.write(`dashboard: ${this.#dashboard.openUrl}\n`);
      const waitMs = DEFAULTS.dashboard.firstViewerWaitMs;
      this.#progress.event(`dashboard: sending starts once the page is open, or in ${waitMs / 1000} s`);
      await this.#dashboard.waitForFirstViewer(waitMs);
    }
    if (this.#flags.metricsPort !== undefined) {
      this.#metrics = await startLiveMetrics({ port: this.#flags.metricsPort, labels: { run_id: this.#plan.run.runId ?? '' } });
      this.#progress.event(`live metrics at ${this.#metrics.url}`);
    }
  }

  /** Budgets so far, as the progress view and metrics show them. */
  budgets(): Record<string, { used: number; limit: number }> {
    const used = this.ledger.used();
    return Object.fromEntries(Object.entries(this.#plan.budgets).map(([k, limit]) => [k, { used: used[k] ?? 0, limit }]));
  }

  /** Every merged interval of every phase goes through here. */
  interval(interval: IntervalStats, phase: string, handle: RunHandle): void {
    this.guard.interval(interval);
    const steps = handle.config.curve.steps;
    const step: ProfileStep | undefined = steps.find((s) => interval.startMs >= s.startMs && interval.startMs < s.startMs + s.durationMs);
    const budgets = this.budgets();
    this.#metrics?.update(interval, { phase, step, budgets });
    const stepLabel =
      step && steps.length > 1
        ? `step ${step.index + 1}/${steps.length}: ${formatStepLabel(step.label, handle.config.arrivalUnit)}`
        : undefined;
    this.#dashboard?.interval(interval, phase, step, stepLabel, budgets, handle.config);
    this.#progress.interval(interval, {
      phase,
      ...(stepLabel ? { step: stepLabel } : {}),
      budgets,
      timeLeftMs: handle.config.curve.durationMs - (interval.startMs + interval.durationMs),
    });
  }

  /** The live page's view of the command: who it is, each step verdict as judged, and the end. */
  get dashboard(): LiveDashboard | undefined {
    return this.#dashboard;
  }

  /** The command failed before its end: the page says so, with the exit code it will have, instead of waiting. */
  failed(error: unknown): void {
    const message = ((error as Error)?.message ?? String(error)).split('\n')[0];
    this.#dashboard?.end({
      verdict: `error: ${message}`,
      exitCode: error instanceof ValidationError ? EXIT.usage : exitCodeForError(error),
      files: [],
    });
  }

  async dispose(): Promise<void> {
    this.#progress.done();
    this.guard.dispose();
    await this.#metrics?.close();
    await this.#dashboard?.close();
    await this.#plan.embedded?.stop();
  }
}

export function insecureWarning(targetUrl: string): string {
  return `warning: --insecure: the TLS certificates of ${targetUrl} and its probes are NOT checked (any certificate is accepted); the result records it. Use --ca with the target's CA instead wherever you can.`;
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  finalStop,
  formatVerdictLine,
  isOutsideStop,
  type ProbeSeries,
  type ProbeWindow,
  RESULT_SCHEMA_VERSION,
  type RunStop,
  seriesWindow,
  withProfile,
} from '@overload/core/internal';
import { checkBaseline } from './baseline.js';
import { startJudgedPhase } from './judged-phase.js';
import { preflightRun } from './preflight.js';
import { type ProbeHandle, startProbes } from './probes.js';
import {
  planRamp,
  type RampHooks,
  type RampOptions,
  type RampPhase,
  type RampPlan,
  type RampRecovery,
  type RampResult,
  type RecoverySettings,
} from './ramp-plan.js';
import { type RunHandle, type RunHooks, startRun } from './run.js';
import { stopOfSignal } from './stop-signal.js';

/**
 * Pushes the target up a ramp of steps until it breaks, on purpose. Everything is resolved and
 * checked first (`planRamp`: bad input is refused before any thread exists), then a pre-flight
 * makes sure the target and its probes can be reached at all (an unreachable target is an error,
 * OVL_TARGET_UNREACHABLE, never a collapse). Every interval is judged against the SLO as it
 * arrives and the first breach stops the load at once, so a collapsing target is not hammered
 * beyond what the verdict needs. Then, unless disabled, the load is removed and, after a
 * cool-down, a low baseline checks that the target heals by itself and stays healed (see
 * `judgeRecovery`): a target that stays broken once the load is gone (a circuit breaker that
 * never clears) is a finding of its own.
 */
export async function ramp(options: RampOptions): Promise<RampResult> {
  return runRamp(planRamp(options), options);
}

/** Runs a planned ramp (see `planRamp`). */
export async function runRamp(plan: RampPlan, hooks: RampHooks = {}): Promise<RampResult> {
  const { config, slo, settings } = plan;
  const { signal } = hooks;
  const start = hooks.startRun ?? startRun;
  if (settings.preflight !== false) await preflightRun(config, { ...settings, ...(signal ? { signal } : {}) });
  const startedAt = new Date();
  let current: RunHandle | undefined;
  let probes: ProbeHandle | undefined;
  let series: ProbeSeries[] = [];
  const probeWindow = (shiftMs = 0): ProbeWindow => {
    if (!probes) return {};
    series = probes.series();
    return seriesWindow(series, shiftMs);
  };
  const onAbort = () => {
    const stop = stopOfSignal(signal);
    current?.stop(stop.reason, stop.detail);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const phaseStart = (phase: RampPhase, handle: RunHandle) => {
    current = handle;
    hooks.onEvent?.({ type: 'phase', phase });
    hooks.onPhaseStart?.(phase, handle);
    if (signal?.aborted) onAbort();
  };

  try {
    // Ramp phase: the judge was built with the plan, before any thread.
    const phase = startJudgedPhase({
      config,
      judge: plan.judge,
      start: (c, h) => {
        const handle = start(c, h);
        phaseStart('ramp', handle);
        return handle;
      },
      ...(signal ? { signal } : {}),
      onStarted: (t0) => {
        if (plan.probes.length > 0) {
          probes = startProbes(plan.probes, {
            t0Perf: t0,
            ...(hooks.onProbeSample ? { onSample: hooks.onProbeSample } : {}),
            ...(settings.allowedHosts ? { allowedHosts: settings.allowedHosts } : {}),
            ...(config.tls ? { tls: config.tls } : {}),
          });
        }
      },
      probes: () => probeWindow(),
      onInterval: (i, h) => hooks.onInterval?.(i, 'ramp', h),
      onEvent: (e) => hooks.onEvent?.(e),
    });
    const rampPhase = await phase.outcome;
    await hooks.onRampPhaseEnd?.(rampPhase.stop);
    const { summary, run: rampRun } = rampPhase;

    // Recovery phase: only after a collapse the ramp itself called, with nothing stopped from outside.
    let recovery: RampRecovery | { skipped: string };
    let recoveryStop: Omit<RunStop, 'atMs'> | undefined;
    const left = config.maxRequests !== undefined ? config.maxRequests - rampRun.totals.sent : undefined;
    if (signal?.aborted) recovery = { skipped: `the ramp was stopped (${stopOfSignal(signal).detail ?? stopOfSignal(signal).reason})` };
    else if (plan.recovery === false) recovery = { skipped: 'disabled (--no-recovery)' };
    else if (summary.verdict === 'never-healthy')
      recovery = { skipped: 'the target was never healthy: there is nothing for it to recover to' };
    else if (summary.verdict !== 'collapsed') {
      recovery = {
        skipped:
          summary.verdict === 'held'
            ? 'the target never collapsed'
            : summary.verdict === 'partial'
              ? `the ramp was stopped (${rampPhase.stop.detail ?? rampPhase.stop.reason})`
              : 'the ramp was inconclusive',
      };
    } else if (isOutsideStop(rampPhase.stop.reason)) recovery = { skipped: `the ramp was stopped (${rampPhase.stop.reason})` };
    else if (left !== undefined && left <= 0) recovery = { skipped: `--max-requests ${config.maxRequests} was used up by the ramp` };
    else {
      const checked = await checkRecovery(plan.recovery, rampPhase.t0 + rampPhase.stoppedAtMs, rampPhase.t0, left);
      recovery = checked.recovery;
      recoveryStop = checked.stop;
    }
    probeWindow();
    await probes?.stop();
    probes = undefined;

    const stop = finalStop([rampPhase.stop, recoveryStop, signal?.aborted ? stopOfSignal(signal) : undefined]);
    return {
      schemaVersion: RESULT_SCHEMA_VERSION,
      kind: 'ramp',
      startedAt: startedAt.toISOString(),
      target: rampRun.target,
      slo,
      verdict: summary.verdict,
      verdictLine: formatVerdictLine(summary, 'recovered' in recovery ? recovery : undefined, {
        unit: config.arrivalUnit,
        ...(stop.partial ? { stoppedBy: stop.partial.detail } : {}),
      }),
      ...(summary.knee ? { knee: summary.knee } : {}),
      ...(summary.lastHeld ? { lastHeld: summary.lastHeld } : {}),
      ...(summary.collapse ? { collapse: summary.collapse } : {}),
      ...(summary.inconclusive ? { inconclusive: summary.inconclusive } : {}),
      ...(summary.stoppedDuring ? { stoppedDuring: summary.stoppedDuring } : {}),
      steps: plan.judge.steps,
      recovery,
      probes: series,
      ...stop,
      run: rampRun,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await probes?.stop();
  }

  /**
   * The cool-down, then the baseline judged by the recovery rule. A baseline stopped from
   * outside says nothing about recovery (unless the target had recovered already): it is skipped,
   * with why, and its stop makes the ramp partial.
   */
  async function checkRecovery(
    r: RecoverySettings,
    loadStoppedAt: number,
    rampT0: number,
    left: number | undefined,
  ): Promise<{ recovery: RampRecovery | { skipped: string }; stop?: Omit<RunStop, 'atMs'> }> {
    const s = plan.judge.summary();
    const reference = s.knee?.rateRps ?? s.collapse!.step.rateRps;
    const baselineRps = r.baselineRps ?? Math.max(1, Math.round(reference * r.baselineRatio * 100) / 100);
    hooks.onEvent?.({ type: 'phase', phase: 'cooldown' });
    await sleep(r.cooldownMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) return { recovery: { skipped: 'the run was stopped during the cool-down' }, stop: stopOfSignal(signal) };
    const outcome = await checkBaseline({
      slo,
      rateRps: baselineRps,
      withinMs: r.withinMs,
      windowMs: r.windowMs,
      sustainWindows: r.sustainWindows,
      ...(config.arrivalNames ? { arrivalNames: config.arrivalNames, names: config.names } : {}),
      loadStoppedAt,
      probes: (baselineT0) => (probes ? probeWindow(baselineT0 - rampT0) : undefined),
      start: (profile, onInterval) => {
        // The baseline's errors are what it measures (the recovery rule decides on them); at a
        // tenth of the knee the error-burst guardrail would only cut that short. The request cap
        // holds across phases: the baseline gets what the ramp left.
        const baseline = withProfile(config, profile, { errorBurst: false, ...(left !== undefined ? { maxRequests: left } : {}) });
        const runHooks: RunHooks = {
          ...(signal ? { signal } : {}),
          onInterval: (i, h) => {
            onInterval(i, h);
            hooks.onInterval?.(i, 'recovery', h);
          },
        };
        const handle = start(baseline, runHooks);
        phaseStart('recovery', handle);
        return handle;
      },
    });
    const stopped = outcome.run.stopReason;
    if (isOutsideStop(stopped) && !outcome.verdict.recovered) {
      const detail = outcome.run.stopDetail ?? stopped;
      return {
        recovery: { skipped: `the recovery check was stopped (${detail}) before the target could be judged` },
        stop: { reason: stopped, detail },
      };
    }
    return {
      recovery: {
        ...outcome.verdict,
        baselineRps,
        cooldownMs: outcome.cooldownMs,
        withinMs: r.withinMs,
        windowMs: r.windowMs,
        sustainWindows: r.sustainWindows,
        run: outcome.run,
      },
      ...(isOutsideStop(stopped)
        ? { stop: { reason: stopped, ...(outcome.run.stopDetail ? { detail: outcome.run.stopDetail } : {}) } }
        : {}),
    };
  }
}

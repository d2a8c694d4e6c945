import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULTS,
  arrivalNamesOf,
  validateScopedNames,
  DEFAULT_SUSTAIN_WINDOWS,
  type DurationInput,
  formatVerdictLine,
  type IntervalStats,
  parseDurationMs,
  parseSlo,
  partialOf,
  type PartialMark,
  type ProbeSeries,
  type ProbeSpec,
  type ProbeWindow,
  type RampEvent,
  RampJudge,
  type RampSummary,
  type RecoveryVerdict,
  resolveProbes,
  resolveRunConfig,
  seriesWindow,
  RESULT_SCHEMA_VERSION,
  type RunOptions,
  type RunResult,
  type Slo,
  type StepResult,
  type StopReason,
  ValidationError,
} from '@overload/core';
import { checkBaseline } from './baseline.js';
import { preflightRun } from './preflight.js';
import { type ProbeHandle, startProbes } from './probes.js';
import { defaultWorkers, type RunHandle, type RunRequest, startRun } from './run.js';
import { watchStops } from './stop-watch.js';

export interface RampRecoveryOptions {
  /** Baseline rate as a fraction of the knee (default 0.1). */
  readonly baselineRatio?: number;
  /** An explicit baseline rate instead of the ratio. */
  readonly baselineRps?: number;
  /** Time with no load between the collapse and the baseline (default 2 s). */
  readonly cooldownMs?: DurationInput;
  /** How long the baseline may take before the SLO starts holding (default 15 s). */
  readonly withinMs?: DurationInput;
  /** Length of the windows that must meet the SLO (default 3 s); it must hold for `sustainWindows` of them. */
  readonly windowMs?: DurationInput;
  /** Back-to-back windows the SLO must hold for, with no breach after them (default 3). */
  readonly sustainWindows?: number;
}

export type RampPhase = 'ramp' | 'cooldown' | 'recovery';

export interface RampOptions extends RunOptions {
  readonly slo: Slo | string;
  readonly probes?: readonly ProbeSpec[];
  /** Sliding window judged inside each step (default 5 s). */
  readonly windowMs?: number;
  /** Part of each step not judged after the rate changes (default min(1 s, 20 % of the step)). */
  readonly warmupMs?: number;
  /** `false` skips the recovery check. */
  readonly recovery?: false | RampRecoveryOptions;
  /** `false` skips the pre-flight reachability check (the CLI runs its own before starting anything). */
  readonly preflight?: false;
  /** Hosts probes may reach besides loopback. */
  readonly allowedHosts?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onInterval?: (interval: IntervalStats, phase: RampPhase, run: RunHandle) => void;
  readonly onEvent?: (event: RampEvent | { readonly type: 'phase'; readonly phase: RampPhase }) => void;
  /** Called once per phase with its run handle (guardrails attach their stop switches here). */
  readonly onPhaseStart?: (phase: RampPhase, run: RunHandle) => void;
  /**
   * Starts each phase's run (default `startRun`, on this machine). A coordinator passes one that
   * runs the phase on every shard and hands back their merged intervals, so the ramp is judged,
   * stopped and checked for recovery exactly as on one machine.
   */
  readonly startRun?: (request: RunRequest) => RunHandle;
}

/** What to do when a shard was lost: the verdict cannot rest on part of the load. */
export const SHARD_LOST_ADVICE = "rerun with every shard; see why the shard stopped (its pod's logs, or `kubectl describe`)";

export interface RampRecovery extends RecoveryVerdict {
  readonly baselineRps: number;
  /** From the moment the load stopped to the start of the baseline (the drain included). */
  readonly cooldownMs: number;
  readonly withinMs: number;
  readonly windowMs: number;
  readonly sustainWindows: number;
  readonly run: RunResult;
}

export interface RampResult {
  readonly schemaVersion: number;
  readonly kind: 'ramp';
  readonly startedAt: string;
  readonly target: { readonly url: string; readonly method: string };
  readonly slo: Slo;
  readonly verdict: RampSummary['verdict'];
  /** The sentence a person reads first. */
  readonly verdictLine: string;
  readonly knee?: StepResult;
  readonly lastHeld?: StepResult;
  readonly collapse?: RampSummary['collapse'];
  readonly inconclusive?: RampSummary['inconclusive'];
  readonly steps: readonly StepResult[];
  readonly recovery?: RampRecovery | { readonly skipped: string };
  /** Probe series; sample times are ms since the ramp's t0 (the recovery's samples come later). */
  readonly probes: readonly ProbeSeries[];
  readonly stopReason: StopReason;
  readonly stopDetail?: string;
  /** Present when the ramp was cut short (signal, kill switch, guardrail, worker crash). */
  readonly partial?: PartialMark;
  /** The ramp phase's full run result (intervals, histograms, generator health). */
  readonly run: RunResult;
}

/**
 * Pushes the target up a ramp of steps until it breaks, on purpose. First a pre-flight check
 * makes sure the target and its probes can be reached at all (an unreachable target is an error,
 * OVL_TARGET_UNREACHABLE, never a collapse). Every interval is judged against the SLO as it
 * arrives and the first breach stops the load at once, so a collapsing target is not hammered
 * beyond what the verdict needs. Then, unless disabled, the load is removed and, after a
 * cool-down, a low baseline checks that the target heals by itself and stays healed (see
 * `judgeRecovery`): a target that stays broken once the load is gone (a circuit breaker that
 * never clears) is a finding of its own.
 */
export async function ramp(options: RampOptions): Promise<RampResult> {
  const slo = typeof options.slo === 'string' ? parseSlo(options.slo) : options.slo;
  // Probe mistakes are found before any load is sent, not halfway through the ramp.
  if (options.probes && options.probes.length > 0) resolveProbes(options.probes);
  // So are option mistakes and a disallowed host, before the pre-flight connects anywhere.
  const checked = resolveRunConfig(options, { defaultWorkers: defaultWorkers() });
  if (options.preflight !== false) await preflightRun(checked, options);
  const { signal } = options;
  const startedAt = new Date();
  let current: RunHandle | undefined;
  let probes: ProbeHandle | undefined;
  let series: ProbeSeries[] = [];
  const probeWindow = (shiftMs = 0): ProbeWindow => {
    if (!probes) return {};
    series = probes.series();
    return seriesWindow(series, shiftMs);
  };
  const onAbort = () => current?.stop('aborted', abortDetail(signal));
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    // Ramp phase.
    let judge: RampJudge | undefined;
    let decided = false;
    // When sending stopped (ms since t0, whoever stopped it): time to recover counts from here.
    let rampStoppedAtMs: number | undefined;
    const onRampStop = (atMs: number) => {
      rampStoppedAtMs = atMs;
      judge?.sendingStopped(atMs);
    };
    const rampHandle = startPhase(
      options,
      'ramp',
      (interval, h) => {
        if (decided || !judge) return;
        const event = judge.push(interval, probeWindow());
        if (event) options.onEvent?.(event);
        if (event?.type === 'collapse' || event?.type === 'inconclusive') {
          decided = true;
          h.stop(event.type, event.type === 'collapse' ? `collapsed at ${event.step.label}` : event.reason);
        }
      },
      onRampStop,
    );
    current = rampHandle;
    const steps = rampHandle.config.curve.steps;
    if (steps.length === 0) {
      rampHandle.stop('aborted', 'profile has no steps', { immediate: true });
      await rampHandle.result;
      throw new ValidationError('ramp options', [{ path: 'profile', message: 'has no steps to judge; use step, exponential or stages' }]);
    }
    const scopeIssues = validateScopedNames(slo, rampHandle.config.names);
    if (scopeIssues.length > 0) {
      rampHandle.stop('aborted', 'the SLO names what the run does not have', { immediate: true });
      await rampHandle.result;
      throw new ValidationError('ramp options', scopeIssues);
    }
    const curve = rampHandle.config.curve;
    const arrivalNames = arrivalNamesOf(rampHandle.config.names);
    const names = rampHandle.config.names;
    judge = new RampJudge({
      steps,
      slo,
      ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
      ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
      intervalMs: rampHandle.config.intervalMs,
      scheduledArrivals: (a, b) => curve.areaAt(Math.min(b, curve.durationMs)) - curve.areaAt(Math.min(a, curve.durationMs)),
      arrivals: rampHandle.config.arrivals,
      ...(arrivalNames ? { arrivalNames, names } : {}),
    });
    if (rampStoppedAtMs !== undefined) judge.sendingStopped(rampStoppedAtMs);
    if (signal?.aborted) onAbort();
    const rampT0 = await startedOrEnded(rampHandle);
    if (options.probes && options.probes.length > 0) {
      probes = startProbes(options.probes, {
        t0Perf: rampT0,
        ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    }
    const rampRun = await rampHandle.result;
    if (!decided) {
      const event =
        rampRun.stopReason === 'shard-lost'
          ? judge.abandon(rampRun.stopDetail ?? 'a shard was lost', SHARD_LOST_ADVICE)
          : judge.finish({ stopped: rampRun.stopReason !== 'completed' });
      if (event) options.onEvent?.(event);
    }
    const summary = judge.summary();
    // The error-burst guardrail can see a collapse before the judge's window closes: when the
    // judge, given what was measured, calls it a collapse, that is what it was.
    const burstCollapse = rampRun.stopReason === 'error-burst' && summary.verdict === 'collapsed';
    const stopReason: StopReason = burstCollapse ? 'collapse' : rampRun.stopReason;

    // Recovery phase.
    let recovery: RampRecovery | { skipped: string };
    if (signal?.aborted) recovery = { skipped: 'the run was aborted' };
    else if (options.recovery === false) recovery = { skipped: 'disabled (--no-recovery)' };
    else if (summary.verdict !== 'collapsed') {
      recovery = { skipped: summary.verdict === 'held' ? 'the target never collapsed' : 'the ramp was inconclusive' };
    } else if (stopReason !== 'collapse') recovery = { skipped: `the ramp was stopped (${stopReason})` };
    else if (options.maxRequests !== undefined && rampRun.totals.sent >= options.maxRequests) {
      recovery = { skipped: `--max-requests ${options.maxRequests} was used up by the ramp` };
    } else recovery = await checkRecovery(options.recovery ?? {}, summary, rampRun);
    // A baseline that lost a shard measured part of its load: no recovery verdict rests on it.
    const lostIn = 'run' in recovery && recovery.run.stopReason === 'shard-lost' ? recovery.run : undefined;
    const recoveryLost = lostIn !== undefined;
    if (lostIn) recovery = { skipped: `a shard was lost during the recovery check: ${lostIn.stopDetail ?? 'shard-lost'}` };

    probeWindow();
    await probes?.stop();
    probes = undefined;
    return {
      schemaVersion: RESULT_SCHEMA_VERSION,
      kind: 'ramp',
      startedAt: startedAt.toISOString(),
      target: rampRun.target,
      slo,
      verdict: summary.verdict,
      verdictLine: formatVerdictLine(summary, 'recovered' in recovery ? recovery : undefined, {
        journeys: (rampHandle.config.requests?.journeys?.length ?? 0) > 0,
      }),
      ...(summary.knee ? { knee: summary.knee } : {}),
      ...(summary.lastHeld ? { lastHeld: summary.lastHeld } : {}),
      ...(summary.collapse ? { collapse: summary.collapse } : {}),
      ...(summary.inconclusive ? { inconclusive: summary.inconclusive } : {}),
      steps: judge.steps,
      recovery,
      probes: series,
      stopReason: recoveryLost ? 'shard-lost' : stopReason,
      ...(rampRun.stopDetail ? { stopDetail: burstCollapse ? `error burst: ${rampRun.stopDetail}` : rampRun.stopDetail } : {}),
      ...partialOf(stopReason, rampRun.stopDetail),
      run: rampRun,
    };

    async function checkRecovery(r: RampRecoveryOptions, s: RampSummary, rampRun: RunResult): Promise<RampRecovery | { skipped: string }> {
      const cooldownMs = parseDurationMs(r.cooldownMs ?? DEFAULTS.recovery.cooldownMs);
      const withinMs = parseDurationMs(r.withinMs ?? DEFAULTS.recovery.withinMs);
      const windowMs = parseDurationMs(r.windowMs ?? DEFAULTS.recovery.windowMs);
      const sustainWindows = r.sustainWindows ?? DEFAULT_SUSTAIN_WINDOWS;
      const reference = s.knee?.rateRps ?? s.collapse!.step.rateRps;
      const baselineRps =
        r.baselineRps ?? Math.max(1, Math.round(reference * (r.baselineRatio ?? DEFAULTS.recovery.baselineRatio) * 100) / 100);
      // Every stop goes through the handle (watchStops); should one ever not, the end of the last
      // interval in which anything was offered bounds it from above, within one interval.
      const lastOffered = [...rampRun.intervals].reverse().find((i) => i.offered > 0);
      const stoppedAt =
        rampStoppedAtMs !== undefined
          ? rampT0 + rampStoppedAtMs
          : lastOffered
            ? rampT0 + lastOffered.startMs + lastOffered.durationMs
            : performance.now();
      options.onEvent?.({ type: 'phase', phase: 'cooldown' });
      await sleep(cooldownMs, undefined, signal ? { signal } : {}).catch(() => undefined);
      if (signal?.aborted) return { skipped: 'the run was aborted during the cool-down' };
      const outcome = await checkBaseline({
        slo,
        rateRps: baselineRps,
        withinMs,
        windowMs,
        sustainWindows,
        ...(arrivalNames ? { arrivalNames, names } : {}),
        loadStoppedAt: stoppedAt,
        probes: (baselineT0) => (probes ? probeWindow(baselineT0 - rampT0) : undefined),
        start: (profile, onInterval) => {
          const baseline = startPhase(
            {
              ...options,
              profile,
              rateRps: undefined,
              durationMs: undefined,
              // The baseline's errors are what it measures (the recovery rule decides on them);
              // at a tenth of the knee the error-burst guardrail would only cut that short.
              errorBurst: false,
              // The request cap holds across phases: the baseline gets what the ramp left.
              ...(options.maxRequests !== undefined ? { maxRequests: options.maxRequests - rampRun.totals.sent } : {}),
            },
            'recovery',
            onInterval,
          );
          current = baseline;
          if (signal?.aborted) onAbort();
          return baseline;
        },
      });
      return { ...outcome.verdict, baselineRps, cooldownMs: outcome.cooldownMs, withinMs, windowMs, sustainWindows, run: outcome.run };
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await probes?.stop();
  }
}

function startPhase(
  options: RampOptions,
  phase: RampPhase,
  judgeInterval: (i: IntervalStats, h: RunHandle) => void,
  onStop?: (atMs: number) => void,
): RunHandle {
  const { signal: _signal, onInterval: _onInterval, startRun: runner = startRun, ...runOptions } = options;
  const handle = runner({
    ...runOptions,
    onInterval: (interval, h) => {
      judgeInterval(interval, h);
      options.onInterval?.(interval, phase, h);
    },
  });
  // Before anyone else gets the handle, so that every stop is seen.
  if (onStop) watchStops(handle, onStop);
  options.onEvent?.({ type: 'phase', phase });
  options.onPhaseStart?.(phase, handle);
  return handle;
}

/** t0 of a run, or now if it ended before starting (so callers never wait forever). */
function startedOrEnded(h: RunHandle): Promise<number> {
  return Promise.race([
    h.started,
    h.result.then(
      () => performance.now(),
      () => performance.now(),
    ),
  ]);
}

function abortDetail(signal: AbortSignal | undefined): string | undefined {
  const reason = signal?.reason as unknown;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : undefined;
}

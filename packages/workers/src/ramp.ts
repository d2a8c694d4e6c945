import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DurationInput,
  formatVerdictLine,
  type IntervalStats,
  judgeRecovery,
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
  seriesWindow,
  RESULT_SCHEMA_VERSION,
  type RunOptions,
  type RunResult,
  type Slo,
  type StepResult,
  type StopReason,
  ValidationError,
} from '@overload/core';
import { type ProbeHandle, startProbes } from './probes.js';
import { type RunHandle, startRun } from './run.js';

export interface RampRecoveryOptions {
  /** Baseline rate as a fraction of the knee (default 0.1). */
  readonly baselineRatio?: number;
  /** An explicit baseline rate instead of the ratio. */
  readonly baselineRps?: number;
  /** Time with no load between the collapse and the baseline (default 2 s). */
  readonly cooldownMs?: DurationInput;
  /** How long the baseline may take to meet the SLO (default 15 s). */
  readonly withinMs?: DurationInput;
  /** Length of the window that must meet the SLO (default 3 s). */
  readonly windowMs?: DurationInput;
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
  /** Hosts probes may reach besides loopback. */
  readonly allowedHosts?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onInterval?: (interval: IntervalStats, phase: RampPhase, run: RunHandle) => void;
  readonly onEvent?: (event: RampEvent | { readonly type: 'phase'; readonly phase: RampPhase }) => void;
  /** Called once per phase with its run handle (guardrails attach their stop switches here). */
  readonly onPhaseStart?: (phase: RampPhase, run: RunHandle) => void;
}

export interface RampRecovery extends RecoveryVerdict {
  readonly baselineRps: number;
  readonly cooldownMs: number;
  readonly withinMs: number;
  readonly windowMs: number;
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
 * Pushes the target up a ramp of steps until it breaks, on purpose. Every interval is judged
 * against the SLO as it arrives and the first breach stops the load at once, so a collapsing
 * target is not hammered beyond what the verdict needs. Then, unless disabled, the load is
 * removed and, after a cool-down, a low baseline checks that the target heals by itself: a
 * target that stays broken once the load is gone (a circuit breaker that never clears) is a
 * finding of its own.
 */
export async function ramp(options: RampOptions): Promise<RampResult> {
  const slo = typeof options.slo === 'string' ? parseSlo(options.slo) : options.slo;
  // Probe mistakes are found before any load is sent, not halfway through the ramp.
  if (options.probes && options.probes.length > 0) resolveProbes(options.probes);
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
    const rampHandle = startPhase(options, 'ramp', (interval, h) => {
      if (decided || !judge) return;
      const event = judge.push(interval, probeWindow());
      if (event) options.onEvent?.(event);
      if (event?.type === 'collapse' || event?.type === 'inconclusive') {
        decided = true;
        h.stop(event.type, event.type === 'collapse' ? `collapsed at ${event.step.label}` : event.reason);
      }
    });
    current = rampHandle;
    const steps = rampHandle.config.curve.steps;
    if (steps.length === 0) {
      rampHandle.stop('aborted', 'profile has no steps', { immediate: true });
      await rampHandle.result;
      throw new ValidationError('ramp options', [{ path: 'profile', message: 'has no steps to judge; use step, exponential or stages' }]);
    }
    judge = new RampJudge({
      steps,
      slo,
      ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
      ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
      lagThresholdMs: rampHandle.config.lagThresholdMs,
      intervalMs: rampHandle.config.intervalMs,
    });
    if (signal?.aborted) onAbort();
    const rampT0 = await startedOrEnded(rampHandle);
    if (options.probes && options.probes.length > 0) {
      probes = startProbes(options.probes, { t0Perf: rampT0, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}), ...(options.tls ? { tls: options.tls } : {}) });
    }
    const rampRun = await rampHandle.result;
    if (!decided) {
      const event = judge.finish();
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
    } else recovery = await checkRecovery(options.recovery ?? {}, summary, rampRun.totals.sent);

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
      verdictLine: formatVerdictLine(summary, 'recovered' in recovery ? recovery : undefined),
      ...(summary.knee ? { knee: summary.knee } : {}),
      ...(summary.lastHeld ? { lastHeld: summary.lastHeld } : {}),
      ...(summary.collapse ? { collapse: summary.collapse } : {}),
      ...(summary.inconclusive ? { inconclusive: summary.inconclusive } : {}),
      steps: judge.steps,
      recovery,
      probes: series,
      stopReason,
      ...(rampRun.stopDetail ? { stopDetail: burstCollapse ? `error burst: ${rampRun.stopDetail}` : rampRun.stopDetail } : {}),
      ...partialOf(stopReason, rampRun.stopDetail),
      run: rampRun,
    };

    async function checkRecovery(r: RampRecoveryOptions, s: RampSummary, sentSoFar: number): Promise<RampRecovery | { skipped: string }> {
      const cooldownMs = parseDurationMs(r.cooldownMs ?? 2000);
      const withinMs = parseDurationMs(r.withinMs ?? 15_000);
      const windowMs = parseDurationMs(r.windowMs ?? 3000);
      const reference = s.knee?.rateRps ?? s.collapse!.step.rateRps;
      const baselineRps = r.baselineRps ?? Math.max(1, Math.round(reference * (r.baselineRatio ?? 0.1) * 100) / 100);
      options.onEvent?.({ type: 'phase', phase: 'cooldown' });
      const loadStoppedAt = performance.now();
      await sleep(cooldownMs, undefined, signal ? { signal } : {}).catch(() => undefined);
      if (signal?.aborted) return { skipped: 'the run was aborted during the cool-down' };
      let verdict: RecoveryVerdict | undefined;
      const seen: IntervalStats[] = [];
      let baselineT0 = 0;
      const judgeSoFar = (intervals: readonly IntervalStats[]) =>
        judgeRecovery(intervals, slo, { windowMs, cooldownMs: baselineT0 - loadStoppedAt, probes: probeWindow(baselineT0 - rampT0) });
      const baseline = startPhase(
        {
          ...options,
          profile: { kind: 'constant', rateRps: baselineRps, durationMs: withinMs },
          rateRps: undefined,
          durationMs: undefined,
          // The request cap holds across phases: the baseline gets what the ramp left.
          ...(options.maxRequests !== undefined ? { maxRequests: options.maxRequests - sentSoFar } : {}),
        },
        'recovery',
        (interval, h) => {
          seen.push(interval);
          const v = judgeSoFar(seen);
          if (v.recovered && !verdict) {
            verdict = v;
            h.stop('completed', 'recovered');
          }
        },
      );
      current = baseline;
      if (signal?.aborted) onAbort();
      baselineT0 = await startedOrEnded(baseline);
      const run = await baseline.result;
      verdict ??= judgeSoFar(run.intervals);
      return { ...verdict, baselineRps, cooldownMs: Math.round(baselineT0 - loadStoppedAt), withinMs, windowMs, run };
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await probes?.stop();
  }
}

function startPhase(options: RampOptions, phase: RampPhase, judgeInterval: (i: IntervalStats, h: RunHandle) => void): RunHandle {
  const { signal: _signal, onInterval: _onInterval, ...runOptions } = options;
  const handle = startRun({
    ...runOptions,
    onInterval: (interval, h) => {
      judgeInterval(interval, h);
      options.onInterval?.(interval, phase, h);
    },
  });
  options.onEvent?.({ type: 'phase', phase });
  options.onPhaseStart?.(phase, handle);
  return handle;
}

/** t0 of a run, or now if it ended before starting (so callers never wait forever). */
function startedOrEnded(h: RunHandle): Promise<number> {
  return Promise.race([h.started, h.result.then(() => performance.now(), () => performance.now())]);
}

function abortDetail(signal: AbortSignal | undefined): string | undefined {
  const reason = signal?.reason as unknown;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : undefined;
}

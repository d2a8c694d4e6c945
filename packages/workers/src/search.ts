import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULTS,
  CapacitySearch,
  type CapacitySearchOptions,
  DEFAULT_SUSTAIN_WINDOWS,
  type DurationInput,
  formatCondition,
  type IntervalStats,
  parseDurationMs,
  parseSlo,
  type ProbeSeries,
  type ProbeSpec,
  RampJudge,
  type RecoveryVerdict,
  resolveProbes,
  isOutsideStop,
  seriesWindow,
  withProfile,
  RESULT_SCHEMA_VERSION,
  type RunOptions,
  type SearchResult,
  type Slo,
  type StepResult,
  type StopReason,
  strictestPercentile,
  type TrialVerdict,
} from '@overload/core/internal';
import { checkBaseline } from './baseline.js';
import { preflightRun } from './preflight.js';
import { type ProbeHandle, startProbes } from './probes.js';
import { startJudgedPhase } from './judged-phase.js';
import { type RunHandle, runConfig, startRun } from './run.js';
import { stopOfSignal } from './stop-signal.js';

export interface SearchRecoveryOptions {
  /** Baseline rate as a fraction of the highest rate that held (or of the breached one when none did; default 0.1). */
  readonly baselineRatio?: number;
  /** How long the baseline may take before the SLO starts holding (default 15 s). */
  readonly withinMs?: DurationInput;
  /** Length of the windows that must meet the SLO (default 1 s: trials are short). */
  readonly windowMs?: DurationInput;
  /** Back-to-back windows the SLO must hold for (default 3). */
  readonly sustainWindows?: number;
}

export interface SearchOptions extends Omit<RunOptions, 'profile' | 'rateRps' | 'durationMs'> {
  readonly slo: Slo | string;
  /** First trial rate (default 100 req/s). */
  readonly startRps?: number;
  readonly factor?: number;
  /** Stop when the bracket is within this fraction (default 0.05). */
  readonly precision?: number;
  readonly maxRps?: number;
  readonly minTrialMs?: DurationInput;
  readonly maxTrials?: number;
  /** Quiet time between trials so one trial's queues do not spill into the next (default 2 s). */
  readonly cooldownMs?: DurationInput;
  /** After a breached trial, wait for a baseline to hold before the next trial (the recovery rule). */
  readonly recovery?: SearchRecoveryOptions;
  readonly windowMs?: number;
  readonly warmupMs?: number;
  readonly probes?: readonly ProbeSpec[];
  readonly allowedHosts?: readonly string[];
  /** `false` skips the pre-flight reachability check (the CLI runs its own before starting anything). */
  readonly preflight?: false;
  readonly signal?: AbortSignal;
  readonly onInterval?: (interval: IntervalStats, trial: number, run: RunHandle) => void;
  readonly onTrial?: (trial: SearchTrialEvidence) => void;
  /** Called with each run's handle (guardrails attach their stop switches here): a trial, or the baseline after it. */
  readonly onPhaseStart?: (trial: number, run: RunHandle, kind: 'trial' | 'baseline') => void;
  /** Called when a baseline starts after the given trial (its intervals go to onInterval with that trial's index). */
  readonly onBaseline?: (afterTrial: number, rateRps: number) => void;
}

/** One trial with the step result it was judged on. */
export interface SearchTrialEvidence {
  readonly index: number;
  readonly rateRps: number;
  readonly durationMs: number;
  readonly verdict: TrialVerdict;
  readonly step: StepResult | undefined;
  /** The trial's intervals, on its own clock: what `overload compare` tests the trials' latencies on. */
  readonly intervals?: readonly IntervalStats[];
  readonly detail?: string;
  /** Why the trial's run ended, when it was not its own verdict (a guardrail, a signal, a crash). */
  readonly stopReason?: StopReason;
  /** The baseline after a breached trial: did the target recover before the next one? */
  readonly recovery?: RecoveryVerdict & { readonly baselineRps: number };
}

export interface SearchRunResult extends SearchResult {
  readonly schemaVersion: number;
  readonly kind: 'search';
  readonly startedAt: string;
  readonly target: { readonly url: string; readonly method: string };
  readonly slo: Slo;
  readonly evidence: readonly SearchTrialEvidence[];
  readonly probes: readonly ProbeSeries[];
  readonly aborted: boolean;
  /** Why the search ended early: a trial stopped by a guardrail, a kill switch or a worker crash. */
  readonly stopReason?: StopReason;
  readonly stopDetail?: string;
}

/**
 * Capacity search: constant-rate trials, growing geometrically until one breaches the SLO, then
 * bisecting between the last that held and the first that broke. Each trial is judged exactly
 * as a ramp step is (sliding windows, warm-up, the saturation rule ⇒ inconclusive).
 *
 * It fails loudly: a trial stopped by a guardrail, a kill switch or a crash is recorded as
 * `stopped` and ends the search with that stop reason (an error burst the judge itself calls a
 * breach is a breach). After a breached trial the next one waits for a low baseline to hold
 * (the recovery rule): a target still broken from the last trial would make every later trial
 * breach, and the bracket come out low. If it never holds, the search ends, marked unreliable.
 * A held trial needs no such wait: the target just met the SLO at a higher rate than any baseline.
 */
export async function search(options: SearchOptions): Promise<SearchRunResult> {
  const slo = typeof options.slo === 'string' ? parseSlo(options.slo) : options.slo;
  const percentile = strictestPercentile(slo);
  if (options.probes && options.probes.length > 0) resolveProbes(options.probes);
  const searchOptions: CapacitySearchOptions = {
    startRps: options.startRps ?? DEFAULTS.search.startRps,
    ...(options.factor !== undefined ? { factor: options.factor } : {}),
    ...(options.precision !== undefined ? { precision: options.precision } : {}),
    ...(options.maxRps !== undefined ? { maxRps: options.maxRps } : {}),
    ...(options.minTrialMs !== undefined ? { minTrialMs: parseDurationMs(options.minTrialMs) } : {}),
    ...(options.maxTrials !== undefined ? { maxTrials: options.maxTrials } : {}),
    ...(percentile !== undefined ? { percentile } : {}),
    warmupMs: options.warmupMs ?? DEFAULTS.search.warmupMs,
  };
  const machine = new CapacitySearch(searchOptions);
  const cooldownMs = parseDurationMs(options.cooldownMs ?? DEFAULTS.search.cooldownMs);
  const recoveryOptions = {
    baselineRatio: options.recovery?.baselineRatio ?? DEFAULTS.recovery.baselineRatio,
    withinMs: parseDurationMs(options.recovery?.withinMs ?? DEFAULTS.recovery.withinMs),
    windowMs: parseDurationMs(options.recovery?.windowMs ?? DEFAULTS.search.recoveryWindowMs),
    sustainWindows: options.recovery?.sustainWindows ?? DEFAULT_SUSTAIN_WINDOWS,
  };
  const { signal: _s, onInterval: _o, ...runOptions } = options;
  // Options and the allowlist first, then the pre-flight: nothing is sent to a host not allowed.
  // Each trial is this config with its own constant profile.
  const base = runConfig({ ...runOptions, profile: { kind: 'constant', rateRps: searchOptions.startRps, durationMs: 1000 } });
  if (options.preflight !== false) await preflightRun(base, options);
  const startedAt = new Date();
  const evidence: SearchTrialEvidence[] = [];
  let sentSoFar = 0;
  let probes: ProbeHandle | undefined;
  let probeT0 = 0;
  let current: RunHandle | undefined;
  let target = { url: options.url, method: options.method ?? 'GET' };
  let stop: { reason: StopReason; detail?: string } | undefined;
  const onAbort = () => {
    const s = stopOfSignal(options.signal);
    current?.stop(s.reason, s.detail);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const remaining = () => (options.maxRequests === undefined ? undefined : options.maxRequests - sentSoFar);
  try {
    for (let trial = 0; ; trial++) {
      const next = machine.next();
      if (!next || options.signal?.aborted) break;
      const left = remaining();
      if (left !== undefined && left <= 0) {
        stop = { reason: 'max-requests', detail: `--max-requests ${options.maxRequests} was used up after ${trial} trials` };
        machine.abandon(`stopped: ${stop.detail}`);
        break;
      }
      // This trial's t0; probe samples are on the first trial's clock and shifted onto it.
      let trialT0 = 0;
      const config = withProfile(
        base,
        { kind: 'constant', rateRps: next.rateRps, durationMs: next.durationMs },
        left !== undefined ? { maxRequests: left } : {},
      );
      // Built before the trial's threads: a judge that cannot be built refuses the trial.
      const judge = new RampJudge({
        steps: config.curve.steps,
        slo,
        ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
        ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
        intervalMs: config.intervalMs,
        arrivals: config.arrivals,
        arrivalUnit: config.arrivalUnit,
        ...(config.arrivalNames ? { arrivalNames: config.arrivalNames, names: config.names } : {}),
      });
      const phase = startJudgedPhase({
        config,
        judge,
        start: (c, hooks) => {
          const handle = startRun(c, hooks);
          current = handle;
          options.onPhaseStart?.(trial, handle, 'trial');
          if (options.signal?.aborted) onAbort();
          return handle;
        },
        onStarted: (t0) => {
          trialT0 = t0;
          if (!probes && options.probes && options.probes.length > 0) {
            probeT0 = t0;
            probes = startProbes(options.probes, {
              t0Perf: probeT0,
              ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
              ...(options.tls ? { tls: options.tls } : {}),
            });
          }
        },
        probes: () => (probes ? seriesWindow(probes.series(), trialT0 - probeT0) : undefined),
        onInterval: (interval, h) => options.onInterval?.(interval, trial, h),
      });
      target = { url: config.url, method: config.method };
      const trialOutcome = await phase.outcome;
      const run = trialOutcome.run;
      const loadStoppedAt = trialOutcome.t0 + trialOutcome.stoppedAtMs;
      sentSoFar += run.totals.sent;
      const summary = trialOutcome.summary;
      const step = judge.steps[0];
      // A trial stopped from outside has no verdict of its own (an error burst the judge itself
      // calls a breach is a breach: the phase reports it as the collapse it was).
      const stoppedFromOutside = isOutsideStop(trialOutcome.stop.reason);
      let verdict: TrialVerdict;
      let detail: string | undefined;
      if (stoppedFromOutside) {
        verdict = 'stopped';
        detail = `${run.stopReason}${run.stopDetail ? `: ${run.stopDetail}` : ''}`;
        stop = { reason: run.stopReason, ...(run.stopDetail ? { detail: run.stopDetail } : {}) };
      } else {
        verdict = summary.collapse ? 'breached' : summary.verdict === 'inconclusive' ? 'inconclusive' : 'held';
        detail = summary.collapse ? summary.collapse.signature.map(formatCondition).join(', ') : summary.inconclusive?.reason;
      }
      machine.record(next.rateRps, verdict, detail);
      let item: SearchTrialEvidence = {
        index: trial,
        rateRps: next.rateRps,
        durationMs: next.durationMs,
        verdict,
        step,
        intervals: run.intervals,
        ...(detail ? { detail } : {}),
        ...(verdict === 'stopped' ? { stopReason: run.stopReason } : {}),
      };
      if (stop) {
        evidence.push(item);
        options.onTrial?.(item);
        break;
      }
      // The next trial, if any, starts after a cool-down, and after a breach only once the
      // target holds the SLO again at a low rate.
      if (machine.next()) {
        await sleep(cooldownMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
        const budgetLeft = remaining();
        if (!options.signal?.aborted && verdict === 'breached' && (budgetLeft === undefined || budgetLeft > 0)) {
          const reference = machine.result().bracket[0] ?? next.rateRps;
          const baselineRps = Math.max(1, Math.round(reference * recoveryOptions.baselineRatio * 100) / 100);
          options.onBaseline?.(trial, baselineRps);
          const outcome = await checkBaseline({
            slo,
            rateRps: baselineRps,
            withinMs: recoveryOptions.withinMs,
            windowMs: recoveryOptions.windowMs,
            sustainWindows: recoveryOptions.sustainWindows,
            ...(base.arrivalNames ? { arrivalNames: base.arrivalNames, names: base.names } : {}),
            loadStoppedAt,
            probes: (t0) => (probes ? seriesWindow(probes.series(), t0 - probeT0) : undefined),
            start: (profile, onInterval) => {
              const left2 = remaining();
              // The baseline's errors are what it measures (the recovery rule decides on them);
              // at a tenth of the rate the error-burst guardrail would only cut that short.
              const baselineConfig = withProfile(base, profile, {
                errorBurst: false,
                ...(left2 !== undefined ? { maxRequests: left2 } : {}),
              });
              const h = startRun(baselineConfig, {
                ...(options.signal ? { signal: options.signal } : {}),
                onInterval: (interval, run2) => {
                  options.onInterval?.(interval, trial, run2);
                  onInterval(interval, run2);
                },
              });
              current = h;
              options.onPhaseStart?.(trial, h, 'baseline');
              if (options.signal?.aborted) onAbort();
              return h;
            },
          });
          sentSoFar += outcome.run.totals.sent;
          item = { ...item, recovery: { ...outcome.verdict, baselineRps } };
          const baselineStopped = isOutsideStop(outcome.run.stopReason);
          if (baselineStopped) {
            stop = { reason: outcome.run.stopReason, ...(outcome.run.stopDetail ? { detail: outcome.run.stopDetail } : {}) };
            machine.abandon(
              `stopped during the baseline after the trial at ${next.rateRps} req/s (${outcome.run.stopReason}${outcome.run.stopDetail ? `: ${outcome.run.stopDetail}` : ''})`,
            );
          } else if (!outcome.verdict.recovered) {
            machine.notRecovered(outcome.verdict.detail);
          }
        }
      }
      evidence.push(item);
      options.onTrial?.(item);
      if (stop) break;
    }
    if (!stop && options.signal?.aborted) {
      stop = stopOfSignal(options.signal);
      machine.abandon(stop.detail ?? stop.reason);
    }
    const series = probes?.series() ?? [];
    return {
      schemaVersion: RESULT_SCHEMA_VERSION,
      kind: 'search',
      startedAt: startedAt.toISOString(),
      target,
      slo,
      ...machine.result(),
      evidence,
      probes: series,
      aborted: options.signal?.aborted ?? false,
      ...(stop ? { stopReason: stop.reason, ...(stop.detail ? { stopDetail: stop.detail } : {}) } : {}),
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await probes?.stop();
  }
}

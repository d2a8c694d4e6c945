import {
  DEFAULTS,
  type DurationInput,
  type IntervalStats,
  type PartialMark,
  parseDurationMs,
  parseSlo,
  type ProbeSeries,
  type ProbeSample,
  type ProbeSpec,
  type RampEvent,
  RampJudge,
  type RampSummary,
  type RecoveryVerdict,
  type RunConfig,
  type RunOptions,
  type RunResult,
  type RunStop,
  resolveProbes,
  type Slo,
  type StepResult,
  type StopReason,
  ValidationError,
  type ValidationIssue,
  validateRecoveryOptions,
  validateScopedNames,
  validateSloProbeNames,
} from '@overload/core/internal';
import { type RunHandle, type RunStarter, runConfig } from './run.js';

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

/** What a ramp is: the run, its SLO, its probes, the judge's windows and the recovery check. */
export interface RampSettings extends RunOptions {
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
}

/** What a ramp calls back while it runs. */
export interface RampHooks {
  readonly signal?: AbortSignal;
  readonly onInterval?: (interval: IntervalStats, phase: RampPhase, run: RunHandle) => void;
  readonly onEvent?: (event: RampEvent | { readonly type: 'phase'; readonly phase: RampPhase }) => void;
  /** Called once per phase with its run handle (guardrails attach their stop switches here). */
  readonly onPhaseStart?: (phase: RampPhase, run: RunHandle) => void;
  /** Each probe sample as it is recorded, on the probes' clock (the live dashboard draws them). Must not throw. */
  readonly onProbeSample?: (name: string, sample: ProbeSample) => void;
  /**
   * The ramp phase is over (its verdict events told, its load drained), before any cool-down:
   * awaited, so a clean-up action (resume the consumers) has put the target back before its
   * recovery is judged.
   */
  readonly onRampPhaseEnd?: (stop: Omit<RunStop, 'atMs'>) => Promise<unknown> | undefined;
  /**
   * Starts each phase's run (default `startRun`, on this machine). A coordinator passes one that
   * runs the phase on every shard and hands back their merged intervals, so the ramp is judged,
   * stopped and checked for recovery exactly as on one machine.
   */
  readonly startRun?: RunStarter;
}

export type RampOptions = RampSettings & RampHooks;

/** The recovery check with every default filled in. */
export interface RecoverySettings {
  readonly baselineRatio: number;
  readonly baselineRps: number | undefined;
  readonly cooldownMs: number;
  readonly withinMs: number;
  readonly windowMs: number;
  readonly sustainWindows: number;
}

/**
 * A ramp resolved once, before anything starts: the run config (flows compiled), the SLO, the
 * probes, the judge built from them and the recovery settings. Making one refuses every bad
 * input (an SLO naming a journey the run lacks, a profile without steps, a warm-up longer than a
 * step) before any thread exists. Its judge is the ramp's: a plan runs once.
 */
export interface RampPlan {
  readonly settings: RampSettings;
  readonly config: RunConfig;
  readonly slo: Slo;
  readonly probes: readonly ProbeSpec[];
  readonly judge: RampJudge;
  readonly recovery: RecoverySettings | false;
}

export function planRamp(settings: RampSettings): RampPlan {
  const slo = typeof settings.slo === 'string' ? parseSlo(settings.slo) : settings.slo;
  const probes = settings.probes ?? [];
  // Probe mistakes are found before any load is sent, not halfway through the ramp.
  if (probes.length > 0) resolveProbes(probes);
  const config = runConfig(settings);
  const issues: ValidationIssue[] = [];
  if (config.curve.steps.length === 0) issues.push({ path: 'profile', message: 'has no steps to judge; use step, exponential or stages' });
  issues.push(...validateScopedNames(slo, config.names));
  issues.push(
    ...validateSloProbeNames(
      slo,
      probes.map((p) => p.name),
    ),
  );
  const recovery = settings.recovery === false ? false : recoverySettings(settings.recovery ?? {}, issues);
  if (issues.length > 0) throw new ValidationError('ramp options', issues);
  const curve = config.curve;
  const judge = new RampJudge({
    steps: curve.steps,
    slo,
    ...(settings.windowMs !== undefined ? { windowMs: settings.windowMs } : {}),
    ...(settings.warmupMs !== undefined ? { warmupMs: settings.warmupMs } : {}),
    intervalMs: config.intervalMs,
    scheduledArrivals: (a, b) => curve.areaAt(Math.min(b, curve.durationMs)) - curve.areaAt(Math.min(a, curve.durationMs)),
    arrivals: config.arrivals,
    arrivalUnit: config.arrivalUnit,
    ...(config.arrivalNames ? { arrivalNames: config.arrivalNames, names: config.names } : {}),
  });
  return { settings, config, slo, probes, judge, recovery };
}

function recoverySettings(r: RampRecoveryOptions, issues: ValidationIssue[]): RecoverySettings {
  const d = DEFAULTS.recovery;
  const settings: RecoverySettings = {
    baselineRatio: r.baselineRatio ?? d.baselineRatio,
    baselineRps: r.baselineRps,
    cooldownMs: parseDurationMs(r.cooldownMs ?? d.cooldownMs),
    withinMs: parseDurationMs(r.withinMs ?? d.withinMs),
    windowMs: parseDurationMs(r.windowMs ?? d.windowMs),
    sustainWindows: r.sustainWindows ?? d.sustainWindows,
  };
  for (const [k, v] of [
    ['cooldownMs', settings.cooldownMs],
    ['withinMs', settings.withinMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      issues.push({ path: `recovery.${k}`, message: `must be a duration such as 2s (got ${String(r[k])})` });
  }
  issues.push(
    ...validateRecoveryOptions({ windowMs: settings.windowMs, sustainWindows: settings.sustainWindows, cooldownMs: 0 }).map((i) => ({
      ...i,
      path: `recovery.${i.path.replace(/^options\./, '')}`,
    })),
  );
  return settings;
}

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
  /** With a partial verdict: the step sending stopped in. */
  readonly stoppedDuring?: StepResult;
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

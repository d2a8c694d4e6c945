import { setTimeout as sleep } from 'node:timers/promises';
import {
  CapacitySearch,
  type CapacitySearchOptions,
  type DurationInput,
  formatCondition,
  type IntervalStats,
  parseDurationMs,
  parseSlo,
  type ProbeSeries,
  type ProbeSpec,
  RampJudge,
  resolveProbes,
  seriesWindow,
  RESULT_SCHEMA_VERSION,
  type RunOptions,
  type SearchResult,
  type Slo,
  type StepResult,
  strictestPercentile,
} from '@overload/core';
import { type ProbeHandle, startProbes } from './probes.js';
import { type RunHandle, startRun } from './run.js';

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
  readonly windowMs?: number;
  readonly warmupMs?: number;
  readonly probes?: readonly ProbeSpec[];
  readonly allowedHosts?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onInterval?: (interval: IntervalStats, trial: number, run: RunHandle) => void;
  readonly onTrial?: (trial: SearchTrialEvidence) => void;
  readonly onPhaseStart?: (trial: number, run: RunHandle) => void;
}

/** One trial with the step result it was judged on. */
export interface SearchTrialEvidence {
  readonly index: number;
  readonly rateRps: number;
  readonly durationMs: number;
  readonly verdict: 'held' | 'breached' | 'inconclusive';
  readonly step: StepResult | undefined;
  readonly detail?: string;
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
}

/**
 * Capacity search: constant-rate trials, growing geometrically until one breaches the SLO, then
 * bisecting between the last that held and the first that broke. Each trial is judged exactly
 * as a ramp step is (sliding windows, warm-up, generator saturation ⇒ inconclusive).
 */
export async function search(options: SearchOptions): Promise<SearchRunResult> {
  const slo = typeof options.slo === 'string' ? parseSlo(options.slo) : options.slo;
  const percentile = strictestPercentile(slo);
  if (options.probes && options.probes.length > 0) resolveProbes(options.probes);
  const searchOptions: CapacitySearchOptions = {
    startRps: options.startRps ?? 100,
    ...(options.factor !== undefined ? { factor: options.factor } : {}),
    ...(options.precision !== undefined ? { precision: options.precision } : {}),
    ...(options.maxRps !== undefined ? { maxRps: options.maxRps } : {}),
    ...(options.minTrialMs !== undefined ? { minTrialMs: parseDurationMs(options.minTrialMs) } : {}),
    ...(options.maxTrials !== undefined ? { maxTrials: options.maxTrials } : {}),
    ...(percentile !== undefined ? { percentile } : {}),
    warmupMs: options.warmupMs ?? 1000,
  };
  const machine = new CapacitySearch(searchOptions);
  const cooldownMs = parseDurationMs(options.cooldownMs ?? 2000);
  const startedAt = new Date();
  const evidence: SearchTrialEvidence[] = [];
  let sentSoFar = 0;
  let probes: ProbeHandle | undefined;
  let probeT0 = 0;
  let current: RunHandle | undefined;
  let target = { url: options.url, method: options.method ?? 'GET' };
  const onAbort = () => current?.stop('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let trial = 0; ; trial++) {
      const next = machine.next();
      if (!next || options.signal?.aborted) break;
      if (trial > 0) await sleep(cooldownMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
      if (options.signal?.aborted) break;
      // The request cap holds across trials.
      const remaining = options.maxRequests === undefined ? undefined : options.maxRequests - sentSoFar;
      if (remaining !== undefined && remaining <= 0) break;
      let judge: RampJudge | undefined;
      let decided = false;
      // This trial's t0; probe samples are on the first trial's clock and shifted onto it.
      let trialT0 = 0;
      const { signal: _s, onInterval: _o, ...runOptions } = options;
      const handle = startRun({
        ...runOptions,
        profile: { kind: 'constant', rateRps: next.rateRps, durationMs: next.durationMs },
        ...(remaining !== undefined ? { maxRequests: remaining } : {}),
        onInterval: (interval, h) => {
          options.onInterval?.(interval, trial, h);
          if (decided || !judge) return;
          const window = probes ? seriesWindow(probes.series(), trialT0 - probeT0) : undefined;
          const event = judge.push(interval, window);
          if (event?.type === 'collapse' || event?.type === 'inconclusive') {
            decided = true;
            h.stop(event.type, event.type === 'inconclusive' ? event.reason : `breached at ${next.rateRps} req/s`);
          }
        },
      });
      current = handle;
      options.onPhaseStart?.(trial, handle);
      judge = new RampJudge({
        steps: handle.config.curve.steps,
        slo,
        ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
        ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
        lagThresholdMs: handle.config.lagThresholdMs,
        intervalMs: handle.config.intervalMs,
      });
      target = { url: handle.config.url, method: handle.config.method };
      trialT0 = await Promise.race([handle.started, handle.result.then(() => performance.now())]);
      if (!probes && options.probes && options.probes.length > 0) {
        probeT0 = trialT0;
        probes = startProbes(options.probes, { t0Perf: probeT0, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}), ...(options.tls ? { tls: options.tls } : {}) });
      }
      const run = await handle.result;
      sentSoFar += run.totals.sent;
      if (options.signal?.aborted || (run.stopReason !== 'completed' && run.stopReason !== 'collapse' && run.stopReason !== 'inconclusive')) break;
      if (!decided) judge.finish();
      const summary = judge.summary();
      const step = judge.steps[0];
      const verdict = summary.verdict === 'collapsed' ? 'breached' : summary.verdict === 'inconclusive' ? 'inconclusive' : 'held';
      const detail =
        summary.verdict === 'collapsed'
          ? summary.collapse!.signature.map(formatCondition).join(', ')
          : summary.inconclusive?.reason;
      machine.record(next.rateRps, verdict, detail);
      const item: SearchTrialEvidence = { index: trial, rateRps: next.rateRps, durationMs: next.durationMs, verdict, step, ...(detail ? { detail } : {}) };
      evidence.push(item);
      options.onTrial?.(item);
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
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await probes?.stop();
  }
}

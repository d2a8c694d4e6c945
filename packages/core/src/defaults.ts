/**
 * Every default of overload, in one literal: what a run, a ramp, its judge, the recovery check,
 * a capacity search and a probe do when nothing says otherwise. Code reads its defaults from
 * here and never types a number again; the docs quote these values.
 */
export const DEFAULTS = {
  run: {
    /** Per-request timeout, from the moment the request is sent. */
    timeoutMs: 10_000,
    /** Statuses that count as success (as k6): 200–399. */
    expectStatus: [[200, 399]] as readonly (readonly [number, number])[],
    /** Length of a reporting interval. */
    intervalMs: 1000,
    /** After a stop, in-flight requests may finish for min(timeout, this) before they are abandoned. */
    drainMaxMs: 5000,
    /** Generator lag p99 above this is noted in the result (it does not make the run saturated). */
    lagThresholdMs: 5,
    /** An arrival the send loop reaches this late is dropped as the generator's fault. */
    lateDropMs: 1000,
    arrivals: 'uniform' as 'uniform' | 'poisson',
    seed: 1,
    /** Requests on one connection before the first answer: 1 is none (as browsers and wrk2). */
    pipelining: 1,
    /** The header that carries the run id on every request. */
    runIdHeader: 'x-overload-run',
    /** Plain HTTP/1.1 requests take overload's own client; the rest, undici. */
    client: 'auto' as 'auto' | 'undici',
  },
  /** The error-burst guardrail: stop when errors pass this rate over this window. */
  errorBurst: { maxErrorRate: 0.5, windowMs: 5000, minOutcomes: 20 },
  /** `overload compare`: the smallest change that counts, and the bootstrap over intervals. */
  compare: {
    /** A latency change smaller than this share of the baseline is not a regression. */
    minEffectRatio: 0.1,
    /** ...nor one smaller than this many ms (so a 2 ms p99 moving to 2.4 ms is not flagged). */
    minEffectMs: 5,
    /** Error rate and achieved ratio: absolute floors (1 point of errors, 5 points of achieved). */
    minEffectErrorRate: 0.01,
    minEffectAchieved: 0.05,
    /** Fewer intervals than this on either side, and the metric cannot be told. */
    minIntervals: 5,
    resamples: 2000,
    confidence: 0.95,
    seed: 1,
  },
  /** SLO limits that apply unless the SLO sets its own. */
  slo: { maxErrorRate: 0.01, minAchievedRatio: 0.95, maxDropRate: 0 },
  judge: {
    /** The sliding window judged inside each step. */
    windowMs: 5000,
    /** The part of a step not judged after the rate changes: min(warmupMaxMs, warmupRatio × step). */
    warmupMaxMs: 1000,
    warmupRatio: 0.2,
  },
  recovery: {
    /** The baseline rate, as a fraction of the knee (of the collapse step when nothing held). */
    baselineRatio: 0.1,
    /** Quiet time between the collapse and the baseline. */
    cooldownMs: 2000,
    /** How long the baseline may take before the SLO starts holding. */
    withinMs: 15_000,
    /** Length of the windows the SLO must hold in. */
    windowMs: 3000,
    /** Back-to-back windows the SLO must hold for, with no breach after them. */
    sustainWindows: 3,
  },
  search: {
    startRps: 100,
    /** Growth between trials before the first breach. */
    factor: 2,
    /** Stop when the bracket is within this fraction. */
    precision: 0.05,
    minTrialMs: 5000,
    maxTrials: 20,
    /** Quiet time between trials. */
    cooldownMs: 2000,
    /** Each trial's warm-up. */
    warmupMs: 1000,
    /** The recovery rule between trials uses short windows: trials are short. */
    recoveryWindowMs: 1000,
  },
  probe: {
    intervalMs: 1000,
    timeoutMs: 500,
    /** The largest probe response read. */
    maxBodyBytes: 1024 * 1024,
    expectStatus: [[200, 299]] as readonly (readonly [number, number])[],
  },
  signal: {
    /**
     * A second SIGINT/SIGTERM this soon after the first is the same stop, not the hard stop:
     * wrappers forward the user's one Ctrl-C (pnpm sends a SIGTERM right after the SIGINT the
     * terminal sent, npm a second SIGINT). Only a signal after this grace abandons in-flight requests.
     */
    sameStopWithinMs: 1000,
    /**
     * How often a command started by a package manager checks that the wrapper is still there
     * (process.ppid, one cheap system call): a wrapper gone before its child was stopped, and the
     * load stops too (see docs/stopping.md).
     */
    wrapperCheckEveryMs: 200,
  },
  dashboard: {
    /**
     * With --dashboard, sending waits for the first viewer to open the page, at most this long:
     * whoever opens the printed URL sees the run from its first second, and a browser starting on
     * the generator's machine has done its start-up before the load does (no wait without a viewer
     * beyond this).
     */
    firstViewerWaitMs: 5000,
  },
  preflight: {
    /** Each pre-flight check (a connect, a probe GET) may take at most this long. */
    timeoutMs: 5000,
  },
  action: {
    /** An action (pause the consumers, drop a dependency) is one admin call: 10 s is generous. */
    timeoutMs: 10_000,
    expectStatus: [[200, 299]] as readonly (readonly [number, number])[],
    /** Actions due at the same moment (several clean-ups at the stop) go out at most this many at a time. */
    concurrency: 4,
  },
  pinch: {
    /**
     * A queue is back in its steady range when it is at most the 90th percentile of its samples
     * before the hold (one odd sample does not widen the range), and never less than its
     * median + 1: a queue idling at 0 that reads 1 now and then is drained.
     */
    steadyPercentile: 0.9,
    steadySlack: 1,
  },
} as const;

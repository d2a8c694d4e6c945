import { OverloadError, ValidationError, type ValidationIssue } from '../errors.js';
import { formatRate } from '../collapse/format.js';
import { minSamplesForPercentile } from '../slo/slo.js';
import { readNumber } from '../units.js';
import { DEFAULTS } from '../defaults.js';

export interface CapacitySearchOptions {
  /** First trial rate. */
  readonly startRps: number;
  /** Growth between trials until the first breach (default 2). */
  readonly factor?: number;
  /** Stop when (hi − lo) / lo is at most this (default 0.05: within 5 %). */
  readonly precision?: number;
  /** Never try a rate above this (a guardrail). */
  readonly maxRps?: number;
  /** Shortest trial (default 5 s). */
  readonly minTrialMs?: number;
  /** The strictest percentile of the SLO (`strictestPercentile(slo)`); trials last long enough for it to be judged. */
  readonly percentile?: number;
  /** Give up after this many trials (default 20). */
  readonly maxTrials?: number;
  /** Added to each trial for the judge's warm-up, so the judged part still holds enough samples (default 0). */
  readonly warmupMs?: number;
}

/** `stopped`: a guardrail, a kill switch or a crash ended the trial before it could be judged. */
export type TrialVerdict = 'held' | 'breached' | 'inconclusive' | 'stopped';

export interface SearchTrial {
  readonly index: number;
  readonly rateRps: number;
  readonly durationMs: number;
  /** `up`: growing until the first breach; `down`: shrinking because the start rate already breached; `bisect`: narrowing. */
  readonly phase: 'up' | 'down' | 'bisect';
  readonly verdict: TrialVerdict;
  readonly detail?: string;
}

export interface SearchResult {
  /** The highest rate that held (absent when none did). */
  readonly sustainableRps?: number;
  /** [highest held, lowest breached]; null where no trial has landed yet. */
  readonly bracket: readonly [number | null, number | null];
  readonly trials: readonly SearchTrial[];
  readonly converged: boolean;
  /**
   * False when the target did not recover from a breached trial before the next one: every
   * later trial ran against a target still broken, so the bracket may sit too low.
   */
  readonly reliable: boolean;
  readonly reason: string;
}

/** Below this the "down" phase gives up: a target that fails at 1 req/s needs fixing, not measuring. */
const MIN_RPS = 1;

/**
 * Finds the highest sustainable rate with as few trials as possible, as a state machine the
 * orchestrator drives: `next()` says what to run, `record()` says how it went.
 *
 * Rates grow geometrically until the first breach (a target's capacity is unknown by orders of
 * magnitude, and doubling finds it in log₂ trials), then the bracket between the last rate that
 * held and the first that breached is bisected until it is within `precision`. Each trial lasts
 * long enough for the SLO's strictest percentile to rest on its minimum sample count at that rate
 * (see `minSamplesForPercentile`), with 20 % headroom because the warm-up, the window edges and
 * a target at 95 % of offered all shave responses off the count. A trial whose generator was
 * saturated ends the search: any rate above it would be just as unmeasurable; so does a trial
 * stopped by a guardrail or a crash, and a target that did not recover after a breached trial
 * (`notRecovered`): the search never ends quietly on a trial it could not judge.
 */
export class CapacitySearch {
  readonly #startRps: number;
  readonly #factor: number;
  readonly #precision: number;
  readonly #maxRps: number | undefined;
  readonly #minTrialMs: number;
  readonly #percentile: number | undefined;
  readonly #maxTrials: number;
  readonly #warmupMs: number;
  readonly #trials: SearchTrial[] = [];
  #lo: number | undefined;
  #hi: number | undefined;
  #pending: { rateRps: number; durationMs: number; phase: SearchTrial['phase'] } | undefined;
  #done: { converged: boolean; reason: string } | undefined;
  #reliable = true;

  constructor(options: CapacitySearchOptions) {
    const issues = validateCapacitySearchOptions(options);
    if (issues.length > 0) throw new ValidationError('search options', issues);
    this.#startRps = options.startRps;
    this.#factor = options.factor ?? DEFAULTS.search.factor;
    this.#precision = options.precision ?? DEFAULTS.search.precision;
    this.#maxRps = options.maxRps;
    this.#minTrialMs = options.minTrialMs ?? DEFAULTS.search.minTrialMs;
    this.#percentile = options.percentile;
    this.#maxTrials = options.maxTrials ?? DEFAULTS.search.maxTrials;
    this.#warmupMs = options.warmupMs ?? 0;
    this.#schedule(Math.min(this.#startRps, this.#maxRps ?? Number.POSITIVE_INFINITY), 'up');
  }

  /** The next trial to run, or undefined when the search is over. Idempotent until `record()`. */
  next(): { readonly rateRps: number; readonly durationMs: number } | undefined {
    if (this.#done || !this.#pending) return undefined;
    return { rateRps: this.#pending.rateRps, durationMs: this.#pending.durationMs };
  }

  /** How the trial returned by `next()` went. */
  record(rateRps: number, verdict: TrialVerdict, detail?: string): void {
    const p = this.#pending;
    if (this.#done || !p) throw new OverloadError('OVL_INTERNAL', `search is over; no trial at ${formatRate(rateRps)} was pending`);
    if (p.rateRps !== rateRps)
      throw new OverloadError('OVL_INTERNAL', `search expected a trial at ${formatRate(p.rateRps)}, got ${formatRate(rateRps)}`);
    this.#pending = undefined;
    this.#trials.push({
      index: this.#trials.length,
      rateRps,
      durationMs: p.durationMs,
      phase: p.phase,
      verdict,
      ...(detail ? { detail } : {}),
    });
    if (verdict === 'inconclusive' || verdict === 'stopped') {
      this.#finish(false, `the trial at ${formatRate(rateRps)} was ${verdict}${detail ? `: ${detail}` : ''}`);
      return;
    }
    if (verdict === 'held') this.#lo = Math.max(this.#lo ?? 0, rateRps);
    else this.#hi = Math.min(this.#hi ?? Number.POSITIVE_INFINITY, rateRps);
    this.#advance(rateRps);
    if (!this.#done && this.#trials.length >= this.#maxTrials) {
      this.#finish(
        false,
        `stopped after ${this.#trials.length} trials (options.maxTrials) with the capacity between ${this.#bracketText()}`,
      );
    }
  }

  /**
   * The target did not recover after the last (breached) trial: no later trial could be trusted,
   * so the search ends here with the bracket marked unreliable.
   */
  notRecovered(detail: string): void {
    if (this.#done) throw new OverloadError('OVL_INTERNAL', 'search is over; nothing to mark unreliable');
    this.#reliable = false;
    const last = this.#trials[this.#trials.length - 1];
    this.#finish(
      false,
      `the bracket is unreliable: the target did not recover after the trial at ${last ? formatRate(last.rateRps) : 'the start'}${detail ? ` (${detail})` : ''}`,
    );
  }

  /** Ends the search from outside (a guardrail between trials, an abort) with the reason given. */
  abandon(reason: string): void {
    if (this.#done) return;
    this.#finish(false, reason);
  }

  result(): SearchResult {
    return {
      ...(this.#lo !== undefined ? { sustainableRps: this.#lo } : {}),
      bracket: [this.#lo ?? null, this.#hi ?? null],
      trials: this.#trials,
      converged: this.#done?.converged ?? false,
      reliable: this.#reliable,
      reason: this.#done?.reason ?? 'the search has not finished',
    };
  }

  /** Trial length at a rate: the minimum, or the time to collect the percentile's samples (+20 %), in whole seconds. */
  trialDurationMs(rateRps: number): number {
    const samples = this.#percentile === undefined ? 0 : minSamplesForPercentile(this.#percentile);
    const collectMs = Math.ceil((1.2 * samples) / rateRps) * 1000;
    return this.#warmupMs + Math.max(this.#minTrialMs, collectMs);
  }

  #advance(lastRps: number): void {
    const lo = this.#lo;
    const hi = this.#hi;
    if (hi === undefined) {
      // Still growing: every trial so far held.
      const ceiling = this.#maxRps ?? Number.POSITIVE_INFINITY;
      if (lastRps >= ceiling) {
        this.#finish(false, `held at the ceiling ${formatRate(ceiling)} (options.maxRps); the capacity is above it`);
        return;
      }
      this.#schedule(Math.min(roundRate(lastRps * this.#factor), ceiling), 'up');
      return;
    }
    if (lo === undefined) {
      // The start rate already breached: shrink until something holds.
      const down = roundRate(lastRps / this.#factor);
      if (down < MIN_RPS) {
        this.#finish(false, `breached even at ${formatRate(lastRps)}; nothing lower was tried`);
        return;
      }
      this.#schedule(down, 'down');
      return;
    }
    if ((hi - lo) / lo <= this.#precision) {
      this.#finish(true, `the capacity is between ${this.#bracketText()}, within ${Number((this.#precision * 100).toPrecision(12))} %`);
      return;
    }
    const mid = roundRate((lo + hi) / 2);
    if (mid <= lo || mid >= hi) {
      this.#finish(true, `the capacity is between ${this.#bracketText()}, too close to split further`);
      return;
    }
    this.#schedule(mid, 'bisect');
  }

  #schedule(rateRps: number, phase: SearchTrial['phase']): void {
    this.#pending = { rateRps, durationMs: this.trialDurationMs(rateRps), phase };
  }

  #finish(converged: boolean, reason: string): void {
    this.#pending = undefined;
    this.#done = { converged, reason };
  }

  #bracketText(): string {
    return `${this.#lo === undefined ? '?' : formatRate(this.#lo)} (held) and ${this.#hi === undefined ? '?' : formatRate(this.#hi)} (breached)`;
  }
}

/** Whole req/s from 100 up, finer below, so trial rates read well and bisection still moves. */
function roundRate(rps: number): number {
  if (rps >= 100) return Math.round(rps);
  if (rps >= 10) return Math.round(rps * 10) / 10;
  return Math.round(rps * 100) / 100;
}

export function validateCapacitySearchOptions(options: CapacitySearchOptions, path = 'options'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rate = { min: 0, allowMin: false, what: 'a rate in req/s' };
  const start = readNumber(options.startRps, `${path}.startRps`, issues, rate);
  if (options.factor !== undefined)
    readNumber(options.factor, `${path}.factor`, issues, { min: 1, allowMin: false, what: 'a growth factor' });
  if (options.precision !== undefined)
    readNumber(options.precision, `${path}.precision`, issues, { min: 0, allowMin: false, what: 'a fraction such as 0.05' });
  if (options.maxRps !== undefined) {
    const max = readNumber(options.maxRps, `${path}.maxRps`, issues, rate);
    if (max < start) issues.push({ path: `${path}.maxRps`, message: `must be >= startRps (${start}) (got ${max})` });
  }
  if (options.minTrialMs !== undefined)
    readNumber(options.minTrialMs, `${path}.minTrialMs`, issues, { min: 0, allowMin: false, what: 'a number of milliseconds' });
  if (options.percentile !== undefined) {
    const p = readNumber(options.percentile, `${path}.percentile`, issues, { min: 0, allowMin: false, what: 'a percentile' });
    if (p > 100) issues.push({ path: `${path}.percentile`, message: `must be <= 100 (got ${p})` });
  }
  if (options.maxTrials !== undefined)
    readNumber(options.maxTrials, `${path}.maxTrials`, issues, { min: 1, integer: true, what: 'a positive integer' });
  if (options.warmupMs !== undefined)
    readNumber(options.warmupMs, `${path}.warmupMs`, issues, { min: 0, what: 'a number of milliseconds' });
  return issues;
}

import type { IntervalStats } from '../run/interval.js';
import { DEFAULTS } from '../defaults.js';

export interface ErrorBurstOptions {
  /** Stop when the error rate over the window exceeds this fraction (default 0.5). */
  readonly maxErrorRate: number;
  /** The window, in ms (default 5000). */
  readonly windowMs: number;
  /** Do not judge a window with fewer outcomes than this (default 20). */
  readonly minOutcomes: number;
}

export const DEFAULT_ERROR_BURST: ErrorBurstOptions = DEFAULTS.errorBurst;

/**
 * Stops hammering a system that is already failing: once more than maxErrorRate of outcomes in
 * the last windowMs are errors, there is nothing more to learn by sending harder.
 */
export class ErrorBurstDetector {
  readonly #options: ErrorBurstOptions;
  readonly #window: IntervalStats[] = [];

  constructor(options: Partial<ErrorBurstOptions> = {}) {
    this.#options = { ...DEFAULT_ERROR_BURST, ...options };
  }

  /** Returns a description of the burst when the run should stop, else undefined. */
  push(interval: IntervalStats): string | undefined {
    this.#window.push(interval);
    let spanMs = 0;
    for (const i of this.#window) spanMs += i.durationMs;
    while (this.#window.length > 1 && spanMs - this.#window[0]!.durationMs >= this.#options.windowMs) {
      spanMs -= this.#window.shift()!.durationMs;
    }
    if (spanMs < this.#options.windowMs) return undefined;
    let errors = 0;
    let outcomes = 0;
    for (const i of this.#window) {
      errors += i.errors;
      outcomes += i.responses + i.errors - i.errorsByClass.status;
    }
    if (outcomes < this.#options.minOutcomes) return undefined;
    const rate = errors / outcomes;
    if (rate <= this.#options.maxErrorRate) return undefined;
    return `${(rate * 100).toFixed(1)} % errors over the last ${(spanMs / 1000).toFixed(0)} s (limit ${(this.#options.maxErrorRate * 100).toFixed(0)} %)`;
  }
}

/** Parses `50%/5s` (rate/window) as given to `--abort-on-errors`. */
export function parseErrorBurst(text: string, parseDuration: (s: string) => number): ErrorBurstOptions | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*(?:\/\s*(\S+))?\s*$/.exec(text);
  if (!m) return undefined;
  const windowMs = m[2] ? parseDuration(m[2]) : DEFAULT_ERROR_BURST.windowMs;
  if (!Number.isFinite(windowMs) || windowMs <= 0) return undefined;
  return { ...DEFAULT_ERROR_BURST, maxErrorRate: Number(m[1]) / 100, windowMs };
}

import { IntervalAggregator, type IntervalReport } from '@overload/core/internal';

/**
 * The main thread's share of the JIT warm-up: the interval reports of each worker's warm-up pass
 * (its own loopback server, before t0) go through an aggregator of their own, which is then thrown
 * away. Nothing of it reaches the run's figures.
 *
 * Merging a report (decoding its histograms, adding them, reading percentiles) is cold code on the
 * main thread until it has run a few times, and that thread shares the core with the workers.
 * Measured pinned to one core at 14,000 req/s: at the run's first two interval boundaries the
 * main thread and V8's compiler threads took 50–70 % of the core for 100 ms (interpreting, then
 * compiling the histogram code), and seconds 1 and 2 showed lag p99 of 7–15 ms, against 1.1 ms
 * later. The warm-up reports its intervals every few milliseconds, so this code is optimised
 * before t0.
 */
export class WarmAggregation {
  readonly #intervalMs: number;
  readonly #arrivalNames: readonly number[] | undefined;
  readonly #aggregators: (IntervalAggregator | undefined)[] = [];
  readonly #lastIndex: number[] = [];

  constructor(intervalMs: number, arrivalNames: readonly number[] | undefined) {
    this.#intervalMs = intervalMs;
    this.#arrivalNames = arrivalNames;
  }

  add(worker: number, report: IntervalReport): void {
    let aggregator = this.#aggregators[worker];
    // Each warm-up pass numbers its intervals from 0 again: a new pass gets a new aggregator.
    if (aggregator === undefined || report.index <= (this.#lastIndex[worker] ?? -1)) {
      aggregator = new IntervalAggregator(1, this.#intervalMs, undefined, this.#arrivalNames);
      this.#aggregators[worker] = aggregator;
    }
    this.#lastIndex[worker] = report.index;
    aggregator.add(0, report);
  }

  /** t0: let go of everything. */
  clear(): void {
    this.#aggregators.length = 0;
    this.#lastIndex.length = 0;
  }
}

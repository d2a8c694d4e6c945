import type { LatencySummaryMs } from '@overload/core/internal';

/**
 * A Prometheus summary whose quantiles are the exact HDR percentiles of the last merged interval.
 *
 * prom-client's own `Summary` estimates quantiles from the values it observes itself (t-digest);
 * we already have exact percentiles per interval, so this one publishes those. The exposition
 * follows the summary contract (https://prometheus.io/docs/concepts/metric_types/#summary):
 * the `quantile` samples cover a recent window (here: the last interval), while `_sum` and
 * `_count` are cumulative over the run, so `rate(x_sum[1m]) / rate(x_count[1m])` is the mean.
 * A `quantile` label on anything but a summary is what `promtool check metrics` rejects.
 *
 * It implements the object shape a prom-client `Registry` reads (`name`, `help`, `type`,
 * `get()`, `reset()`), so it is served by the same registry with its default labels.
 */
export const SUMMARY_QUANTILES = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
  ['1', 'max'],
] as const satisfies readonly (readonly [string, keyof LatencySummaryMs])[];

interface SummaryValue {
  readonly value: number;
  readonly labels: Record<string, string>;
  readonly metricName?: string;
}

export class IntervalSummary {
  readonly type = 'summary';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[] = [];
  #last: LatencySummaryMs | undefined;
  #sumSeconds = 0;
  #count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Publishes one interval: its percentiles replace the last ones, its count and sum add up. */
  observeInterval(summaryMs: LatencySummaryMs): void {
    this.#last = summaryMs;
    this.#count += summaryMs.count;
    this.#sumSeconds += (summaryMs.mean * summaryMs.count) / 1000;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: SummaryValue[] }> {
    const values: SummaryValue[] = [];
    // An interval without a response has no percentiles: NaN (what client_golang's summaries say
    // for an empty window, drawn as a gap), never 0 s, which would read as a fast target.
    const last = this.#last;
    if (last) {
      for (const [quantile, key] of SUMMARY_QUANTILES)
        values.push({ labels: { quantile }, value: last.count > 0 ? last[key] / 1000 : Number.NaN });
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.#sumSeconds });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.#count });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#last = undefined;
    this.#sumSeconds = 0;
    this.#count = 0;
  }
}

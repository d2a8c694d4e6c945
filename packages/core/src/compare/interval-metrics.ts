import type { StepResult } from '../collapse/step-result.js';
import type { IntervalStats, NameStats } from '../run/interval.js';
import { errorTotal } from '../run/interval.js';
import type { NameEntry } from '../scenario/flow-plan.js';
import type { LatencySummaryMs } from '../stats/histogram.js';
import {
  type CompareOptions,
  compareMetric,
  compareStrata,
  type MetricComparison,
  type MetricPlace,
  type MetricSamples,
} from './metric-verdict.js';

/** Per-interval samples of one place (all requests, or one name): what each metric is tested on. */
interface Series {
  readonly p50: MetricSamples;
  readonly p99: MetricSamples;
  readonly errors: MetricSamples;
  /** Only for all requests: arrivals that ended ok over arrivals offered. */
  readonly achieved?: MetricSamples;
}

function latencies(summaries: readonly LatencySummaryMs[]): Pick<Series, 'p50' | 'p99'> {
  const answered = summaries.filter((l) => l.count > 0);
  return {
    p50: { kind: 'latency-ms', values: answered.map((l) => l.p50), next: answered.map((l) => l.p90) },
    p99: { kind: 'latency-ms', values: answered.map((l) => l.p99), next: answered.map((l) => l.p999) },
  };
}

function seriesOfAll(intervals: readonly IntervalStats[]): Series {
  const usable = intervals.filter((i) => i.sent > 0);
  return {
    ...latencies(usable.map((i) => i.latencyMs)),
    errors: { kind: 'error-rate', shares: usable.map((i) => ({ events: errorTotal(i.errorsByClass), of: i.sent })) },
    achieved: {
      kind: 'achieved-ratio',
      shares: usable.filter((i) => i.offered > 0).map((i) => ({ events: (i.achievedRps * i.durationMs) / 1000, of: i.offered })),
    },
  };
}

function seriesOfName(intervals: readonly IntervalStats[], k: number): Series {
  const stats = intervals.map((i) => i.byName?.[k]).filter((n): n is NameStats => n !== undefined && n.count > 0);
  return {
    ...latencies(stats.map((n) => n.latencyMs)),
    errors: { kind: 'error-rate', shares: stats.map((n) => ({ events: n.failed, of: n.count })) },
  };
}

/** How a name reads in a metric: `journey get-report`, `get-report › poll`, or the request's own name. */
export function nameLabel(n: Pick<NameEntry, 'kind' | 'name'> & { readonly journey?: string }): string {
  if (n.kind === 'journey') return `journey ${n.name}`;
  if (n.kind === 'step') return `${n.journey ?? ''} › ${n.name}`;
  return n.name;
}

const METRICS = ['p50', 'p99', 'errors', 'achieved'] as const;

/** The names a result's intervals carry per-name figures for, aligned with `byName[k]`. */
type Names = readonly (Pick<NameEntry, 'kind' | 'name'> & { readonly journey?: string })[] | undefined;

interface Side {
  readonly intervals: readonly IntervalStats[];
  readonly names: Names;
}

/** One place both results measured: a step both held, a trial rate both held, or a whole run. */
export interface ComparedPlace {
  /** `at 400 req/s`, `(run)`. */
  readonly where: string;
  readonly place: Omit<MetricPlace, 'name' | 'rates'>;
  readonly baseline: Side;
  readonly current: Side;
}

function rowsAt(b: Series, c: Series, p: ComparedPlace, name: string | undefined, o: CompareOptions, decides: boolean) {
  const scope = name ? `${name} ` : '';
  const place = { ...p.place, ...(name ? { name } : {}) };
  return METRICS.flatMap((m) => {
    const bs = b[m];
    const cs = c[m];
    return bs && cs ? [compareMetric(`${m} ${scope}${p.where}`, bs, cs, o, place, decides)] : [];
  });
}

/**
 * Every metric at every place both results measured: at each place all requests (p50, p99,
 * errors, achieved), then each request, journey and step of the scenario that both name (p50,
 * p99, errors). With several places (the rates both ramps held), one more row per metric of all
 * requests pools them (see `compareStrata`): those rows decide when the data cannot tell, the
 * rows at single rates only when they prove a regression. A run's own rows decide.
 */
export function compareAtPlaces(places: readonly ComparedPlace[], o: CompareOptions): MetricComparison[] {
  const pooled = places.length > 1;
  const out: MetricComparison[] = [];
  const all = places.map((p) => ({ b: seriesOfAll(p.baseline.intervals), c: seriesOfAll(p.current.intervals) }));
  if (pooled) {
    for (const m of METRICS) {
      const strata = all.flatMap(({ b, c }) => (b[m] && c[m] ? [{ baseline: b[m], current: c[m] }] : []));
      if (strata.length > 0)
        out.push(compareStrata(`${m} at the ${places.length} rates both held`, strata, o, { rates: places.length }, true));
    }
  }
  places.forEach((p, k) => {
    out.push(...rowsAt(all[k]!.b, all[k]!.c, p, undefined, o, !pooled));
    const baselineNames = new Map((p.baseline.names ?? []).map((n, kb) => [nameLabel(n), kb]));
    (p.current.names ?? []).forEach((n, kc) => {
      const label = nameLabel(n);
      const kb = baselineNames.get(label);
      if (kb === undefined) return;
      out.push(...rowsAt(seriesOfName(p.baseline.intervals, kb), seriesOfName(p.current.intervals, kc), p, label, o, false));
    });
  });
  return out;
}

/** A step's judged intervals: those that start inside it after its warm-up (the judged window) and end inside it. */
export function intervalsOfStep(intervals: readonly IntervalStats[], step: StepResult): IntervalStats[] {
  const from = step.judged.startMs;
  const to = step.startMs + step.durationMs;
  return intervals.filter((i) => i.startMs >= from && i.startMs + i.durationMs <= to);
}

import type { ArrivalUnit, IntervalStats, NameEntry, ProbeSample, ProbeSpec, Slo, StepResult } from '@overload/core/internal';
import {
  type ChartLimit,
  type ChartMark,
  type ChartSpec,
  COLOR,
  errorsChart,
  journeyChart,
  latencyChart,
  latencyLimitsOf,
  probeChart,
  rateChart,
  type Timeline,
} from '../report/chart-model.js';

/** What the page needs once to draw: the report's own chart specs, with no points yet. */
export interface LiveLayout {
  /** The time charts (rate, latency, errors, one per journey) then one per probe, in `probes` order. */
  readonly charts: readonly ChartSpec[];
  /** How many of `charts` each interval extends; the rest are the probes'. */
  readonly timeCharts: number;
  readonly probes: readonly string[];
  /** The scenario's journeys and steps, for the per-name table (aligned with an interval's `byName`). */
  readonly names: readonly { readonly name: string; readonly kind: string }[];
}

/** One interval's points: x, then per time chart one value per series. */
export interface LivePoint {
  readonly x: number;
  readonly values: readonly (readonly (number | null)[])[];
}

const VERDICT_COLOR: Record<StepResult['verdict'], string> = {
  held: COLOR.knee,
  breached: COLOR.collapse,
  unjudged: '#555555',
  inconclusive: '#8a6d00',
  partial: '#555555',
};

const VERDICT_WORD: Record<StepResult['verdict'], string> = {
  held: 'held',
  breached: 'breached',
  unjudged: 'not judged',
  inconclusive: 'inconclusive',
  partial: 'partial',
};

/**
 * The live page's charts, built by the report's chart model (chart-model.ts) so the page and
 * report.html draw the same series with the same colours, units and SLO lines. Each interval is
 * turned into a one-point timeline and run through the same functions; only that point travels.
 *
 * One clock for every phase, the report's: seconds since the first phase's t0. A later phase
 * (the recovery baseline, the next search trial) restarts its own interval clock, so its offset
 * is read once, from the wall clock, when its first interval arrives.
 */
export class LiveCharts {
  readonly #slo: Slo | undefined;
  readonly #probes: readonly ProbeSpec[];
  readonly #offsetMs = new Map<string, number>();
  #t0Perf: number | undefined;
  #currentOffsetMs = 0;
  #unit: ArrivalUnit = 'request';
  #names: readonly NameEntry[] = [];
  #intervalMs = 1000;

  constructor(slo: Slo | undefined, probes: readonly ProbeSpec[]) {
    this.#slo = slo;
    this.#probes = probes;
  }

  /** The specs to draw, from the first phase's run config (its arrival unit and names). */
  layout(config: { arrivalUnit: ArrivalUnit; names: readonly NameEntry[]; intervalMs: number }): LiveLayout {
    this.#unit = config.arrivalUnit;
    this.#names = config.names;
    this.#intervalMs = config.intervalMs;
    const charts = this.#timeCharts({ points: [], marks: [], bands: [] });
    const probeCharts = this.#probes.map((p, i) => ({
      ...probeChart({ name: p.name, kind: p.kind, points: [] }, i, undefined),
      limits: this.#probeLimits(p.name),
    }));
    return {
      charts: [...charts, ...probeCharts],
      timeCharts: charts.length,
      probes: this.#probes.map((p) => p.name),
      names: config.names
        .filter((n) => n.kind !== 'request')
        .map((n) => ({ name: n.kind === 'step' && n.journey ? `${n.journey} / ${n.name}` : n.name, kind: n.kind })),
    };
  }

  point(i: IntervalStats, phase: string, nowPerf: number): LivePoint {
    const endMs = i.startMs + i.durationMs;
    this.#t0Perf ??= nowPerf - endMs;
    let offset = this.#offsetMs.get(phase);
    if (offset === undefined) {
      offset = Math.max(0, Math.round(nowPerf - this.#t0Perf - endMs));
      this.#offsetMs.set(phase, offset);
    }
    this.#currentOffsetMs = offset;
    const t: Timeline = {
      points: [{ tSec: round3((offset + i.startMs + i.durationMs / 2) / 1000), interval: i, intervalMs: this.#intervalMs }],
      marks: [],
      bands: [],
    };
    const charts = this.#timeCharts(t);
    return { x: t.points[0]!.tSec, values: charts.map((c) => c.series.map((s) => s.values[0] ?? null)) };
  }

  /** Only the names the table shows, in its order: [ended, p50, p99, failed, failures by class]. */
  names(i: IntervalStats): unknown[] {
    return this.#names.flatMap((n, k) => {
      if (n.kind === 'request') return [];
      const s = i.byName?.[k];
      return [s ? [s.count, s.latencyMs.p50, s.latencyMs.p99, s.failed, s.failures] : null];
    });
  }

  /** A probe sample on the page's clock: the probes' t0 is the first phase's. */
  probe(name: string, sample: ProbeSample): { p: number; x: number; v: number | null; bad: number | null } | undefined {
    const p = this.#probes.findIndex((s) => s.name === name);
    if (p < 0) return undefined;
    return { p, x: round3(sample.tMs / 1000), v: sample.value ?? null, bad: sample.ok ? null : (sample.value ?? 0) };
  }

  /** A vertical line where the step's verdict was reached (the end of its judged window). */
  mark(step: StepResult): ChartMark & { step: number; verdict: string } {
    const w = step.judged;
    return {
      x: round3((this.#currentOffsetMs + w.startMs + w.durationMs) / 1000),
      label: `step ${step.index + 1} ${VERDICT_WORD[step.verdict]}`,
      color: VERDICT_COLOR[step.verdict],
      step: step.index + 1,
      verdict: step.verdict,
    };
  }

  #timeCharts(t: Timeline): ChartSpec[] {
    const charts = [rateChart(t, this.#unit), latencyChart(t, latencyLimitsOf(this.#slo)), errorsChart(t, this.#unit)];
    this.#names.forEach((n, k) => {
      if (n.kind === 'journey') charts.push(journeyChart(t, n.name, k));
    });
    return charts;
  }

  /** The SLO's conditions on this probe, as lines on its chart: the limit the queue must stay under. */
  #probeLimits(name: string): ChartLimit[] {
    return (this.#slo?.probes ?? [])
      .filter((c) => c.probe === name)
      .map((c) => ({
        y: c.op === 'ok' ? 1 : (c.value ?? 0),
        label: c.op === 'ok' ? 'SLO: ok' : `SLO ${name} ${c.op} ${c.value}`,
        color: COLOR.limit,
      }));
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

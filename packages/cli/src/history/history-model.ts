import {
  type ComparableResult,
  type CompareOptions,
  type CompareOutcome,
  compareResults,
  formatArrivalRate,
  formatMs,
  identityOf,
  rateUnitOf,
  type StepResult,
  targetKeyOf,
} from '@overload/core/internal';
import { comparisonRows } from '../compare/compare-rows.js';
import type { ReadResult } from './read-results.js';

/** One result in the history: what a reader scans down a column for. */
export interface HistoryEntry {
  readonly file: string;
  readonly startedAt: string;
  /** The knee of a ramp, the sustainable rate of a search; absent for a run. */
  readonly knee?: { readonly rateRps: number; readonly label: string };
  /** `550 journeys/s: errors + achieved + …`, or the ramp's verdict when it did not collapse. */
  readonly collapse?: string;
  readonly recovery?: string;
  /** p99 of all requests at the knee step (a run: over the run). */
  readonly p99Ms?: number;
  /** Against the previous result of the same kind, profile and SLO in this group. */
  readonly verdict?: { readonly outcome: CompareOutcome; readonly detail: string; readonly against: string };
  /** Per step or trial, for the trend page's latency-vs-rate curves. */
  readonly curve: readonly { readonly rateRps: number; readonly p50Ms: number; readonly p99Ms: number }[];
}

/** Results of one scenario on one target, of one kind, oldest first. */
export interface HistoryGroup {
  readonly scenario: string;
  readonly target: string;
  readonly kind: 'run' | 'ramp' | 'search';
  readonly unit: 'journey' | 'request';
  readonly entries: readonly HistoryEntry[];
}

function capacityStep(r: ComparableResult): StepResult | undefined {
  if (r.kind === 'ramp') return r.knee ?? r.lastHeld;
  if (r.kind === 'search') {
    const held = r.evidence.filter((e) => e.verdict === 'held' && e.step).sort((a, b) => b.rateRps - a.rateRps)[0];
    return held?.step ? { ...held.step, rateRps: held.rateRps } : undefined;
  }
  return undefined;
}

function curveOf(r: ComparableResult): HistoryEntry['curve'] {
  const steps =
    r.kind === 'ramp'
      ? r.steps
      : r.kind === 'search'
        ? r.evidence.flatMap((e) => (e.step ? [{ ...e.step, rateRps: e.rateRps }] : [])).sort((a, b) => a.rateRps - b.rateRps)
        : [];
  return steps.filter((s) => s.latencyMs.count > 0).map((s) => ({ rateRps: s.rateRps, p50Ms: s.latencyMs.p50, p99Ms: s.latencyMs.p99 }));
}

function entryOf(file: string, r: ComparableResult): Omit<HistoryEntry, 'verdict'> {
  const unit = rateUnitOf(r);
  const step = capacityStep(r);
  const entry: Omit<HistoryEntry, 'verdict'> = {
    file,
    startedAt: r.startedAt ?? '',
    ...(step ? { knee: { rateRps: step.rateRps, label: formatArrivalRate(step.rateRps, unit) } } : {}),
    ...(step && step.latencyMs.count > 0 ? { p99Ms: step.latencyMs.p99 } : r.kind === 'run' ? { p99Ms: r.latencyMs.p99 } : {}),
    curve: curveOf(r),
  };
  if (r.kind !== 'ramp') return entry;
  const collapse = r.collapse ? `${r.collapse.step.label}: ${r.collapse.signature.map((c) => c.name).join(' + ')}` : r.verdict;
  const rec = r.recovery;
  const recovery = !rec
    ? 'not checked'
    : 'skipped' in rec
      ? 'not checked'
      : rec.recovered
        ? `recovered after ${formatMs(rec.timeToRecoverMs ?? Number.NaN)}`
        : 'did not recover';
  return { ...entry, collapse, recovery };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The verdict in a few words: what regressed (the metric, both values), what is missing, or none. */
function verdictOf(baseline: ComparableResult, current: ComparableResult, o: CompareOptions): { outcome: CompareOutcome; detail: string } {
  const report = compareResults(baseline, current, o);
  if (report.outcome === 'regressed') {
    const rows = comparisonRows(report).filter((r) => r.outcome === 'regressed');
    return { outcome: 'regressed', detail: rows.map((r) => `${r.metric} ${r.baseline} -> ${r.current}`).join('; ') };
  }
  if (report.outcome === 'cannot-tell') return { outcome: 'cannot-tell', detail: report.missing[0] ?? '' };
  return { outcome: 'no-regression', detail: '' };
}

/**
 * Groups results by scenario and target (and kind: their columns differ), oldest first, and
 * compares each with the previous one in its group of the same profile and SLO, exactly as
 * `overload compare` would. A result whose scenario changed its profile starts a new series.
 */
export function historyOf(read: readonly ReadResult[], o: CompareOptions): HistoryGroup[] {
  const groups = new Map<string, { scenario: string; target: string; kind: HistoryGroup['kind']; items: ReadResult[] }>();
  for (const item of read) {
    const id = identityOf(item.result);
    const scenario = item.result.runbook?.name ?? hostOf(item.result.target.url);
    const target = targetKeyOf(id);
    const key = JSON.stringify([scenario, target, item.result.kind]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { scenario, target, kind: item.result.kind, items: [] }));
    g.items.push(item);
  }
  return [...groups.values()]
    .map((g) => {
      const items = g.items.sort(
        (a, b) => (a.result.startedAt ?? '').localeCompare(b.result.startedAt ?? '') || a.file.localeCompare(b.file),
      );
      // The previous result of each identity (profile and SLO), as the series goes on.
      const previous = new Map<string, ReadResult>();
      const entries = items.map((item): HistoryEntry => {
        // Comparable as `overload compare` sees it: an embedded target by its scenario, not its port.
        const { target: _url, ...rest } = identityOf(item.result);
        const id = JSON.stringify({ ...rest, target: g.target });
        const before = previous.get(id);
        previous.set(id, item);
        const entry = entryOf(item.file, item.result);
        return before ? { ...entry, verdict: { ...verdictOf(before.result, item.result, o), against: before.file } } : entry;
      });
      return { scenario: g.scenario, target: g.target, kind: g.kind, unit: rateUnitOf(items[0]!.result), entries };
    })
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || a.target.localeCompare(b.target) || a.kind.localeCompare(b.kind));
}

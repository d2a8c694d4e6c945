import { createHistogram } from '../stats/histogram.js';
import { type ConditionOutcome, judgementOf, type WindowJudgement } from './judge-window.js';
import type { WindowStats } from './window.js';

/**
 * A window completed with the best the target could still do in its remaining `remainingMs` at
 * `rateRps`: every arrival (10 % more than the schedule holds) ends ok, each answered at once
 * with as many requests per arrival as so far. What breaches even so is certain to breach in the
 * full window: that is how the judge calls a collapse before a step has its first full window,
 * and how it judges a step cut short by a stop.
 */
export function completedAtBest(w: WindowStats, rateRps: number, remainingMs: number): WindowStats {
  const arrivals = Math.ceil(((rateRps * remainingMs) / 1000) * 1.1);
  const perArrival = w.offered > 0 ? Math.max(1, w.sent / w.offered) : 1;
  const requests = Math.ceil(arrivals * perArrival);
  const latency = createHistogram();
  latency.add(w.latency);
  if (requests > 0) latency.recordValueWithCount(1, requests);
  return {
    ...w,
    durationMs: w.durationMs + remainingMs,
    offered: w.offered + arrivals,
    sent: w.sent + requests,
    responses: w.responses + requests,
    ok: w.ok + requests,
    arrivalsOk: w.arrivalsOk + arrivals,
    latency,
  };
}

/**
 * The breaches of `best` (a window completed at best) that are certain. Scoped conditions
 * (`journey:…`, `step:…`, `request:…`) are judged on the names' own figures, which the
 * completion cannot add to, so they are never certain before the window is full.
 */
export function certainBreaches(best: WindowJudgement): ConditionOutcome[] {
  return best.conditions.filter((c) => c.status === 'breached' && !/^(journey|step|request):/.test(c.name));
}

/**
 * The window's verdict with the breaches that were certain put in: a condition the window so far
 * could not judge (too few responses for its percentile) but whose breach is certain whatever the
 * rest of the window brings is breached, at the value it reaches at best (a lower bound). Without
 * this a collapse called early would name no breach: its signature would be empty.
 */
export function withCertain(verdict: WindowJudgement, certain: readonly ConditionOutcome[]): WindowJudgement {
  const conditions = verdict.conditions.map((c) => {
    if (c.status === 'breached') return c;
    const sure = certain.find((x) => x.name === c.name);
    if (!sure) return c;
    return { ...sure, detail: 'certain before the window was full: at least this, had every arrival left in it been answered at once' };
  });
  return judgementOf(conditions);
}

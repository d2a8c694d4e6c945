import { type ArrivalUnit, formatArrivalRate, formatStepLabel, formatStepRate, type StepResult } from '@overload/core/internal';
import type { StoredResult } from './stored-result.js';

/**
 * The unit every rate of a report is in: what the profile's rate counts (requests, or journeys
 * with a scenario of journeys), the unit the verdict line uses. Offered and achieved are both
 * rates of arrivals, so they share it; requests per second are shown beside them, never instead.
 */
export function arrivalUnitOf(result: StoredResult): ArrivalUnit {
  const run = result.kind === 'run' ? result : result.kind === 'ramp' ? result.run : undefined;
  if (run) return run.config.arrivalUnit ?? 'request';
  // A search keeps no run; its trials' steps name their rate in the profile's unit.
  const label = result.kind === 'search' ? result.evidence.find((e) => e.step)?.step?.label : undefined;
  return label?.includes('journeys/s') ? 'journey' : 'request';
}

/** A step as the headline names it: `500 journeys/s (1,842 req/s)`, plus its label when that says more. */
export function stepRateText(s: StepResult, unit: ArrivalUnit): string {
  const rate = formatStepRate(s, unit);
  const label = formatStepLabel(s.label, unit);
  return label === formatArrivalRate(s.rateRps, unit) ? rate : `${rate} (${label})`;
}

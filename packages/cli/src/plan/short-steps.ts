import { minRequestsPerArrival, type RunConfig, type ShortStep, type Slo, stepsTooShort } from '@overload/core/internal';

/**
 * The steps of a resolved run that are too short for its SLO's strictest percentile (empty
 * without a percentile), from the very curve the run will use (rate ceiling included), with the
 * requests a journey sends per arrival counted.
 */
export function shortStepsOf(config: RunConfig, slo: Slo): ShortStep[] {
  return stepsTooShort(config.curve.steps, slo, {
    intervalMs: config.intervalMs,
    requestsPerArrival: minRequestsPerArrival(config.requests),
  });
}

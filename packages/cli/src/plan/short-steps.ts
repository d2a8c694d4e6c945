import { minRequestsPerArrival, resolveRunConfig, type ShortStep, stepsTooShort } from '@overload/core';
import { defaultWorkers } from '@overload/workers';
import type { ResolvedPlan } from './resolve.js';

/**
 * The plan's steps that are too short for its SLO's strictest percentile (empty without a ramp
 * profile or a percentile), from the very curve the run will use (rate ceiling included), with
 * the requests a journey sends per arrival counted.
 */
export function shortStepsOf(plan: Pick<ResolvedPlan, 'run' | 'profile' | 'slo'>): ShortStep[] {
  if (!plan.profile || !plan.slo) return [];
  const { curve, intervalMs } = resolveRunConfig({ ...plan.run, profile: plan.profile }, { defaultWorkers: defaultWorkers() });
  return stepsTooShort(curve.steps, plan.slo, { intervalMs, requestsPerArrival: minRequestsPerArrival(plan.run.requests) });
}

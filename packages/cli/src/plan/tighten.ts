import type { ScenarioSafety, ValidationIssue } from '@overload/core/internal';
import { formatDurationMs, parseDurationMs } from '@overload/core/internal';

interface CapFlags {
  budget?: Record<string, number>;
  maxRate?: number;
  maxRequests?: number;
  maxDuration?: number;
}

/**
 * Flags can only tighten what a scenario declares. A flag above the scenario's budget or cap is
 * refused (exit 2) rather than silently clamped: whoever typed `--budget emails=500` believes
 * 500 emails may be sent, and a run that quietly keeps the scenario's 100 would surprise them
 * either way. A flag for a budget or cap the scenario does not declare adds it.
 */
export function checkFlagsTighten(safety: ScenarioSafety | undefined, flags: CapFlags): ValidationIssue[] {
  if (!safety) return [];
  const issues: ValidationIssue[] = [];
  const fix = "flags can only tighten a scenario's guardrails (lower the flag, or raise it in the scenario file)";
  for (const [name, value] of Object.entries(flags.budget ?? {})) {
    const limit = safety.budgets?.[name];
    if (limit !== undefined && value > limit) {
      issues.push({ path: '--budget', message: `${name}=${value} is above the scenario's budget ${name}=${limit}: ${fix}` });
    }
  }
  if (flags.maxRate !== undefined && safety.maxRps !== undefined && flags.maxRate > safety.maxRps) {
    issues.push({ path: '--max-rate', message: `${flags.maxRate} is above the scenario's safety.maxRps ${safety.maxRps}: ${fix}` });
  }
  if (flags.maxRequests !== undefined && safety.maxRequests !== undefined && flags.maxRequests > safety.maxRequests) {
    issues.push({
      path: '--max-requests',
      message: `${flags.maxRequests} is above the scenario's safety.maxRequests ${safety.maxRequests}: ${fix}`,
    });
  }
  const scenarioMs = safety.maxDurationMs !== undefined ? parseDurationMs(safety.maxDurationMs) : undefined;
  if (flags.maxDuration !== undefined && scenarioMs !== undefined && flags.maxDuration > scenarioMs) {
    issues.push({
      path: '--max-duration',
      message: `${formatDurationMs(flags.maxDuration)} is above the scenario's safety.maxDurationMs ${formatDurationMs(scenarioMs)}: ${fix}`,
    });
  }
  return issues;
}

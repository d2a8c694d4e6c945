import type { Command } from 'commander';
import {
  DEFAULTS,
  budgetNameOf,
  DEFAULT_MAX_ERROR_RATE,
  formatDurationMs,
  formatShortStep,
  formatSlo,
  parseDurationMs,
  formatStepLabel,
  rateSymbol,
  ValidationError,
} from '@overload/core/internal';
import { runConfig } from '@overload/workers';
import { type ExitCode, EXIT } from '../exit-codes.js';
import { int, table } from '../output/format.js';
import { type PlanFlags, resolvePlan } from '../plan/resolve.js';
import { shortStepsOf } from '../plan/short-steps.js';
import { addGuardOptions, addLoadOptions, addRecoveryOptions, addScenarioOptions } from './shared-options.js';

export function registerPlan(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('plan')
    .description('dry run: print the schedule step by step, totals, side effects per budget, targets and guardrails; sends nothing')
    .argument('<scenario|url>', 'a scenario name or file, or a URL with --profile');
  addScenarioOptions(cmd);
  addRecoveryOptions(cmd);
  addLoadOptions(cmd);
  addGuardOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n  $ overload plan student-reports\n  $ overload plan http://127.0.0.1:8080/ --profile "step:start=100,step=100,every=10s,max=1000" --max-rate 800',
  );
  cmd.action(async (ref: string, flags: PlanFlags) => {
    process.stdout.write(`${await planText(ref, flags)}\n`);
    setExit(EXIT.ok);
  });
}

/** The dry-run plan, written to read like a runbook. Starts nothing, sends nothing. */
export async function planText(ref: string, flags: PlanFlags): Promise<string> {
  const plan = await resolvePlan(ref, flags, { startEmbedded: false });
  if (!plan.profile)
    throw new ValidationError('command line', [{ path: '--profile', message: `is required: "${plan.name}" declares no profile` }]);
  // The very configuration the run would use (validation, allowlist, rate ceiling included).
  const config = runConfig({ ...plan.run, profile: plan.profile });
  const { curve } = config;
  const maxRequests = plan.run.maxRequests;
  // With journeys --max-requests caps requests, not arrivals (a journey sends several).
  const total =
    maxRequests !== undefined && !(plan.run.requests?.journeys?.length ?? 0)
      ? Math.min(maxRequests, curve.totalArrivals)
      : curve.totalArrivals;
  const lines: string[] = [];
  lines.push(`PLAN (dry run: nothing is started and nothing is sent)`);
  lines.push(`name:        ${plan.name}${plan.description ? ` — ${plan.description}` : ''}`);
  if (plan.scenarioFile) lines.push(`scenario:    ${plan.scenarioFile}`);
  lines.push(`target:      ${plan.targetUrl}`);
  lines.push(`allowlist:   ${plan.allowedHosts.length > 0 ? plan.allowedHosts.join(', ') : 'loopback only'}`);
  const tls = plan.run.tls;
  if (tls || plan.run.http2) {
    const parts = [
      tls?.ca ? 'trusts the given CA (--ca)' : undefined,
      tls?.cert ? 'client certificate (mutual TLS)' : undefined,
      tls?.insecure ? 'INSECURE: certificates are not checked' : undefined,
      plan.run.http2 ? 'offers HTTP/2 (ALPN h2)' : undefined,
    ].filter(Boolean);
    lines.push(`tls:         ${parts.join('; ')}`);
  }
  // With journeys the profile's rate is a rate of journeys (each sends several requests).
  const journeys = config.arrivalUnit === 'journey';
  const unit = journeys ? 'journeys' : 'requests';
  const perS = rateSymbol(config.arrivalUnit);
  const capped = maxRequests !== undefined && maxRequests < curve.totalArrivals && !journeys;
  lines.push(
    `profile:     ${plan.profile.kind}, ${formatDurationMs(curve.durationMs)}, peak ${int(curve.peakRps)} ${perS}, ${int(total)} ${unit}${capped ? ` (capped by --max-requests from ${int(curve.totalArrivals)})` : ''}${journeys && maxRequests !== undefined ? ` (--max-requests ${int(maxRequests)} counts every request of every journey)` : ''}`,
  );
  if (plan.slo) {
    const defaults = plan.slo.maxErrorRate === undefined ? ` (and errors<${DEFAULT_MAX_ERROR_RATE * 100}% by default)` : '';
    lines.push(`slo:         ${formatSlo(plan.slo)}${defaults}`);
  }
  lines.push('');
  const rows = [['step', 'from', 'duration', 'rate', unit, 'cumulative']];
  let cumulative = 0;
  const steps =
    curve.steps.length > 0
      ? curve.steps
      : [{ index: 0, label: plan.profile.kind, startMs: 0, durationMs: curve.durationMs, rateRps: curve.peakRps }];
  for (const s of steps) {
    const n = Math.round(curve.areaAt(s.startMs + s.durationMs) - curve.areaAt(s.startMs));
    cumulative += n;
    rows.push([
      `${s.index + 1}`,
      formatDurationMs(s.startMs),
      formatDurationMs(s.durationMs),
      formatStepLabel(s.label, config.arrivalUnit),
      int(n),
      int(cumulative),
    ]);
  }
  lines.push(table(rows));
  lines.push('');
  const short = plan.slo ? shortStepsOf(config, plan.slo) : [];
  if (short.length > 0) {
    lines.push('warnings:');
    for (const s of short) lines.push(`  - ${formatShortStep(s)}`);
    lines.push('    (a percentile over too few responses is not judged, and a step with an unjudged condition cannot be the knee)');
    lines.push('');
  }
  const mix = plan.run.requests;
  if (mix) {
    const mixJourneys = mix.journeys ?? [];
    const totalWeight = [...mix.templates, ...mixJourneys].reduce((a, t) => a + (t.weight ?? 1), 0);
    lines.push(`${journeys ? 'arrival mix' : 'request mix'} (expected counts over the whole profile):`);
    const perBudget = new Map<string, number>();
    const charge = (sideEffects: Readonly<Record<string, number>> | undefined, times: number) => {
      for (const [effect, amount] of Object.entries(sideEffects ?? {}))
        perBudget.set(effect, (perBudget.get(effect) ?? 0) + times * amount);
    };
    for (const t of mix.templates) {
      const share = (t.weight ?? 1) / totalWeight;
      const n = total * share;
      lines.push(
        `  ${t.name.padEnd(18)} ${(share * 100).toFixed(0).padStart(3)} %  ~${int(n)}  ${(t.method ?? 'GET').toUpperCase()} ${t.path}`,
      );
      charge(t.sideEffects, n);
    }
    for (const j of mixJourneys) {
      const share = (j.weight ?? 1) / totalWeight;
      const n = total * share;
      lines.push(`  journey ${j.name.padEnd(10)} ${(share * 100).toFixed(0).padStart(3)} %  ~${int(n)} journeys, each:`);
      for (const step of j.steps) {
        // A polling step may send up to its tries (or its time over its interval) requests.
        const tries = step.poll
          ? Math.min(
              step.poll.maxTries ?? Number.POSITIVE_INFINITY,
              step.poll.maxMs !== undefined
                ? Math.floor(parseDurationMs(step.poll.maxMs) / parseDurationMs(step.poll.intervalMs)) + 1
                : Number.POSITIVE_INFINITY,
            )
          : 1;
        const detail = step.poll
          ? `  (polls every ${formatDurationMs(parseDurationMs(step.poll.intervalMs))}, at most ${int(tries)} tries)`
          : '';
        lines.push(`    ${step.name.padEnd(16)} ${(step.method ?? 'GET').toUpperCase()} ${step.path}${detail}`);
        charge(step.sideEffects, n * tries);
      }
    }
    if (perBudget.size > 0) {
      lines.push('');
      lines.push('side effects (worst case if the whole profile ran) vs budgets:');
      for (const [effect, n] of perBudget) {
        const { budget } = budgetNameOf(effect);
        const limit = plan.budgets[budget];
        lines.push(
          `  ${effect.padEnd(18)} up to ~${int(n)}${limit !== undefined ? `  budget ${budget}=${int(limit)}: the run stops before it is exceeded` : '  (no budget)'}`,
        );
      }
    }
  } else {
    lines.push(`request:     ${plan.run.method ?? 'GET'} ${plan.run.url}`);
  }
  lines.push('');
  lines.push('guardrails in force:');
  lines.push(`  max rate:        ${plan.run.maxRps !== undefined ? `${int(plan.run.maxRps)} req/s` : 'none'}`);
  lines.push(`  max requests:    ${maxRequests !== undefined ? int(maxRequests) : 'none'}`);
  lines.push(`  max duration:    ${plan.maxDurationMs !== undefined ? formatDurationMs(plan.maxDurationMs) : 'none'}`);
  lines.push(
    `  budgets:         ${
      Object.entries(plan.budgets)
        .map(([k, v]) => `${k}=${int(v)}`)
        .join(', ') || 'none'
    }`,
  );
  const eb = plan.run.errorBurst;
  lines.push(
    `  error burst:     ${eb ? `stop above ${Math.round((eb.maxErrorRate ?? DEFAULTS.errorBurst.maxErrorRate) * 100)} % errors over ${formatDurationMs(eb.windowMs ?? DEFAULTS.errorBurst.windowMs)}` : 'off'}`,
  );
  lines.push(
    `  kill switches:   SIGINT/SIGTERM (drain, then write results; a second one 1 s or more later = at once)${(flags as { killFile?: string }).killFile ? `, kill file ${(flags as { killFile?: string }).killFile}` : ''}${(flags as { controlPort?: number }).controlPort !== undefined ? ', control endpoint on 127.0.0.1' : ''}`,
  );
  lines.push(`  run id header:   ${plan.run.runIdHeader ?? DEFAULTS.run.runIdHeader}: ${plan.run.runId}`);
  const r = plan.recovery;
  lines.push(
    `  recovery check:  ${
      r === false
        ? 'off'
        : `after a collapse: ${formatDurationMs(parseDurationMs(r.cooldownMs ?? DEFAULTS.recovery.cooldownMs))} cool-down, then ${r.baselineRps !== undefined ? `${int(r.baselineRps)} req/s` : `${Math.round((r.baselineRatio ?? DEFAULTS.recovery.baselineRatio) * 100)} % of the knee`} for up to ${formatDurationMs(parseDurationMs(r.withinMs ?? DEFAULTS.recovery.withinMs))}`
    }`,
  );
  if (plan.probes.length > 0) {
    lines.push('');
    lines.push('probes:');
    for (const p of plan.probes) lines.push(`  ${p.name.padEnd(18)} ${p.kind} ${p.url}`);
  }
  if (plan.actions.length > 0) {
    // Listed, never sent: plan sends nothing, actions included.
    lines.push('');
    lines.push('actions (not sent by plan):');
    for (const a of plan.actions)
      lines.push(
        `  ${a.name.padEnd(18)} at ${a.at.padEnd(8)} ${a.method} ${a.url}${a.always ? '  (always: runs however the run ends)' : ''}${a.release !== false ? `  (releases the pinch${a.release.queue ? ` of ${a.release.queue}` : ''})` : ''}`,
      );
  }
  return lines.join('\n');
}

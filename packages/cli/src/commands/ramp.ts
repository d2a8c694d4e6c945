import type { Command } from 'commander';
import { type RampEvent, ValidationError, formatCondition, formatShortStep, partialOf } from '@overload/core';
import { ramp, type RampResult } from '@overload/workers';
import { EXIT, type ExitCode, exitCodeForStop } from '../exit-codes.js';
import { createLogger, redactHeaders } from '../logger.js';
import { Progress } from '../output/progress.js';
import { formatRampSummary } from '../output/ramp-summary.js';
import { rateArg } from '../parse.js';
import { resolvePlan } from '../plan/resolve.js';
import { shortStepsOf } from '../plan/short-steps.js';
import { runbookOf } from '../plan/runbook.js';
import { addReportOptions } from '../report/options.js';
import { writeResults } from '../results/write-results.js';
import { CommandSession, type SendingFlags } from './session.js';
import { addGuardOptions, addLoadOptions, addOutputOptions, addRecoveryOptions, addScenarioOptions } from './shared-options.js';
import { type Distribution, startDistribution, withRunId } from '../shard/distribution.js';
import { followCoordinator } from '../shard/follower.js';
import { addShardOptions, type ShardFlags, shardModeOf } from '../shard/shard-options.js';

export interface RampFlags extends SendingFlags, ShardFlags {
  expectKneeAbove?: number;
}

export function registerRamp(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('ramp')
    .description('ramp a target to collapse: find the knee, the collapse signature, and check recovery')
    .argument('<scenario|url>', 'a scenario name (see `overload scenarios`), a scenario file, or a URL with --profile and --slo');
  addScenarioOptions(cmd);
  addRecoveryOptions(cmd);
  addLoadOptions(cmd);
  addGuardOptions(cmd);
  addShardOptions(cmd);
  addOutputOptions(cmd);
  addReportOptions(cmd);
  cmd
    .option('--expect-knee-above <rps>', 'exit 1 unless the knee is at least this rate (for CI)', rateArg)
    .addHelpText(
      'after',
      `
Examples:
  $ overload ramp student-reports
  $ overload ramp student-reports --target-option bug=sticky-breaker
  $ overload ramp http://127.0.0.1:8080/ --profile "step:start=100,step=100,every=10s,max=2000" --slo "p99<500ms,errors<1%"
  $ overload ramp scenarios/my-service.ts --target https://staging.example.com --budget emails=100 --kill-file /tmp/stop-load
  $ overload ramp scenarios/my-service.ts --shards 4 --coordinator-port 7070        # then 4 shards:
  $ overload ramp scenarios/my-service.ts --shard 0/4 --coordinator http://127.0.0.1:7070 --coordinator-token <token>`,
    )
    .action(async (ref: string, flags: RampFlags) => setExit(await rampCommand(ref, flags)));
}

async function rampCommand(ref: string, flags: RampFlags): Promise<ExitCode> {
  const log = createLogger({ ...(flags.logLevel ? { level: flags.logLevel } : {}), ...(flags.logFile ? { file: flags.logFile } : {}) });
  const progress = new Progress(process.stderr, { quiet: flags.quiet ?? false });
  const mode = shardModeOf(flags, 'ramp');
  const resolved = withRunId(await resolvePlan(ref, flags, { startEmbedded: mode.kind === 'single' }), flags.runId);
  // A shard of a distributed ramp runs the phases its coordinator orders; the coordinator judges.
  if (mode.kind === 'follower') return followCoordinator(resolved, mode, flags, progress);
  const plan = resolved;
  const session = new CommandSession(plan, flags, progress);
  let distribution: Distribution | undefined;
  try {
    const missing = [];
    if (!plan.profile) missing.push({ path: '--profile', message: `is required: scenario "${plan.name}" declares no profile` });
    if (!plan.slo) missing.push({ path: '--slo', message: `is required: scenario "${plan.name}" declares no SLO` });
    if (missing.length > 0) throw new ValidationError('command line', missing);
    await session.start();
    if (mode.kind === 'coordinator') distribution = await startDistribution(plan, mode, 'ramp', ref, session.abort.signal);
    // Said before the load, not after: a step too short for a percentile can never be the knee.
    // (Steps barely long enough are listed by `overload plan`; here only those that cannot be judged.)
    for (const s of shortStepsOf(plan).filter((x) => !x.edge)) progress.event(`warning: ${formatShortStep(s)}`);
    log.info(
      { plan: { ...plan.run, headers: redactHeaders(plan.run.headers ?? {}), requests: undefined }, target: plan.targetUrl },
      'ramp starting',
    );
    const result = await ramp({
      ...plan.run,
      profile: plan.profile!,
      slo: plan.slo!,
      probes: plan.probes,
      recovery: plan.recovery,
      allowedHosts: plan.allowedHosts,
      budgetBuffer: session.ledger.buffer,
      signal: session.abort.signal,
      onPhaseStart: (phase, handle) => session.guard.attach(phase, handle),
      onEvent: (event) => {
        const line = describeEvent(event, (plan.run.requests?.journeys?.length ?? 0) > 0);
        if (line) progress.event(line);
        log.info({ event: event.type }, line ?? event.type);
      },
      onInterval: (interval, phase, handle) => session.interval(interval, phase, handle),
      ...(distribution ? { startRun: distribution.runner } : {}),
    });
    progress.done();
    const stopped = session.guard.stopped;
    const stopReason = stopped?.reason ?? result.stopReason;
    const stored = {
      ...result,
      stopReason,
      ...(stopped ? { stopDetail: stopped.detail } : {}),
      ...partialOf(stopReason, stopped?.detail ?? result.stopDetail),
      runbook: runbookOf(plan, flags, session.ledger.used()),
    };
    const files = await writeResults(stored, plan.name, flags);
    process.stdout.write(`${formatRampSummary(result, plan.run.requests ? `${plan.name} on ${plan.targetUrl}` : undefined)}\n`);
    if (stopped) process.stdout.write(`stopped early: ${stopped.detail}\n`);
    process.stdout.write(`results: ${files.join(', ')}\n`);
    return rampExitCode(result, stopReason, flags.expectKneeAbove);
  } finally {
    await distribution?.finish('the ramp is over');
    await session.dispose();
  }
}

function describeEvent(event: Parameters<NonNullable<Parameters<typeof ramp>[0]['onEvent']>>[0], journeys: boolean): string | undefined {
  const e = event as RampEvent | { type: 'phase'; phase: string };
  const label = (s: { label: string }) => (journeys ? s.label.replace(/ req\/s$/, ' journeys/s') : s.label);
  switch (e.type) {
    case 'phase':
      return e.phase === 'ramp' ? undefined : `-- ${e.phase} --`;
    case 'step-held':
      return `step ${e.step.index + 1} (${label(e.step)}) held`;
    case 'step-unjudged':
      return `step ${e.step.index + 1} (${label(e.step)}) not judged, so not a knee: ${e.step.detail ?? 'a condition could not be judged'}`;
    case 'collapse':
      return `step ${e.step.index + 1} (${label(e.step)}) COLLAPSED: ${e.verdict.conditions
        .filter((c) => c.status === 'breached')
        .map(formatCondition)
        .join(', ')}`;
    case 'inconclusive':
      return `step ${e.step.index + 1} (${label(e.step)}) INCONCLUSIVE: ${e.reason}; ${e.advice}`;
  }
}

export function rampExitCode(result: RampResult, stopReason: string, expectKneeAbove: number | undefined): ExitCode {
  const stopped = exitCodeForStop(stopReason);
  if (stopped !== undefined) return stopped;
  if (result.recovery && 'recovered' in result.recovery && !result.recovery.recovered) return EXIT.notRecovered;
  if (result.verdict === 'inconclusive') return EXIT.inconclusive;
  if (expectKneeAbove !== undefined) {
    const sustained = result.verdict === 'held' ? result.lastHeld?.rateRps : result.knee?.rateRps;
    if (sustained === undefined || sustained < expectKneeAbove) return EXIT.sloBreached;
  }
  return EXIT.ok;
}

import type { Command } from 'commander';
import { formatCondition, formatShortStep, ValidationError } from '@overload/core/internal';
import { planRamp, type RampHooks, type RampResult, runRamp } from '@overload/workers';
import type { ActionRunner } from '../actions/action-runner.js';
import { commandActions, formatActions, warnUndone } from '../actions/command-actions.js';
import { EXIT, type ExitCode, exitCodeForStop } from '../exit-codes.js';
import { createLogger, redactHeaders } from '../logger.js';
import { Progress } from '../output/progress.js';
import { formatRampSummary } from '../output/ramp-summary.js';
import { rateArg } from '../parse.js';
import { resolvePlan } from '../plan/resolve.js';
import { shortStepsOf } from '../plan/short-steps.js';
import { runbookOf } from '../plan/runbook.js';
import { addBaselineOptions, type BaselineFlags, compareWithBaseline, loadBaseline } from '../compare/baseline-flag.js';
import { addReportOptions } from '../report/options.js';
import { writeResults } from '../results/write-results.js';
import { CommandSession, type SendingFlags } from './session.js';
import { addGuardOptions, addLoadOptions, addOutputOptions, addRecoveryOptions, addScenarioOptions } from './shared-options.js';
import { type Distribution, startDistribution, withRunId } from '../shard/distribution.js';
import { followCoordinator } from '../shard/follower.js';
import { addShardOptions, type ShardFlags, shardModeOf } from '../shard/shard-options.js';

export interface RampFlags extends SendingFlags, ShardFlags, BaselineFlags {
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
  addBaselineOptions(cmd);
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
  let actions: ActionRunner | undefined;
  let warned = false;
  try {
    const missing = [];
    if (!plan.profile) missing.push({ path: '--profile', message: `is required: scenario "${plan.name}" declares no profile` });
    if (!plan.slo) missing.push({ path: '--slo', message: `is required: scenario "${plan.name}" declares no SLO` });
    if (missing.length > 0) throw new ValidationError('command line', missing);
    // Resolved and checked once, judge included, before anything starts.
    const rampPlan = planRamp({
      ...plan.run,
      profile: plan.profile!,
      slo: plan.slo!,
      probes: plan.probes,
      recovery: plan.recovery,
      allowedHosts: plan.allowedHosts,
      budgetBuffer: session.ledger.buffer,
    });
    // Moments checked (a step the profile lacks) and hosts allowlisted before anything is sent.
    actions = commandActions(plan, session, { command: 'ramp', stepCount: rampPlan.config.curve.steps.length, judged: true });
    const { config } = rampPlan;
    const baseline = await loadBaseline(
      flags,
      {
        kind: 'ramp',
        target: { method: config.method, url: config.url },
        profile: config.profile,
        slo: rampPlan.slo,
      },
      plan,
    );
    await session.start();
    if (mode.kind === 'coordinator') distribution = await startDistribution(plan, mode, 'ramp', ref, session.abort.signal);
    // Said before the load, not after: a step too short for a percentile can never be the knee.
    // (Steps barely long enough are listed by `overload plan`; here only those that cannot be judged.)
    for (const s of shortStepsOf(rampPlan.config, rampPlan.slo).filter((x) => !x.edge)) progress.event(`warning: ${formatShortStep(s)}`);
    log.info(
      { plan: { ...plan.run, headers: redactHeaders(plan.run.headers ?? {}), requests: undefined }, target: plan.targetUrl },
      'ramp starting',
    );
    session.dashboard?.begin('ramp', plan, mode.kind === 'coordinator' ? mode.count : undefined);
    const result = await runRamp(rampPlan, {
      signal: session.abort.signal,
      onPhaseStart: (phase, handle) => {
        session.guard.attach(phase, handle);
        // Times, `start` and `step:N` count from the ramp phase's t0, the clock of its charts.
        if (phase === 'ramp') void actions?.attach(handle);
      },
      // The clean-up runs once the ramp phase is over, before the cool-down: recovery is judged on a target put back.
      onRampPhaseEnd: (stop) => actions?.finish(stop),
      onEvent: (event) => {
        if (event.type === 'collapse') actions?.collapse();
        const line = describeEvent(event);
        if (line) progress.event(line);
        if (line && event.type !== 'phase') session.dashboard?.verdict(line, event.step);
        log.info({ event: event.type }, line ?? event.type);
      },
      onInterval: (interval, phase, handle) => session.interval(interval, phase, handle),
      ...(session.dashboard ? { onProbeSample: session.dashboard.probe.bind(session.dashboard) } : {}),
      ...(distribution ? { startRun: distribution.runner } : {}),
    });
    const actionRecords = await actions?.finish({ reason: result.stopReason });
    progress.done();
    const stopReason = result.stopReason;
    const stored = {
      ...result,
      ...(actionRecords ? { actions: actionRecords } : {}),
      runbook: runbookOf(plan, flags, session.ledger.used(), actionRecords),
    };
    const files = await writeResults(stored, plan.name, flags);
    process.stdout.write(`${formatRampSummary(result, plan.run.requests ? `${plan.name} on ${plan.targetUrl}` : undefined)}\n`);
    if (actionRecords) process.stdout.write(`${formatActions(actionRecords)}\n`);
    if (result.partial) process.stdout.write(`stopped early: ${result.partial.detail}\n`);
    process.stdout.write(`results: ${files.join(', ')}\n`);
    // Whatever the verdict: a target left paused is never a pass.
    warned = true;
    const undone = actionRecords !== undefined && warnUndone(actionRecords, plan.actions, process.stderr);
    const exitCode = undone
      ? (exitCodeForStop(stopReason) ?? EXIT.stopped)
      : await compareWithBaseline(baseline, files, rampExitCode(result, stopReason, flags.expectKneeAbove));
    session.dashboard?.end({ verdict: formatRampSummary(result).trim().split('\n').at(-1) ?? result.verdict, exitCode, files });
    return exitCode;
  } catch (error) {
    session.failed(error);
    throw error;
  } finally {
    // A ramp that ended in an error still undoes what its actions did, before the process exits.
    const late = actions ? await actions.finish({ reason: 'aborted' }) : undefined;
    if (late && !warned) warnUndone(late, plan.actions, process.stderr);
    await distribution?.finish('the ramp is over');
    await session.dispose();
  }
}

function describeEvent(event: Parameters<NonNullable<RampHooks['onEvent']>>[0]): string | undefined {
  switch (event.type) {
    case 'phase':
      return event.phase === 'ramp' ? undefined : `-- ${event.phase} --`;
    case 'step-held':
      return `step ${event.step.index + 1} (${event.step.label}) held`;
    case 'step-unjudged':
      return `step ${event.step.index + 1} (${event.step.label}) not judged, so not a knee: ${event.step.detail ?? 'a condition could not be judged'}`;
    case 'collapse':
      return `step ${event.step.index + 1} (${event.step.label}) COLLAPSED: ${event.verdict.conditions
        .filter((c) => c.status === 'breached')
        .map(formatCondition)
        .join(', ')}`;
    case 'inconclusive':
      return `step ${event.step.index + 1} (${event.step.label}) INCONCLUSIVE: ${event.reason}; ${event.advice}`;
  }
}

export function rampExitCode(result: RampResult, stopReason: string, expectKneeAbove: number | undefined): ExitCode {
  const stopped = exitCodeForStop(stopReason);
  if (stopped !== undefined) return stopped;
  if (result.verdict === 'never-healthy') return EXIT.neverHealthy;
  if (result.recovery && 'recovered' in result.recovery && !result.recovery.recovered) return EXIT.notRecovered;
  if (result.verdict === 'inconclusive') return EXIT.inconclusive;
  if (expectKneeAbove !== undefined) {
    const sustained = result.verdict === 'held' ? result.lastHeld?.rateRps : result.knee?.rateRps;
    if (sustained === undefined || sustained < expectKneeAbove) return EXIT.sloBreached;
  }
  return EXIT.ok;
}

import type { Command } from 'commander';
import {
  type Profile,
  type ProbeSeries,
  type RunResult,
  ValidationError,
  formatDurationMs,
  parseStatusList,
} from '@overload/core/internal';
import { type ProbeHandle, preflightRun, runConfig, startProbes, startRun } from '@overload/workers';
import { commandActions, formatActions, warnUndone } from '../actions/command-actions.js';
import type { ActionRunner } from '../actions/action-runner.js';
import { EXIT, type ExitCode, exitCodeForStop } from '../exit-codes.js';
import { createLogger, redactHeaders } from '../logger.js';
import { Progress } from '../output/progress.js';
import { formatPinch, pinchOf } from '../output/pinch-summary.js';
import { formatRunSummary } from '../output/run-summary.js';
import { durationArg, rateArg, statusListArg } from '../parse.js';
import { resolvePlan } from '../plan/resolve.js';
import { runbookOf } from '../plan/runbook.js';
import { addBaselineOptions, type BaselineFlags, compareWithBaseline, loadBaseline } from '../compare/baseline-flag.js';
import { addReportOptions } from '../report/options.js';
import { writeResults } from '../results/write-results.js';
import { CommandSession, type SendingFlags } from './session.js';
import { runEndLine } from '../dashboard/end-line.js';
import { addGuardOptions, addLoadOptions, addOutputOptions, addScenarioOptions } from './shared-options.js';
import { type Distribution, sharedRunId, standaloneShardPlan, startDistribution, withRunId } from '../shard/distribution.js';
import { followCoordinator } from '../shard/follower.js';
import { addShardOptions, type ShardFlags, shardModeOf } from '../shard/shard-options.js';

interface RunFlags extends SendingFlags, ShardFlags, BaselineFlags {
  rate?: number;
  duration?: number;
  expectStatus?: string;
}

export function registerRun(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('run')
    .description('fire an open-loop load (a constant rate or any profile) and report corrected latency; no collapse judging')
    .argument('<url|scenario>', 'target URL, e.g. http://127.0.0.1:8080/health, or a scenario name or file')
    .option('--rate <rps>', 'constant rate in requests per second (with --duration)', rateArg)
    .option('--duration <time>', 'how long to run at --rate, e.g. 20s, 2m', durationArg)
    .option('--expect-status <list>', 'statuses that count as success, e.g. "200-299,404" (default 200-399)', statusListArg);
  addScenarioOptions(cmd);
  addLoadOptions(cmd);
  addGuardOptions(cmd);
  addShardOptions(cmd);
  addOutputOptions(cmd);
  addReportOptions(cmd);
  addBaselineOptions(cmd);
  cmd
    .addHelpText(
      'after',
      `
Examples:
  $ overload run http://127.0.0.1:8080/ --rate 1000 --duration 20s --json result.json
  $ overload run http://127.0.0.1:8080/ --rate 4000 --duration 1m --shard 0/4 --start-at +30s   # then merge: overload merge */result.json
  $ overload run http://127.0.0.1:8080/ --profile "linear:from=100,to=2000,duration=1m" --workers 1
  $ overload run http://127.0.0.1:8080/reports -m POST -H "content-type: application/json" --body '{"a":1}' --rate 50 --duration 10s
  $ overload run student-reports-pinch`,
    )
    .action(async (ref: string, flags: RunFlags) => {
      setExit(await runCommand(ref, flags));
    });
}

/** `--rate`/`--duration` become a constant profile, or `--profile` gives any kind. */
export function profileFlag(flags: RunFlags): string | undefined {
  if (flags.rate === undefined && flags.duration === undefined) return flags.profile;
  if (flags.profile !== undefined) {
    throw new ValidationError('command line', [
      { path: '--rate', message: 'cannot be combined with --profile; put the rate in the profile' },
    ]);
  }
  if (flags.rate === undefined || flags.duration === undefined) {
    throw new ValidationError('command line', [
      { path: flags.rate === undefined ? '--rate' : '--duration', message: 'is required (give --rate and --duration, or --profile)' },
    ]);
  }
  return JSON.stringify({ kind: 'constant', rateRps: flags.rate, durationMs: flags.duration } satisfies Profile);
}

async function runCommand(ref: string, flags: RunFlags): Promise<ExitCode> {
  const log = createLogger({ ...(flags.logLevel ? { level: flags.logLevel } : {}), ...(flags.logFile ? { file: flags.logFile } : {}) });
  const progress = new Progress(process.stderr, { quiet: flags.quiet ?? false });
  const profileText = profileFlag(flags);
  const mode = shardModeOf(flags, 'run');
  const drawn = await resolvePlan(
    ref,
    { ...flags, ...(profileText !== undefined ? { profile: profileText } : {}) },
    { startEmbedded: mode.kind === 'single' },
  );
  // A given --run-id wins; shards started apart at one --start-at derive the same one.
  const resolved = withRunId(drawn, flags.runId ?? (mode.kind === 'standalone' ? sharedRunId(drawn, mode) : undefined));
  if (mode.kind === 'follower') return followCoordinator(resolved, mode, flags, progress);
  const plan = mode.kind === 'standalone' ? standaloneShardPlan(resolved, mode) : resolved;
  const session = new CommandSession(plan, flags, progress);
  let probes: ProbeHandle | undefined;
  let distribution: Distribution | undefined;
  let actions: ActionRunner | undefined;
  let warned = false;
  try {
    if (!plan.profile) {
      throw new ValidationError('command line', [{ path: '--rate', message: 'is required (give --rate and --duration, or --profile)' }]);
    }
    // Resolved once: validation and the allowlist first (it throws), then a pre-flight: a target
    // that is down from the start gets exit 6, not a run of refused connections.
    const config = runConfig({
      ...plan.run,
      profile: plan.profile,
      budgetBuffer: session.ledger.buffer,
      ...(flags.expectStatus !== undefined ? { expectStatus: parseStatusList(flags.expectStatus) } : {}),
    });
    if (config.curve.totalArrivals < 1) {
      // A run that sends nothing measures nothing: refused, never an exit 0 with empty histograms.
      throw new ValidationError('command line', [
        {
          path: flags.duration !== undefined ? '--duration' : '--profile',
          message: `sends no request: the ${plan.profile.kind} profile over ${formatDurationMs(config.curve.durationMs)} schedules ${config.curve.totalArrivals} arrivals; give a longer duration or a higher rate`,
        },
      ]);
    }
    // Refused before anything is sent: a baseline that cannot be read, or of another target or profile.
    const baseline = await loadBaseline(
      flags,
      {
        kind: 'run',
        target: { method: config.method, url: config.url },
        profile: config.profile,
      },
      plan,
    );
    actions = commandActions(plan, session, { command: 'run', stepCount: config.curve.steps.length, judged: false });
    // The outputs are checked first (session.start), so even the pre-flight request waits for them.
    await session.start();
    await preflightRun(config, { probes: plan.probes, allowedHosts: plan.allowedHosts });
    if (mode.kind === 'coordinator') distribution = await startDistribution(plan, mode, 'run', ref, session.abort.signal);
    session.dashboard?.begin('run', plan, mode.kind === 'coordinator' ? mode.count : undefined);
    const handle = (distribution?.runner ?? startRun)(config, { onInterval: (i, h) => session.interval(i, 'run', h) });
    session.guard.attach('run', handle);
    void actions?.attach(handle);
    log.info(
      { url: plan.run.url, headers: redactHeaders(plan.run.headers ?? {}), profile: plan.profile, runId: handle.config.runId },
      'run started',
    );
    if (plan.probes.length > 0) {
      const t0 = await Promise.race([handle.started, handle.result.then(() => performance.now())]);
      probes = startProbes(plan.probes, {
        t0Perf: t0,
        allowedHosts: plan.allowedHosts,
        ...(session.dashboard ? { onSample: session.dashboard.probe.bind(session.dashboard) } : {}),
      });
    }
    const result: RunResult = await handle.result;
    // The clean-up comes first: whatever stopped the run, the target is put back before results are written.
    const actionRecords = await actions?.finish(await handle.stopped);
    const series: ProbeSeries[] = probes?.series() ?? [];
    await probes?.stop();
    probes = undefined;
    progress.done();
    const pinch = pinchOf(result, handle.config, series, plan, actionRecords);
    const stopReason = result.stopReason;
    const stored = {
      ...result,
      probes: series,
      ...(actionRecords ? { actions: actionRecords } : {}),
      ...(pinch ? { pinch } : {}),
      runbook: runbookOf(plan, flags, session.ledger.used(), actionRecords),
    };
    const files = await writeResults(stored, plan.name, flags);
    process.stdout.write(`${formatRunSummary(result, plan.run.requests ? `${plan.name} on ${plan.targetUrl}` : undefined)}\n`);
    if (pinch) process.stdout.write(`${formatPinch(pinch).join('\n')}\n`);
    if (actionRecords) process.stdout.write(`${formatActions(actionRecords)}\n`);
    if (result.partial) process.stdout.write(`stopped early: ${result.partial.detail}\n`);
    process.stdout.write(`results: ${files.join(', ')}\n`);
    log.info({ stopReason, totals: result.totals }, 'run finished');
    // Whatever the verdict: a target left paused is never a pass.
    warned = true;
    const undone = actionRecords !== undefined && warnUndone(actionRecords, plan.actions, process.stderr);
    const ownExit =
      undone || stopReason !== 'completed'
        ? (exitCodeForStop(stopReason) ?? EXIT.stopped)
        : result.generator.saturated
          ? EXIT.inconclusive
          : EXIT.ok;
    const exitCode = await compareWithBaseline(baseline, files, ownExit);
    session.dashboard?.end({ verdict: runEndLine(result), exitCode, files });
    return exitCode;
  } catch (error) {
    session.failed(error);
    throw error;
  } finally {
    // A run that ended in an error still undoes what its actions did, before the process exits.
    const late = actions ? await actions.finish({ reason: 'aborted' }) : undefined;
    if (late && !warned) warnUndone(late, plan.actions, process.stderr);
    await probes?.stop();
    await distribution?.finish('the run is over');
    await session.dispose();
  }
}

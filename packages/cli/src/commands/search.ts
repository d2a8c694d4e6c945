import type { Command } from 'commander';
import { partialOf, ValidationError } from '@overload/core/internal';
import { runConfig, search, type SearchRunResult } from '@overload/workers';
import { addBaselineOptions, compareWithBaseline, loadBaseline } from '../compare/baseline-flag.js';
import { EXIT, type ExitCode, exitCodeForStop } from '../exit-codes.js';
import { Progress } from '../output/progress.js';
import { formatSearchSummary } from '../output/ramp-summary.js';
import { durationArg, durationOrZeroArg, positiveNumberArg, rateArg } from '../parse.js';
import { resolvePlan } from '../plan/resolve.js';
import { runbookOf } from '../plan/runbook.js';
import { addReportOptions } from '../report/options.js';
import { writeResults } from '../results/write-results.js';
import { CommandSession } from './session.js';
import type { RampFlags } from './ramp.js';
import { addGuardOptions, addLoadOptions, addOutputOptions, addScenarioOptions } from './shared-options.js';

interface SearchFlags extends RampFlags {
  start?: number;
  factor?: number;
  precision?: number;
  minTrial?: number;
  trialCooldown?: number;
}

export function registerSearch(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('search')
    .description('capacity search: grow the rate geometrically until the SLO breaks, then bisect to the highest sustainable rate')
    .argument('<scenario|url>', 'a scenario name or file, or a URL with --slo');
  addScenarioOptions(cmd);
  addLoadOptions(cmd);
  addGuardOptions(cmd);
  addOutputOptions(cmd);
  addReportOptions(cmd);
  addBaselineOptions(cmd);
  cmd
    .option('--start <rps>', 'first trial rate (default 100)', rateArg)
    .option(
      '--factor <n>',
      'growth between trials before the first breach (default 2)',
      positiveNumberArg('a growth factor > 1, such as 2', 100),
    )
    .option(
      '--precision <fraction>',
      'stop when the bracket is within this fraction (default 0.05)',
      positiveNumberArg('a fraction > 0 and < 1, such as 0.05', 0.99),
    )
    .option('--min-trial <time>', 'shortest trial (default 5s; longer when the SLO percentile needs more samples)', durationArg)
    .option('--trial-cooldown <time>', 'quiet time between trials (default 2s)', durationOrZeroArg)
    .option(
      '--recovery-within <time>',
      'after a breached trial, how long the target may take to hold the SLO again at a low rate before the next trial (default 15s)',
      durationArg,
    )
    .addHelpText(
      'after',
      `\nExamples:\n  $ overload search http://127.0.0.1:8080/ --slo "p99<200ms,errors<1%" --start 200\n  $ overload search student-reports --precision 0.1`,
    )
    .action(async (ref: string, flags: SearchFlags) => setExit(await searchCommand(ref, flags)));
}

async function searchCommand(ref: string, flags: SearchFlags): Promise<ExitCode> {
  const progress = new Progress(process.stderr, { quiet: flags.quiet ?? false });
  const plan = await resolvePlan(ref, flags, { startEmbedded: true });
  const session = new CommandSession(plan, flags, progress);
  try {
    if (!plan.slo) throw new ValidationError('command line', [{ path: '--slo', message: `is required: "${plan.name}" declares no SLO` }]);
    // The search's target as its result will name it (each trial is this config at its own rate).
    const target = runConfig({ ...plan.run, profile: { kind: 'constant', rateRps: 1, durationMs: 1000 } });
    const baseline = await loadBaseline(flags, { kind: 'search', target: { method: target.method, url: target.url }, slo: plan.slo }, plan);
    await session.start();
    session.dashboard?.begin('search', plan);
    const result = await search({
      ...plan.run,
      slo: plan.slo,
      probes: plan.probes,
      allowedHosts: plan.allowedHosts,
      budgetBuffer: session.ledger.buffer,
      signal: session.abort.signal,
      ...(flags.start !== undefined ? { startRps: flags.start } : {}),
      ...(flags.factor !== undefined ? { factor: flags.factor } : {}),
      ...(flags.precision !== undefined ? { precision: flags.precision } : {}),
      ...(plan.run.maxRps !== undefined ? { maxRps: plan.run.maxRps } : {}),
      ...(flags.minTrial !== undefined ? { minTrialMs: flags.minTrial } : {}),
      ...(flags.trialCooldown !== undefined ? { cooldownMs: flags.trialCooldown } : {}),
      ...(flags.recoveryWithin !== undefined ? { recovery: { withinMs: flags.recoveryWithin } } : {}),
      onPhaseStart: (trial, handle, kind) => {
        session.guard.attach(kind === 'trial' ? `trial ${trial + 1}` : `baseline after trial ${trial + 1}`, handle);
        if (kind === 'trial')
          progress.event(
            `trial ${trial + 1}: ${handle.config.curve.peakRps} req/s for ${(handle.config.curve.durationMs / 1000).toFixed(0)} s`,
          );
      },
      onInterval: (interval, trial, handle) => session.interval(interval, `trial ${trial + 1}`, handle),
      onBaseline: (trial, rateRps) =>
        progress.event(`trial ${trial + 1}: waiting for the target to recover at ${rateRps} req/s before the next trial`),
      onTrial: (t) => {
        session.dashboard?.verdict(`trial ${t.index + 1} at ${t.rateRps} req/s: ${t.verdict}${t.detail ? ` (${t.detail})` : ''}`);
        progress.event(
          `trial ${t.index + 1} at ${t.rateRps} req/s: ${t.verdict}${t.detail ? ` (${t.detail})` : ''}` +
            (t.recovery
              ? `; ${t.recovery.recovered ? `recovered after ${(t.recovery.timeToRecoverMs! / 1000).toFixed(1)} s` : 'did NOT recover'}`
              : ''),
        );
      },
    });
    progress.done();
    const stopReason = result.stopReason;
    const stored = {
      ...result,
      ...(stopReason ? partialOf(stopReason, result.stopDetail) : {}),
      runbook: runbookOf(plan, flags, session.ledger.used()),
    };
    const files = await writeResults(stored, `${plan.name}-search`, flags);
    process.stdout.write(`${formatSearchSummary(result, plan.run.requests ? `${plan.name} on ${plan.targetUrl}` : undefined)}\n`);
    process.stdout.write(`results: ${files.join(', ')}\n`);
    if (result.stopReason)
      process.stdout.write(`search stopped: ${result.stopReason}${result.stopDetail ? ` (${result.stopDetail})` : ''}\n`);
    const exitCode = await compareWithBaseline(baseline, files, searchExitCode(result, stopReason, flags.expectKneeAbove));
    session.dashboard?.end({ verdict: formatSearchSummary(result).trim().split('\n').at(-1) ?? '', exitCode, files });
    return exitCode;
  } catch (error) {
    session.failed(error);
    throw error;
  } finally {
    await session.dispose();
  }
}

/**
 * A search never ends quietly on a trial it could not judge: a stop (guardrail, kill switch)
 * is 3, a worker crash 70, a target that did not recover between trials 4 (the bracket is
 * unreliable), a saturated generator 5.
 */
export function searchExitCode(result: SearchRunResult, stopReason: string | undefined, expectKneeAbove: number | undefined): ExitCode {
  const stopped = exitCodeForStop(stopReason);
  if (stopped !== undefined) return stopped;
  if (!result.reliable) return EXIT.notRecovered;
  if (result.trials.some((t) => t.verdict === 'inconclusive')) return EXIT.inconclusive;
  if (expectKneeAbove !== undefined && (result.sustainableRps ?? 0) < expectKneeAbove) return EXIT.sloBreached;
  return EXIT.ok;
}

import { dirname, resolve as resolvePath } from 'node:path';
import {
  type ActionSpec,
  parseActionFlag,
  type ResolvedAction,
  resolveActions,
  compileFlows,
  combineAllowlists,
  DEFAULT_EXPECT_STATUS,
  validateScopedNames,
  DEFAULT_ERROR_BURST,
  type ErrorBurstOptions,
  formatIssue,
  parseErrorBurst,
  parseDurationMs,
  parseProfileText,
  parseSlo,
  type ProbeSpec,
  type Profile,
  randomRunId,
  readProbeFlag,
  type RequestMix,
  type RunOptions,
  type Scenario,
  type Slo,
  ValidationError,
  type ValidationIssue,
  validateProfile,
  validateProbes,
  validateSloProbeNames,
} from '@overload/core/internal';
import type { RampRecoveryOptions } from '@overload/workers';
import { loadScenario, materializeFeeders } from '../scenario/load.js';
import { type EmbeddedTargetProcess, startEmbeddedTarget } from './embedded-target.js';
import { envPlaceholderNames, secretHeaderValues, secrets, urlPasswordForms } from '../secrets.js';
import { flagDurationMs } from '../parse.js';
import { checkFlagsTighten } from './tighten.js';
import { readTlsFiles } from './tls-files.js';

/** Flags shared by ramp, search, run and plan (commander camel-cases them). */
export interface PlanFlags {
  target?: string;
  targetOption?: Record<string, string>;
  profile?: string;
  slo?: string;
  probe?: string[];
  action?: string[];
  recovery?: boolean;
  cooldown?: number;
  recoveryWithin?: number;
  recoveryBaseline?: number;
  workers?: number;
  connections?: number;
  pipelining?: number;
  timeout?: number;
  maxInFlight?: number;
  arrivals?: 'uniform' | 'poisson';
  seed?: number;
  method?: string;
  header?: Record<string, string>;
  body?: string;
  maxRate?: number;
  maxRequests?: number;
  maxDuration?: number;
  budget?: Record<string, number>;
  abortOnErrors?: string | boolean;
  runIdHeader?: string;
  /** `run --rate`: checked against the rate ceiling here, with the scenario's in view. */
  rate?: number;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  http2?: boolean;
  client?: 'auto' | 'undici';
}

export interface ResolvedPlan {
  readonly name: string;
  readonly description: string | undefined;
  readonly scenarioFile: string | undefined;
  readonly targetUrl: string;
  readonly embedded: EmbeddedTargetProcess | undefined;
  /** Everything `startRun` needs but the profile. */
  readonly run: Omit<RunOptions, 'profile' | 'rateRps' | 'durationMs'> & { url: string };
  readonly profile: Profile | undefined;
  readonly slo: Slo | undefined;
  readonly probes: ProbeSpec[];
  /** The scenario's actions then the `--action` flags, URLs absolute (empty before the embedded target starts). */
  readonly actions: ResolvedAction[];
  readonly recovery: false | RampRecoveryOptions;
  readonly allowedHosts: string[];
  readonly budgets: Readonly<Record<string, number>>;
  readonly maxDurationMs: number | undefined;
}

/**
 * Turns `<scenario or URL>` plus flags into one plan. Validation collects every problem across
 * scenario and flags before anything starts; the embedded target (demo mode) is started only
 * once everything else is known to be valid, and only when no target was given.
 */
export async function resolvePlan(
  ref: string,
  flags: PlanFlags,
  options: { startEmbedded: boolean; env?: NodeJS.ProcessEnv },
): Promise<ResolvedPlan> {
  const env = options.env ?? process.env;
  const isUrl = /^https?:\/\//i.test(ref);
  if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new ValidationError('command line', [
      { path: '<url|scenario>', message: `${JSON.stringify(ref)} is a URL, but only http:// and https:// targets can be loaded` },
    ]);
  }
  const loaded = isUrl ? undefined : await loadScenario(ref, process.cwd(), env);
  const scenario: Scenario | undefined = loaded?.scenario;
  const issues: ValidationIssue[] = [];
  registerSecrets(scenario, flags, ref, env);

  let profile: Profile | undefined = scenario?.profile;
  if (flags.profile !== undefined) {
    try {
      profile = parseProfileText(flags.profile) as Profile;
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues.map((i) => ({ ...i, path: `--profile ${i.path}`.trim() })));
      else throw error;
    }
    if (profile) issues.push(...validateProfile(profile).map((i) => ({ ...i, path: `--profile ${i.path}` })));
  }
  let slo: Slo | undefined;
  const sloText = flags.slo ?? scenario?.slo;
  if (sloText !== undefined) {
    try {
      slo = typeof sloText === 'string' ? parseSlo(sloText) : sloText;
    } catch (error) {
      if (error instanceof ValidationError)
        issues.push(...error.issues.map((i) => ({ ...i, path: flags.slo !== undefined ? `--slo ${i.path}` : i.path })));
      else throw error;
    }
  }
  if (slo && scenario && flags.slo !== undefined) {
    // A scoped condition given on the command line must name a journey, step or request of the scenario.
    const { names } = compileFlows(
      { templates: scenario.requests ?? [], ...(scenario.journeys ? { journeys: scenario.journeys } : {}) },
      { feederNames: Object.keys(scenario.feeders ?? {}), defaultExpect: DEFAULT_EXPECT_STATUS },
      [],
    );
    issues.push(...validateScopedNames(slo, names, '--slo'));
  } else if (slo?.scoped && !scenario) {
    issues.push({ path: '--slo', message: 'names a journey, step or request, but a URL target has none: use a scenario' });
  }
  let errorBurst: false | ErrorBurstOptions = errorBurstOf(scenario);
  if (flags.abortOnErrors === false) errorBurst = false;
  else if (typeof flags.abortOnErrors === 'string') {
    const parsed = parseErrorBurst(flags.abortOnErrors, flagDurationMs);
    if (!parsed) issues.push({ path: '--abort-on-errors', message: `must look like 50%/5s (got "${flags.abortOnErrors}")` });
    else errorBurst = parsed;
  }

  issues.push(...checkFlagsTighten(scenario?.safety, flags));
  const budgets = { ...(scenario?.safety?.budgets ?? {}), ...(flags.budget ?? {}) };
  const maxRps = minDefined(flags.maxRate, scenario?.safety?.maxRps);
  const maxRequests = minDefined(flags.maxRequests, scenario?.safety?.maxRequests);
  const scenarioMaxDuration = scenario?.safety?.maxDurationMs !== undefined ? parseDurationMs(scenario.safety.maxDurationMs) : undefined;
  const maxDurationMs = minDefined(flags.maxDuration, scenarioMaxDuration);
  const allowedHosts = combineAllowlists(scenario?.safety?.allowedHosts, env.OVERLOAD_ALLOWED_HOSTS);
  if (flags.rate !== undefined && maxRps !== undefined && flags.rate > maxRps) {
    issues.push({
      path: '--rate',
      message: `${flags.rate} req/s is above the rate ceiling of ${maxRps} req/s (${flags.maxRate !== undefined ? '--max-rate' : "the scenario's safety.maxRps"}): lower --rate, or raise the ceiling`,
    });
  }
  const tls = readTlsFiles(
    {
      ...(flags.ca !== undefined ? { ca: flags.ca } : {}),
      ...(flags.cert !== undefined ? { cert: flags.cert } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      ...(flags.insecure ? { insecure: true } : {}),
    },
    scenario?.tls,
    loaded ? dirname(loaded.file) : undefined,
    issues,
  );
  if (tls?.key) secrets.add([tls.key]);
  const http2 = flags.http2 === true || scenario?.http2 === true;

  const targetGiven = isUrl ? ref : (flags.target ?? scenario?.target);
  if (!targetGiven && !scenario?.embeddedTarget) {
    issues.push({
      path: '--target',
      message: `is required: scenario "${scenario?.name ?? ref}" has no target and no embedded demo target`,
    });
  }
  if (flags.targetOption && Object.keys(flags.targetOption).length > 0 && (targetGiven || !scenario?.embeddedTarget)) {
    issues.push({ path: '--target-option', message: "only applies to a scenario's embedded demo target (not with --target)" });
  }
  const probeFlags: ProbeSpec[] = [];
  for (const text of flags.probe ?? []) {
    const spec = readProbeFlag(text, {}, issues);
    if (spec) probeFlags.push(spec);
  }
  const actionSpecs: ActionSpec[] = [...(scenario?.actions ?? [])];
  const actionFields = actionSpecs.map((_a, i) => `actions[${i}]`);
  for (const text of flags.action ?? []) {
    const spec = parseActionFlag(text, issues);
    if (spec) {
      actionSpecs.push(spec);
      actionFields.push(`--action ${JSON.stringify(text)}`);
    }
  }
  const actionNames = new Set<string>();
  for (const a of actionSpecs) {
    if (actionNames.has(a.name))
      issues.push({ path: `--action ${a.name}`, message: `"${a.name}" is the name of another action: give each action its own name` });
    actionNames.add(a.name);
  }
  for (const name of envPlaceholderNames(actionSpecs))
    if (env[name] === undefined)
      issues.push({ path: 'actions', message: `{{env.${name}}} is used but ${name} is not set: export ${name}=… first` });
  if (slo) {
    const probeNames = [...(scenario?.probes ?? []), ...probeFlags].map((p) => p.name);
    issues.push(...validateSloProbeNames(slo, probeNames, flags.slo !== undefined ? '--slo' : 'slo'));
  }
  if (issues.length > 0)
    throw new ValidationError(
      loaded ? `scenario ${loaded.file} with these flags` : 'command line',
      issues,
      loaded ? 'OVL_INVALID_SCENARIO' : 'OVL_INVALID_OPTIONS',
    );

  // Everything is valid: now (and only now) start the demo target if one is needed.
  let embedded: EmbeddedTargetProcess | undefined;
  let targetUrl: string;
  if (targetGiven) targetUrl = targetGiven;
  else if (options.startEmbedded) {
    const module = resolvePath(dirname(loaded!.file), scenario!.embeddedTarget!.module);
    embedded = await startEmbeddedTarget(module, { ...(scenario!.embeddedTarget!.options ?? {}), ...(flags.targetOption ?? {}) });
    targetUrl = embedded.url;
  } else targetUrl = '(the embedded demo target, started on 127.0.0.1 at run time)';

  try {
    const base = targetGiven || embedded ? stripSlash(targetUrl) : '';
    const probes = [...(scenario?.probes ?? []), ...probeFlags].map((p) => (p.url.startsWith('/') ? { ...p, url: `${base}${p.url}` } : p));
    if (base !== '') {
      const probeIssues = validateProbes(probes);
      if (probeIssues.length > 0)
        throw new ValidationError(
          loaded ? `scenario ${loaded.file}` : 'command line',
          probeIssues,
          loaded ? 'OVL_INVALID_SCENARIO' : 'OVL_INVALID_OPTIONS',
        );
    }
    let requests: RequestMix | undefined;
    const runId = randomRunId();
    if (scenario) {
      const rows = 100_000;
      requests = {
        templates: scenario.requests ?? [],
        ...(scenario.journeys ? { journeys: scenario.journeys } : {}),
        feeders: await materializeFeeders(scenario.feeders, loaded!.file, rows),
        env: envValuesUsedBy(scenario, env),
        seed: flags.seed ?? 1,
        runId,
      };
    }
    const recovery: false | RampRecoveryOptions =
      flags.recovery === false
        ? false
        : {
            ...(scenario?.recovery ?? {}),
            ...(flags.cooldown !== undefined ? { cooldownMs: flags.cooldown } : {}),
            ...(flags.recoveryWithin !== undefined ? { withinMs: flags.recoveryWithin } : {}),
            ...(flags.recoveryBaseline !== undefined
              ? flags.recoveryBaseline <= 1
                ? { baselineRatio: flags.recoveryBaseline }
                : { baselineRps: flags.recoveryBaseline }
              : {}),
          };
    const timeout = flags.timeout ?? (scenario?.timeoutMs !== undefined ? parseDurationMs(scenario.timeoutMs) : undefined);
    return {
      name: scenario?.name ?? new URL(targetUrl).host,
      description: scenario?.description,
      scenarioFile: loaded?.file,
      targetUrl,
      embedded,
      run: {
        url: isUrl ? ref : `${base || 'http://127.0.0.1'}/`,
        ...(flags.method ? { method: flags.method } : {}),
        ...(flags.header ? { headers: flags.header } : {}),
        ...(flags.body !== undefined ? { body: flags.body } : {}),
        ...(requests ? { requests } : {}),
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        ...(flags.connections !== undefined ? { connections: flags.connections } : {}),
        ...(flags.pipelining !== undefined ? { pipelining: flags.pipelining } : {}),
        ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
        ...(flags.maxInFlight !== undefined ? { maxInFlight: flags.maxInFlight } : {}),
        ...(flags.arrivals ? { arrivals: flags.arrivals } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(maxRps !== undefined ? { maxRps } : {}),
        ...(maxRequests !== undefined ? { maxRequests } : {}),
        errorBurst,
        allowedHosts,
        budgets,
        runId,
        ...(tls ? { tls } : {}),
        ...(http2 ? { http2: true } : {}),
        ...(flags.client ? { client: flags.client } : {}),
        ...(flags.runIdHeader
          ? { runIdHeader: flags.runIdHeader }
          : scenario?.safety?.runIdHeader
            ? { runIdHeader: scenario.safety.runIdHeader }
            : {}),
      },
      profile,
      slo,
      probes,
      actions: resolveActions(actionSpecs, base, actionFields),
      recovery,
      allowedHosts,
      budgets,
      maxDurationMs,
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/**
 * Everything of this command that must never be written out: secret header values (flags and
 * scenario), the values of the environment variables read by `{{env.NAME}}` placeholders, URL
 * passwords. Registered before anything runs, so no output of the command can carry them.
 */
function registerSecrets(scenario: Scenario | undefined, flags: PlanFlags, ref: string, env: NodeJS.ProcessEnv): void {
  const values: (string | undefined)[] = [...secretHeaderValues(flags.header)];
  for (const headers of headerObjectsIn([scenario?.requests, scenario?.journeys])) values.push(...secretHeaderValues(headers));
  for (const headers of headerObjectsIn(scenario?.actions)) values.push(...secretHeaderValues(headers));
  for (const name of envPlaceholderNames([
    scenario?.requests,
    scenario?.journeys,
    scenario?.actions,
    flags.header,
    flags.body,
    flags.target,
    ref,
  ]))
    values.push(env[name]);
  for (const url of [ref, flags.target, scenario?.target]) if (url) values.push(...urlPasswordForms(url));
  secrets.add(values);
}

/** Every `headers` object in requests and journeys' steps, however deep. */
function headerObjectsIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) headerObjectsIn(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'headers' && typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(v as Record<string, unknown>);
      else headerObjectsIn(v, out);
    }
  }
  return out;
}

/** The scenario's error-burst guardrail over the defaults (its window may be written as a duration). */
function errorBurstOf(scenario: Scenario | undefined): false | ErrorBurstOptions {
  const declared = scenario?.safety?.errorBurst;
  if (declared === false) return false;
  return {
    ...DEFAULT_ERROR_BURST,
    ...(declared?.maxErrorRate !== undefined ? { maxErrorRate: declared.maxErrorRate } : {}),
    ...(declared?.windowMs !== undefined ? { windowMs: parseDurationMs(declared.windowMs) } : {}),
  };
}

/**
 * The environment variables a scenario's `{{env.NAME}}` placeholders use, read once here: only
 * they cross to the worker threads (validation already refused any that is not set).
 */
function envValuesUsedBy(scenario: Scenario, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const text = JSON.stringify([scenario.requests ?? [], scenario.journeys ?? []]);
  for (const m of text.matchAll(/\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/g)) {
    const value = env[m[1]!];
    if (value !== undefined) out[m[1]!] = value;
  }
  return out;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
}

import { DEFAULTS } from '../defaults.js';
import type { ValidationIssue } from '../errors.js';
import { type StatusExpectation, validateStatuses } from '../run/config.js';
import { SCENARIO_FIELDS, unknownFields } from '../scenario/known-fields.js';
import { type DurationInput, describe, isUnitlessDuration, parseDurationMs, readDurationMs } from '../units.js';

/**
 * An HTTP call overload makes on the target at a moment of the run: pause the consumers at 10 s,
 * resume them at 40 s. `always` makes it a clean-up: it runs however the run ends (see runner).
 */
export interface ActionSpec {
  readonly name: string;
  /** A duration from t0 with its unit (`'10s'`), `'start'`, `'end'`, `'step:3'` (when step 3 starts) or `'collapse'`. */
  readonly at: 'start' | 'end' | `step:${number}` | 'collapse' | (string & {});
  readonly method?: string;
  /** Relative to the target (`/admin/consumers/pause`); or give a full `url`. */
  readonly path?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expectStatus?: readonly StatusExpectation[];
  readonly timeoutMs?: DurationInput;
  /** Run it even when the run stops before its moment, as soon as sending stops. */
  readonly always?: boolean;
  /** `'stop'` (default): a failure stops the run (`action-failed`, exit 3). */
  readonly onFailure?: 'stop' | 'continue';
  /**
   * This action releases a pinch (resumes the consumers): the pinch summary times the drain from
   * when it was actually sent. `true` watches every probe whose name says queue, depth or backlog;
   * `{ queue, completed }` names the queue's probe and a probe counting completed work (a
   * counter), from which the drain's throughput is read.
   */
  readonly release?: boolean | PinchRelease;
}

/** Which probes a pinch's release is about (see `ActionSpec.release`). */
export interface PinchRelease {
  /** The probe of the queue the hold builds, e.g. 'render_queue'. */
  readonly queue?: string;
  /** A probe counting completed work, e.g. 'reports_done' on student_reports_done_total. */
  readonly completed?: string;
}

export type ActionMoment =
  | { readonly kind: 'time'; readonly atMs: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' }
  | { readonly kind: 'step'; readonly step: number }
  | { readonly kind: 'collapse' };

/** An action with its moment parsed, its URL absolute and every default filled in. */
export interface ResolvedAction {
  readonly name: string;
  /** Where it was declared (`actions[1]`, `--action "…"`): the path a moment the command cannot honour is refused under. */
  readonly field: string;
  readonly at: string;
  readonly moment: ActionMoment;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expectStatus: readonly StatusExpectation[];
  readonly timeoutMs: number;
  readonly always: boolean;
  readonly onFailure: 'stop' | 'continue';
  /** False, or the probes the pinch it releases is about (`{}`: the queue-like ones). */
  readonly release: false | PinchRelease;
}

/** What the result records of one action. Times are ms since t0. */
export interface ActionRecord {
  readonly name: string;
  readonly at: string;
  readonly method: string;
  readonly url: string;
  readonly always: boolean;
  readonly release?: boolean;
  /** The moment it was due (absent for 'collapse' and for a clean-up run early by a stop). */
  readonly intendedAtMs?: number;
  readonly actualAtMs?: number;
  readonly status?: number;
  readonly durationMs?: number;
  readonly ok: boolean;
  readonly error?: string;
  /** Not sent: its moment never came (the run ended first) and it is not `always`. */
  readonly skipped?: boolean;
  /** Sent early, when the run stopped before its moment (an `always` clean-up). */
  readonly ranAtStop?: boolean;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const MOMENT_HELP = "a duration from the start (e.g. '10s'), 'start', 'end', 'step:N' or 'collapse'";

/** Parses `at`; undefined (with an issue) when it is none of the moments. */
export function parseMoment(value: unknown, path: string, issues: ValidationIssue[]): ActionMoment | undefined {
  if (value === 'start' || value === 'end' || value === 'collapse') return { kind: value };
  if (typeof value === 'string') {
    const step = /^step:(\d+)$/.exec(value.trim());
    if (step) {
      const n = Number(step[1]);
      if (n >= 1) return { kind: 'step', step: n };
      issues.push({ path, message: `steps count from 1: use 'step:1' for the first step (got ${describe(value)})` });
      return undefined;
    }
  }
  // `at` names no unit: '10' or 10 could be seconds as well as milliseconds.
  if ((typeof value === 'string' && isUnitlessDuration(value)) || (typeof value === 'number' && value !== 0)) {
    const n = String(value).trim();
    issues.push({ path, message: `needs a unit: '${n}s' or '${n}ms' (got ${describe(value)})` });
    return undefined;
  }
  if ((typeof value === 'string' || typeof value === 'number') && Number.isFinite(parseDurationMs(value))) {
    const atMs = parseDurationMs(value);
    if (atMs >= 0) return { kind: 'time', atMs };
  }
  issues.push({ path, message: `must be ${MOMENT_HELP} (got ${describe(value)})` });
  return undefined;
}

/** Every problem with a list of actions, each naming its field and the fix. */
export function validateActions(value: unknown, path = 'actions'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (value === undefined) return issues;
  if (!Array.isArray(value)) return [{ path, message: `must be a list of actions ({ name, at, method, path }) (got ${describe(value)})` }];
  const names = new Set<string>();
  value.forEach((a: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) {
      issues.push({
        path: at,
        message: `must be an object such as { name: 'pause', at: '10s', method: 'POST', path: '/pause' } (got ${describe(a)})`,
      });
      return;
    }
    const x = a as Record<string, unknown>;
    if (typeof x['name'] !== 'string' || x['name'].trim() === '')
      issues.push({ path: `${at}.name`, message: `must be a non-empty string, e.g. 'pause consumers' (got ${describe(x['name'])})` });
    else if (names.has(x['name']))
      issues.push({ path: `${at}.name`, message: `"${x['name']}" is used by another action: give each action its own name` });
    else names.add(x['name']);
    parseMoment(x['at'], `${at}.at`, issues);
    if (x['method'] !== undefined && (typeof x['method'] !== 'string' || !METHODS.has(x['method'].toUpperCase())))
      issues.push({ path: `${at}.method`, message: `must be one of ${[...METHODS].join(', ')} (got ${describe(x['method'])})` });
    const hasPath = x['path'] !== undefined;
    const hasUrl = x['url'] !== undefined;
    if (hasPath === hasUrl)
      issues.push({
        path: `${at}.path`,
        message: `give exactly one of path (e.g. '/admin/pause', relative to the target) or url (got ${hasPath ? 'both' : 'neither'})`,
      });
    if (hasPath && (typeof x['path'] !== 'string' || !x['path'].startsWith('/')))
      issues.push({
        path: `${at}.path`,
        message: `must start with '/', e.g. '/admin/consumers/pause' (got ${describe(x['path'])}); use url for another host`,
      });
    if (hasUrl && !isHttpUrl(x['url']))
      issues.push({ path: `${at}.url`, message: `must be an absolute http(s) URL (got ${describe(x['url'])})` });
    if (x['headers'] !== undefined && !isStringRecord(x['headers']))
      issues.push({
        path: `${at}.headers`,
        message: `must map header names to strings, e.g. { authorization: 'Bearer {{env.TOKEN}}' } (got ${describe(x['headers'])})`,
      });
    if (x['body'] !== undefined && typeof x['body'] !== 'string')
      issues.push({ path: `${at}.body`, message: `must be a string (use JSON.stringify for JSON) (got ${describe(x['body'])})` });
    if (x['expectStatus'] !== undefined) {
      if (!Array.isArray(x['expectStatus']))
        issues.push({
          path: `${at}.expectStatus`,
          message: `must be a list such as [200, [200, 299]] (got ${describe(x['expectStatus'])})`,
        });
      else validateStatuses(x['expectStatus'] as StatusExpectation[], `${at}.expectStatus`, issues);
    }
    if (x['timeoutMs'] !== undefined) readDurationMs(x['timeoutMs'], `${at}.timeoutMs`, issues);
    if (x['always'] !== undefined && typeof x['always'] !== 'boolean')
      issues.push({ path: `${at}.always`, message: `must be true or false (got ${describe(x['always'])})` });
    issues.push(...validateRelease(x['release'], `${at}.release`));
    if (x['onFailure'] !== undefined && x['onFailure'] !== 'stop' && x['onFailure'] !== 'continue')
      issues.push({
        path: `${at}.onFailure`,
        message: `must be 'stop' (the default: a failure stops the run) or 'continue' (got ${describe(x['onFailure'])})`,
      });
    issues.push(...unknownFields(x, SCENARIO_FIELDS.action, at, 'an action'));
  });
  return issues;
}

function validateRelease(value: unknown, path: string): ValidationIssue[] {
  if (value === undefined || typeof value === 'boolean') return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [
      {
        path,
        message: `must be true, or the probes it releases, e.g. { queue: 'render_queue', completed: 'reports_done' } (got ${describe(value)})`,
      },
    ];
  const r = value as Record<string, unknown>;
  const issues = unknownFields(r, ['queue', 'completed'], path, 'a release');
  for (const key of ['queue', 'completed'])
    if (r[key] !== undefined && (typeof r[key] !== 'string' || r[key] === ''))
      issues.push({ path: `${path}.${key}`, message: `must be the name of a probe (got ${describe(r[key])})` });
  return issues;
}

/**
 * Release probes that name no probe of the command, each under its field: a typo would leave the
 * pinch summary with nothing to read after the whole run. Checked before anything is sent.
 */
export function validateReleaseProbes(actions: readonly ResolvedAction[], probeNames: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const a of actions) {
    if (a.release === false) continue;
    for (const key of ['queue', 'completed'] as const) {
      const name = a.release[key];
      if (name !== undefined && !probeNames.includes(name))
        issues.push({
          path: `${a.field}.release.${key}`,
          message: `"${name}" is not a probe of this command (probes: ${probeNames.join(', ') || 'none'}); add it under probes or --probe`,
        });
    }
  }
  return issues;
}

/**
 * `--action 'name=POST /path@10s'`: a name, `=`, an optional method, a path or URL, `@` and the
 * moment; `,always`, `,continue` and `,release` may follow the moment (`resume=POST /resume@40s,always,release`).
 */
export function parseActionFlag(text: string, issues: ValidationIssue[]): ActionSpec | undefined {
  const path = `--action ${JSON.stringify(text)}`;
  const m = /^([^=]+)=\s*(?:([A-Za-z]+)\s+)?(\S+)@([^,@\s]+)((?:,\s*(?:always|continue|release))*)$/.exec(text.trim());
  if (!m) {
    issues.push({
      path,
      message:
        "must look like 'name=POST /path@10s' (method optional, moment a duration, start, end, step:N or collapse; add ',always' for a clean-up, ',release' for the release of a pinch)",
    });
    return undefined;
  }
  const flags = m[5]!.split(',').map((f) => f.trim());
  const target = m[3]!;
  const spec: ActionSpec = {
    name: m[1]!.trim(),
    at: m[4] as ActionSpec['at'],
    method: (m[2] ?? 'POST').toUpperCase(),
    ...(target.startsWith('/') ? { path: target } : { url: target }),
    ...(flags.includes('always') ? { always: true } : {}),
    ...(flags.includes('continue') ? { onFailure: 'continue' as const } : {}),
    ...(flags.includes('release') ? { release: true } : {}),
  };
  issues.push(...validateActions([spec], '--action').map((i) => ({ ...i, path: i.path.replace(/^--action\[0\]/, path) })));
  return spec;
}

/**
 * The moments a command cannot honour, each under its action's `at`: a step the profile does not
 * have would never come (the action would be skipped after the whole run), and only a judged
 * command (`ramp`) calls a collapse. Checked before anything is sent.
 */
export function validateActionMoments(
  actions: readonly ResolvedAction[],
  context: { readonly command: string; readonly stepCount: number; readonly judged: boolean },
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const a of actions) {
    const path = `${a.field}.at`;
    if (a.moment.kind === 'step' && a.moment.step > context.stepCount)
      issues.push({
        path,
        message:
          context.stepCount === 0
            ? `'step:${a.moment.step}' never comes: the profile has no steps; use a duration, 'start' or 'end'`
            : `'step:${a.moment.step}' is beyond the profile, which has ${context.stepCount} step${context.stepCount === 1 ? '' : 's'} (see \`overload plan\`); use step:1 to step:${context.stepCount} or a duration`,
      });
    if (a.moment.kind === 'collapse' && !context.judged)
      issues.push({
        path,
        message: `'collapse' never comes in \`overload ${context.command}\`, which judges no collapse; use \`overload ramp\`, or a duration, 'end' or 'step:N'`,
      });
  }
  return issues;
}

/**
 * Fills in defaults and makes `path` absolute against the target (validate first). `fields` names
 * where each spec was declared (default `actions[i]`).
 */
export function resolveActions(specs: readonly ActionSpec[], baseUrl: string, fields: readonly string[] = []): ResolvedAction[] {
  return specs.map((s, i) => {
    const moment = parseMoment(s.at, 'at', []) as ActionMoment;
    return {
      name: s.name,
      field: fields[i] ?? `actions[${i}]`,
      at: String(s.at),
      moment,
      method: (s.method ?? 'POST').toUpperCase(),
      url: s.url ?? `${baseUrl.replace(/\/+$/, '')}${s.path}`,
      headers: s.headers ?? {},
      ...(s.body !== undefined ? { body: s.body } : {}),
      expectStatus: s.expectStatus ?? DEFAULTS.action.expectStatus,
      timeoutMs: s.timeoutMs !== undefined ? parseDurationMs(s.timeoutMs) : DEFAULTS.action.timeoutMs,
      always: s.always === true,
      onFailure: s.onFailure ?? 'stop',
      release: s.release === true ? {} : typeof s.release === 'object' ? s.release : false,
    };
  });
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isStringRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

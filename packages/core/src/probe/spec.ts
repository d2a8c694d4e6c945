import { ValidationError, type ValidationIssue } from '../errors.js';
import type { StatusExpectation } from '../run/config.js';
import { type DurationInput, describe, readDurationMs } from '../units.js';
import { parseJsonPath } from './json-path.js';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from './prometheus-text.js';
import { DEFAULTS } from '../defaults.js';
import { closest } from '../scenario/known-fields.js';

/**
 * Probes are side-channel polls of the target (or its metrics endpoint) that run for the whole
 * ramp, collapse and recovery, on their own connections. Each reads one number per poll; SLO and
 * recovery conditions refer to a probe by its name (`queue_depth < 1000`, `health ok`).
 */
export const PROBE_KINDS = ['http', 'json', 'prometheus'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

interface ProbeCommon {
  /** How conditions refer to this probe: `[a-z_][a-z0-9_]*`, unique in the run. */
  readonly name: string;
  /** Absolute http(s) URL polled with GET. */
  readonly url: string;
  /** Time between polls (default 1 s). */
  readonly intervalMs?: DurationInput;
  /** Whole-poll deadline (default 500 ms); must be shorter than the interval. */
  readonly timeoutMs?: DurationInput;
}

/** Health check: value 1 when the status is expected (default any 2xx), else 0. */
export interface HttpProbeSpec extends ProbeCommon {
  readonly kind: 'http';
  readonly expectStatus?: readonly StatusExpectation[];
}

/** A number (or boolean, as 1/0) inside a JSON body, e.g. `queue.depth` or `items[0].count`. */
export interface JsonProbeSpec extends ProbeCommon {
  readonly kind: 'json';
  readonly path: string;
}

/** A sample from a Prometheus text page, by metric name and (a subset of) its labels. */
export interface PrometheusProbeSpec extends ProbeCommon {
  readonly kind: 'prometheus';
  readonly metric: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type ProbeSpec = HttpProbeSpec | JsonProbeSpec | PrometheusProbeSpec;

/** A validated probe with every default filled in. */
export type ResolvedProbe =
  | (Omit<HttpProbeSpec, 'intervalMs' | 'timeoutMs' | 'expectStatus'> &
      ProbeTiming & { readonly expectStatus: readonly StatusExpectation[] })
  | (Omit<JsonProbeSpec, 'intervalMs' | 'timeoutMs'> & ProbeTiming)
  | (Omit<PrometheusProbeSpec, 'intervalMs' | 'timeoutMs' | 'labels'> &
      ProbeTiming & { readonly labels: Readonly<Record<string, string>> });

interface ProbeTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_PROBE_INTERVAL_MS = DEFAULTS.probe.intervalMs;
export const DEFAULT_PROBE_TIMEOUT_MS = DEFAULTS.probe.timeoutMs;
/** Faster than this a probe stops being a side channel and becomes load of its own. */
export const MIN_PROBE_INTERVAL_MS = 50;
export const DEFAULT_PROBE_EXPECT_STATUS: readonly StatusExpectation[] = DEFAULTS.probe.expectStatus;
export const PROBE_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
/**
 * Names the one-line SLO form reads as its own signals (`p99<500ms`, `max<2s`, `errors<1%`,
 * `achieved>95%`, `drops<1%`): a probe with one of them could never be referred to.
 */
const RESERVED_PROBE_NAME = /^(p\d+|max|errors?|achieved|drops?|dropped)$/;

const COMMON_FIELDS = ['name', 'kind', 'url', 'intervalMs', 'timeoutMs'];
const KIND_FIELDS: Record<ProbeKind, readonly string[]> = {
  http: ['expectStatus'],
  json: ['path'],
  prometheus: ['metric', 'labels'],
};

/** Every problem with a list of probes, each with its path (`probes[1].metric is required …`). */
export function validateProbes(specs: unknown, path = 'probes'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  resolveInto(specs, path, issues);
  return issues;
}

/** Validates and fills in defaults; throws a ValidationError carrying every problem. */
export function resolveProbes(specs: readonly ProbeSpec[], path = 'probes'): ResolvedProbe[] {
  const issues: ValidationIssue[] = [];
  const resolved = resolveInto(specs, path, issues);
  if (issues.length > 0) throw new ValidationError(path, issues);
  return resolved;
}

function resolveInto(specs: unknown, path: string, issues: ValidationIssue[]): ResolvedProbe[] {
  if (!Array.isArray(specs)) {
    issues.push({ path, message: `must be a list of probes (got ${describe(specs)})` });
    return [];
  }
  const firstByName = new Map<string, number>();
  const resolved: ResolvedProbe[] = [];
  specs.forEach((spec: unknown, i) => {
    const at = `${path}[${i}]`;
    const probe = resolveOne(spec, at, issues);
    if (!probe) return;
    const earlier = firstByName.get(probe.name);
    if (earlier !== undefined) {
      issues.push({
        path: `${at}.name`,
        message: `"${probe.name}" is already used by ${path}[${earlier}]; conditions refer to probes by name, so names must be unique`,
      });
      return;
    }
    firstByName.set(probe.name, i);
    resolved.push(probe);
  });
  return resolved;
}

/** Validates one probe at `at` (e.g. `probes[2]`); returns it with defaults when it has no problems. */
export function resolveOne(spec: unknown, at: string, issues: ValidationIssue[]): ResolvedProbe | undefined {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    issues.push({ path: at, message: `must be an object with name, kind and url (got ${describe(spec)})` });
    return undefined;
  }
  const before = issues.length;
  const s = spec as Record<string, unknown>;

  if (s.name === undefined)
    issues.push({ path: `${at}.name`, message: 'is required (conditions refer to the probe by it, e.g. queue_depth)' });
  else if (typeof s.name !== 'string' || !PROBE_NAME_PATTERN.test(s.name)) {
    issues.push({
      path: `${at}.name`,
      message: `must be lower-case letters, digits and _, not starting with a digit, so conditions can refer to it (got ${describe(s.name)})`,
    });
  } else if (RESERVED_PROBE_NAME.test(s.name)) {
    issues.push({
      path: `${at}.name`,
      message: `"${s.name}" is reserved: SLO conditions read it as their own signal; pick another name such as ${s.name}_probe`,
    });
  }

  const kind = s.kind as ProbeKind;
  const knownKind = (PROBE_KINDS as readonly unknown[]).includes(kind);
  if (!knownKind)
    issues.push({ path: `${at}.kind`, message: `must be one of ${PROBE_KINDS.map((k) => `"${k}"`).join(', ')} (got ${describe(s.kind)})` });

  checkUrl(s.url, `${at}.url`, issues);

  const intervalMs =
    s.intervalMs === undefined
      ? DEFAULT_PROBE_INTERVAL_MS
      : readDurationMs(s.intervalMs, `${at}.intervalMs`, issues, { min: MIN_PROBE_INTERVAL_MS, allowZero: true });
  const timeoutMs = s.timeoutMs === undefined ? DEFAULT_PROBE_TIMEOUT_MS : readDurationMs(s.timeoutMs, `${at}.timeoutMs`, issues);
  if (Number.isFinite(intervalMs) && Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs >= intervalMs) {
    issues.push({
      path: `${at}.timeoutMs`,
      message: `must be < intervalMs (${intervalMs} ms) so each poll ends before the next is due (got ${timeoutMs} ms)`,
    });
  }

  if (knownKind) {
    const allowed = new Set([...COMMON_FIELDS, ...KIND_FIELDS[kind]]);
    for (const key of Object.keys(s)) {
      if (allowed.has(key)) continue;
      const owner = PROBE_KINDS.find((k) => KIND_FIELDS[k].includes(key));
      const guess = closest(key, [...allowed]);
      issues.push({
        path: `${at}.${key}`,
        message: owner
          ? `is not used by kind "${kind}" (it belongs to kind "${owner}")`
          : `is not a probe field${guess ? `: did you mean ${at}.${guess}?` : ` (a ${kind} probe has ${[...allowed].join(', ')})`}`,
      });
    }
    if (kind === 'http' && s.expectStatus !== undefined) checkStatuses(s.expectStatus, `${at}.expectStatus`, issues);
    if (kind === 'json') {
      if (s.path === undefined)
        issues.push({ path: `${at}.path`, message: 'is required for kind "json" (e.g. queue.depth or items[0].count)' });
      else if (typeof s.path !== 'string')
        issues.push({ path: `${at}.path`, message: `must be a string such as queue.depth (got ${describe(s.path)})` });
      else {
        const parsed = parseJsonPath(s.path);
        if (!parsed.ok)
          issues.push({
            path: `${at}.path`,
            message: `${parsed.error}; write it like queue.depth or items[0].count (got ${describe(s.path)})`,
          });
      }
    }
    if (kind === 'prometheus') {
      if (s.metric === undefined)
        issues.push({ path: `${at}.metric`, message: 'is required for kind "prometheus" (e.g. student_reports_queue_depth)' });
      else if (typeof s.metric !== 'string' || !METRIC_NAME_PATTERN.test(s.metric)) {
        issues.push({
          path: `${at}.metric`,
          message: `must be a Prometheus metric name such as student_reports_queue_depth (got ${describe(s.metric)})`,
        });
      }
      if (s.labels !== undefined) checkLabels(s.labels, `${at}.labels`, issues);
    }
  }

  if (issues.length > before) return undefined;
  const timing = { intervalMs, timeoutMs };
  const p = spec as ProbeSpec;
  switch (p.kind) {
    case 'http':
      return { ...p, ...timing, expectStatus: p.expectStatus ?? DEFAULT_PROBE_EXPECT_STATUS };
    case 'json':
      return { ...p, ...timing };
    case 'prometheus':
      return { ...p, ...timing, labels: { ...(p.labels ?? {}) } };
  }
}

function checkUrl(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (value === undefined) {
    issues.push({ path, message: 'is required (an absolute http:// or https:// URL)' });
    return;
  }
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) issues.push({ path, message: `must be an absolute http:// or https:// URL (got ${describe(value)})` });
  else if (url.protocol !== 'http:' && url.protocol !== 'https:')
    issues.push({ path, message: `must use http:// or https:// (got ${url.protocol})` });
}

function checkStatuses(list: unknown, path: string, issues: ValidationIssue[]): void {
  if (!Array.isArray(list) || list.length === 0) {
    issues.push({ path, message: 'must be a non-empty list of status codes or [from, to] ranges, e.g. [[200, 299]]' });
    return;
  }
  const code = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599;
  list.forEach((s: unknown, i) => {
    const ok = Array.isArray(s) ? s.length === 2 && code(s[0]) && code(s[1]) && s[0] <= s[1] : code(s);
    if (!ok)
      issues.push({ path: `${path}[${i}]`, message: `must be a status code 100–599 or a [from, to] range (got ${JSON.stringify(s)})` });
  });
}

function checkLabels(labels: unknown, path: string, issues: ValidationIssue[]): void {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    issues.push({ path, message: `must be an object of label names to values, e.g. { stage: "translation" } (got ${describe(labels)})` });
    return;
  }
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME_PATTERN.test(k)) issues.push({ path: `${path}.${k}`, message: 'is not a valid Prometheus label name' });
    if (typeof v !== 'string') issues.push({ path: `${path}.${k}`, message: `must be a string (got ${describe(v)})` });
  }
}

import type { ValidationIssue } from '../errors.js';
import { budgetNameOf } from '../guard/budgets.js';
import type { StatusExpectation } from '../run/config.js';
import { parseDurationMs } from '../units.js';
import type { FeederRow } from './feeder.js';
import {
  type CaptureSpec,
  type JourneyTemplate,
  normaliseJsonPath,
  type ResponseCondition,
  type StepTemplate,
  type ThinkTime,
} from './journey.js';
import {
  type CompiledBody,
  type CompiledText,
  compileBody,
  compileText,
  isStatic,
  type PlaceholderScope,
  type RenderContext,
  renderBody,
  renderText,
} from './placeholder.js';
import type { RequestTemplate } from './request-template.js';
import { statusTable } from './status-table.js';

/**
 * What a scenario sends, in a form that crosses to worker threads (structured-cloneable: no
 * functions). Function and file feeders are materialised into rows before the run, and
 * `{{env.NAME}}` values are read from the environment once, into `env`.
 */
export interface RequestMix {
  /** Single requests in the weighted mix. */
  readonly templates: readonly RequestTemplate[];
  /** Journeys in the same weighted mix: each arrival picks a request or a journey. */
  readonly journeys?: readonly JourneyTemplate[];
  readonly feeders: Readonly<Record<string, readonly FeederRow[]>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly runId: string;
}

/** Results are kept per name: each request, each journey, and each step of a journey. */
export type NameKind = 'request' | 'journey' | 'step';

export interface NameEntry {
  readonly kind: NameKind;
  readonly name: string;
  /** For a step: its journey. */
  readonly journey?: string;
}

/** How a step, a journey or a named request failed, beyond the transport classes. */
export const FLOW_FAILURE_CLASSES = ['check', 'capture-missing', 'poll-exhausted', 'budget', 'max-requests', 'abandoned'] as const;
export type FlowFailureClass = (typeof FLOW_FAILURE_CLASSES)[number];

export interface CompiledCapture {
  readonly name: string;
  readonly spec: CaptureSpec;
  /** For json captures: the path without JSONPath's `$.`. */
  readonly jsonPath?: string;
  readonly regex?: RegExp;
}

export type CompiledCondition =
  | { readonly kind: 'status'; readonly ok: Uint8Array }
  | { readonly kind: 'json'; readonly path: string; readonly values: readonly (string | number | boolean | null)[] };

export interface CompiledPoll {
  readonly until: CompiledCondition;
  readonly intervalMs: number;
  readonly maxTries: number;
  readonly maxMs: number;
}

export type CompiledThink =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number };

export interface Charges {
  readonly budgets: readonly string[];
  readonly amounts: readonly number[];
  readonly refundOnSuccess: readonly boolean[];
}

export interface CompiledStep {
  readonly name: string;
  /** Index of this step's (or request's) entry in `FlowPlan.names`. */
  readonly stat: number;
  readonly method: string;
  readonly path: CompiledText;
  /** Static when no value has a placeholder (the common case: shared, never rebuilt). */
  readonly headers: Readonly<Record<string, string>> | readonly (readonly [string, CompiledText])[];
  readonly body: CompiledBody | undefined;
  /** Statuses that count as success: a 600-entry lookup table. */
  readonly ok: Uint8Array;
  readonly charges: Charges;
  readonly captures: readonly CompiledCapture[];
  readonly poll: CompiledPoll | undefined;
  readonly check: CompiledCondition | undefined;
  readonly think: CompiledThink | undefined;
  readonly stopOnFailure: boolean;
  /** The response body must be read (a JSON or regex capture, or a JSON condition). */
  readonly needsBody: boolean;
  /** Response headers to read (lower case), for header captures. */
  readonly needsHeaders: readonly string[];
}

export interface CompiledFlow {
  readonly kind: 'request' | 'journey';
  readonly name: string;
  /** Index of the journey's entry in `FlowPlan.names` (the request's own for a request). */
  readonly stat: number;
  readonly steps: readonly CompiledStep[];
}

export interface BuiltRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * Compiles a scenario's requests and journeys, collecting every problem with its path (a
 * placeholder that names nothing, a capture used before it is set, a malformed poll…). The same
 * compilation validates a scenario before the run and builds the plan each worker sends from.
 */
export function compileFlows(
  mix: Pick<RequestMix, 'templates' | 'journeys'>,
  options: {
    feederNames: readonly string[];
    env?: Readonly<Record<string, string | undefined>>;
    baseHeaders?: Readonly<Record<string, string>>;
    defaultExpect: readonly StatusExpectation[];
  },
  issues: ValidationIssue[],
): { flows: CompiledFlow[]; names: NameEntry[] } {
  const flows: CompiledFlow[] = [];
  const names: NameEntry[] = [];
  const seen = new Set<string>();
  const scope = (captures: readonly string[]): PlaceholderScope => ({
    feeders: options.feederNames,
    captures,
    ...(options.env ? { env: options.env } : {}),
  });
  (mix.templates ?? []).forEach((t, i) => {
    const stat = names.push({ kind: 'request', name: t.name }) - 1;
    seen.add(t.name);
    flows.push({ kind: 'request', name: t.name, stat, steps: [compileStep(t, `requests[${i}]`, stat, scope([]), options, issues)] });
  });
  (mix.journeys ?? []).forEach((j, i) => {
    const at = `journeys[${i}]`;
    if (seen.has(j.name))
      issues.push({ path: `${at}.name`, message: `must be unique among requests and journeys ("${j.name}" is used twice)` });
    seen.add(j.name);
    const stat = names.push({ kind: 'journey', name: j.name }) - 1;
    const captured: string[] = [];
    const stepNames = new Set<string>();
    const steps = j.steps.map((s, k) => {
      const sat = `${at}.steps[${k}]`;
      if (stepNames.has(s.name))
        issues.push({ path: `${sat}.name`, message: `must be unique within the journey ("${s.name}" is used twice)` });
      stepNames.add(s.name);
      const stepStat = names.push({ kind: 'step', name: s.name, journey: j.name }) - 1;
      const step = compileStep(s, sat, stepStat, scope([...captured]), options, issues);
      for (const c of step.captures) {
        if (options.feederNames.includes(c.name) || c.name === 'index' || c.name === 'runId' || c.name === 'env') {
          issues.push({
            path: `${sat}.capture.${c.name}`,
            message: `is also the name of a ${c.name === 'index' || c.name === 'runId' || c.name === 'env' ? 'built-in' : 'feeder'}: give the capture another name`,
          });
        }
        if (!captured.includes(c.name)) captured.push(c.name);
      }
      return step;
    });
    flows.push({ kind: 'journey', name: j.name, stat, steps });
  });
  return { flows, names };
}

function compileStep(
  t: StepTemplate | RequestTemplate,
  at: string,
  stat: number,
  scope: PlaceholderScope,
  options: { baseHeaders?: Readonly<Record<string, string>>; defaultExpect: readonly StatusExpectation[] },
  issues: ValidationIssue[],
): CompiledStep {
  const s = t as StepTemplate;
  // In the order a reader meets them: path, headers, body.
  const path = typeof t.path === 'string' ? compileText(t.path, `${at}.path`, scope, issues) : ['/'];
  const headerEntries: [string, CompiledText][] = [];
  const declared = { ...(options.baseHeaders ?? {}), ...(t.headers ?? {}) };
  for (const [k, v] of Object.entries(declared)) headerEntries.push([k, compileText(String(v), `${at}.headers.${k}`, scope, issues)]);
  let body: CompiledBody | undefined;
  if (t.body !== undefined && (typeof t.body === 'string' || (typeof t.body === 'object' && t.body !== null))) {
    body = compileBody(t.body, `${at}.body`, scope, issues);
    if (body.kind === 'json' && !headerEntries.some(([h]) => h.toLowerCase() === 'content-type'))
      headerEntries.push(['content-type', ['application/json']]);
  }
  const dynamic = headerEntries.some(([, v]) => !isStatic(v));
  const captures: CompiledCapture[] = Object.entries(s.capture ?? {}).map(([name, spec]) => {
    const c: { name: string; spec: CaptureSpec; jsonPath?: string; regex?: RegExp } = { name, spec };
    if ('json' in spec && typeof spec.json === 'string') c.jsonPath = normaliseJsonPath(spec.json);
    if ('regex' in spec && typeof spec.regex === 'string') {
      try {
        c.regex = new RegExp(spec.regex);
      } catch {
        // reported by validateCapture
      }
    }
    return c;
  });
  const poll = s.poll ? compilePoll(s.poll) : undefined;
  const check = s.check ? compileCondition(s.check) : undefined;
  const needsBody =
    captures.some((c) => c.jsonPath !== undefined || c.regex !== undefined) || poll?.until.kind === 'json' || check?.kind === 'json';
  return {
    name: t.name,
    stat,
    method: (t.method ?? 'GET').toUpperCase(),
    path,
    headers: dynamic ? headerEntries : Object.fromEntries(headerEntries.map(([k, v]) => [k, v.join('')])),
    body,
    ok: statusTable(t.expectStatus ?? options.defaultExpect),
    charges: chargesOf(t.sideEffects),
    captures,
    poll,
    check,
    think: s.thinkTime !== undefined ? compileThink(s.thinkTime) : undefined,
    stopOnFailure: s.onFailure !== 'continue',
    needsBody,
    needsHeaders: captures.flatMap((c) => ('header' in c.spec && typeof c.spec.header === 'string' ? [c.spec.header.toLowerCase()] : [])),
  };
}

function chargesOf(sideEffects: Readonly<Record<string, number>> | undefined): Charges {
  const budgets: string[] = [];
  const amounts: number[] = [];
  const refundOnSuccess: boolean[] = [];
  for (const [key, amount] of Object.entries(sideEffects ?? {})) {
    if (amount === 0) continue;
    const { budget, onFailure } = budgetNameOf(key);
    budgets.push(budget);
    amounts.push(amount);
    refundOnSuccess.push(onFailure);
  }
  return { budgets, amounts, refundOnSuccess };
}

function compileCondition(c: ResponseCondition): CompiledCondition {
  if ('status' in c) return { kind: 'status', ok: statusTable(c.status) };
  return { kind: 'json', path: normaliseJsonPath(c.json), values: 'in' in c ? c.in : [c.equals] };
}

function compilePoll(p: StepTemplate['poll'] & object): CompiledPoll {
  return {
    until: compileCondition(p.until),
    intervalMs: parseDurationMs(p.intervalMs),
    maxTries: p.maxTries ?? Number.POSITIVE_INFINITY,
    maxMs: p.maxMs !== undefined ? parseDurationMs(p.maxMs) : Number.POSITIVE_INFINITY,
  };
}

function compileThink(t: ThinkTime): CompiledThink {
  if (typeof t === 'number' || typeof t === 'string') return { kind: 'constant', ms: parseDurationMs(t) };
  if ('uniform' in t) return { kind: 'uniform', minMs: parseDurationMs(t.uniform[0]), maxMs: parseDurationMs(t.uniform[1]) };
  return { kind: 'exponential', meanMs: parseDurationMs(t.exponential) };
}

/**
 * Chooses and renders what each arrival sends. The choice (a weighted pick from a hash of the
 * global arrival index), the fed data (row index mod length) and think times (seeded by index and
 * step) depend on the index only, so every worker, shard and rerun sends the same thing for the
 * same arrival.
 */
export class FlowPlan {
  readonly flows: readonly CompiledFlow[];
  readonly names: readonly NameEntry[];
  readonly #cumulative: Float64Array;
  readonly #totalWeight: number;
  readonly #seed: number;
  readonly #mix: RequestMix;
  readonly #env: Readonly<Record<string, string>>;

  constructor(mix: RequestMix, baseHeaders: Readonly<Record<string, string>>, defaultExpect: readonly StatusExpectation[]) {
    const issues: ValidationIssue[] = [];
    const compiled = compileFlows(mix, { feederNames: Object.keys(mix.feeders), baseHeaders, defaultExpect }, issues);
    // The mix was validated when the scenario was loaded; a problem here is a bug, not input.
    if (issues.length > 0) throw new Error(`invalid request mix: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    this.flows = compiled.flows;
    this.names = compiled.names;
    this.#mix = mix;
    this.#env = mix.env ?? {};
    this.#seed = mix.seed >>> 0;
    const weights = [...(mix.templates ?? []).map((t) => t.weight ?? 1), ...(mix.journeys ?? []).map((j) => j.weight ?? 1)];
    this.#cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((w, i) => (this.#cumulative[i] = total += w));
    this.#totalWeight = total;
  }

  /** Which flow arrival `index` runs. */
  pick(index: number): number {
    if (this.flows.length === 1) return 0;
    const u = (hash32(index, this.#seed) / 4294967296) * this.#totalWeight;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Renders a step for an arrival; throws MissingCapture when a capture it uses was never set. */
  build(step: CompiledStep, index: number, captures: Readonly<Record<string, string>> | undefined): BuiltRequest {
    const ctx: RenderContext = { index, runId: this.#mix.runId, env: this.#env, feeders: this.#mix.feeders, captures };
    const headers = Array.isArray(step.headers)
      ? Object.fromEntries((step.headers as readonly (readonly [string, CompiledText])[]).map(([k, v]) => [k, renderText(v, ctx, false)]))
      : (step.headers as Readonly<Record<string, string>>);
    return {
      method: step.method,
      path: renderText(step.path, ctx, true),
      headers,
      body: step.body === undefined ? undefined : renderBody(step.body, ctx),
    };
  }

  /** Think time before `step` (its position `stepIndex` in the journey) for arrival `index`, in ms. */
  thinkMs(step: CompiledStep, index: number, stepIndex: number): number {
    const t = step.think;
    if (!t) return 0;
    if (t.kind === 'constant') return t.ms;
    const u = hash32(index * 31 + stepIndex, this.#seed ^ 0x5bd1e995) / 4294967296;
    if (t.kind === 'uniform') return t.minMs + u * (t.maxMs - t.minMs);
    return -t.meanMs * Math.log(1 - u);
  }
}

/** A fast integer hash (murmur3 finaliser) of an index and a seed, uniform over 32 bits. */
function hash32(index: number, seed: number): number {
  let h = (Math.imul(index ^ seed, 0x9e3779b1) ^ Math.floor(index / 4294967296)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

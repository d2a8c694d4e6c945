import type { StatusExpectation } from '../run/config.js';
import { budgetNameOf } from '../guard/budgets.js';
import { type CompiledText, compileText, type RequestTemplate } from './request-template.js';
import type { FeederRow } from './feeder.js';

/**
 * A request mix in a form that crosses to worker threads (structured-cloneable: no functions).
 * Function and file feeders are materialised into rows before the run.
 */
export interface RequestMix {
  readonly templates: readonly RequestTemplate[];
  readonly feeders: Readonly<Record<string, readonly FeederRow[]>>;
  readonly seed: number;
  readonly runId: string;
}

export interface BuiltRequest {
  readonly template: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

interface CompiledTemplate {
  readonly method: string;
  readonly path: CompiledText;
  /** Static when no value has a placeholder (the common case: shared, never rebuilt). */
  readonly headers: Readonly<Record<string, string>> | readonly (readonly [string, CompiledText])[];
  readonly body: CompiledText | undefined;
  readonly expectStatus: readonly StatusExpectation[] | undefined;
  /** Budgets charged before sending, and those given back when the response is a success. */
  readonly charges: { readonly budgets: readonly string[]; readonly amounts: readonly number[]; readonly refundOnSuccess: readonly boolean[] };
}

/**
 * Chooses and renders the request for each global arrival index. Both the choice (a weighted
 * pick from a hash of the index) and the data (row index mod length) depend on the index only,
 * so every worker, shard and rerun sends the same request for the same arrival.
 */
export class RequestPlan {
  readonly #templates: CompiledTemplate[];
  readonly #cumulative: Float64Array;
  readonly #totalWeight: number;
  readonly #feeders: Readonly<Record<string, readonly FeederRow[]>>;
  readonly #seed: number;
  readonly #runId: string;

  constructor(mix: RequestMix, baseHeaders: Readonly<Record<string, string>> = {}) {
    this.#feeders = mix.feeders;
    this.#seed = mix.seed >>> 0;
    this.#runId = mix.runId;
    this.#cumulative = new Float64Array(mix.templates.length);
    let total = 0;
    this.#templates = mix.templates.map((t, i) => {
      total += t.weight ?? 1;
      this.#cumulative[i] = total;
      return compileTemplate(t, baseHeaders);
    });
    this.#totalWeight = total;
  }

  get size(): number {
    return this.#templates.length;
  }

  charges(template: number): CompiledTemplate['charges'] {
    return this.#templates[template]!.charges;
  }

  expectStatus(template: number): readonly StatusExpectation[] | undefined {
    return this.#templates[template]!.expectStatus;
  }

  /** Which template arrival `index` uses. */
  pick(index: number): number {
    if (this.#templates.length === 1) return 0;
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

  build(index: number, template = this.pick(index)): BuiltRequest {
    const t = this.#templates[template]!;
    const headers = Array.isArray(t.headers)
      ? Object.fromEntries((t.headers as readonly (readonly [string, CompiledText])[]).map(([k, v]) => [k, this.#render(v, index, false)]))
      : (t.headers as Readonly<Record<string, string>>);
    return {
      template,
      method: t.method,
      path: this.#render(t.path, index, true),
      headers,
      body: t.body === undefined ? undefined : this.#render(t.body, index, false),
    };
  }

  #render(text: CompiledText, index: number, inPath: boolean): string {
    if (text.length === 1 && typeof text[0] === 'string') return text[0];
    let out = '';
    for (const part of text) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      if (part.feeder === 'index') out += String(index);
      else if (part.feeder === 'runId') out += this.#runId;
      else {
        const rows = this.#feeders[part.feeder]!;
        const row = rows[index % rows.length]!;
        const value = part.field === undefined ? Object.values(row)[0] : row[part.field];
        out += value === undefined ? '' : inPath ? encodeIfPath(String(value)) : String(value);
      }
    }
    return out;
  }
}

/** Feeder values are inserted verbatim except for characters that would break a URL. */
function encodeIfPath(value: string): string {
  return /[\s/?#%]/.test(value) ? encodeURIComponent(value) : value;
}

function compileTemplate(t: RequestTemplate, baseHeaders: Readonly<Record<string, string>>): CompiledTemplate {
  const headers: Record<string, string> = { ...baseHeaders, ...(t.headers ?? {}) };
  let body: string | undefined;
  if (typeof t.body === 'string') body = t.body;
  else if (t.body !== undefined) {
    body = JSON.stringify(t.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const dynamicHeaders = Object.values(headers).some((v) => v.includes('{{'));
  const budgets: string[] = [];
  const amounts: number[] = [];
  const refundOnSuccess: boolean[] = [];
  for (const [key, amount] of Object.entries(t.sideEffects ?? {})) {
    if (amount === 0) continue;
    const { budget, onFailure } = budgetNameOf(key);
    budgets.push(budget);
    amounts.push(amount);
    refundOnSuccess.push(onFailure);
  }
  return {
    method: (t.method ?? 'GET').toUpperCase(),
    path: compileText(t.path),
    headers: dynamicHeaders ? Object.entries(headers).map(([k, v]) => [k, compileText(v)] as const) : headers,
    body: body === undefined ? undefined : compileText(body),
    expectStatus: t.expectStatus,
    charges: { budgets, amounts, refundOnSuccess },
  };
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

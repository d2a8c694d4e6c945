import { readJsonPath } from '../probe/json-path.js';
import type { CompiledCapture, CompiledCondition } from './flow-plan.js';

/** What a step's evaluation can see of a response. The body is read only when a step needs it. */
export interface ResponseView {
  readonly status: number;
  /** A response header (lower-case name), joined with ", " when repeated. */
  header(name: string): string | undefined;
  /** The body as text ('' when it was not read or was empty). */
  text(): string;
}

const NOT_JSON = Symbol('not json');

/** Parses a body once per response; undefined fields and non-JSON bodies read as missing. */
export class ResponseJson {
  #parsed: unknown = undefined;
  #done = false;
  constructor(readonly response: ResponseView) {}

  get(path: string): unknown {
    if (!this.#done) {
      this.#done = true;
      try {
        this.#parsed = JSON.parse(this.response.text());
      } catch {
        this.#parsed = NOT_JSON;
      }
    }
    return this.#parsed === NOT_JSON ? undefined : readJsonPath(this.#parsed, path);
  }
}

/** Does a poll's `until` or a step's `check` hold of this response? */
export function conditionHolds(c: CompiledCondition, json: ResponseJson): boolean {
  if (c.kind === 'status') return c.ok[json.response.status] === 1;
  const v = json.get(c.path);
  return c.values.some((x) => x === v);
}

/**
 * The values a step captures, or the name of the first one the response does not have: a
 * missing capture fails the step (`capture-missing`), it never sends a later step with a hole.
 */
export function captureValues(
  captures: readonly CompiledCapture[],
  json: ResponseJson,
): { readonly values: Record<string, string> } | { readonly missing: string } {
  const values: Record<string, string> = {};
  for (const c of captures) {
    let v: unknown;
    if (c.jsonPath !== undefined) v = json.get(c.jsonPath);
    else if ('header' in c.spec) v = json.response.header(c.spec.header.toLowerCase());
    else if (c.regex) {
      const m = c.regex.exec(json.response.text());
      const group = 'group' in c.spec && c.spec.group !== undefined ? c.spec.group : m && m.length > 1 ? 1 : 0;
      v = m ? m[group] : undefined;
    }
    if (v === undefined || v === null || v === '') return { missing: c.name };
    values[c.name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { values };
}

import type { ValidationIssue } from '../errors.js';
import type { FeederRow } from './feeder.js';

/**
 * `{{…}}` placeholders, in every part of a request: path and query, header values, and bodies
 * (a string, or string values anywhere inside an object body). A placeholder names one of:
 * - a built-in: `{{index}}` (the arrival's global index), `{{runId}}`;
 * - `{{env.NAME}}`: an environment variable, read once when the scenario is loaded (a secret such
 *   as a token stays out of the scenario file, and out of every report: only the placeholder is
 *   ever written down);
 * - a feeder: `{{students}}` (the row's first field) or `{{students.id}}`;
 * - a capture from an earlier step of the same journey: `{{reportId}}`.
 * Every placeholder is checked before anything is sent; one that names nothing fails validation
 * with its path (`journeys[0].steps[2].headers.authorization`).
 */
export type Placeholder =
  | { readonly kind: 'index' }
  | { readonly kind: 'runId' }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'feeder'; readonly feeder: string; readonly field: string | undefined }
  | { readonly kind: 'capture'; readonly name: string };

/** A template string split into literal parts and placeholders, compiled once. */
export type CompiledText = readonly (string | Placeholder)[];

/** What a placeholder may name at one place in a scenario. */
export interface PlaceholderScope {
  readonly feeders: readonly string[];
  /** Captures set by earlier steps of the same journey (none for a plain request). */
  readonly captures: readonly string[];
  /** Environment variables that exist; undefined: do not check (validated later, at load). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function classify(ref: string, scope: PlaceholderScope): Placeholder | string {
  if (ref === 'index') return { kind: 'index' };
  if (ref === 'runId') return { kind: 'runId' };
  if (ref.startsWith('env.')) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_]\w*$/.test(name)) return `uses {{${ref}}}: an environment variable name is letters, digits and _`;
    if (scope.env && scope.env[name] === undefined) return `uses {{${ref}}} but the environment variable ${name} is not set`;
    return { kind: 'env', name };
  }
  if (ref === '') return 'has an empty placeholder {{}}';
  if (scope.captures.includes(ref)) return { kind: 'capture', name: ref };
  const [feeder, ...rest] = ref.split('.');
  if (scope.feeders.includes(feeder!)) return { kind: 'feeder', feeder: feeder!, field: rest.length > 0 ? rest.join('.') : undefined };
  const known = [...scope.feeders.map((f) => `feeder ${f}`), ...scope.captures.map((c) => `capture ${c}`), 'index', 'runId', 'env.NAME'];
  return `uses {{${ref}}}, which names no feeder, capture or built-in (known here: ${known.join(', ')})`;
}

/** Compiles a string, reporting each placeholder that names nothing in `scope` at `path`. */
export function compileText(text: string, path: string, scope: PlaceholderScope, issues: ValidationIssue[]): CompiledText {
  const parts: (string | Placeholder)[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push(text.slice(last, m.index));
    const found = classify(m[1]!, scope);
    if (typeof found === 'string') issues.push({ path, message: found });
    else parts.push(found);
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Every placeholder inside any string of a value (object bodies are walked to their leaves). */
export function checkValue(value: unknown, path: string, scope: PlaceholderScope, issues: ValidationIssue[]): void {
  if (typeof value === 'string') compileText(value, path, scope, issues);
  else if (Array.isArray(value)) value.forEach((v, i) => checkValue(v, `${path}[${i}]`, scope, issues));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      compileText(k, `${path}.${k}`, scope, issues);
      checkValue(v, `${path}.${k}`, scope, issues);
    }
  }
}

/** Where a compiled text is rendered: a path (values URL-encoded) or anything else (verbatim). */
export interface RenderContext {
  readonly index: number;
  readonly runId: string;
  readonly env: Readonly<Record<string, string>>;
  readonly feeders: Readonly<Record<string, readonly FeederRow[]>>;
  /** Values captured so far by the journey; undefined for plain requests. */
  readonly captures: Readonly<Record<string, string>> | undefined;
}

/** A capture a step needs was never set (its step failed and the journey went on). */
export class MissingCapture {
  constructor(readonly name: string) {}
}

export function renderText(text: CompiledText, ctx: RenderContext, inPath: boolean): string {
  if (text.length === 1 && typeof text[0] === 'string') return text[0];
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') out += part;
    else {
      const value = placeholderValue(part, ctx);
      out += inPath ? encodeIfPath(value) : value;
    }
  }
  return out;
}

export function placeholderValue(part: Placeholder, ctx: RenderContext): string {
  switch (part.kind) {
    case 'index':
      return String(ctx.index);
    case 'runId':
      return ctx.runId;
    case 'env':
      return ctx.env[part.name] ?? '';
    case 'capture': {
      const v = ctx.captures?.[part.name];
      if (v === undefined) throw new MissingCapture(part.name);
      return v;
    }
    case 'feeder': {
      const rows = ctx.feeders[part.feeder]!;
      const row = rows[ctx.index % rows.length]!;
      const value = part.field === undefined ? Object.values(row)[0] : row[part.field];
      return value === undefined ? '' : String(value);
    }
  }
}

/** Values are inserted verbatim in a path except for characters that would change its meaning. */
function encodeIfPath(value: string): string {
  return /[\s/?#%&=+]/.test(value) ? encodeURIComponent(value) : value;
}

export function isStatic(text: CompiledText): boolean {
  return text.every((p) => typeof p === 'string');
}

/**
 * A body ready to render: plain text (placeholders spliced in as they are), or JSON whose string
 * values may hold placeholders. In JSON, a rendered value is JSON-encoded as a whole string, so a
 * fed or captured value with a quote, a backslash or a newline can neither break the body nor
 * inject fields.
 */
export type CompiledBody =
  | { readonly kind: 'text'; readonly text: CompiledText }
  | { readonly kind: 'json'; readonly parts: readonly (string | CompiledText)[] };

/**
 * Compiles a body. An object is JSON; so is a string that parses as a JSON object or array (a
 * template written as text, `'{"student": "{{students.id}}"}'`); any other string is text.
 */
export function compileBody(body: string | object, path: string, scope: PlaceholderScope, issues: ValidationIssue[]): CompiledBody {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object') return { kind: 'text', text: compileText(body, path, scope, issues) };
  }
  const parts: (string | CompiledText)[] = [];
  const lit = (s: string) => {
    const last = parts[parts.length - 1];
    if (typeof last === 'string') parts[parts.length - 1] = last + s;
    else parts.push(s);
  };
  const str = (s: string, at: string) => {
    const text = compileText(s, at, scope, issues);
    if (isStatic(text)) lit(JSON.stringify(s));
    else parts.push(text);
  };
  const emit = (v: unknown, at: string): void => {
    if (typeof v === 'string') str(v, at);
    else if (Array.isArray(v)) {
      lit('[');
      v.forEach((x, i) => {
        if (i > 0) lit(',');
        if (x === undefined || typeof x === 'function') lit('null');
        else emit(x, `${at}[${i}]`);
      });
      lit(']');
    } else if (v !== null && typeof v === 'object') {
      lit('{');
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function') continue;
        if (!first) lit(',');
        first = false;
        str(k, `${at}.${k}`);
        lit(':');
        emit(x, `${at}.${k}`);
      }
      lit('}');
    } else lit(JSON.stringify(v) ?? 'null');
  };
  emit(value, path);
  return { kind: 'json', parts };
}

export function renderBody(body: CompiledBody, ctx: RenderContext): string {
  if (body.kind === 'text') return renderText(body.text, ctx, false);
  let out = '';
  for (const p of body.parts) out += typeof p === 'string' ? p : JSON.stringify(renderText(p, ctx, false));
  return out;
}

import { describe } from '../units.js';
import type { FeederRow } from './feeder.js';

/** A feeder file's rows, or the first problem in it with its 1-based line. */
export type FeederFileParse = { readonly rows: FeederRow[] } | { readonly line: number; readonly problem: string };

/**
 * Parses a CSV feeder strictly (RFC 4180): a header row of unique, non-empty names; fields
 * separated by commas; a field with a comma, quote or line break quoted, with quotes doubled.
 * Every row must have as many fields as the header: a short or long row is a mistake in the
 * file (a stray comma, a missing quote), and sending requests built from shifted columns would
 * test the wrong thing. Values stay strings.
 */
export function parseCsvFeeder(input: string): FeederFileParse {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const rows: { line: number; fields: string[] }[] = [];
  let field = '';
  let fields: string[] = [];
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let afterQuote = false;
  let fieldStarted = false;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
    afterQuote = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        afterQuote = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
      afterQuote = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else if (afterQuote) {
      if (c === ' ' || c === '\t') continue;
      return {
        line,
        problem: `unexpected ${JSON.stringify(c)} after a closing quote; a quoted field must end at a comma or the end of the line`,
      };
    } else if (c === '"') {
      if (fieldStarted && field.trim() !== '')
        return { line, problem: 'a quote inside an unquoted field; quote the whole field and double the quote ("")' };
      field = '';
      quoted = true;
      quoteLine = line;
      fieldStarted = true;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { line: quoteLine, problem: 'a quoted field opened on this line is never closed' };
  if (fields.length > 0 || field !== '' || fieldStarted) endRow();
  const [header, ...body] = rows;
  if (!header) return { line: 1, problem: 'is empty: expected a header row, then one row per request' };
  const names = header.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') return { line: header.line, problem: `header column ${i + 1} has no name` };
    if (seen.has(name)) return { line: header.line, problem: `header column "${name}" appears twice` };
    seen.add(name);
  }
  if (body.length === 0) return { line: header.line, problem: 'has a header but no rows' };
  for (const r of body) {
    if (r.fields.length !== names.length) {
      return {
        line: r.line,
        problem: `has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, the header has ${names.length} (a stray comma or an unquoted comma?)`,
      };
    }
  }
  return { rows: body.map((r) => Object.fromEntries(names.map((h, i) => [h, r.fields[i]!]))) };
}

/** Parses a JSON feeder: an array of objects (one per request), with the line of the first problem. */
export function parseJsonFeeder(text: string): FeederFileParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const { line, column } = lineColumnAt(text, offset);
    // Node's message repeats the position (and, on newer versions, quotes the text): keep the reason.
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    return { line, problem: `is not valid JSON at column ${column}: ${reason}` };
  }
  if (!Array.isArray(data)) return { line: 1, problem: `must be a JSON array of objects, one per request (got ${describe(data)})` };
  if (data.length === 0) return { line: 1, problem: 'is an empty array: a feeder needs at least one row' };
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as unknown;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      return { line: elementLine(text, i), problem: `element [${i}] must be an object of field → value (got ${describe(row)})` };
    }
  }
  return { rows: data as FeederRow[] };
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The line on which element `index` of a top-level JSON array starts (the text is valid JSON). */
function elementLine(text: string, index: number): number {
  let depth = 0;
  let inString = false;
  let element = -1;
  let line = 1;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/\s/.test(c) && c !== ']') {
      element++;
      expectValue = false;
      if (element === index) return line;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return line;
}

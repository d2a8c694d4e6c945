/**
 * A small path language for picking one value out of a JSON document: `queue.depth`,
 * `items[0].count`, `stages["translation.v2"].depth`. Deliberately not JSONPath: a probe reads
 * one number, so there are no wildcards or filters to get wrong.
 */
export type JsonPathSegment = string | number;

export type JsonPathParse =
  | { readonly ok: true; readonly segments: readonly JsonPathSegment[] }
  | { readonly ok: false; readonly error: string };

const KEY = /[^.[\]"]+/y;
const INDEX = /\[(\d+)\]/y;
const QUOTED = /\["((?:[^"\\]|\\.)*)"\]/y;

/** Splits a path into keys and array indexes, or says where it stops making sense. */
export function parseJsonPath(path: string): JsonPathParse {
  if (typeof path !== 'string' || path.trim() === '') return { ok: false, error: 'is empty' };
  const segments: JsonPathSegment[] = [];
  let pos = 0;
  while (pos < path.length) {
    if (path[pos] === '[') {
      const index = matchAt(INDEX, path, pos);
      const quoted = index ? undefined : matchAt(QUOTED, path, pos);
      if (index) segments.push(Number(index[1]));
      else if (quoted) {
        const key = unquote(quoted[1]!);
        if (key === undefined) return { ok: false, error: `has a malformed quoted key at position ${pos}` };
        segments.push(key);
      } else return { ok: false, error: `needs [<index>] or ["<key>"] at position ${pos}` };
      pos += (index ?? quoted)![0].length;
      continue;
    }
    if (segments.length > 0) {
      if (path[pos] !== '.') return { ok: false, error: `has an unexpected ${JSON.stringify(path[pos])} at position ${pos}` };
      pos++;
    }
    const key = matchAt(KEY, path, pos);
    if (!key) return { ok: false, error: `has an empty key at position ${pos}` };
    segments.push(key[0]);
    pos += key[0].length;
  }
  return { ok: true, segments };
}

function unquote(body: string): string | undefined {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return undefined;
  }
}

function matchAt(regex: RegExp, text: string, pos: number): RegExpExecArray | null {
  regex.lastIndex = pos;
  return regex.exec(text);
}

/**
 * The value at `path` inside `document`, or undefined when any step is missing. Only own
 * properties are followed, so `constructor` or `__proto__` in a path never reaches a prototype.
 * Throws a TypeError for a malformed path: paths are validated with the probe, before any poll.
 */
export function readJsonPath(document: unknown, path: string): unknown {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) throw new TypeError(`JSON path ${JSON.stringify(path)} ${parsed.error}`);
  let node: unknown = document;
  for (const segment of parsed.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return undefined;
      node = node[segment];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}

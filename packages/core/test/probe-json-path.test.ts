import { parseJsonPath, readJsonPath } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

const DOC = {
  queue: { depth: 17, paused: false },
  items: [{ count: 3 }, { count: 9 }],
  'translation.v2': { depth: 4 },
  matrix: [
    [1, 2],
    [3, 4],
  ],
};

describe('readJsonPath', () => {
  it('follows keys and array indexes', () => {
    expect(readJsonPath(DOC, 'queue.depth')).toBe(17);
    expect(readJsonPath(DOC, 'items[1].count')).toBe(9);
    expect(readJsonPath(DOC, 'matrix[1][0]')).toBe(3);
    expect(readJsonPath(DOC, 'queue.paused')).toBe(false);
    expect(readJsonPath([5, 6], '[1]')).toBe(6);
  });

  it('reads keys containing dots through the quoted form', () => {
    expect(readJsonPath(DOC, '["translation.v2"].depth')).toBe(4);
  });

  it('returns undefined for anything missing, including an index past the end or on a non-array', () => {
    expect(readJsonPath(DOC, 'queue.size')).toBeUndefined();
    expect(readJsonPath(DOC, 'items[5].count')).toBeUndefined();
    expect(readJsonPath(DOC, 'queue[0]')).toBeUndefined();
    expect(readJsonPath(DOC, 'queue.depth.value')).toBeUndefined();
    expect(readJsonPath(null, 'queue')).toBeUndefined();
  });

  it('never walks into the prototype', () => {
    expect(readJsonPath(DOC, 'constructor')).toBeUndefined();
    expect(readJsonPath(DOC, 'queue.__proto__')).toBeUndefined();
    expect(readJsonPath(DOC, 'items.length')).toBeUndefined();
  });

  it('throws on a malformed path (paths are validated with the probe, before any poll)', () => {
    expect(() => readJsonPath(DOC, 'items[')).toThrow(/items\[/);
  });
});

describe('parseJsonPath', () => {
  it('splits into keys and indexes', () => {
    expect(parseJsonPath('a.b[2]["c.d"].e-f')).toEqual({ ok: true, segments: ['a', 'b', 2, 'c.d', 'e-f'] });
  });

  it.each(['', '.a', 'a.', 'a..b', 'a[x]', 'a[-1]', 'a[1', 'a]', 'a["unterminated]', 'a["bad\\q"]', 'a b"c'])(
    'rejects %j with a reason',
    (path) => {
      const parsed = parseJsonPath(path);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
    },
  );
});

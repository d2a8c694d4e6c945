import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvFeeder, parseJsonFeeder } from '../src/internal.js';

describe('feeder files: rows, or the line and the problem', () => {
  it('reads CSV with quotes, doubled quotes, line breaks in quoted fields, CRLF and a BOM', () => {
    const text = '\uFEFFid,name,note\r\n1,"Ada, Countess","said ""hi"""\r\n2,Bob,"two\nlines"\n3, "Cy" ,x\n';
    expect(parseCsvFeeder(text)).toEqual({
      rows: [
        { id: '1', name: 'Ada, Countess', note: 'said "hi"' },
        { id: '2', name: 'Bob', note: 'two\nlines' },
        { id: '3', name: 'Cy', note: 'x' },
      ],
    });
  });

  it('names the line of a CSV row with too many or too few fields, counting quoted line breaks', () => {
    expect(parseCsvFeeder('a,b\n1,2\n"x\ny",3\n4,5,6\n')).toEqual({
      line: 5,
      problem: 'has 3 fields, the header has 2 (a stray comma or an unquoted comma?)',
    });
    expect(parseCsvFeeder('a,b,c\n1,2\n')).toMatchObject({ line: 2, problem: expect.stringContaining('has 2 fields, the header has 3') });
  });

  it('names an unclosed quote by the line it opened on, and stray quotes', () => {
    expect(parseCsvFeeder('a,b\n1,2\n3,"never closed\n4,5\n')).toEqual({
      line: 3,
      problem: 'a quoted field opened on this line is never closed',
    });
    expect(parseCsvFeeder('a,b\n1,x"y\n')).toMatchObject({ line: 2, problem: expect.stringContaining('a quote inside an unquoted field') });
    expect(parseCsvFeeder('a,b\n"1"x,2\n')).toMatchObject({ line: 2, problem: expect.stringContaining('after a closing quote') });
  });

  it('refuses an empty file, a header without rows, empty and duplicate column names', () => {
    expect(parseCsvFeeder('')).toMatchObject({ line: 1, problem: expect.stringContaining('is empty') });
    expect(parseCsvFeeder('a,b\n')).toEqual({ line: 1, problem: 'has a header but no rows' });
    expect(parseCsvFeeder('a,,c\n1,2,3\n')).toEqual({ line: 1, problem: 'header column 2 has no name' });
    expect(parseCsvFeeder('a,b,a\n1,2,3\n')).toEqual({ line: 1, problem: 'header column "a" appears twice' });
  });

  it('reads a JSON array of objects', () => {
    expect(parseJsonFeeder('[{"id": 1}, {"id": "two", "n": true}]')).toEqual({ rows: [{ id: 1 }, { id: 'two', n: true }] });
  });

  it('names the line and column of invalid JSON', () => {
    const r = parseJsonFeeder('[\n  {"id": 1},\n  {"id": 2,}\n]');
    expect(r).toMatchObject({ line: 3 });
    expect((r as { problem: string }).problem).toMatch(/^is not valid JSON at column \d+: /);
    expect(parseJsonFeeder('[{"id": 1}')).toMatchObject({ line: 1, problem: expect.stringContaining('is not valid JSON') });
  });

  it('names the line of an element that is not an object, and refuses what is not a non-empty array', () => {
    expect(parseJsonFeeder('[\n  {"id": "a,[b]"},\n  {"nested": {"x": [1, 2]}},\n  42\n]')).toEqual({
      line: 4,
      problem: 'element [2] must be an object of field → value (got 42)',
    });
    expect(parseJsonFeeder('{"id": 1}')).toMatchObject({ line: 1, problem: expect.stringContaining('must be a JSON array of objects') });
    expect(parseJsonFeeder('[]')).toMatchObject({ line: 1, problem: expect.stringContaining('empty array') });
  });

  it('parseCsv (the library call) is the same strict parser: the rows, or an error naming the line', () => {
    expect(parseCsv('id,name\n1,"Ada, Countess"\n')).toEqual([{ id: '1', name: 'Ada, Countess' }]);
    expect(() => parseCsv('id,name\n1,Ada\n2,Bob,extra\n')).toThrow('CSV line 3: has 3 fields, the header has 2');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_TABLE } from '../dist/exit-codes.js';

/**
 * The exit-code tables of the repository's README and of the npm page (packages/cli/README.md),
 * the one in exit-codes.ts and `overload --help` must say the same.
 */
describe.each([
  ['README.md', '../../../README.md'],
  ['packages/cli/README.md (the npm page)', '../README.md'],
])('exit codes: the table of %s is the code table', (_name, path) => {
  const readme = readFileSync(new URL(path, import.meta.url), 'utf8');
  const section = /^## Exit codes\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
  const rows = [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2]! }));

  it('lists exactly the codes of EXIT, once each, in order', () => {
    const codes = [...new Set(Object.values(EXIT))].sort((a, b) => a - b);
    expect(rows.map((r) => r.code)).toEqual(codes);
  });

  it('matches the table printed by --help line for line (code and its first words)', () => {
    const help = [...EXIT_CODE_TABLE.matchAll(/^ {2}(\d+) +(.+)$/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2]! }));
    expect(help.map((h) => h.code)).toEqual(rows.map((r) => r.code));
    // Same meaning: both start with the same two words (markdown, punctuation and articles aside).
    const firstWords = (text: string) =>
      text
        .toLowerCase()
        .replace(/[^a-z0-9\s]/g, ' ')
        .split(/\s+/)
        .filter((w) => w !== '' && !['the', 'a', 'an'].includes(w))
        .slice(0, 2)
        .join(' ');
    for (const [i, h] of help.entries()) expect(firstWords(h.meaning), `code ${h.code}`).toBe(firstWords(rows[i]!.meaning));
  });

  it('says a worker crash is 70 and a guardrail stop is 3', () => {
    expect(rows.find((r) => r.code === EXIT.internal)?.meaning).toMatch(/worker crash/);
    expect(rows.find((r) => r.code === EXIT.stopped)?.meaning).toMatch(/guardrail/);
  });
});

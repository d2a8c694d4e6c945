import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/**
 * Every `overload …` command line in the README, the npm page and docs/ names a command that
 * exists and only flags that command accepts, as its own `--help` lists them. A renamed flag
 * breaks this test, not a user's first copy and paste.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const pages = [
  'README.md',
  'packages/cli/README.md',
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Example {
  readonly page: string;
  readonly line: string;
  readonly command: string;
  readonly flags: readonly string[];
}

function examplesOf(page: string): Example[] {
  const text = readFileSync(`${root}${page}`, 'utf8');
  const blocks = [...text.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const out: Example[] = [];
  for (const block of blocks) {
    // Join continuation lines, drop comments.
    for (const raw of block.replace(/\\\n\s*/g, ' ').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const m = /(?:^|&& |\s)(?:npx (?:-y )?(?:pnpm@[\d.]+ )?|pnpm (?:exec )?|yarn )overload ([a-z0-9-]+)(.*)$/.exec(line);
      if (!m || m[1]!.startsWith('-')) continue;
      const flags = [...m[2]!.matchAll(/(?:^|\s)(--[a-z0-9-]+)/g)].map((f) => f[1]!);
      out.push({ page, line, command: m[1]!, flags });
    }
  }
  return out;
}

const examples = pages.flatMap(examplesOf);

describe('the examples of the README and docs', () => {
  it('finds the examples (the README shows the main job, init, plan and a ramp against a URL)', () => {
    const readme = examples.filter((e) => e.page === 'README.md').map((e) => e.command);
    expect(readme).toEqual(expect.arrayContaining(['ramp', 'init', 'plan']));
  });

  const commands = [...new Set(examples.map((e) => e.command))].sort();
  it.each(commands)('overload %s: the command exists and accepts every flag its examples use', async (command) => {
    const help = await runCli([command, '--help']);
    expect(help.code, `overload ${command} --help\n${help.stderr}`).toBe(0);
    const accepted = new Set([...help.stdout.matchAll(/(--[a-z0-9-]+)/g)].map((m) => m[1]!.replace(/^--no-/, '--')));
    accepted.add('--help');
    for (const e of examples.filter((x) => x.command === command)) {
      for (const flag of e.flags) {
        expect(
          accepted.has(flag.replace(/^--no-/, '--')),
          `${e.page}: ${e.line}\n${flag} is not among the flags of overload ${command} --help`,
        ).toBe(true);
      }
    }
  });
});

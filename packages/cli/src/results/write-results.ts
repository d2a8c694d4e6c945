import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJson } from '../write-json.js';

export interface OutputFlags {
  outDir?: string;
  json?: string;
}

/** `overload-results/<name>-<2026-11-29T18-04-05>` — sortable, and safe on every file system. */
export function defaultOutDir(name: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  return join('overload-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

/** Writes the result JSON (and, later, the other report files); returns the paths written. */
export async function writeResults(result: unknown, name: string, flags: OutputFlags): Promise<string[]> {
  const written: string[] = [];
  const dir = flags.outDir ?? defaultOutDir(name);
  await mkdir(dir, { recursive: true });
  const main = join(dir, 'result.json');
  await writeJson(main, result);
  written.push(main);
  if (flags.json) {
    await writeJson(flags.json, result);
    written.push(flags.json);
  }
  return written;
}

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComparableResult } from '@overload/core/internal';
import { RESULT_FILES } from '../results/write-results.js';

/** A result.json, or a results folder holding one: the file that is read. */
export async function resultFileOf(path: string): Promise<string> {
  return (await stat(path)).isDirectory() ? join(path, RESULT_FILES.json) : path;
}

/**
 * Reads a run's or a ramp's result.json (or its folder). Throws an Error saying why it cannot be
 * compared: missing, not JSON, or a kind that has no comparison (a search, a future kind).
 */
export async function readComparable(path: string): Promise<ComparableResult> {
  const file = await resultFileOf(path);
  const r = JSON.parse(await readFile(file, 'utf8')) as Partial<ComparableResult> | null;
  if (typeof r !== 'object' || r === null) throw new Error('is not a JSON object');
  if (r.kind !== 'run' && r.kind !== 'ramp') throw new Error(`kind ${JSON.stringify(r.kind)} is neither run nor ramp`);
  const run = r.kind === 'ramp' ? (r as { run?: unknown }).run : r;
  if (typeof r.target?.url !== 'string' || !Array.isArray((run as { intervals?: unknown } | undefined)?.intervals))
    throw new Error('has no target or no intervals: not a result.json of overload run or ramp');
  return r as ComparableResult;
}

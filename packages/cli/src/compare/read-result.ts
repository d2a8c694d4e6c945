import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComparableResult } from '@overload/core/internal';
import { RESULT_FILES } from '../results/write-results.js';

/** A result.json, or a results folder holding one: the file that is read. */
export async function resultFileOf(path: string): Promise<string> {
  return (await stat(path)).isDirectory() ? join(path, RESULT_FILES.json) : path;
}

/**
 * A comparison reads per-interval summaries (percentiles, counts), never the encoded histograms.
 * `lean` also drops what only the comparison page draws or only the report shows (probe series,
 * the recovery baseline's own run, service times, status codes, error examples), so that
 * `overload history` can hold a few hundred results at a tenth of their size on disk.
 */
const HEAVY = new Set(['histograms']);
const LEAN = new Set(['histograms', 'probes', 'serviceTimeMs', 'statusCodes', 'errorExamples', 'workerErrors']);

/** Deletes the keys in place, at every depth (faster than a JSON.parse reviver, which calls back for every value). */
function strip(value: unknown, keys: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const x of value) if (typeof x === 'object' && x !== null) strip(x, keys);
    return;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (keys.has(k)) delete o[k];
    else if (typeof o[k] === 'object' && o[k] !== null) strip(o[k], keys);
  }
}

/** Parses a result.json's text; throws an Error saying why it cannot be compared. */
export function parseComparable(text: string, options: { lean?: boolean } = {}): ComparableResult {
  const r = JSON.parse(text) as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error('is not a JSON object');
  if (r.kind !== 'run' && r.kind !== 'ramp' && r.kind !== 'search')
    throw new Error(`kind ${JSON.stringify(r.kind)} is not a run, a ramp or a search: not a result.json of overload`);
  if (typeof (r.target as { url?: unknown } | undefined)?.url !== 'string') throw new Error('has no target: not a result.json of overload');
  const intervals = r.kind === 'search' ? r.evidence : ((r.kind === 'ramp' ? r.run : r) as { intervals?: unknown } | undefined)?.intervals;
  if (!Array.isArray(intervals))
    throw new Error(`has no ${r.kind === 'search' ? 'evidence' : 'intervals'}: not a complete result.json of overload ${r.kind}`);
  if (r.kind === 'ramp' && !Array.isArray(r.steps)) throw new Error('has no steps: not a complete result.json of overload ramp');
  if (options.lean) {
    const recovery = r.recovery as { run?: unknown } | undefined;
    if (recovery && typeof recovery === 'object') delete recovery.run;
  }
  strip(r, options.lean ? LEAN : HEAVY);
  return r as unknown as ComparableResult;
}

/** Reads a run's, a ramp's or a search's result.json (or its folder). Throws an Error saying why it cannot be compared. */
export async function readComparable(path: string, options: { lean?: boolean } = {}): Promise<ComparableResult> {
  return parseComparable(await readFile(await resultFileOf(path), 'utf8'), options);
}

import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hdrFilesOf } from '@overload/core/internal';
import { renderHtmlReport } from '../report/html.js';
import { renderJunit } from '../report/junit.js';
import { mainRunOf, RESULT_KINDS, type StoredResult, toStored } from '../report/stored-result.js';
import { secrets } from '../secrets.js';
import { writeJson } from '../write-json.js';
import { makeFolders } from './check-outputs.js';

export interface OutputFlags {
  outDir?: string;
  json?: string;
  /** Also write the HTML report here (it is always written into the out dir). */
  html?: string;
  /** Also write the JUnit XML here (written into the out dir for ramp and search). */
  junit?: string;
}

/** `overload-results/<name>-<2026-11-29T18-04-05>` — sortable, and safe on every file system. */
export function defaultOutDir(name: string, at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/:/g, '-');
  return join('overload-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

/** The files of the out dir, by name, so docs, CI examples and tests agree on them. */
export const RESULT_FILES = {
  json: 'result.json',
  latencyHgrm: 'latency.hgrm',
  serviceTimeHgrm: 'service-time.hgrm',
  intervalLog: 'intervals.hlog',
  html: 'report.html',
  junit: 'junit.xml',
} as const;

/**
 * Writes everything a run leaves behind into its out dir; returns the paths written.
 * - `result.json`: the result (see docs/result.schema.json);
 * - `latency.hgrm`, `service-time.hgrm`, `intervals.hlog`: HdrHistogram files of the run (of
 *   the ramp phase for a ramp; a search keeps no histograms, so it has none);
 * - `report.html`: the self-contained report;
 * - `junit.xml`: for ramp and search, one testcase per SLO condition per step.
 * `--json`, `--html` and `--junit` write extra copies where CI wants them. The reports are
 * rendered from the JSON exactly as written, so `overload report result.json` reproduces them.
 */
export async function writeResults(measured: unknown, name: string, flags: OutputFlags): Promise<string[]> {
  // Every file below is rendered from the JSON as written (as `overload report` will read it),
  // with every registered secret already out of it.
  const result: unknown = JSON.parse(secrets.scrub(JSON.stringify(measured)));
  const written: string[] = [];
  const dir = flags.outDir ?? defaultOutDir(name);
  await makeFolders(dir);
  const put = async (file: string, content: string) => {
    await makeFolders(dirname(file));
    await writeFile(file, secrets.scrub(content));
    written.push(file);
  };
  const main = join(dir, RESULT_FILES.json);
  await writeJson(main, result);
  written.push(main);
  if (flags.json) {
    await writeJson(flags.json, result);
    written.push(flags.json);
  }
  if (!isReportable(result)) return written;
  const stored = toStored(result);
  const run = mainRunOf(stored);
  if (run) {
    const hdr = hdrFilesOf(run);
    await put(join(dir, RESULT_FILES.latencyHgrm), hdr.latencyHgrm);
    await put(join(dir, RESULT_FILES.serviceTimeHgrm), hdr.serviceTimeHgrm);
    await put(join(dir, RESULT_FILES.intervalLog), hdr.intervalLog);
  }
  const html = renderHtmlReport(stored);
  await put(join(dir, RESULT_FILES.html), html);
  if (flags.html) await put(flags.html, html);
  if (stored.kind !== 'run' || flags.junit) {
    const junit = renderJunit(stored);
    if (stored.kind !== 'run') await put(join(dir, RESULT_FILES.junit), junit);
    if (flags.junit) await put(flags.junit, junit);
  }
  return written;
}

/** Results of the three kinds get reports; anything else (a future kind) still gets its JSON. */
function isReportable(result: unknown): result is StoredResult {
  const kind = (result as { kind?: unknown } | null)?.kind;
  return typeof result === 'object' && result !== null && RESULT_KINDS.includes(kind as StoredResult['kind']);
}

import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hdrFilesOf, OverloadError } from '@overload/core/internal';
import { renderHtmlReport } from '../report/html.js';
import { renderJunit } from '../report/junit.js';
import { mainRunOf, RESULT_KINDS, type StoredResult, toStored } from '../report/stored-result.js';
import { secrets } from '../secrets.js';
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
  const failed: string[] = [];
  const dir = flags.outDir ?? defaultOutDir(name);
  // Each file on its own: one that cannot be written after the load (a full disk, --json
  // /dev/full, --html on a file of /proc) costs no other result. The paths were checked before
  // anything was sent; what only a write can tell is said here, with the flag and the cause.
  const put = async (file: string, content: string, flag?: string) => {
    try {
      await makeFolders(dirname(file));
      await writeFile(file, secrets.scrub(content));
      written.push(file);
    } catch (error) {
      failed.push(`${flag ? `${flag} ` : ''}${file} (${writeCauseOf(error)})`);
    }
  };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await put(join(dir, RESULT_FILES.json), json);
  if (isReportable(result)) {
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
    const junit = stored.kind !== 'run' || flags.junit ? renderJunit(stored) : undefined;
    if (junit !== undefined && stored.kind !== 'run') await put(join(dir, RESULT_FILES.junit), junit);
    // The copies CI asked for, last: the out dir is complete whatever they meet.
    if (flags.json) await put(flags.json, json, '--json');
    if (flags.html) await put(flags.html, html, '--html');
    if (junit !== undefined && flags.junit) await put(flags.junit, junit, '--junit');
  } else if (flags.json) await put(flags.json, json, '--json');
  if (failed.length > 0) {
    throw new OverloadError(
      'OVL_INTERNAL',
      `could not write ${failed.join(', ')}; ${written.length > 0 ? `written: ${written.join(', ')}` : 'nothing was written'}`,
    );
  }
  return written;
}

/** `ENOSPC: no space left on device` from an fs error, without the syscall Node appends. */
function writeCauseOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? e.message.replace(/, \w+( '.*')?$/, '') : String(e.message ?? error);
}

/** Results of the three kinds get reports; anything else (a future kind) still gets its JSON. */
function isReportable(result: unknown): result is StoredResult {
  const kind = (result as { kind?: unknown } | null)?.kind;
  return typeof result === 'object' && result !== null && RESULT_KINDS.includes(kind as StoredResult['kind']);
}

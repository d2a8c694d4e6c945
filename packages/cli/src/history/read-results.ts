import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComparableResult } from '@overload/core/internal';
import pLimit from 'p-limit';
import { COMPARE_FILES } from '../compare/compare-files.js';
import { parseComparable } from '../compare/read-result.js';

/** Files read at once: enough to keep the disk busy, few enough to stay far below the open-file limit. */
const READ_CONCURRENCY = 16;

export interface ReadResult {
  readonly file: string;
  readonly result: ComparableResult;
}

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

/**
 * Every `*.json` below `dir`, at any depth, in a stable order. Folders named `node_modules` and
 * hidden ones are not entered; a comparison's own `compare.json` is not a result.
 */
export async function findJsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const e of entries) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(join(at, e.name));
      } else if (e.isFile() && e.name.endsWith('.json') && e.name !== COMPARE_FILES.json) {
        found.push(join(at, e.name));
      }
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * Reads every result under `dir` with bounded concurrency (p-limit): each is parsed lean (see
 * `parseComparable`) so hundreds fit in memory. A file that cannot be read as a result is
 * skipped, and named with why.
 */
export async function readResults(dir: string): Promise<{ results: ReadResult[]; skipped: SkippedFile[] }> {
  const files = await findJsonFiles(dir);
  const limit = pLimit(READ_CONCURRENCY);
  const read = await limit.map(files, async (file) => {
    try {
      return { file, result: parseComparable(await readFile(file, 'utf8'), { lean: true }) };
    } catch (error) {
      return { file, reason: (error as Error).message };
    }
  });
  return {
    results: read.filter((r): r is ReadResult => 'result' in r),
    skipped: read.filter((r): r is SkippedFile => 'reason' in r),
  };
}

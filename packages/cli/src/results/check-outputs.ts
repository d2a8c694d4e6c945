import { constants, type Stats } from 'node:fs';
import { access, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ValidationError, type ValidationIssue } from '@overload/core/internal';
import type { OutputFlags } from './write-results.js';

/** A file system that does not answer in this long (a hung network mount) fails the check. */
export const OUTPUT_CHECK_TIMEOUT_MS = 5_000;

let hung = false;
/** True once a file-system call of the check never answered: the process must exit without waiting for it. */
export function outputCheckHung(): boolean {
  return hung;
}

class CheckTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** What an errno means for a folder that must be written into, in words. */
function causeOf(error: unknown, where: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EROFS':
      return `${where} is on a read-only file system (EROFS)`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${where} (${code})`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left in ${where} (${code})`;
    case 'ENOENT':
      // The folder exists (it was just found) and still refuses new entries: /proc, /sys and the like.
      return `${where} does not accept new files or folders (ENOENT: a virtual file system such as /proc?)`;
    default:
      return `${where}: ${code ?? (error as Error).message}`;
  }
}

/**
 * Checks that `dir` is, or can become, a folder that files can be written into, and leaves
 * nothing behind: the nearest existing ancestor must be a folder, and a probe folder is created
 * in it and removed again (a read-only or virtual file system fails here, not after the load).
 */
async function checkFolder(dir: string): Promise<string | undefined> {
  let existing = resolve(dir);
  for (;;) {
    const s = await statOrUndefined(existing);
    if (s) {
      if (!s.isDirectory()) return `${existing} is a file, not a folder: name a folder there, or move the file`;
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) return `no part of ${resolve(dir)} exists`;
    existing = parent;
  }
  try {
    await access(existing, constants.W_OK);
    const probe = join(existing, `.overload-write-check-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(probe);
    await rmdir(probe);
  } catch (error) {
    return `cannot write into ${resolve(dir)}: ${causeOf(error, existing)}`;
  }
  return undefined;
}

/** A file flag (--json, --html, …): not a folder, writable if it exists, and its folder writable. */
async function checkFile(file: string, example: string): Promise<string | undefined> {
  // `-` is standard output to curl and tar; here it would be a file named "-" in the current folder.
  if (file === '-')
    return `writes a file, and "-" would be a file of that name: name a file, such as ${example} (stdout carries the summary)`;
  const path = resolve(file);
  const s = await statOrUndefined(path);
  if (s?.isDirectory()) return `${path} is a folder: name a file in it, such as ${join(file, example)}`;
  if (s) {
    try {
      await access(path, constants.W_OK);
    } catch (error) {
      return `cannot overwrite ${path}: ${causeOf(error, path)}`;
    }
    return undefined;
  }
  return checkFolder(dirname(path));
}

/**
 * Checks, before anything is sent, that every result file can be written: a run whose results
 * cannot be written would have loaded the target for nothing. The out dir and the folders of
 * --json/--html/--junit/--log-file are checked, not created, so a refused run leaves nothing
 * behind. Each check has a timeout: a hung mount is an error that names the flag, not a hang.
 */
export async function checkOutputs(flags: OutputFlags & { logFile?: string }): Promise<void> {
  const issues: ValidationIssue[] = [];
  const checks: [string, string, () => Promise<string | undefined>][] = [
    [
      flags.outDir !== undefined ? '--out-dir' : 'the default out dir (./overload-results)',
      flags.outDir ?? 'overload-results',
      () => checkFolder(flags.outDir ?? 'overload-results'),
    ],
  ];
  for (const [flag, file, example] of [
    ['--json', flags.json, 'result.json'],
    ['--html', flags.html, 'report.html'],
    ['--junit', flags.junit, 'junit.xml'],
    ['--log-file', flags.logFile, 'overload.log'],
  ] as const) {
    if (file !== undefined) checks.push([flag, file, () => checkFile(file, example)]);
  }
  for (const [flag, path, check] of checks) {
    try {
      const problem = await withTimeout(check(), OUTPUT_CHECK_TIMEOUT_MS);
      if (problem) issues.push({ path: flag, message: problem });
    } catch (error) {
      if (error instanceof CheckTimeout) {
        hung = true;
        issues.push({
          path: flag,
          message: `the file system did not answer within ${OUTPUT_CHECK_TIMEOUT_MS / 1000} s for ${resolve(path)} (a hung network mount?): choose a local path`,
        });
      } else issues.push({ path: flag, message: `cannot write ${resolve(path)}: ${causeOf(error, resolve(path))}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('command line', issues);
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns on some virtual file
 * systems (/proc), where a plain mkdir fails at once.
 */
export async function makeFolders(dir: string): Promise<void> {
  const path = resolve(dir);
  const s = await statOrUndefined(path);
  if (s?.isDirectory()) return;
  const parent = dirname(path);
  if (parent !== path) await makeFolders(parent);
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

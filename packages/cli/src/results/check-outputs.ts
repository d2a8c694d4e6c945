import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError, type ValidationIssue } from '@overload/core/internal';
import type { OutputFlags } from './write-results.js';

/**
 * Checks, before anything is sent, that every result file can be written: a run whose results
 * cannot be written would have loaded the target for nothing. The out dir is created (as the
 * run would), the folders of --json/--html/--junit/--log-file too, and each must be writable.
 */
export async function checkOutputs(flags: OutputFlags & { logFile?: string }): Promise<void> {
  const issues: ValidationIssue[] = [];
  const dirs: [string, string][] = [
    [flags.outDir ?? 'overload-results', flags.outDir !== undefined ? '--out-dir' : 'the default out dir (./overload-results)'],
  ];
  for (const [flag, file] of [
    ['--json', flags.json],
    ['--html', flags.html],
    ['--junit', flags.junit],
    ['--log-file', flags.logFile],
  ] as const) {
    if (file !== undefined) dirs.push([dirname(resolve(file)), flag]);
  }
  for (const [dir, flag] of dirs) {
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    } catch (error) {
      issues.push({
        path: flag,
        message: `cannot write into ${resolve(dir)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError('command line', issues);
}

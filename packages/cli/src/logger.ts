import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '@overload/core/internal';
import { pino, type Logger } from 'pino';
import { REDACTED, secrets } from './secrets.js';

export { redactHeaders, SECRET_HEADER } from './secrets.js';

export interface LoggerOptions {
  readonly level?: string;
  readonly file?: string;
}

/**
 * Structured logs go to a file (`--log-file`) or to stderr; stdout is kept for the summary so it
 * can be piped. Redaction paths are fixed when the logger is built, so logging never has to
 * think about secrets on the way; every line also passes through the secret registry on its way
 * out (pino writes to the file descriptor itself, past process.stderr).
 */
/** Creates the log file's folders one level at a time (a recursive mkdir never returns on /proc). */
function prepareLogFile(file: string): string {
  const missing: string[] = [];
  for (let dir = dirname(resolve(file)); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) mkdirSync(dir);
  return file;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  let destination: ReturnType<typeof pino.destination>;
  try {
    destination = options.file
      ? pino.destination({ dest: prepareLogFile(options.file), sync: true })
      : pino.destination({ fd: 2, sync: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'EISDIR'
        ? `${resolve(options.file!)} is a folder: name a file in it, such as ${join(options.file!, 'overload.log')}`
        : `${resolve(options.file!)} cannot be written: ${e.code ?? e.message}${e.code === 'ENOENT' ? ' (a folder on its path cannot be created: a virtual file system such as /proc?)' : ''}`;
    throw new ValidationError('command line', [{ path: '--log-file', message: why }]);
  }
  return pino(
    {
      level: options.level ?? (options.file ? 'info' : 'warn'),
      base: { app: 'overload' },
      redact: {
        paths: [
          'headers.authorization',
          'headers.cookie',
          'headers["set-cookie"]',
          'headers["x-api-key"]',
          'headers["api-key"]',
          'headers["proxy-authorization"]',
          '*.headers.authorization',
          '*.headers.cookie',
          '*.headers["set-cookie"]',
          '*.headers["x-api-key"]',
          '*.headers["api-key"]',
          'tls.key',
          '*.tls.key',
        ],
        censor: REDACTED,
      },
      hooks: { streamWrite: (s) => secrets.scrub(s) },
    },
    destination,
  );
}

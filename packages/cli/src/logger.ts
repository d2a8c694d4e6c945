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
export function createLogger(options: LoggerOptions = {}): Logger {
  let destination: ReturnType<typeof pino.destination>;
  try {
    destination = options.file
      ? pino.destination({ dest: options.file, sync: true, mkdir: true })
      : pino.destination({ fd: 2, sync: true });
  } catch (error) {
    throw new ValidationError('command line', [{ path: '--log-file', message: `cannot be written: ${(error as Error).message}` }]);
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

import { pino, type Logger } from 'pino';

/** Header names whose values are secrets: redacted in logs, summaries and result files. */
export const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|.*token.*|.*secret.*|.*password.*)$/i;

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADER.test(k) ? '[redacted]' : v;
  return out;
}

export interface LoggerOptions {
  readonly level?: string;
  readonly file?: string;
}

/**
 * Structured logs go to a file (`--log-file`) or to stderr; stdout is kept for the summary so it
 * can be piped. Redaction paths are fixed when the logger is built, so logging never has to
 * think about secrets on the way.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, sync: true, mkdir: true }) : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? (options.file ? 'info' : 'warn'),
      base: { app: 'overload' },
      redact: {
        paths: ['headers.authorization', 'headers.cookie', 'headers["x-api-key"]', 'headers["proxy-authorization"]', '*.headers.authorization', '*.headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

import { ValidationError } from '../errors.js';
import { isUnitlessDuration, parseDurationMs } from '../units.js';

/**
 * Workers need the start time a little before the first arrival is due (the single-machine
 * handshake starts 20 ms ahead for the same reason): a shard whose workers are ready later than
 * this before T0 would start late and smear the first step, so it refuses to start.
 */
export const START_MARGIN_MS = 20;

/**
 * `--start-at`: an absolute time with its zone (`2026-12-01T10:00:00Z`, `…+01:00`) or a delay
 * from now (`+30s`, `+2m`). A time without a zone is refused: shards in other time zones would
 * read it as different instants. Returns epoch milliseconds.
 */
export function parseStartAt(text: string, nowEpochMs: number, path = '--start-at'): number {
  const t = text.trim();
  if (t.startsWith('+')) {
    if (isUnitlessDuration(t.slice(1)))
      throw new ValidationError('command line', [{ path, message: `a delay needs a unit: ${t}s or ${t}ms (got "${text}")` }]);
    const delayMs = parseDurationMs(t.slice(1));
    if (!(delayMs > 0))
      throw new ValidationError('command line', [
        { path, message: `must lie in the future: use a delay above 0, e.g. +30s (got "${text}")` },
      ]);
    return nowEpochMs + delayMs;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    throw new ValidationError('command line', [
      {
        path,
        message: `must be an ISO time with its zone, e.g. ${new Date(nowEpochMs + 60_000).toISOString()}, or a delay such as +30s (got "${text}")`,
      },
    ]);
  }
  const at = Date.parse(t);
  if (!Number.isFinite(at)) throw new ValidationError('command line', [{ path, message: `is not a valid time (got "${text}")` }]);
  return at;
}

/** The exact text other shards copy: ISO 8601 in UTC with milliseconds. */
export function formatStartAt(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '@overload/core';

/** Commander argument parsers: each error names the flag's expected form. */
export function durationArg(value: string): number {
  const ms = parseDurationMs(value);
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`expected a duration such as 30s, 500ms or 2m (got "${value}")`);
  return ms;
}

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer (got "${value}")`);
  return n;
}

export function rateArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a rate in req/s > 0 (got "${value}")`);
  return n;
}

export function headerArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`expected "name: value" (got "${value}")`);
  return { ...previous, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() };
}

import { InvalidArgumentError } from 'commander';
import { isUnitlessDuration, parseDurationMs } from '@overload/core/internal';

/**
 * Commander argument parsers. Each rejects a bad value with the accepted form, and commander
 * names the flag: `option '--rate <rps>' argument '-5' is invalid. expected a rate in req/s > 0`.
 * Every flag that takes a value goes through one of these (or commander's `choices`), so no
 * value reaches the engine unchecked.
 */
/**
 * A duration as typed on the command line needs its unit: `--duration 30` was a 30 ms run (k6,
 * Locust and wrk read it as seconds), so a bare number other than 0 is refused with both forms.
 */
export function flagDurationMs(value: string): number {
  return isUnitlessDuration(value) ? Number.NaN : parseDurationMs(value);
}

function unitHint(value: string): string {
  return isUnitlessDuration(value) ? `a duration needs a unit: ${value.trim()}s or ${value.trim()}ms (got "${value}")` : '';
}

export function durationArg(value: string): number {
  const ms = flagDurationMs(value);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new InvalidArgumentError(unitHint(value) || `expected a duration > 0 such as 30s, 500ms or 2m (got "${value}")`);
  return ms;
}

/** A duration that may be 0 (a cool-down that can be skipped). */
export function durationOrZeroArg(value: string): number {
  const ms = flagDurationMs(value);
  if (!Number.isFinite(ms) || ms < 0)
    throw new InvalidArgumentError(unitHint(value) || `expected a duration >= 0 such as 0, 2s or 500ms (got "${value}")`);
  return ms;
}

/** An integer from `min` to `max`; `what` says what it counts. */
export function intArg(min: number, max: number, what = 'an integer'): (value: string) => number {
  return (value: string) => {
    const n = /^\s*[+]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max.toLocaleString('en-US')} (got "${value}")`);
    return n;
  };
}

export function positiveIntArg(value: string): number {
  return intArg(1, Number.MAX_SAFE_INTEGER, 'a positive integer')(value);
}

/** More rate than any one machine can offer is a typo, not a plan. */
export const MAX_RATE_RPS = 10_000_000;

export function rateArg(value: string): number {
  const n = /^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][+]?\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n > MAX_RATE_RPS)
    throw new InvalidArgumentError(
      `expected a rate in req/s > 0 and <= ${MAX_RATE_RPS.toLocaleString('en-US')}, such as 500 or 12.5 (got "${value}")`,
    );
  return n;
}

/** A number > 0 (a factor, a fraction); `max` bounds it when given. */
export function positiveNumberArg(what: string, max = Number.POSITIVE_INFINITY): (value: string) => number {
  return (value: string) => {
    const n = /^\s*[+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`expected ${what} (got "${value}")`);
    return n;
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `name: value`: a valid header name, and a value with no line break (no header injection). */
export function headerArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = value.indexOf(':');
  // The value is never quoted back: it may be a credential.
  if (colon <= 0)
    throw new InvalidArgumentError('expected "name: value", such as "content-type: application/json" (no ":" after a header name)');
  const name = value.slice(0, colon).trim();
  const headerValue = value.slice(colon + 1).trim();
  if (!TOKEN.test(name))
    throw new InvalidArgumentError(`expected "name: value" with a header name of letters, digits and -_. (got "${name}")`);
  if (/[\r\n\0]/.test(headerValue))
    throw new InvalidArgumentError(`expected a header value on one line (the value of "${name}" has a line break)`);
  return { ...previous, [name]: headerValue };
}

export function headerNameArg(value: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(value)) throw new InvalidArgumentError(`expected a header name of letters, digits and - (got "${value}")`);
  return value;
}

export function methodArg(value: string): string {
  if (!/^[A-Za-z]+$/.test(value)) throw new InvalidArgumentError(`expected an HTTP method such as GET or POST (got "${value}")`);
  return value.toUpperCase();
}

export function urlArg(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an absolute http:// or https:// URL such as https://staging.example.com (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`expected an http:// or https:// URL (got "${value}")`);
  return value;
}

export function portArg(value: string): number {
  return intArg(0, 65535, 'a port')(value);
}

/** A non-empty string (a path, a token). */
export function nonEmptyArg(what: string): (value: string) => string {
  return (value: string) => {
    if (value.trim() === '') throw new InvalidArgumentError(`expected ${what} (got an empty string)`);
    return value;
  };
}

/** `200-299,404`: status codes 100–599 and ranges. */
export function statusListArg(value: string): string {
  const ok = value.split(',').every((part) => {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (!m) return false;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return a >= 100 && b <= 599 && a <= b;
  });
  if (!ok) throw new InvalidArgumentError(`expected status codes 100-599 and ranges, such as "200-299,404" (got "${value}")`);
  return value;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

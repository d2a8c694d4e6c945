import type { ValidationIssue } from './errors.js';

const DURATION_UNITS_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(us|ms|s|m|h)/y;

/**
 * A duration as users write it: a number of milliseconds, or a string such as `500ms`, `20s`,
 * `1m30s`, `2h`. Returns NaN when the text is not a duration, so callers can report the field.
 */
export type DurationInput = number | string;

export function parseDurationMs(input: DurationInput): number {
  if (typeof input === 'number') return input;
  const text = input.trim();
  if (text === '') return Number.NaN;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let consumed = 0;
  while (consumed < text.length) {
    DURATION_PART.lastIndex = consumed;
    const match = DURATION_PART.exec(text);
    if (!match) return Number.NaN;
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2]!] ?? Number.NaN);
    consumed = DURATION_PART.lastIndex;
  }
  // Decimal units are not exact in binary ('4.1m' is 245999.99999999997 ms), which made valid
  // sums such as at 0.1m + for 4m = duration 4.1m fail validation. Nanoseconds are plenty.
  return Math.round(total * 1e6) / 1e6;
}

/**
 * A duration typed as text with no unit (`30`, `2.5`; `0` is a duration in any unit). Typed text
 * has no field name to carry the unit, so callers refuse it with both forms it could mean.
 */
export function isUnitlessDuration(text: string): boolean {
  const t = text.trim();
  return /^\d+(\.\d+)?$/.test(t) && Number(t) !== 0;
}

/**
 * Reads a duration field, pushing an issue naming the path when it is missing or malformed. Text
 * needs a unit (`'30'` is refused: k6 and Locust users read seconds there). A number is
 * milliseconds in a field whose name says so (`timeoutMs: 2000`); a field whose name carries no
 * unit (`thinkTime`) passes `numberNeedsUnit`, and a bare number there is refused too.
 */
export function readDurationMs(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  { min = 0, allowZero = false, numberNeedsUnit = false }: { min?: number; allowZero?: boolean; numberNeedsUnit?: boolean } = {},
): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    issues.push({ path, message: `must be a duration such as 30s, 500ms or 2m (got ${describe(value)})` });
    return Number.NaN;
  }
  const unitless = typeof value === 'string' ? isUnitlessDuration(value) : numberNeedsUnit && value !== 0;
  if (unitless) {
    const n = String(value).trim();
    const asMs = numberNeedsUnit ? '' : `, or the number ${n} for milliseconds`;
    issues.push({ path, message: `needs a unit: '${n}s' or '${n}ms'${asMs} (got ${describe(value)})` });
    return Number.NaN;
  }
  const ms = parseDurationMs(value);
  if (!Number.isFinite(ms)) {
    issues.push({ path, message: `must be a duration such as 30s, 500ms or 2m (got ${describe(value)})` });
  } else if (allowZero ? ms < min : ms <= min) {
    issues.push({ path, message: `must be ${allowZero ? '>=' : '>'} ${min} ms (got ${describe(value)})` });
  }
  return ms;
}

/** Reads a rate (req/s) field, pushing an issue naming the path when it is not a finite number in range. */
export function readNumber(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  {
    min = 0,
    allowMin = true,
    integer = false,
    what = 'a number',
  }: {
    min?: number;
    allowMin?: boolean;
    integer?: boolean;
    what?: string;
  } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push({ path, message: `must be ${what} (got ${describe(value)})` });
    return Number.NaN;
  }
  if (integer && !Number.isInteger(value)) {
    issues.push({ path, message: `must be an integer (got ${value})` });
  } else if (allowMin ? value < min : value <= min) {
    issues.push({ path, message: `must be ${allowMin ? '>=' : '>'} ${min} (got ${value})` });
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * A duration as text that parseDurationMs reads back to the same number, in the largest unit
 * that keeps it exact (`2s`, `1.5s`, `250ms`, `2m`, `0.5ms`): how a limit the user typed as `1s`
 * is echoed, rather than as `1000ms`.
 */
export function formatExactDurationMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  const s = (ms - m * 60_000) / 1000;
  return s === 0 ? `${m}m` : `${m}m${trim(s)}s`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

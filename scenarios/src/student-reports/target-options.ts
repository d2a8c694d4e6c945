/**
 * Every knob of the simulated Student Reports service, in one typed object with defaults.
 *
 * The defaults put the service's capacity (~500 report requests/s, set by the translated-copy
 * database: 4 slots x ~8 ms per query) far below what one load generator on a 2-core machine can
 * send (10k+ req/s), so when a ramp collapses something, it is the target that collapses.
 *
 * This package depends on nothing but Node, so it does not import @overload/core's error classes;
 * the error below keeps the same shape (`code`, `issues` with paths) so callers can treat it alike.
 */

export type StudentReportsBug = 'none' | 'sticky-breaker';

export const STUDENT_REPORTS_BUGS: readonly StudentReportsBug[] = ['none', 'sticky-breaker'];

export interface StudentReportsOptions {
  /** Concurrent queries the translated-copy database accepts; the hidden bottleneck. */
  readonly translationSlots: number;
  /** Wall time of one translated-copy query (a timer, not CPU: the DB is another machine). */
  readonly translationQueryMs: number;
  /** Requests allowed to wait for a DB slot; beyond this a request fails at once. */
  readonly translationQueueLimit: number;
  /** A request that waited longer than this for a DB slot fails (503, one email). */
  readonly translationTimeoutMs: number;
  /** Real CPU burnt rendering one report document, on the server's event loop. */
  readonly renderCpuMs: number;
  /** Every render fails: each accepted report ends `failed` and sends one email. */
  readonly failRenders: boolean;
  /**
   * Answer a report request only once its render has finished: 201 when done, 500 when the
   * render failed. The email a failed report sends is then visible to the caller in its
   * response, which is what lets a load test hold an email budget exactly.
   */
  readonly respondAfterRender: boolean;
  /**
   * The translation DB still runs queries whose client gave up, and the client's timeout covers
   * the query too: past capacity, slots fill with abandoned work and every request fails (see
   * translation-db.ts). Off, a waiter that times out simply leaves the queue.
   */
  readonly runAbandonedQueries: boolean;
  /** Consecutive translation failures that open the circuit breaker. */
  readonly breakerThreshold: number;
  /** Time the breaker stays open before letting one probe through (half-open). */
  readonly breakerResetMs: number;
  /** A known bug to switch on. `sticky-breaker`: once open, the breaker never closes again. */
  readonly bug: StudentReportsBug;
  /** Reports kept for status and document look-ups; the oldest are forgotten beyond this. */
  readonly reportRetention: number;
}

export const DEFAULT_STUDENT_REPORTS_OPTIONS: StudentReportsOptions = Object.freeze({
  translationSlots: 4,
  translationQueryMs: 8,
  translationQueueLimit: 2000,
  translationTimeoutMs: 1500,
  renderCpuMs: 0.75,
  failRenders: false,
  respondAfterRender: false,
  runAbandonedQueries: false,
  breakerThreshold: 5,
  breakerResetMs: 3000,
  bug: 'none',
  reportRetention: 50_000,
});

export interface TargetOptionIssue {
  /** e.g. `options.translationSlots`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown for invalid options or a refused host; lists every problem, each naming its option. */
export class TargetOptionsError extends Error {
  readonly code: 'OVL_INVALID_OPTIONS' | 'OVL_TARGET_NOT_ALLOWED';
  readonly issues: readonly TargetOptionIssue[];

  constructor(issues: readonly TargetOptionIssue[], code: TargetOptionsError['code'] = 'OVL_INVALID_OPTIONS') {
    const lines = issues.map((i) => `  - ${i.path} ${i.message}`).join('\n');
    super(`student-reports target options are invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.name = 'TargetOptionsError';
    this.code = code;
    this.issues = issues;
  }
}

interface NumberRule {
  readonly integer: boolean;
  /** Smallest allowed value, and whether it is itself allowed. */
  readonly min: number;
  readonly allowMin: boolean;
}

const NUMBER_RULES: Record<string, NumberRule> = {
  translationSlots: { integer: true, min: 1, allowMin: true },
  translationQueryMs: { integer: false, min: 0, allowMin: true },
  translationQueueLimit: { integer: true, min: 0, allowMin: true },
  translationTimeoutMs: { integer: false, min: 0, allowMin: true },
  renderCpuMs: { integer: false, min: 0, allowMin: true },
  breakerThreshold: { integer: true, min: 1, allowMin: true },
  breakerResetMs: { integer: false, min: 0, allowMin: true },
  reportRetention: { integer: true, min: 1, allowMin: true },
};

const KNOWN_KEYS = new Set<string>(Object.keys(DEFAULT_STUDENT_REPORTS_OPTIONS));

/** Merges `input` over the defaults and validates the result; throws with every problem found. */
export function resolveStudentReportsOptions(input: Partial<StudentReportsOptions> = {}): StudentReportsOptions {
  const issues: TargetOptionIssue[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      issues.push({ path: `options.${key}`, message: `is not an option (known: ${[...KNOWN_KEYS].join(', ')})` });
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULT_STUDENT_REPORTS_OPTIONS };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) merged[key] = value;

  for (const [key, rule] of Object.entries(NUMBER_RULES)) {
    const value = merged[key];
    const path = `options.${key}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({ path, message: `must be a finite number (got ${describe(value)})` });
    } else if (rule.integer && !Number.isInteger(value)) {
      issues.push({ path, message: `must be an integer (got ${value})` });
    } else if (rule.allowMin ? value < rule.min : value <= rule.min) {
      issues.push({ path, message: `must be ${rule.allowMin ? '>=' : '>'} ${rule.min} (got ${value})` });
    }
  }
  for (const key of ['failRenders', 'respondAfterRender', 'runAbandonedQueries'] as const) {
    if (typeof merged[key] !== 'boolean')
      issues.push({ path: `options.${key}`, message: `must be true or false (got ${describe(merged[key])})` });
  }
  if (!STUDENT_REPORTS_BUGS.includes(merged.bug as StudentReportsBug)) {
    issues.push({ path: 'options.bug', message: `must be one of ${STUDENT_REPORTS_BUGS.join(', ')} (got ${describe(merged.bug)})` });
  }
  if (issues.length > 0) throw new TargetOptionsError(issues);
  return Object.freeze(merged as unknown as StudentReportsOptions);
}

/**
 * The target is a load-test victim: it must never be reachable from another machine, so only
 * loopback addresses are accepted. `localhost` is mapped to 127.0.0.1 rather than resolved, so a
 * hosts file pointing it elsewhere cannot widen the exposure.
 */
export function resolveLoopbackHost(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed === 'localhost') return '127.0.0.1';
  const v4 = trimmed.startsWith('::ffff:') ? trimmed.slice('::ffff:'.length) : trimmed;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) && v4.split('.').every((part) => Number(part) <= 255)) return trimmed;
  if (trimmed === '::1' || trimmed === '0:0:0:0:0:0:0:1') return trimmed;
  throw new TargetOptionsError(
    [
      {
        path: 'host',
        message: `must be a loopback address such as 127.0.0.1 or ::1 (got ${JSON.stringify(host)}); the simulated target never listens beyond this machine`,
      },
    ],
    'OVL_TARGET_NOT_ALLOWED',
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return String(value);
}

/**
 * One error base for the whole project. Every error carries a stable `code` (`OVL_…`) so the CLI
 * can map it to an exit code in one table, and so it can cross a thread boundary as
 * `{ code, message }` without losing its meaning.
 */
export type OverloadErrorCode =
  | 'OVL_INVALID_OPTIONS'
  | 'OVL_INVALID_SCENARIO'
  | 'OVL_TARGET_UNREACHABLE'
  | 'OVL_TARGET_NOT_ALLOWED'
  | 'OVL_WORKER_CRASHED'
  | 'OVL_ABORTED'
  | 'OVL_SHARD_MISMATCH'
  | 'OVL_SHARD_NOT_STARTED'
  | 'OVL_INTERNAL';

export class OverloadError extends Error {
  readonly code: OverloadErrorCode;

  constructor(code: OverloadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message };
  }
}

/** One problem found while validating input, with the path of the offending field. */
export interface ValidationIssue {
  /** Dotted path with indexes, e.g. `profile.stages[2].durationMs`. */
  readonly path: string;
  /** What is wrong and how to fix it, e.g. `must be > 0 (got -5)`. */
  readonly message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path ? `${issue.path} ${issue.message}` : issue.message;
}

/** Thrown when options or a scenario are invalid; carries every problem, not just the first. */
export class ValidationError extends OverloadError {
  readonly issues: readonly ValidationIssue[];

  constructor(
    what: string,
    issues: readonly ValidationIssue[],
    code: 'OVL_INVALID_OPTIONS' | 'OVL_INVALID_SCENARIO' = 'OVL_INVALID_OPTIONS',
  ) {
    const lines = issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
    super(code, `${what} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.issues = issues;
  }
}

export class TargetUnreachableError extends OverloadError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OVL_TARGET_UNREACHABLE', message, options);
  }
}

export class WorkerCrashError extends OverloadError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OVL_WORKER_CRASHED', message, options);
  }
}

/**
 * Shard results that cannot be added exactly (different histogram settings, schedules or run
 * ids, a shard given twice): the merge refuses, naming every difference.
 */
export class ShardMismatchError extends OverloadError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super(
      'OVL_SHARD_MISMATCH',
      `the shard results cannot be merged (${issues.length} difference${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/**
 * A shard that refused to take part: not ready by the shared start time, a clock too far from the
 * coordinator's, a coordinator that refused it or never answered. Nothing was sent by it, so the
 * run it belongs to is incomplete.
 */
export class ShardStartError extends OverloadError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OVL_SHARD_NOT_STARTED', message, options);
  }
}

/** The shape in which errors cross threads and land in result files. */
export interface SerializedError {
  readonly code: string;
  readonly message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof OverloadError) return error.toJSON();
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'OVL_INTERNAL', message: error.message };
  }
  return { code: 'OVL_INTERNAL', message: String(error) };
}

/** Throws a ValidationError when `issues` is non-empty. */
export function assertNoIssues(what: string, issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(what, issues);
}

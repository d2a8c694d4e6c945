import {
  type ActionRecord,
  type ProbeSeries,
  RESULT_SCHEMA_VERSION,
  type RunResult,
  ValidationError,
  type ValidationIssue,
} from '@overload/core/internal';
import type { RampResult, SearchRunResult } from '@overload/workers';
import type { StoredPinch } from '../output/pinch-summary.js';
import type { runbookOf } from '../plan/runbook.js';

/** The runbook of the run, as `runbookOf` stores it next to a CLI result. */
export type Runbook = ReturnType<typeof runbookOf>;

/** What the CLI adds to a library result before writing it (absent on library results). */
export interface StoredExtras {
  readonly runbook?: Runbook;
  /** A guardrail or kill switch that stopped the command (overrides the engine's reason). */
  readonly stopReason?: string;
  readonly stopDetail?: string;
  /** The actions sent on the target (`run` and `ramp`), times since the load's t0. */
  readonly actions?: readonly ActionRecord[];
  /** A run's probes (a ramp and a search carry theirs in the library result). */
  readonly probes?: readonly ProbeSeries[];
  /** A run with a pinch (a release action, or the pinch profile): its summary. */
  readonly pinch?: StoredPinch;
}

export type StoredRunResult = RunResult & StoredExtras;
export type StoredRampResult = RampResult & StoredExtras;
export type StoredSearchResult = SearchRunResult & StoredExtras;

/**
 * A result file as the reports read it. Reports are always rendered from the JSON form (see
 * `toStored`): NaN becomes null and undefined fields vanish on the way to disk, and a report
 * rendered after the fact must be the one rendered at the end of the run, byte for byte.
 */
export type StoredResult = StoredRunResult | StoredRampResult | StoredSearchResult;

export const RESULT_KINDS = ['run', 'ramp', 'search'] as const;

/** The result exactly as a later `JSON.parse(result.json)` will see it. */
export function toStored(result: unknown): StoredResult {
  return JSON.parse(JSON.stringify(result)) as StoredResult;
}

/**
 * Checks that parsed JSON is a result the reports can render: the kind, the schema version and
 * the fields the report cannot do without. Every problem is reported, with its path.
 */
export function assertStoredResult(value: unknown, source = 'result'): asserts value is StoredResult {
  const issues: ValidationIssue[] = [];
  const r = value as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    throw new ValidationError(source, [{ path: '', message: 'must be a JSON object (a result.json written by overload)' }]);
  }
  if (!RESULT_KINDS.includes(r.kind as (typeof RESULT_KINDS)[number])) {
    issues.push({ path: 'kind', message: `must be one of ${RESULT_KINDS.join(', ')} (got ${JSON.stringify(r.kind)})` });
  }
  if (typeof r.schemaVersion !== 'number' || r.schemaVersion > RESULT_SCHEMA_VERSION) {
    issues.push({
      path: 'schemaVersion',
      message: `must be a number <= ${RESULT_SCHEMA_VERSION} (got ${JSON.stringify(r.schemaVersion)}); upgrade overload to read newer results`,
    });
  }
  const target = r.target as Record<string, unknown> | undefined;
  if (typeof target?.url !== 'string') issues.push({ path: 'target.url', message: 'must be a string' });
  const need = (path: string, ok: boolean, what: string) => {
    if (!ok) issues.push({ path, message: `must be ${what}` });
  };
  if (r.kind === 'run') {
    need('intervals', Array.isArray(r.intervals), 'an array');
    need('histograms', typeof r.histograms === 'object' && r.histograms !== null, 'an object');
  } else if (r.kind === 'ramp') {
    need('steps', Array.isArray(r.steps), 'an array');
    need('run', typeof r.run === 'object' && r.run !== null, 'an object (the ramp phase run)');
    need('probes', Array.isArray(r.probes), 'an array');
  } else if (r.kind === 'search') {
    need('evidence', Array.isArray(r.evidence), 'an array');
    need('trials', Array.isArray(r.trials), 'an array');
  }
  if (issues.length > 0) throw new ValidationError(source, issues);
}

/** The run whose histograms the HdrHistogram files describe (a search keeps none). */
export function mainRunOf(result: StoredResult): RunResult | undefined {
  if (result.kind === 'run') return result;
  if (result.kind === 'ramp') return result.run;
  return undefined;
}

import { ShardMismatchError, ShardStartError, TargetUnreachableError, ValidationError } from '@overload/core/internal';
import type { RampResult, SearchRunResult } from '@overload/workers';
import { describe, expect, it } from 'vitest';
import { rampExitCode } from '../dist/commands/ramp.js';
import { searchExitCode } from '../dist/commands/search.js';
import { EXIT, EXIT_CODE_TABLE, exitCodeForError, exitCodeForStop } from '../dist/exit-codes.js';

const search = (over: Partial<SearchRunResult>) => ({ reliable: true, trials: [], ...over }) as unknown as SearchRunResult;
const ramp = (over: Partial<RampResult>) => ({ verdict: 'collapsed', ...over }) as unknown as RampResult;

describe('exit codes: one table, one code per outcome', () => {
  it('an unreachable target is 6, bad input 2, an abort 3, anything else 70', () => {
    expect(exitCodeForError(new TargetUnreachableError('cannot reach 127.0.0.1:9'))).toBe(6);
    expect(EXIT.unreachable).toBe(6);
    expect(exitCodeForError(new ValidationError('x', [{ path: 'a', message: 'b' }]))).toBe(2);
    expect(exitCodeForError(new Error('boom'))).toBe(70);
    expect(EXIT_CODE_TABLE).toMatch(/^ {2}6 {3}target unreachable/m);
  });

  it('a worker crash is internal (70), not a guardrail stop (3)', () => {
    expect(exitCodeForStop('worker-crash')).toBe(70);
    expect(exitCodeForStop('budget')).toBe(3);
    expect(exitCodeForStop('error-burst')).toBe(3);
    expect(exitCodeForStop('completed')).toBeUndefined();
    expect(exitCodeForStop('collapsed')).toBeUndefined();
    expect(rampExitCode(ramp({}), 'worker-crash', undefined)).toBe(70);
    expect(rampExitCode(ramp({ recovery: { recovered: false } as RampResult['recovery'] }), 'collapsed', undefined)).toBe(4);
    expect(rampExitCode(ramp({ verdict: 'inconclusive' }), 'inconclusive', undefined)).toBe(5);
    expect(rampExitCode(ramp({ recovery: { recovered: true } as RampResult['recovery'] }), 'collapsed', undefined)).toBe(0);
  });

  it('a target that never met the SLO is 10, not a metastable failure (4)', () => {
    expect(EXIT.neverHealthy).toBe(10);
    expect(rampExitCode(ramp({ verdict: 'never-healthy' }), 'collapsed', undefined)).toBe(10);
    expect(EXIT_CODE_TABLE).toMatch(/^ {2}10 {2}\S/m);
  });

  it('a missing shard is 7 (incomplete), results that cannot be merged are 2, a lost coordinator is a stop (3)', () => {
    expect(EXIT.incomplete).toBe(7);
    expect(exitCodeForStop('shard-lost')).toBe(7);
    expect(exitCodeForStop('coordinator-lost')).toBe(3);
    expect(exitCodeForError(new ShardStartError('not ready by the start time'))).toBe(7);
    expect(exitCodeForError(new ShardMismatchError([{ path: 'runId', message: 'differs' }]))).toBe(2);
    expect(rampExitCode(ramp({ verdict: 'inconclusive' }), 'shard-lost', undefined)).toBe(7);
    expect(EXIT_CODE_TABLE).toMatch(/^ {2}7 {3}incomplete/m);
  });

  it('a search never exits 0 on a trial it could not judge', () => {
    expect(searchExitCode(search({ stopReason: 'budget' }), 'budget', undefined)).toBe(3);
    expect(searchExitCode(search({ stopReason: 'worker-crash' }), 'worker-crash', undefined)).toBe(70);
    expect(searchExitCode(search({ reliable: false }), undefined, undefined)).toBe(4);
    expect(
      searchExitCode(search({ trials: [{ verdict: 'inconclusive' }] as unknown as SearchRunResult['trials'] }), undefined, undefined),
    ).toBe(5);
    expect(searchExitCode(search({ sustainableRps: 400 }), undefined, 500)).toBe(1);
    expect(searchExitCode(search({ sustainableRps: 400 }), undefined, 300)).toBe(0);
  });
});

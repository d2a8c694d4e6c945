import type { ValidationIssue } from '../errors.js';

/**
 * Side-effect budgets, shared by every worker thread through one SharedArrayBuffer so that the
 * limit holds exactly across threads. A request declares what it may cause
 * (`sideEffects: { reports: 1, emailsOnFailure: 1 }`):
 * - a plain key (`reports`) is a side effect of every request sent: charged before sending;
 * - a key ending in `OnFailure` (`emailsOnFailure` charges the `emails` budget) happens only if
 *   the request fails: it is reserved before sending (the worst case) and given back when the
 *   response is a success. A request is only sent when its worst case fits, so a budget can
 *   never be exceeded, even with many requests in flight.
 */
export class BudgetLedger {
  readonly names: readonly string[];
  readonly limits: readonly number[];
  readonly #used: Int32Array;

  constructor(limits: Readonly<Record<string, number>>, shared?: SharedArrayBuffer) {
    this.names = Object.keys(limits).sort();
    this.limits = this.names.map((n) => limits[n]!);
    this.#used = new Int32Array(shared ?? new SharedArrayBuffer(Math.max(1, this.names.length) * 4));
  }

  get buffer(): SharedArrayBuffer {
    return this.#used.buffer as SharedArrayBuffer;
  }

  indexOf(name: string): number {
    return this.names.indexOf(name);
  }

  used(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((n, i) => (out[n] = Atomics.load(this.#used, i)));
    return out;
  }

  /**
   * Charges `amounts` (parallel to `indexes`) atomically per budget; if any would go over its
   * limit, everything charged so far is given back and the name of the exhausted budget returned.
   */
  tryCharge(indexes: readonly number[], amounts: readonly number[]): string | undefined {
    for (let k = 0; k < indexes.length; k++) {
      const i = indexes[k]!;
      const after = Atomics.add(this.#used, i, amounts[k]!) + amounts[k]!;
      if (after > this.limits[i]!) {
        for (let j = 0; j <= k; j++) Atomics.sub(this.#used, indexes[j]!, amounts[j]!);
        return this.names[i];
      }
    }
    return undefined;
  }

  refund(indexes: readonly number[], amounts: readonly number[]): void {
    for (let k = 0; k < indexes.length; k++) Atomics.sub(this.#used, indexes[k]!, amounts[k]!);
  }
}

/** The budget a side-effect key charges: `emailsOnFailure` → `emails`. */
export function budgetNameOf(sideEffect: string): { budget: string; onFailure: boolean } {
  return sideEffect.endsWith('OnFailure') ? { budget: sideEffect.slice(0, -'OnFailure'.length), onFailure: true } : { budget: sideEffect, onFailure: false };
}

/** Parses `--budget reports=500` flags (repeatable) into limits. */
export function parseBudget(text: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`expected name=N, e.g. reports=500 (got "${text}")`);
  return { ...previous, [m[1]!]: Number(m[2]) };
}

export function validateBudgets(budgets: unknown, path: string): ValidationIssue[] {
  if (budgets === undefined) return [];
  if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets)) return [{ path, message: 'must be an object of name → limit, e.g. { emails: 100 }' }];
  const issues: ValidationIssue[] = [];
  for (const [k, v] of Object.entries(budgets)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) issues.push({ path: `${path}.${k}`, message: `must be an integer >= 0 (got ${JSON.stringify(v)})` });
    if (k.endsWith('OnFailure')) issues.push({ path: `${path}.${k}`, message: `names a budget, not a side effect: use "${k.slice(0, -9)}"` });
  }
  return issues;
}

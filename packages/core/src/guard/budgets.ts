import type { ValidationIssue } from '../errors.js';

/**
 * Side-effect budgets, shared by every worker thread through one SharedArrayBuffer so that the
 * limit holds exactly across threads. A request declares what it may cause
 * (`sideEffects: { reports: 1, emailsOnFailure: 1 }`):
 * - a plain key (`reports`) is a side effect of every request sent: charged when it is sent;
 * - a key ending in `OnFailure` (`emailsOnFailure` charges the `emails` budget) happens only if
 *   the request fails: its worst case is reserved when it is sent, confirmed if it fails and
 *   given back if it succeeds.
 * A request is sent only when its worst case fits beside everything confirmed and reserved, so a
 * budget can never be exceeded, even with many requests in flight. When it does not fit only
 * because of reservations still in flight, the arrival is dropped (the budget may yet hold);
 * when confirmed side effects leave no room, the budget is exhausted and the run must stop.
 */
export class BudgetLedger {
  readonly names: readonly string[];
  readonly limits: readonly number[];
  /** [reserved₀, confirmed₀, reserved₁, confirmed₁, …]; reserved includes confirmed. */
  readonly #counts: Int32Array;

  constructor(limits: Readonly<Record<string, number>>, shared?: SharedArrayBuffer) {
    this.names = Object.keys(limits).sort();
    this.limits = this.names.map((n) => limits[n]!);
    this.#counts = new Int32Array(shared ?? new SharedArrayBuffer(Math.max(1, this.names.length) * 8));
  }

  get buffer(): SharedArrayBuffer {
    return this.#counts.buffer as SharedArrayBuffer;
  }

  indexOf(name: string): number {
    return this.names.indexOf(name);
  }

  /** Side effects that happened (or could not be ruled out: requests abandoned in flight). */
  used(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((n, i) => (out[n] = Atomics.load(this.#counts, 2 * i + 1)));
    return out;
  }

  /**
   * Reserves `amounts` (parallel to `indexes`) atomically per budget, confirming at once those
   * whose `conditional` flag is false. Returns undefined when everything fit; otherwise nothing
   * stays charged and the result names the budget and whether it is `exhausted` (confirmed side
   * effects leave no room: stop) or only `busy` (reservations in flight: drop this arrival).
   */
  tryCharge(
    indexes: readonly number[],
    amounts: readonly number[],
    conditional: readonly boolean[],
  ): { readonly budget: string; readonly exhausted: boolean } | undefined {
    for (let k = 0; k < indexes.length; k++) {
      const i = indexes[k]!;
      const after = Atomics.add(this.#counts, 2 * i, amounts[k]!) + amounts[k]!;
      if (after > this.limits[i]!) {
        for (let j = 0; j <= k; j++) Atomics.sub(this.#counts, 2 * indexes[j]!, amounts[j]!);
        const confirmed = Atomics.load(this.#counts, 2 * i + 1);
        return { budget: this.names[i]!, exhausted: confirmed + amounts[k]! > this.limits[i]! };
      }
    }
    for (let k = 0; k < indexes.length; k++) if (!conditional[k]) Atomics.add(this.#counts, 2 * indexes[k]! + 1, amounts[k]!);
    return undefined;
  }

  /** A conditional side effect's request ended: failed (it happened) or succeeded (give it back). */
  settle(indexes: readonly number[], amounts: readonly number[], failed: boolean): void {
    for (let k = 0; k < indexes.length; k++) {
      if (failed) Atomics.add(this.#counts, 2 * indexes[k]! + 1, amounts[k]!);
      else Atomics.sub(this.#counts, 2 * indexes[k]!, amounts[k]!);
    }
  }
}

/** The budget a side-effect key charges: `emailsOnFailure` → `emails`. */
export function budgetNameOf(sideEffect: string): { budget: string; onFailure: boolean } {
  return sideEffect.endsWith('OnFailure')
    ? { budget: sideEffect.slice(0, -'OnFailure'.length), onFailure: true }
    : { budget: sideEffect, onFailure: false };
}

/** Parses `--budget reports=500` flags (repeatable) into limits. */
export function parseBudget(text: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`expected name=N, e.g. reports=500 (got "${text}")`);
  return { ...previous, [m[1]!]: Number(m[2]) };
}

export function validateBudgets(budgets: unknown, path: string): ValidationIssue[] {
  if (budgets === undefined) return [];
  if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets))
    return [{ path, message: 'must be an object of name → limit, e.g. { emails: 100 }' }];
  const issues: ValidationIssue[] = [];
  for (const [k, v] of Object.entries(budgets)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      issues.push({ path: `${path}.${k}`, message: `must be an integer >= 0 (got ${JSON.stringify(v)})` });
    if (k.endsWith('OnFailure'))
      issues.push({ path: `${path}.${k}`, message: `names a budget, not a side effect: use "${k.slice(0, -9)}"` });
  }
  return issues;
}

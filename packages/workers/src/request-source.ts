import { BudgetLedger, RequestPlan, type StatusExpectation } from '@overload/core';
import type { Dispatcher } from 'undici';
import type { WorkerTask } from './messages.js';
import { statusTable } from './status-table.js';

/** What one arrival sends, and what it charged against the budgets. */
export interface PreparedRequest {
  readonly options: Dispatcher.DispatchOptions;
  /** Success lookup table of the request's template. */
  readonly ok: Uint8Array;
  /** Conditional (`…OnFailure`) budget indexes and amounts, settled when the request ends. */
  readonly refundIndexes: readonly number[] | undefined;
  readonly refundAmounts: readonly number[] | undefined;
}

interface TemplateCharges {
  readonly indexes: readonly number[];
  readonly amounts: readonly number[];
  readonly conditional: readonly boolean[];
  readonly refundIndexes: readonly number[] | undefined;
  readonly refundAmounts: readonly number[] | undefined;
}

/** Why an arrival cannot be sent under the budgets. */
export interface BudgetRefusal {
  readonly budget: string;
  /** true: the budget is used up, stop the run; false: reservations in flight, drop this one. */
  readonly exhausted: boolean;
}

/**
 * Builds the request for each arrival and charges its side effects against the shared budgets
 * before it is sent. Decided once per run: a single fixed request shares one options object for
 * every arrival (nothing allocated per request); a scenario mix renders each one from its
 * template and feeder rows by global arrival index.
 */
export class RequestSource {
  readonly #fixed: PreparedRequest | undefined;
  readonly #plan: RequestPlan | undefined;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #ok: Uint8Array[];
  readonly #charges: (TemplateCharges | undefined)[];
  readonly #ledger: BudgetLedger;
  /**
   * undici holds back the next request on a connection until the previous one's headers arrived
   * unless a request says it is not `blocking`; with pipelining asked for, none is.
   */
  readonly #blocking: { readonly blocking?: false };

  constructor(task: WorkerTask) {
    this.#blocking = task.pipelining > 1 ? { blocking: false } : {};
    this.#ledger = new BudgetLedger(task.budgets, task.budgetBuffer);
    this.#origin = task.origin;
    // A target given as http://host/api/ prefixes the scenario's paths with /api.
    this.#basePath = task.path.replace(/\/+$/, '').split('?')[0]!;
    const defaultOk = statusTable(task.expectStatus);
    if (!task.requests) {
      this.#fixed = {
        options: {
          origin: task.origin,
          path: task.path,
          method: task.method as Dispatcher.HttpMethod,
          headers: task.headers,
          ...(task.body !== undefined ? { body: task.body } : {}),
          ...this.#blocking,
        },
        ok: defaultOk,
        refundIndexes: undefined,
        refundAmounts: undefined,
      };
      this.#ok = [defaultOk];
      this.#charges = [undefined];
      return;
    }
    const plan = new RequestPlan(task.requests, task.headers);
    this.#plan = plan;
    this.#ok = [];
    this.#charges = [];
    for (let t = 0; t < plan.size; t++) {
      const expect: readonly StatusExpectation[] | undefined = plan.expectStatus(t);
      this.#ok.push(expect ? statusTable(expect) : defaultOk);
      this.#charges.push(this.#compileCharges(plan.charges(t)));
    }
  }

  #compileCharges(c: ReturnType<RequestPlan['charges']>): TemplateCharges | undefined {
    const indexes: number[] = [];
    const amounts: number[] = [];
    const conditional: boolean[] = [];
    const refundIndexes: number[] = [];
    const refundAmounts: number[] = [];
    c.budgets.forEach((name, k) => {
      const i = this.#ledger.indexOf(name);
      if (i < 0) return; // a side effect with no budget is declared but not limited
      indexes.push(i);
      amounts.push(c.amounts[k]!);
      conditional.push(c.refundOnSuccess[k]!);
      if (c.refundOnSuccess[k]) {
        refundIndexes.push(i);
        refundAmounts.push(c.amounts[k]!);
      }
    });
    if (indexes.length === 0) return undefined;
    return {
      indexes,
      amounts,
      conditional,
      refundIndexes: refundIndexes.length > 0 ? refundIndexes : undefined,
      refundAmounts: refundAmounts.length > 0 ? refundAmounts : undefined,
    };
  }

  /**
   * The request for global arrival `index`, with its budgets charged; or why its worst case does
   * not fit a budget (nothing is charged then, and nothing must be sent).
   */
  prepare(index: number): PreparedRequest | BudgetRefusal {
    if (this.#fixed) return this.#fixed;
    const plan = this.#plan!;
    const t = plan.pick(index);
    const charges = this.#charges[t];
    if (charges) {
      const refused = this.#ledger.tryCharge(charges.indexes, charges.amounts, charges.conditional);
      if (refused !== undefined) return refused;
    }
    const built = plan.build(index, t);
    return {
      options: {
        origin: this.#origin,
        path: `${this.#basePath}${built.path}`,
        method: built.method as Dispatcher.HttpMethod,
        headers: built.headers,
        ...(built.body !== undefined ? { body: built.body } : {}),
        ...this.#blocking,
      },
      ok: this.#ok[t]!,
      refundIndexes: charges?.refundIndexes,
      refundAmounts: charges?.refundAmounts,
    };
  }

  /**
   * The request ended: a success gives back what was reserved in case of failure; a failure (an
   * error status, a transport error, or a request abandoned in flight) confirms it.
   */
  settle(req: PreparedRequest, failed: boolean): void {
    if (req.refundIndexes) this.#ledger.settle(req.refundIndexes, req.refundAmounts!, failed);
  }
}

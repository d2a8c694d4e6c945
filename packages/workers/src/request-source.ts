import { BudgetLedger, type Charges, type CompiledStep, DEFAULT_EXPECT_STATUS, FlowPlan, clientUsed } from '@overload/core/internal';
import type { Dispatcher } from 'undici';
import type { WorkerTask } from './messages.js';
import { plainRequestBytes, type RequestBytes } from './h1/request-bytes.js';
import { statusTable } from './status-table.js';

/** What one request sends, and what it charged against the budgets. */
export interface PreparedRequest {
  readonly options: Dispatcher.DispatchOptions;
  /** The request's bytes for the hot path; undefined when undici sends it (see plainRequestBytes). */
  readonly h1: RequestBytes | undefined;
  /** Success lookup table of the request's template or step. */
  readonly ok: Uint8Array;
  /** Conditional (`…OnFailure`) budget indexes and amounts, settled when the request ends. */
  readonly refundIndexes: readonly number[] | undefined;
  readonly refundAmounts: readonly number[] | undefined;
}

interface StepCharges {
  readonly indexes: readonly number[];
  readonly amounts: readonly number[];
  readonly conditional: readonly boolean[];
  readonly refundIndexes: readonly number[] | undefined;
  readonly refundAmounts: readonly number[] | undefined;
}

/** Why a request cannot be sent under the budgets. */
export interface BudgetRefusal {
  readonly budget: string;
  /** true: the budget is used up, stop the run; false: reservations in flight, drop this one. */
  readonly exhausted: boolean;
}

/**
 * Builds each request and charges its side effects against the shared budgets before it is sent.
 * Decided once per run: a single fixed request (a URL without a scenario) shares one options
 * object for every arrival, nothing allocated per request; a scenario renders each request from
 * its step (a plain request is a one-step flow) with the arrival's feeder rows and captures.
 */
export class RequestSource {
  /** The scenario's plan; undefined for a single fixed request. */
  readonly plan: FlowPlan | undefined;
  readonly #fixed: PreparedRequest | undefined;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #charges = new Map<CompiledStep, StepCharges | undefined>();
  readonly #ledger: BudgetLedger;
  /**
   * undici holds back the next request on a connection until the previous one's headers arrived
   * unless a request says it is not `blocking`; with pipelining asked for, none is.
   */
  readonly #blocking: { readonly blocking?: false };
  /** Plain HTTP/1.1 requests take the hot path (not with --client undici, nor when HTTP/2 is offered). */
  readonly hotPath: boolean;
  readonly #host: string;

  constructor(task: WorkerTask) {
    this.#blocking = task.pipelining > 1 ? { blocking: false } : {};
    this.hotPath = clientUsed(task) === 'hot-path';
    this.#host = new URL(task.origin).host;
    this.#ledger = new BudgetLedger(task.budgets, task.budgetBuffer);
    this.#origin = task.origin;
    // A target given as http://host/api/ prefixes the scenario's paths with /api.
    this.#basePath = task.path.replace(/\/+$/, '').split('?')[0]!;
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
        h1: this.hotPath ? plainRequestBytes(task.method, task.path, this.#host, task.headers, task.body) : undefined,
        ok: statusTable(task.expectStatus),
        refundIndexes: undefined,
        refundAmounts: undefined,
      };
      return;
    }
    this.plan = new FlowPlan(task.requests, task.headers, task.expectStatus ?? DEFAULT_EXPECT_STATUS);
    for (const flow of this.plan.flows) for (const step of flow.steps) this.#charges.set(step, this.#compileCharges(step.charges));
  }

  #compileCharges(c: Charges): StepCharges | undefined {
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

  /** The single fixed request (only without a scenario). */
  get fixed(): PreparedRequest {
    return this.#fixed!;
  }

  /**
   * The request of `step` for arrival `index`, with its budgets charged; or why its worst case
   * does not fit a budget (nothing is charged then, and nothing must be sent). Throws
   * MissingCapture, before charging anything, when a capture it uses was never set.
   */
  prepareStep(step: CompiledStep, index: number, captures: Readonly<Record<string, string>> | undefined): PreparedRequest | BudgetRefusal {
    const built = this.plan!.build(step, index, captures);
    const charges = this.#charges.get(step);
    if (charges) {
      const refused = this.#ledger.tryCharge(charges.indexes, charges.amounts, charges.conditional);
      if (refused !== undefined) return refused;
    }
    const path = `${this.#basePath}${built.path}`;
    return {
      options: {
        origin: this.#origin,
        path,
        method: built.method as Dispatcher.HttpMethod,
        headers: built.headers,
        ...(built.body !== undefined ? { body: built.body } : {}),
        ...this.#blocking,
      },
      h1: this.hotPath ? plainRequestBytes(built.method, path, this.#host, built.headers, built.body) : undefined,
      ok: step.ok,
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

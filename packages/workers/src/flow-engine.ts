import { performance } from 'node:perf_hooks';
import {
  captureValues,
  type CompiledFlow,
  type CompiledStep,
  conditionHolds,
  type ErrorClass,
  type FlowFailureClass,
  type FlowPlan,
  MissingCapture,
  ResponseJson,
  type ResponseView,
} from '@overload/core/internal';
import { classifyError } from './classify-error.js';
import { RequestHandler } from './request-handler.js';
import type { BodyReadBudget } from './body-budget.js';
import type { IntervalBuckets } from './interval-buckets.js';
import type { PreparedRequest, RequestSource } from './request-source.js';

/** Response bodies a step reads (for captures and JSON conditions) are cut off beyond this. */
const MAX_BODY_BYTES = 1 << 20;

type Failure = ErrorClass | FlowFailureClass;

/** What the send loop gives the engine. */
export interface FlowHost {
  readonly buckets: IntervalBuckets;
  readonly bodyBudget: BodyReadBudget;
  readonly timeoutMs: number;
  intervalAt(now: number): number;
  /** Puts a prepared request on the wire (counts it in flight and under the timeout sweep). */
  dispatch(prepared: PreparedRequest, handler: FlowRequest): void;
  /** A request of a flow ended (answered, failed, timed out). */
  requestEnded(now: number): void;
  /** Sends `run`'s current step when `due` comes (a think time, a poll interval). */
  schedule(run: FlowExecution, due: number): void;
  /** A shared limit stops the run: a budget used up, or --max-requests reached. */
  stopFor(reason: { readonly budget: string } | { readonly requestCap: true }): void;
  /** Takes one request from --max-requests (always true without a cap). */
  takeRequest(): boolean;
  /** Gives back a request taken for one that was not sent after all (a budget refused it). */
  returnRequest(): void;
  /** False once the run was stopped: journeys in progress send nothing more. */
  readonly sending: boolean;
  /** A flow ended: the in-flight cap has room again. */
  flowEnded(): void;
}

/**
 * One arrival of a scenario: a journey in progress, or a single request (a one-step flow).
 * Times are in this thread's performance.now() clock.
 */
export class FlowExecution {
  readonly flow: CompiledFlow;
  readonly index: number;
  /** The arrival's intended start (t0 + schedule offset). */
  readonly intended: number;
  stepIndex = 0;
  /** When the current step was due: its first try's due time (corrected latency starts here). */
  stepDue: number;
  /** When the current try was due (a poll's later try). */
  tryDue: number;
  tries = 0;
  /** Requests sent by the whole flow. */
  requests = 0;
  captures: Record<string, string> | undefined;
  /** The first failure of the flow (a step that failed and let the journey go on still fails it). */
  failure: Failure | undefined;

  constructor(flow: CompiledFlow, index: number, intended: number) {
    this.flow = flow;
    this.index = index;
    this.intended = intended;
    this.stepDue = intended;
    this.tryDue = intended;
  }

  get step(): CompiledStep {
    return this.flow.steps[this.stepIndex]!;
  }
}

/**
 * One request of a flow in flight: a handler like a plain request's that also keeps what its step
 * needs of the response (the headers it captures, a body it reads, capped).
 */
export class FlowRequest extends RequestHandler implements ResponseView {
  readonly run: FlowExecution;
  #headers: Buffer[] | undefined;
  #chunks: Buffer[] | undefined;
  #bytes = 0;
  readonly #engine: FlowEngine;

  constructor(engine: FlowEngine, run: FlowExecution, prepared: PreparedRequest, dispatched: number) {
    super(engine.host.timeoutMs, engine.host.bodyBudget, run.tryDue, dispatched, prepared);
    this.#engine = engine;
    this.run = run;
  }

  override onHeaders(statusCode: number, headers: Buffer[] | string[] | null, resume: () => void): boolean {
    if (this.run.step.needsHeaders.length > 0 && headers) this.#headers = headers as Buffer[];
    return super.onHeaders(statusCode, headers, resume);
  }

  override onData(chunk: Buffer): boolean {
    if (this.run.step.needsBody && this.#bytes < MAX_BODY_BYTES) {
      // A copy: the hot path reads into one buffer that the next read overwrites.
      (this.#chunks ??= []).push(Buffer.from(chunk));
      this.#bytes += chunk.length;
    }
    return super.onData(chunk);
  }

  onComplete(): void {
    this.#engine.complete(this);
  }

  onError(err: Error): void {
    this.#engine.fail(this, err);
  }

  abandon(now: number): void {
    this.#engine.abandon(this, now);
  }

  header(name: string): string | undefined {
    const h = this.#headers;
    if (!h) return undefined;
    const values: string[] = [];
    for (let i = 0; i + 1 < h.length; i += 2) if (String(h[i]).toLowerCase() === name) values.push(String(h[i + 1]));
    return values.length > 0 ? values.join(', ') : undefined;
  }

  text(): string {
    return this.#chunks ? Buffer.concat(this.#chunks).toString('utf8') : '';
  }
}

/**
 * Runs a scenario's flows inside the open-loop schedule.
 *
 * Arrivals start flows on the schedule whether or not earlier ones have finished: the profile's
 * rate is a rate of arrivals, each a single request or a whole journey. Inside a journey steps run
 * one after another. Corrected latency, per request, is measured from when it was due: the first
 * step from the arrival's intended start, a later step from when the previous one ended plus its
 * think time, a poll's next try from the previous try's end plus the interval. A step's latency
 * runs from when it was due to its last response (its polls included), a journey's from its
 * intended start to its end. The in-flight cap counts flows; every request of every flow is a
 * request for budgets, --max-requests and the totals.
 */
export class FlowEngine {
  readonly host: FlowHost;
  readonly #source: RequestSource;
  readonly #plan: FlowPlan;
  /** Flows started and not yet ended. */
  active = 0;

  constructor(host: FlowHost, source: RequestSource) {
    this.host = host;
    this.#source = source;
    this.#plan = source.plan!;
  }

  /**
   * Starts the flow of arrival `index` (intended at `intended`, reached at `now`). Returns
   * 'dropped' when its first request's worst-case side effects do not fit a budget beside those in
   * flight (the arrival is dropped and counted, as at the in-flight cap), 'stopped' when a shared
   * limit is used up (the run stops; nothing was sent).
   */
  start(index: number, intended: number, interval: number, now: number): 'started' | 'dropped' | 'stopped' {
    const run = new FlowExecution(this.#plan.flows[this.#plan.pick(index)]!, index, intended);
    if (!this.host.takeRequest()) {
      this.host.stopFor({ requestCap: true });
      return 'stopped';
    }
    const prepared = this.#prepare(run);
    if (prepared === 'capture-missing' || 'budget' in prepared) {
      this.host.returnRequest();
      // A first step has no captures to miss (validation guarantees it).
      if (prepared !== 'capture-missing' && prepared.exhausted) {
        this.host.stopFor({ budget: prepared.budget });
        return 'stopped';
      }
      return 'dropped';
    }
    this.active++;
    this.host.buckets.arrival(interval, 'sent', (now - intended) * 1000);
    this.host.buckets.namedRequest(interval, run.step.stat);
    this.#send(run, prepared, now);
    return 'started';
  }

  /** A scheduled step or poll try of `run` has come due (at `due`), reached at `now`. */
  resume(run: FlowExecution, now: number): void {
    if (!this.host.sending) return this.#stepEnded(run, 'abandoned', now, false);
    if (!this.host.takeRequest()) {
      this.host.stopFor({ requestCap: true });
      return this.#stepEnded(run, 'max-requests', now, false);
    }
    const prepared = this.#prepare(run);
    if (prepared === 'capture-missing' || 'budget' in prepared) {
      this.host.returnRequest();
      if (prepared === 'capture-missing') return this.#stepEnded(run, 'capture-missing', now, false);
      if (prepared.exhausted) this.host.stopFor({ budget: prepared.budget });
      return this.#stepEnded(run, 'budget', now, false);
    }
    const interval = this.host.intervalAt(run.tryDue);
    this.host.buckets.sentLater(interval, run.step.stat, (now - run.tryDue) * 1000);
    this.#send(run, prepared, now);
  }

  /** The run is over: a scheduled step that was never sent ends its journey as abandoned. */
  abandonScheduled(run: FlowExecution, now: number): void {
    this.#stepEnded(run, 'abandoned', now, false);
  }

  #prepare(run: FlowExecution): PreparedRequest | { budget: string; exhausted: boolean } | 'capture-missing' {
    try {
      return this.#source.prepareStep(run.step, run.index, run.captures);
    } catch (error) {
      if (error instanceof MissingCapture) return 'capture-missing';
      throw error;
    }
  }

  #send(run: FlowExecution, prepared: PreparedRequest, now: number): void {
    run.tries++;
    run.requests++;
    this.host.dispatch(prepared, new FlowRequest(this, run, prepared, now));
  }

  complete(req: FlowRequest): void {
    if (req.settled) return;
    req.settled = true;
    const end = performance.now();
    const run = req.run;
    const step = run.step;
    const ok = req.prepared.ok[req.status] === 1;
    this.#source.settle(req.prepared, !ok);
    const interval = this.host.intervalAt(end);
    this.host.buckets.response(interval, req.status, ok, (end - req.intended) * 1000, req.serviceMs(end) * 1000);
    this.host.requestEnded(end);
    this.#lastService = req.serviceMs(end);
    if (!ok) return this.#stepEnded(run, 'status', end, true);
    const json = step.needsBody || step.needsHeaders.length > 0 || step.poll || step.check ? new ResponseJson(req) : undefined;
    if (step.poll && !conditionHolds(step.poll.until, json!)) {
      const next = end + step.poll.intervalMs;
      if (run.tries >= step.poll.maxTries || next - run.stepDue > step.poll.maxMs) return this.#stepEnded(run, 'poll-exhausted', end, true);
      run.tryDue = next;
      return this.host.schedule(run, next);
    }
    if (step.check && !conditionHolds(step.check, json!)) return this.#stepEnded(run, 'check', end, true);
    if (step.captures.length > 0) {
      const captured = captureValues(step.captures, json!);
      if ('missing' in captured) return this.#stepEnded(run, 'capture-missing', end, true);
      run.captures = { ...run.captures, ...captured.values };
    }
    this.#stepEnded(run, undefined, end, true);
  }

  fail(req: FlowRequest, err: Error): void {
    if (req.settled) return;
    req.settled = true;
    const end = performance.now();
    const run = req.run;
    const cls = classifyError(err);
    this.#source.settle(req.prepared, true);
    const interval = this.host.intervalAt(end);
    this.host.buckets.failure(interval, cls, (end - req.intended) * 1000, req.serviceMs(end) * 1000, err);
    this.host.requestEnded(end);
    this.#lastService = req.serviceMs(end);
    this.#stepEnded(run, cls, end, true);
  }

  abandon(req: FlowRequest, now: number): void {
    if (req.settled) return;
    req.settled = true;
    const run = req.run;
    this.#source.settle(req.prepared, true);
    this.host.buckets.abandoned(this.host.intervalAt(now), (now - req.intended) * 1000, req.serviceMs(now) * 1000);
    this.#lastService = req.serviceMs(now);
    this.#stepEnded(run, 'abandoned', now, true);
  }

  /** Service time of the request that just ended (a step's service time is its last try's). */
  #lastService = 0;

  /**
   * The current step is over (a response that satisfied it, or a failure). Records it under its
   * name, then goes on to the next step (after its think time), or ends the flow.
   */
  #stepEnded(run: FlowExecution, failure: Failure | undefined, end: number, measured: boolean): void {
    const step = run.step;
    const interval = this.host.intervalAt(end);
    const buckets = this.host.buckets;
    buckets.nameEnded(
      interval,
      step.stat,
      failure,
      measured ? (end - run.stepDue) * 1000 : -1,
      measured ? this.#lastService * 1000 : -1,
      run.tries,
    );
    if (failure !== undefined) run.failure ??= failure;
    const last = run.stepIndex === run.flow.steps.length - 1;
    if (last || (failure !== undefined && step.stopOnFailure) || failure === 'abandoned' || failure === 'max-requests')
      return this.#flowEnded(run, end);
    run.stepIndex++;
    run.tries = 0;
    const next = run.step;
    const due = end + this.#plan.thinkMs(next, run.index, run.stepIndex);
    run.stepDue = due;
    run.tryDue = due;
    if (due <= end) this.resume(run, end);
    else this.host.schedule(run, due);
  }

  #flowEnded(run: FlowExecution, end: number): void {
    if (run.flow.kind === 'journey') {
      this.host.buckets.nameEnded(
        this.host.intervalAt(end),
        run.flow.stat,
        run.failure,
        (end - run.intended) * 1000,
        this.#lastService * 1000,
        run.requests,
        true,
      );
    }
    this.active--;
    this.host.flowEnded();
  }
}

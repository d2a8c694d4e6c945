import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { ArrivalCursor, RateCurve } from '@overload/core';
import { Pool, type Dispatcher } from 'undici';
import { classifyError, RequestTimeoutError } from './classify-error.js';
import { IntervalBuckets } from './interval-buckets.js';
import type { FromWorker, WorkerTask } from './messages.js';
import { type PreparedRequest, RequestSource } from './request-source.js';

/** At most this many arrivals are dispatched per tick before yielding to I/O (completions). */
const MAX_BATCH = 256;
/** The loop wakes at least this often while requests are in flight, to enforce timeouts. */
const SWEEP_MS = 25;
/**
 * setTimeout sleeps at least 1 ms and usually a little more, so an arrival closer than this is
 * waited for without a timer: by responses waking the loop, or by spinning (see #reschedule).
 */
const TIMER_FLOOR_MS = 1.5;
/**
 * While requests are in flight, a response that finds the next arrival due by at least this much
 * wakes the send loop, so one wake-up may send a few arrivals together. Slack from 0 to 1 ms
 * measured the same CPU per request at 40k req/s; a small one keeps the schedule lag small.
 */
const WAKE_SLACK_MS = 0.1;
/** Below this wait the loop yields with setImmediate instead of sleeping on a timer. */
const SPIN_BELOW_MS = 0.25;

/**
 * One request in flight. It is its own undici dispatch handler, so a request costs one small
 * object. It uses undici's classic handler callbacks (onConnect/onHeaders/onData/onComplete/
 * onError): undici passes those straight through, while the newer controller API is wrapped and
 * parses every response's headers into an object — work the hot path does not need.
 */
class InFlight implements Dispatcher.DispatchHandler {
  /** Intended and actual dispatch times, in this thread's performance.now() clock. */
  readonly intended: number;
  readonly dispatched: number;
  readonly request: PreparedRequest;
  written = 0;
  status = 0;
  settled = false;
  abort: ((err?: Error) => void) | null = null;
  readonly #firing: Firing;

  constructor(firing: Firing, intended: number, dispatched: number, request: PreparedRequest) {
    this.#firing = firing;
    this.intended = intended;
    this.dispatched = dispatched;
    this.request = request;
  }

  onConnect(abort: (err?: Error) => void): void {
    // Already timed out while queued for a connection: never put it on the wire.
    if (this.settled) return abort(new RequestTimeoutError(this.#firing.timeoutMs));
    this.abort = abort;
    this.written = performance.now();
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  /** Bodies are drained and counted by the socket, never buffered. */
  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.#firing.complete(this);
  }

  onError(err: Error): void {
    this.#firing.fail(this, err);
  }
}

/**
 * Fires one worker's slice of the open-loop schedule.
 *
 * The intended send time of every arrival comes from the schedule (t0 + offset), never from
 * "now" (wrk2's rule). The loop wakes when the next arrival is due, dispatches everything that is
 * due without waiting for any response, and records for each request:
 * - corrected latency = response end − intended time: what a user arriving on schedule saw,
 *   including time spent queued behind a stalled target (coordinated-omission correction, done
 *   per request because a ramp has no single "expected interval" to back-fill with);
 * - service time = response end − moment the request was written to a socket;
 * - schedule lag = dispatch − intended: the generator's own delay, which is how we tell a slow
 *   generator from a slow target.
 * An arrival that finds the in-flight cap full is dropped and counted, never delayed; one that
 * the loop reaches later than lateDropMs is dropped as the generator's fault.
 */
export class Firing {
  readonly timeoutMs: number;
  readonly #task: WorkerTask;
  readonly #pool: Pool;
  readonly #cursor: ArrivalCursor;
  readonly #buckets = new IntervalBuckets();
  readonly #source: RequestSource;
  #budgetExhausted = false;
  readonly #queue: InFlight[] = [];
  readonly #post: (m: FromWorker) => void;
  #queueHead = 0;
  #t0 = 0;
  #hasNext = false;
  #inFlight = 0;
  #sent = 0;
  #stopping = false;
  #ended = false;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #timerIsImmediate = false;
  /** The loop sleeps on a 1 ms backstop timer and a response wakes it when an arrival is due. */
  #wakeOnSettle = false;
  #drainDeadline = Number.POSITIVE_INFINITY;
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  #finished!: (abandoned: number) => void;
  readonly done: Promise<number>;

  constructor(task: WorkerTask, post: (m: FromWorker) => void) {
    this.#task = task;
    this.#post = post;
    this.timeoutMs = task.timeoutMs;
    this.#source = new RequestSource(task);
    this.#cursor = new ArrivalCursor(RateCurve.from(task.curve), {
      arrivals: task.arrivals,
      seed: task.seed,
      start: task.workerIndex,
      stride: task.workerCount,
      ...(task.maxRequests !== undefined ? { limit: task.maxRequests } : {}),
    });
    this.#pool = new Pool(task.origin, {
      connections: task.connections,
      pipelining: 1,
      connectTimeout: Math.min(task.timeoutMs, 10_000),
      headersTimeout: task.timeoutMs,
      bodyTimeout: task.timeoutMs,
    });
    this.done = new Promise((resolve) => (this.#finished = resolve));
  }

  get sent(): number {
    return this.#sent;
  }

  /** Starts firing at t0 (an absolute epoch time shared by all workers). */
  start(t0EpochMs: number): void {
    this.#t0 = t0EpochMs - performance.timeOrigin;
    this.#hasNext = !this.#stopping && this.#cursor.next();
    this.#tick();
  }

  /** Stops sending at once; in-flight requests get drainMs (none when immediate) to finish. */
  stop(immediate: boolean): void {
    if (this.#stopping && !immediate) return;
    this.#stopping = true;
    this.#hasNext = false;
    this.#drainDeadline = Math.min(this.#drainDeadline, performance.now() + (immediate ? 0 : this.#task.drainMs));
    this.#reschedule(0);
  }

  #tick = (): void => {
    this.#timer = undefined;
    this.#wakeOnSettle = false;
    if (this.#ended) return;
    const now = performance.now();
    const since = now - this.#t0;
    let n = 0;
    while (this.#hasNext && this.#cursor.offsetMs <= since && n < MAX_BATCH) {
      this.#fire(this.#cursor.index, this.#cursor.offsetMs, now);
      this.#hasNext = !this.#stopping && this.#cursor.next();
      n++;
    }
    this.#sweepTimeouts(now);
    this.#flushIntervals(since);
    if (!this.#hasNext && (this.#inFlight === 0 || now >= this.#drainDeadline)) return this.#finish(now);
    if (n === MAX_BATCH) return this.#reschedule(0);
    const nextBoundary = (this.#buckets.nextFlushIndex + 1) * this.#task.intervalMs;
    let wakeAt = Math.min(nextBoundary, since + SWEEP_MS);
    if (this.#hasNext) wakeAt = Math.min(wakeAt, this.#cursor.offsetMs);
    if (this.#drainDeadline !== Number.POSITIVE_INFINITY) wakeAt = Math.min(wakeAt, this.#drainDeadline - this.#t0);
    this.#reschedule(wakeAt - since);
  };

  #reschedule(waitMs: number): void {
    if (this.#ended) return;
    if (this.#timer !== undefined) {
      if (this.#timerIsImmediate) clearImmediate(this.#timer as NodeJS.Immediate);
      else clearTimeout(this.#timer as NodeJS.Timeout);
    }
    this.#wakeOnSettle = false;
    if (waitMs >= TIMER_FLOOR_MS) {
      // Far enough away for a timer: sleep to just short of it.
      this.#timerIsImmediate = false;
      this.#timer = setTimeout(this.#tick, Math.floor(waitMs - 0.5));
    } else if (waitMs > 0 && this.#inFlight > 0) {
      // Due within a millisecond while responses are on their way: each response wakes the loop
      // anyway, so let them (#settle) fire the arrival, with a 1 ms timer as a backstop. Spinning
      // here instead (a setImmediate loop polling I/O with a zero timeout) keeps the thread at
      // 100 % on empty polls: measured against nginx on loopback, this costs 10–30 % less CPU
      // per request at 5k–20k req/s (~7 % at 40k), for ~0.1 ms more median schedule lag. It
      // matters when the target shares the machine; the peak sustained rate is unchanged.
      this.#wakeOnSettle = true;
      this.#timerIsImmediate = false;
      this.#timer = setTimeout(this.#tick, 1);
    } else if (waitMs > SPIN_BELOW_MS) {
      // Due within a millisecond or so with nothing in flight: a 1 ms timer. Spinning here kept
      // the worker's core at 100 % at a few hundred req/s, starving a target on the same machine
      // (and the main thread) into the very scheduling jitter it was meant to avoid; the timer
      // costs at most about a millisecond of lag, well inside the saturation threshold.
      this.#timerIsImmediate = false;
      this.#timer = setTimeout(this.#tick, 1);
    } else {
      // Due now or within a fraction of a millisecond: setImmediate (I/O still runs in between).
      this.#timerIsImmediate = true;
      this.#timer = setImmediate(this.#tick);
    }
  }

  #fire(index: number, offsetMs: number, now: number): void {
    const interval = Math.floor(offsetMs / this.#task.intervalMs);
    const intended = this.#t0 + offsetMs;
    const lag = now - intended;
    if (lag > this.#task.lateDropMs) return this.#buckets.arrival(interval, 'droppedGenerator', 0);
    if (this.#inFlight >= this.#task.maxInFlight) return this.#buckets.arrival(interval, 'dropped', 0);
    const request = this.#source.prepare(index);
    if (!('options' in request)) {
      if (request.exhausted) return this.#onBudgetExhausted(request.budget);
      return this.#buckets.arrival(interval, 'dropped', 0);
    }
    this.#buckets.arrival(interval, 'sent', lag * 1000);
    const req = new InFlight(this, intended, now, request);
    this.#inFlight++;
    this.#sent++;
    this.#queue.push(req);
    this.#pool.dispatch(request.options, req);
  }

  /**
   * The next request's worst-case side effects do not fit a budget: stop sending here and tell
   * the main thread, which stops every other worker. Nothing over budget was ever sent.
   */
  #onBudgetExhausted(budget: string): void {
    if (this.#budgetExhausted) return;
    this.#budgetExhausted = true;
    this.#post({ type: 'budget-exhausted', budget });
    this.stop(false);
  }

  complete(req: InFlight): void {
    if (req.settled) return;
    const end = performance.now();
    this.#settle(req, end);
    const ok = req.request.ok[req.status] === 1;
    this.#source.settle(req.request, !ok);
    this.#buckets.response(
      this.#intervalAt(end),
      req.status,
      ok,
      (end - req.intended) * 1000,
      (end - (req.written || req.dispatched)) * 1000,
    );
  }

  fail(req: InFlight, err: Error): void {
    if (req.settled) return;
    const now = performance.now();
    this.#settle(req, now);
    this.#source.settle(req.request, true);
    this.#buckets.failure(this.#intervalAt(now), classifyError(err));
  }

  #settle(req: InFlight, now: number): void {
    req.settled = true;
    this.#inFlight--;
    if (this.#stopping && this.#inFlight === 0) this.#reschedule(0);
    else if (this.#wakeOnSettle) {
      // Wake the send loop when an arrival is due, or when no response is left to wake it later.
      if (this.#inFlight === 0 || (this.#hasNext && now - this.#t0 >= this.#cursor.offsetMs + WAKE_SLACK_MS)) this.#reschedule(0);
    }
  }

  #intervalAt(now: number): number {
    return Math.floor((now - this.#t0) / this.#task.intervalMs);
  }

  /** Requests are queued in dispatch order and share one timeout, so the oldest expires first. */
  #sweepTimeouts(now: number): void {
    const q = this.#queue;
    const deadline = now - this.timeoutMs;
    while (this.#queueHead < q.length) {
      const req = q[this.#queueHead]!;
      if (!req.settled) {
        if (req.dispatched > deadline) break;
        const err = new RequestTimeoutError(this.timeoutMs);
        this.fail(req, err);
        req.abort?.(err);
      }
      this.#queueHead++;
    }
    if (this.#queueHead > 4096 && this.#queueHead * 2 > q.length) {
      q.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #flushIntervals(since: number): void {
    const I = this.#task.intervalMs;
    while ((this.#buckets.nextFlushIndex + 1) * I <= since) {
      this.#post({ type: 'interval', report: this.#buckets.flush(this.#inFlight, this.#intervalElu()) });
    }
  }

  /** Event-loop utilisation of this thread since the previous interval was reported. */
  #intervalElu(): number {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, this.#elu).utilization;
    this.#elu = now;
    return Number.isFinite(u) ? u : 0;
  }

  #finish(now: number): void {
    this.#ended = true;
    // A settle during this tick may have scheduled another tick: nothing may run after 'done'.
    if (this.#timer !== undefined) {
      if (this.#timerIsImmediate) clearImmediate(this.#timer as NodeJS.Immediate);
      else clearTimeout(this.#timer as NodeJS.Timeout);
      this.#timer = undefined;
    }
    // Abandon what is still in flight after the drain: counted, never waited on forever.
    let abandoned = 0;
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const req = this.#queue[i]!;
      if (!req.settled) {
        req.settled = true;
        abandoned++;
        // Its outcome will never be known: count its side effects as having happened.
        this.#source.settle(req.request, true);
        req.abort?.(new Error('abandoned at the end of the run'));
      }
    }
    this.#inFlight = 0;
    const since = now - this.#t0;
    this.#flushIntervals(since);
    const partial = since - this.#buckets.nextFlushIndex * this.#task.intervalMs;
    this.#post({ type: 'interval', report: this.#buckets.flush(0, this.#intervalElu(), Math.max(0, partial), abandoned) });
    this.#post({ type: 'done', abandoned });
    this.#pool.destroy().catch(() => {}).finally(() => this.#finished(abandoned));
  }
}

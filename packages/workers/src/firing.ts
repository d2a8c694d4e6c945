import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { ArrivalCursor, RateCurve } from '@overload/core/internal';
import { Pool } from 'undici';
import { BodyReadBudget } from './body-budget.js';
import { classifyError, RequestTimeoutError } from './classify-error.js';
import { RequestHandler } from './request-handler.js';
import { type ConnectOptions, WarmConnector } from './connector.js';
import { DelayQueue } from './delay-queue.js';
import { FlowEngine, type FlowHost, type FlowRequest, type FlowExecution } from './flow-engine.js';
import { H1Client } from './h1/h1-client.js';
import { h1ReadOptions } from './h1/h1-connection.js';
import { IntervalBuckets } from './interval-buckets.js';
import type { FromWorker, WorkerTask } from './messages.js';
import { type PreparedRequest, RequestSource } from './request-source.js';
import { tlsConnectOptions } from './tls-connect.js';
import { objectArray } from './hot-arrays.js';

/**
 * At most this many arrivals are sent in one go before the loop lets I/O run. Only a generator
 * that has fallen behind (a GC pause, a stolen core) ever has this many due at once.
 */
const MAX_BATCH = 512;
/** While requests are in flight the loop wakes at least this often, to enforce timeouts. */
const SWEEP_MS = 25;

/** A plain request (a URL without a scenario). */
class InFlight extends RequestHandler {
  readonly #firing: Firing;

  constructor(firing: Firing, intended: number, dispatched: number, prepared: PreparedRequest) {
    super(firing.timeoutMs, firing.bodyBudget, intended, dispatched, prepared);
    this.#firing = firing;
  }

  onComplete(): void {
    this.#firing.complete(this);
  }

  onError(err: Error): void {
    this.#firing.fail(this, err);
  }

  abandon(now: number): void {
    this.#firing.abandon(this, now);
  }
}

/**
 * Fires one worker's slice of the open-loop schedule.
 *
 * The intended send time of every arrival comes from the schedule (t0 + offset), never from
 * "now" (wrk2's rule). The loop sleeps between arrivals and sends, in one batch, every arrival
 * that is due when it wakes — on a timer (Node's timers have 1 ms granularity, so an arrival is
 * sent at most about a millisecond late on an idle core), or when a response arrives and finds
 * an arrival due, which at high rates is most of the time. It never spins: waiting costs nothing,
 * so the thread uses the CPU its requests need and leaves the rest of the core to others (a
 * co-located target, the main thread). Batching loses nothing in the measurement, because every
 * request is measured from its own intended time:
 * - corrected latency = end − intended time: what a user arriving on schedule saw, including time
 *   queued behind a stalled target or a late generator (coordinated-omission correction, done per
 *   request because a ramp has no single "expected interval" to back-fill with);
 * - service time = end − moment the request was written to a socket;
 * - schedule lag = moment of dispatch − intended time, read for each dispatch: the generator's own
 *   delay, which is how a slow generator is told from a slow target. (Time spent waiting for a free
 *   connection is the target's doing and shows in corrected latency, not in lag.)
 * "End" is the response's end, or the moment a request failed, timed out or was abandoned at the
 * end of the drain: every request sent ends in the latency record, so sent = responses +
 * transport errors + abandoned.
 * An arrival that finds the in-flight cap full is dropped and counted, never delayed; one that
 * the loop reaches later than lateDropMs is dropped as the generator's fault.
 */
export class Firing implements FlowHost {
  readonly timeoutMs: number;
  readonly #task: WorkerTask;
  readonly #connector: WarmConnector;
  /** The connector whose connections carry the load: the hot path's own over plain TCP, else #connector. */
  readonly #loadConnector: WarmConnector;
  readonly #pool: Pool;
  /** The hot path for plain HTTP/1.1 requests (undefined with --client undici or HTTP/2). */
  readonly #h1: H1Client | undefined;
  readonly #cursor: ArrivalCursor;
  readonly buckets: IntervalBuckets;
  /** Shared by every response of this worker, plain and flows'. */
  readonly bodyBudget = new BodyReadBudget();
  readonly #source: RequestSource;
  /** Runs a scenario's requests and journeys; undefined for a single fixed request. */
  readonly #flows: FlowEngine | undefined;
  /** Later steps of journeys and polls' next tries, by when they are due. */
  readonly #delayed = new DelayQueue<FlowExecution>();
  readonly #requestCap: Int32Array | undefined;
  readonly #queue = objectArray<RequestHandler | undefined>();
  readonly #post: (m: FromWorker) => void;
  #limitReached = false;
  /** When the current timer fires (+Infinity when none is set). */
  #sleepingUntil = Number.POSITIVE_INFINITY;
  #queueHead = 0;
  #t0 = 0;
  #hasNext = false;
  /** t0 + the next arrival's offset: when it is due, in this thread's clock. */
  #nextDue = Number.POSITIVE_INFINITY;
  #inFlight = 0;
  #sent = 0;
  #sending = false;
  #stopping = false;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #drainDeadline = Number.POSITIVE_INFINITY;
  #elu: EventLoopUtilization | undefined;
  #finished!: (abandoned: number) => void;
  readonly done: Promise<number>;

  constructor(task: WorkerTask, post: (m: FromWorker) => void) {
    this.#task = task;
    this.#post = post;
    this.timeoutMs = task.timeoutMs;
    this.#source = new RequestSource(task);
    this.buckets = new IntervalBuckets(this.#source.plan?.names.length ?? 0, task.origin);
    this.#flows = this.#source.plan ? new FlowEngine(this, this.#source) : undefined;
    this.#requestCap = task.requestCap ? new Int32Array(task.requestCap.buffer) : undefined;
    this.#cursor = new ArrivalCursor(RateCurve.from(task.curve), {
      arrivals: task.arrivals,
      seed: task.seed,
      start: task.slice.start,
      stride: task.slice.stride,
      // With journeys an arrival sends a variable number of requests: the cap is then a shared
      // counter of requests (takeRequest) instead of a limit on arrival indexes.
      ...(task.maxRequests !== undefined && !task.requestCap ? { limit: task.maxRequests } : {}),
    });
    const connectOptions = { ...tlsConnectOptions(task.tls, task.http2), timeout: Math.min(task.timeoutMs, 10_000) };
    this.#connector = new WarmConnector(connectOptions);
    // The hot path over plain TCP reads with net's `onread` (see h1ReadOptions): its sockets are
    // its own, so it has a connector of its own; over TLS it shares undici's.
    const onread = this.#source.hotPath && new URL(task.origin).protocol === 'http:';
    this.#loadConnector = onread ? new WarmConnector({ ...connectOptions, onread: h1ReadOptions() } as ConnectOptions) : this.#connector;
    this.#pool = new Pool(task.origin, {
      connections: task.connections,
      pipelining: task.pipelining,
      ...(task.http2 ? { allowH2: true } : {}),
      connect: this.#connector.connect,
      // The request timeout is ours (#sweepTimeouts: total time from dispatch, checked on every
      // wake-up). undici's own are inactivity timers that cost a timer object per request.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.#h1 = this.#source.hotPath
      ? new H1Client({
          origin: task.origin,
          connections: task.connections,
          pipelining: task.pipelining,
          connect: this.#loadConnector.connect,
          onread,
        })
      : undefined;
    this.done = new Promise((resolve) => (this.#finished = resolve));
  }

  get sent(): number {
    return this.#sent;
  }

  /** Opens the first connections before t0, so that no arrival waits for a connect. */
  async warm(): Promise<number> {
    if (this.#task.warmConnections <= 0) return 0;
    return this.#loadConnector.warm(this.#task.origin, this.#task.warmConnections, Math.min(this.#task.timeoutMs, 2000));
  }

  /** Starts firing at t0 (an absolute epoch time shared by all workers). */
  start(t0EpochMs: number): void {
    this.#t0 = t0EpochMs - performance.timeOrigin;
    this.#elu = performance.eventLoopUtilization();
    this.#advance();
    this.#tick();
  }

  /** Stops sending at once; in-flight requests get drainMs (none when immediate) to finish. */
  stop(immediate: boolean): void {
    if (this.#stopping && !immediate) return;
    this.#stopping = true;
    this.#hasNext = false;
    this.#nextDue = Number.POSITIVE_INFINITY;
    const now = performance.now();
    this.#drainDeadline = Math.min(this.#drainDeadline, now + (immediate ? 0 : this.#task.drainMs));
    // Stop sending at once: journeys waiting for a later step or a poll's next try end here.
    for (const run of this.#delayed.drain()) this.#flows!.abandonScheduled(run, now);
    this.#wakeNow();
  }

  get sending(): boolean {
    return !this.#stopping;
  }

  #advance(): void {
    this.#hasNext = !this.#stopping && this.#cursor.next();
    this.#nextDue = this.#hasNext ? this.#t0 + this.#cursor.offsetMs : Number.POSITIVE_INFINITY;
  }

  #tick = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#ended) return;
    const behind = this.#sendDue(performance.now());
    const now = performance.now();
    this.#sweepTimeouts(now);
    this.#flushIntervals(now - this.#t0);
    // The clock is read again for the end: a request the sweep just timed out read its own, later.
    if (!this.#hasNext && ((this.#inFlight === 0 && this.#delayed.size === 0) || now >= this.#drainDeadline))
      return this.#finish(performance.now());
    if (behind) return this.#wakeNow();
    this.#sleepUntil(now);
  };

  /**
   * Sends every arrival due by now, reading the clock before each dispatch so each one's lag is
   * its own. Returns true when it stopped at MAX_BATCH with arrivals still due.
   */
  #sendDue(now: number): boolean {
    if (this.#sending) return false;
    this.#sending = true;
    // With pipelining, requests of one batch that share a connection leave in one write.
    const cork = this.#task.pipelining > 1 && this.#dueAt() <= now;
    if (cork) for (const s of this.#loadConnector.live) s.cork();
    let n = 0;
    // Journeys' later steps first: they were due before the arrivals that come due with them.
    while (this.#delayed.nextDue <= now) {
      if (n++ === MAX_BATCH) break;
      this.#flows!.resume(this.#delayed.pop(), now);
      now = performance.now();
    }
    while (this.#nextDue <= now) {
      if (n++ >= MAX_BATCH) break;
      this.#fire(now);
      this.#advance();
      now = performance.now();
    }
    if (cork) for (const s of this.#loadConnector.live) s.uncork();
    this.#sending = false;
    return this.#dueAt() <= now;
  }

  /** When the loop next has something to send: an arrival, or a journey's later step. */
  #dueAt(): number {
    return Math.min(this.#nextDue, this.#delayed.nextDue);
  }

  /** Sleeps until the next thing to do: an arrival, an interval boundary, a timeout sweep, the drain's end. */
  #sleepUntil(now: number): void {
    const since = now - this.#t0;
    let wakeAt = (this.buckets.nextFlushIndex + 1) * this.#task.intervalMs;
    if (this.#inFlight > 0) wakeAt = Math.min(wakeAt, since + SWEEP_MS);
    wakeAt = Math.min(wakeAt, this.#dueAt() - this.#t0, this.#drainDeadline - this.#t0);
    // Timers have whole-millisecond granularity and never fire early: round up, so one wake-up
    // finds the arrival due instead of a first one finding it not quite due yet.
    this.#clearWake();
    const waitMs = Math.max(1, Math.ceil(wakeAt - since));
    this.#sleepingUntil = now + waitMs;
    this.#timer = setTimeout(this.#tick, waitMs);
  }

  /** Runs the loop as soon as pending I/O has been handled (a stop, a drained queue, a backlog). */
  #wakeNow(): void {
    if (this.#ended || this.#immediate !== undefined) return;
    this.#clearWake();
    this.#sleepingUntil = Number.NEGATIVE_INFINITY;
    this.#immediate = setImmediate(this.#tick);
  }

  #clearWake(): void {
    this.#sleepingUntil = Number.POSITIVE_INFINITY;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  #fire(now: number): void {
    const offsetMs = this.#cursor.offsetMs;
    const interval = Math.floor(offsetMs / this.#task.intervalMs);
    const intended = this.#t0 + offsetMs;
    const lag = now - intended;
    if (lag > this.#task.lateDropMs) return this.buckets.arrival(interval, 'droppedGenerator', 0);
    if (this.#flows) {
      // The in-flight cap counts flows (a journey in progress is one user).
      if (this.#flows.active >= this.#task.maxInFlight) return this.buckets.arrival(interval, 'dropped', 0);
      if (this.#flows.start(this.#cursor.index, intended, interval, now) === 'dropped') this.buckets.arrival(interval, 'dropped', 0);
      return;
    }
    if (this.#inFlight >= this.#task.maxInFlight) return this.buckets.arrival(interval, 'dropped', 0);
    const request = this.#source.fixed;
    this.buckets.arrival(interval, 'sent', lag * 1000);
    const req = new InFlight(this, intended, now, request);
    this.#inFlight++;
    this.#sent++;
    this.#queue.push(req);
    this.#send(request, req);
  }

  /** The hot path when the request is plain HTTP/1.1 (and the run allows it), else undici. */
  #send(prepared: PreparedRequest, handler: RequestHandler): void {
    if (prepared.h1 !== undefined && this.#h1 !== undefined) this.#h1.dispatch(prepared.h1, handler);
    else this.#pool.dispatch(prepared.options, handler);
  }

  /**
   * A shared limit is used up: the next request's worst-case side effects do not fit a budget, or
   * --max-requests was reached. Stop sending here and tell the main thread, which stops every other
   * worker. Nothing over budget, and no request over the cap, was ever sent.
   */
  stopFor(reason: { readonly budget: string } | { readonly requestCap: true }): void {
    if (this.#limitReached) return;
    this.#limitReached = true;
    this.#post('budget' in reason ? { type: 'budget-exhausted', budget: reason.budget } : { type: 'request-cap' });
    this.stop(false);
  }

  takeRequest(): boolean {
    const cap = this.#requestCap;
    if (!cap) return true;
    if (Atomics.add(cap, 0, 1) < this.#task.requestCap!.limit) return true;
    Atomics.sub(cap, 0, 1);
    return false;
  }

  returnRequest(): void {
    if (this.#requestCap) Atomics.sub(this.#requestCap, 0, 1);
  }

  intervalAt(now: number): number {
    return Math.floor((now - this.#t0) / this.#task.intervalMs);
  }

  dispatch(prepared: PreparedRequest, handler: FlowRequest): void {
    this.#inFlight++;
    this.#sent++;
    this.#queue.push(handler);
    this.#send(prepared, handler);
  }

  requestEnded(now: number): void {
    this.#inFlight--;
    this.#afterSettle(now);
  }

  schedule(run: FlowExecution, due: number): void {
    if (this.#stopping) return this.#flows!.abandonScheduled(run, performance.now());
    this.#delayed.push(due, run);
    // The loop may be asleep until a later time: make sure it wakes for this.
    if (!this.#sending && due < this.#sleepingUntil) this.#sleepUntil(performance.now());
  }

  flowEnded(): void {
    // The last flow of a finished schedule or of a drain: let the loop finish now, not at its timer.
    if (!this.#hasNext && this.#inFlight === 0 && this.#delayed.size === 0) this.#wakeNow();
  }

  complete(req: InFlight): void {
    if (req.settled) return;
    const end = performance.now();
    const ok = req.prepared.ok[req.status] === 1;
    this.#source.settle(req.prepared, !ok);
    this.buckets.response(this.intervalAt(end), req.status, ok, (end - req.intended) * 1000, req.serviceMs(end) * 1000);
    this.#settle(req, end);
  }

  fail(req: InFlight, err: Error): void {
    if (req.settled) return;
    const end = performance.now();
    this.#source.settle(req.prepared, true);
    this.buckets.failure(this.intervalAt(end), classifyError(err), (end - req.intended) * 1000, req.serviceMs(end) * 1000, err);
    this.#settle(req, end);
  }

  #settle(req: InFlight, now: number): void {
    req.settled = true;
    this.#inFlight--;
    this.#afterSettle(now);
  }

  #afterSettle(now: number): void {
    // A response is a wake-up the loop gets for free: send what has come due meanwhile.
    if (now >= this.#dueAt() && this.#sendDue(now)) this.#wakeNow();
    else if (this.#stopping && this.#inFlight === 0) this.#wakeNow();
  }

  abandon(req: InFlight, now: number): void {
    if (req.settled) return;
    req.settled = true;
    // Its outcome will never be known: count its side effects as having happened.
    this.#source.settle(req.prepared, true);
    this.buckets.abandoned(this.intervalAt(now), (now - req.intended) * 1000, req.serviceMs(now) * 1000);
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
        req.onError(err);
        req.abort?.(err);
      }
      // Let go of it at once: settled requests kept reachable survive every young-generation GC
      // and get copied and promoted, which made scavenges take milliseconds.
      q[this.#queueHead++] = undefined;
    }
    if (this.#queueHead === q.length) {
      q.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 4096 && this.#queueHead * 2 > q.length) {
      q.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #flushIntervals(since: number): void {
    const I = this.#task.intervalMs;
    while ((this.buckets.nextFlushIndex + 1) * I <= since) {
      this.#post({
        type: 'interval',
        report: this.buckets.flush(this.#inFlight, this.#intervalElu(), undefined, 0, this.bodyBudget.takePauses()),
      });
    }
  }

  /** Event-loop utilisation of this thread since the previous interval was reported. */
  #intervalElu(): number {
    const now = performance.eventLoopUtilization();
    const u = this.#elu ? performance.eventLoopUtilization(now, this.#elu).utilization : 0;
    this.#elu = now;
    return Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : 0;
  }

  #finish(now: number): void {
    this.#ended = true;
    // A settle during this tick may have scheduled another tick: nothing may run after 'done'.
    this.#clearWake();
    this.bodyBudget.close();
    // Abandon what is still in flight after the drain: counted, and measured up to now (a lower
    // bound on what its user waited), never waited on forever.
    let abandoned = 0;
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const req = this.#queue[i]!;
      if (!req.settled) {
        abandoned++;
        req.abandon(now);
        req.abort?.(new Error('abandoned at the end of the run'));
      }
    }
    for (const run of this.#delayed.drain()) this.#flows!.abandonScheduled(run, now);
    this.#inFlight = 0;
    const since = now - this.#t0;
    this.#flushIntervals(since);
    const partial = since - this.buckets.nextFlushIndex * this.#task.intervalMs;
    this.#post({
      type: 'interval',
      report: this.buckets.flush(0, this.#intervalElu(), Math.max(0, partial), abandoned, this.bodyBudget.takePauses(), true),
    });
    this.#post({ type: 'done', abandoned });
    this.#connector.close();
    this.#loadConnector.close();
    void this.#h1?.destroy();
    this.#pool
      .destroy()
      .catch(() => {})
      .finally(() => this.#finished(abandoned));
  }
}

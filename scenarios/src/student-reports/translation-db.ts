/**
 * The translated-copy database "half the team didn't know existed": every report request needs
 * one query, the DB runs only `slots` queries at once, each takes `queryMs` of wall time, and
 * everyone else waits in a FIFO queue. That queue is where the latency of the whole service
 * comes from once arrivals exceed slots / queryMs (500/s with the defaults).
 *
 * A waiter that has not got a slot within `timeoutMs` fails with `timeout`; a request that finds
 * `queueLimit` others already waiting fails at once with `queue-full`. Because the queue is FIFO
 * and every waiter has the same timeout, deadlines expire in queue order, so one timer armed for
 * the head's deadline replaces a timer per waiter.
 *
 * With `runAbandonedQueries` the database behaves like most real ones: a query whose client gave
 * up stays queued and still takes a slot when its turn comes, and the client's deadline covers
 * the query itself. Past capacity the queue wait approaches the timeout, every query then finishes
 * too late, and the slots do nothing but abandoned work: goodput drops to zero, failures come
 * five in a row, and the backlog keeps the database busy after the load is gone (a metastable
 * collapse, the kind the seed's breaker was there for).
 */

export type TranslationOutcome = 'ok' | 'timeout' | 'queue-full' | 'closed';

export interface TranslationDbOptions {
  readonly slots: number;
  readonly queryMs: number;
  readonly queueLimit: number;
  readonly timeoutMs: number;
  /** Queries whose client gave up still run, and the deadline covers the query (see above). */
  readonly runAbandonedQueries?: boolean;
  readonly nowMs: () => number;
}

interface Waiter {
  readonly deadlineMs: number;
  readonly done: (outcome: TranslationOutcome) => void;
  /** The client was already answered (timed out); the query is only the database's wasted work. */
  answered: boolean;
}

export class TranslationDb {
  private busy = 0;
  /** FIFO with a moving head: shift() on a 2,000-long array every query would be O(n). */
  private queue: Waiter[] = [];
  private head = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly queryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: TranslationDbOptions) {}

  /** Requests waiting for a slot. */
  waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queries running now. */
  inProgress(): number {
    return this.busy;
  }

  /** Runs one translated-copy query; resolves (never rejects) with how it went. */
  query(): Promise<TranslationOutcome> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      if (this.busy < this.options.slots) {
        this.run({ deadlineMs: this.options.nowMs() + this.options.timeoutMs, done: resolve, answered: false });
        return;
      }
      if (this.waiting() >= this.options.queueLimit) {
        resolve('queue-full');
        return;
      }
      this.queue.push({ deadlineMs: this.options.nowMs() + this.options.timeoutMs, done: resolve, answered: false });
      if (this.expiryTimer === undefined) this.armExpiry();
    });
  }

  /** Drops every waiter and stops handing out slots, so nothing keeps running after close. */
  close(): void {
    this.closed = true;
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    for (const timer of this.queryTimers) clearTimeout(timer);
    this.queryTimers.clear();
    const waiters = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    this.answeredUpTo = 0;
    for (const waiter of waiters) if (!waiter.answered) waiter.done('closed');
  }

  private run(waiter: Waiter): void {
    this.busy += 1;
    const timer = setTimeout(() => {
      this.queryTimers.delete(timer);
      this.busy -= 1;
      if (!waiter.answered) {
        const late = this.options.runAbandonedQueries === true && this.options.nowMs() > waiter.deadlineMs;
        waiter.done(late ? 'timeout' : 'ok');
      }
      this.grantNext();
    }, this.options.queryMs);
    this.queryTimers.add(timer);
  }

  private grantNext(): void {
    if (this.closed) return;
    this.expireOverdue();
    while (this.busy < this.options.slots && this.waiting() > 0) this.run(this.take());
  }

  private take(): Waiter {
    const waiter = this.queue[this.head]!;
    this.head += 1;
    // Compact now and then so the array does not grow for ever under a steady queue.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.answeredUpTo = Math.max(0, this.answeredUpTo - this.head);
      this.head = 0;
    }
    return waiter;
  }

  /** Waiters from `head` up to here were answered with a timeout but still wait for a slot. */
  private answeredUpTo = 0;

  private expireOverdue(): void {
    const now = this.options.nowMs();
    if (!this.options.runAbandonedQueries) {
      while (this.waiting() > 0 && this.queue[this.head]!.deadlineMs <= now) {
        const waiter = this.take();
        waiter.answered = true;
        waiter.done('timeout');
      }
      return;
    }
    // Answer the clients whose deadline passed, but leave their queries queued.
    this.answeredUpTo = Math.max(this.answeredUpTo, this.head);
    while (this.answeredUpTo < this.queue.length && this.queue[this.answeredUpTo]!.deadlineMs <= now) {
      const waiter = this.queue[this.answeredUpTo]!;
      waiter.answered = true;
      waiter.done('timeout');
      this.answeredUpTo += 1;
    }
  }

  private armExpiry(): void {
    this.expiryTimer = undefined;
    const next = Math.max(this.head, this.options.runAbandonedQueries ? this.answeredUpTo : this.head);
    if (this.closed || next >= this.queue.length) return;
    const delayMs = Math.max(0, this.queue[next]!.deadlineMs - this.options.nowMs());
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expireOverdue();
      this.armExpiry();
    }, delayMs);
  }
}

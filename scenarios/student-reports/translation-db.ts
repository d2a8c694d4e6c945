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
 */

export type TranslationOutcome = 'ok' | 'timeout' | 'queue-full' | 'closed';

export interface TranslationDbOptions {
  readonly slots: number;
  readonly queryMs: number;
  readonly queueLimit: number;
  readonly timeoutMs: number;
  readonly nowMs: () => number;
}

interface Waiter {
  readonly deadlineMs: number;
  readonly done: (outcome: TranslationOutcome) => void;
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
        this.run(resolve);
        return;
      }
      if (this.waiting() >= this.options.queueLimit) {
        resolve('queue-full');
        return;
      }
      this.queue.push({ deadlineMs: this.options.nowMs() + this.options.timeoutMs, done: resolve });
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
    for (const waiter of waiters) waiter.done('closed');
  }

  private run(done: (outcome: TranslationOutcome) => void): void {
    this.busy += 1;
    const timer = setTimeout(() => {
      this.queryTimers.delete(timer);
      this.busy -= 1;
      done('ok');
      this.grantNext();
    }, this.options.queryMs);
    this.queryTimers.add(timer);
  }

  private grantNext(): void {
    if (this.closed) return;
    this.expireOverdue();
    while (this.busy < this.options.slots && this.waiting() > 0) {
      const waiter = this.take();
      this.run(waiter.done);
    }
  }

  private take(): Waiter {
    const waiter = this.queue[this.head]!;
    this.head += 1;
    // Compact now and then so the array does not grow for ever under a steady queue.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return waiter;
  }

  private expireOverdue(): void {
    const now = this.options.nowMs();
    while (this.waiting() > 0 && this.queue[this.head]!.deadlineMs <= now) this.take().done('timeout');
  }

  private armExpiry(): void {
    this.expiryTimer = undefined;
    if (this.closed || this.waiting() === 0) return;
    const delayMs = Math.max(0, this.queue[this.head]!.deadlineMs - this.options.nowMs());
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expireOverdue();
      this.armExpiry();
    }, delayMs);
  }
}

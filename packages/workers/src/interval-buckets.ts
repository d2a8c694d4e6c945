import {
  createHistogram,
  emptyErrorCounts,
  encodeHistogram,
  type ErrorClass,
  type ErrorCounts,
  type Histogram,
  type IntervalReport,
  type NameReport,
  recordMicros,
} from '@overload/core/internal';
import { describeError } from './classify-error.js';

/** One name's counters in one interval (see NameReport). */
class NameBucket {
  count = 0;
  requests = 0;
  ok = 0;
  failures: Record<string, number> = {};
  tries = 0;
  maxTries = 0;
  readonly latency: Histogram = createHistogram();
  readonly serviceTime: Histogram = createHistogram();

  reset(): void {
    this.count = this.requests = this.ok = this.tries = this.maxTries = 0;
    this.failures = {};
    this.latency.reset();
    this.serviceTime.reset();
  }

  absorb(o: NameBucket): void {
    this.count += o.count;
    this.requests += o.requests;
    this.ok += o.ok;
    for (const [c, n] of Object.entries(o.failures)) this.failures[c] = (this.failures[c] ?? 0) + n;
    this.tries += o.tries;
    this.maxTries = Math.max(this.maxTries, o.maxTries);
    this.latency.add(o.latency);
    this.serviceTime.add(o.serviceTime);
  }

  report(): NameReport {
    return {
      count: this.count,
      requests: this.requests,
      ok: this.ok,
      failures: this.failures,
      tries: this.tries,
      maxTries: this.maxTries,
      latency: encodeHistogram(this.latency),
      serviceTime: encodeHistogram(this.serviceTime),
    };
  }
}

/** Counters and histograms of one interval in one worker; reset and reused, never reallocated. */
class Bucket {
  index = -1;
  offered = 0;
  sent = 0;
  dropped = 0;
  droppedGenerator = 0;
  responses = 0;
  ok = 0;
  errors: ErrorCounts = emptyErrorCounts();
  readonly statuses = new Uint32Array(600);
  readonly latency: Histogram = createHistogram();
  readonly serviceTime: Histogram = createHistogram();
  readonly lag: Histogram = createHistogram();
  readonly names: NameBucket[];

  constructor(names: number) {
    this.names = Array.from({ length: names }, () => new NameBucket());
  }

  reset(index: number): void {
    this.index = index;
    this.offered = this.sent = this.dropped = this.droppedGenerator = this.responses = this.ok = 0;
    this.errors = emptyErrorCounts();
    this.statuses.fill(0);
    this.latency.reset();
    this.serviceTime.reset();
    this.lag.reset();
    for (const n of this.names) n.reset();
  }

  /** Adds another bucket's figures to this one's. */
  absorb(o: Bucket): void {
    this.offered += o.offered;
    this.sent += o.sent;
    this.dropped += o.dropped;
    this.droppedGenerator += o.droppedGenerator;
    this.responses += o.responses;
    this.ok += o.ok;
    for (const c of Object.keys(o.errors) as ErrorClass[]) this.errors[c] += o.errors[c];
    for (let s = 0; s < 600; s++) this.statuses[s]! += o.statuses[s]!;
    this.latency.add(o.latency);
    this.serviceTime.add(o.serviceTime);
    this.lag.add(o.lag);
    for (const [i, n] of this.names.entries()) n.absorb(o.names[i]!);
  }
}

const RING = 8;

/**
 * A ring of interval buckets. Arrivals are counted in the bucket of their intended time and
 * outcomes in the bucket of the moment they happen; both can run ahead of the last flushed
 * interval by a little (a completion lands just after a boundary before the flush tick runs),
 * which the ring absorbs. Interval k is flushed once the clock has passed its end and every
 * arrival intended in it has been processed.
 */
export class IntervalBuckets {
  readonly #ring: Bucket[];
  readonly #names: number;
  readonly #origin: string;
  /** Error classes described so far, and the descriptions not reported yet (one per class per worker). */
  readonly #described = new Set<ErrorClass>();
  #newExamples: Partial<Record<ErrorClass, string>> | undefined;
  #nextFlush = 0;

  /**
   * `names`: how many request, journey and step names to keep figures for (0: none); `origin`:
   * the target, named in error descriptions.
   */
  constructor(names = 0, origin = '') {
    this.#names = names;
    this.#origin = origin;
    this.#ring = Array.from({ length: RING }, () => new Bucket(names));
    this.#ring.forEach((b, i) => b.reset(i));
  }

  get nextFlushIndex(): number {
    return this.#nextFlush;
  }

  bucket(index: number): Bucket {
    // Never write into an interval that was already reported: late outcomes go to the oldest open one.
    const i = Math.max(index, this.#nextFlush);
    const b = this.#ring[i % RING]!;
    if (b.index !== i) {
      // Farther ahead than the ring: only possible after a long event-loop stall; keep the data.
      return this.#ring[(this.#nextFlush + RING - 1) % RING]!;
    }
    return b;
  }

  arrival(index: number, outcome: 'sent' | 'dropped' | 'droppedGenerator', lagMicros: number): void {
    const b = this.bucket(index);
    b.offered++;
    b[outcome]++;
    if (outcome === 'sent') recordMicros(b.lag, lagMicros);
  }

  /** A later step of a journey, or a poll's next try, was sent: a request, not a new arrival. */
  sentLater(index: number, stat: number, lagMicros: number): void {
    const b = this.bucket(index);
    b.sent++;
    b.names[stat]!.requests++;
    recordMicros(b.lag, lagMicros);
  }

  /** The first request of an arrival was sent for `stat` (counted with `arrival(…, 'sent')`). */
  namedRequest(index: number, stat: number): void {
    this.bucket(index).names[stat]!.requests++;
  }

  /**
   * A request, step or journey ended: ok, or failed with a class. Without a latency (a step that
   * failed before sending anything: a missing capture, a budget) it is counted but not measured.
   */
  nameEnded(
    index: number,
    stat: number,
    failure: string | undefined,
    latencyMicros: number,
    serviceMicros: number,
    tries: number,
    journey = false,
  ): void {
    const n = this.bucket(index).names[stat]!;
    n.count++;
    // A journey's requests are its steps': counted once it ends, under the journey's own name.
    if (journey) n.requests += tries;
    if (failure === undefined) n.ok++;
    else n.failures[failure] = (n.failures[failure] ?? 0) + 1;
    n.tries += tries;
    if (tries > n.maxTries) n.maxTries = tries;
    if (latencyMicros >= 0) {
      recordMicros(n.latency, latencyMicros);
      recordMicros(n.serviceTime, serviceMicros);
    }
  }

  response(index: number, status: number, ok: boolean, latencyMicros: number, serviceMicros: number): void {
    const b = this.bucket(index);
    b.responses++;
    if (status < 600) b.statuses[status]!++;
    if (ok) b.ok++;
    else b.errors.status++;
    recordMicros(b.latency, latencyMicros);
    recordMicros(b.serviceTime, serviceMicros);
  }

  /**
   * A request that ended without a response (refused, reset, timed out, …). It still enters the
   * latency record at the moment it ended: leaving it out would drop exactly the requests whose
   * users waited longest (a timeout is recorded as at least the timeout).
   */
  failure(index: number, errorClass: ErrorClass, latencyMicros: number, serviceMicros: number, error?: unknown): void {
    const b = this.bucket(index);
    b.errors[errorClass]++;
    // The first error of each class is described for a person (naming the host); once is enough.
    if (error !== undefined && !this.#described.has(errorClass)) {
      this.#described.add(errorClass);
      (this.#newExamples ??= {})[errorClass] = describeError(error, errorClass, this.#origin);
    }
    recordMicros(b.latency, latencyMicros);
    recordMicros(b.serviceTime, serviceMicros);
  }

  /** A request given up at the end of the drain, measured up to that moment (a lower bound). */
  abandoned(index: number, latencyMicros: number, serviceMicros: number): void {
    const b = this.bucket(index);
    recordMicros(b.latency, latencyMicros);
    recordMicros(b.serviceTime, serviceMicros);
  }

  /**
   * Reports and recycles the next interval. `last` (the run's final, partial interval) also takes
   * in whatever was recorded in the intervals after it — an outcome whose clock reading crossed a
   * boundary after the loop read its own — so nothing recorded goes unreported.
   */
  flush(inFlight: number, elu: number, durationMs?: number, abandoned = 0, bodyReadPauses = 0, last = false): IntervalReport {
    const k = this.#nextFlush;
    const b = this.#ring[k % RING]!;
    if (last) {
      for (let i = k + 1; i < k + RING; i++) {
        const later = this.#ring[i % RING]!;
        if (later.index !== i) continue;
        b.absorb(later);
        later.reset(i);
      }
    }
    const statusCodes: Record<string, number> = {};
    for (let s = 0; s < 600; s++) if (b.statuses[s]! > 0) statusCodes[s] = b.statuses[s]!;
    const report: IntervalReport = {
      index: k,
      ...(durationMs !== undefined ? { durationMs } : {}),
      offered: b.offered,
      sent: b.sent,
      dropped: b.dropped,
      droppedGenerator: b.droppedGenerator,
      responses: b.responses,
      ok: b.ok,
      errors: b.errors,
      abandoned,
      statusCodes,
      inFlight,
      elu,
      latency: encodeHistogram(b.latency),
      serviceTime: encodeHistogram(b.serviceTime),
      lag: encodeHistogram(b.lag),
      memoryBytes: threadMemoryBytes(),
      ...(bodyReadPauses > 0 ? { bodyReadPauses } : {}),
      ...(this.#newExamples ? { errorExamples: this.#newExamples } : {}),
      ...(this.#names > 0 ? { byName: b.names.map((n) => n.report()) } : {}),
    };
    b.reset(k + RING);
    this.#newExamples = undefined;
    this.#nextFlush = k + 1;
    return report;
  }
}

/** This thread's memory: in a worker, process.memoryUsage() counts the thread's own isolate (rss aside). */
function threadMemoryBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

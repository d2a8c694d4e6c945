import { performance } from 'node:perf_hooks';

/** Body chunks this large (a socket read of a big body) count against the budget; smaller ones never do. */
export const LARGE_CHUNK_BYTES = 16 * 1024;
/**
 * The most big-body bytes a worker parses per WINDOW_MS (1.25 MB per 10 ms: 125 MB/s, 1 Gbit/s)
 * before readers pause until the window ends. A target that streams gigabytes on every
 * connection would otherwise own the firing thread: measured against 1 GiB bodies at 200 req/s
 * on a 2-core machine, reading kept the thread 100 % busy and the schedule lag p99 near 100 ms,
 * so every arrival was late because of what the target sent. Reading costs about 3 ms of CPU per
 * MB there (socket, parser, buffers): at 250 MB/s the thread was still 60–80 % busy, at 125 MB/s
 * about 40 %, leaving the schedule its room. Paused, the bytes wait in the kernel and TCP flow
 * control slows the target, as a 1 Gbit/s link would. Ordinary responses never come near it; a
 * target serving more than that to one worker has its big bodies read at this pace, which the
 * result says (generator.bodyReadPauses) — add workers to read faster.
 */
const BYTES_PER_WINDOW = 1_250_000;
const WINDOW_MS = 10;

/** A response whose body reading can be paused (undici's handler `onData` returning false) and resumed. */
export interface PausableRead {
  readonly settled: boolean;
  /** undici's resume callback, from onHeaders. */
  resume: (() => void) | null;
}

/** One worker's big-body read budget (see BYTES_PER_WINDOW). */
export class BodyReadBudget {
  /** Readers paused since the last take() of the count (reported per interval). */
  #pauses = 0;
  #bytes = 0;
  #windowStart = 0;
  readonly #paused: PausableRead[] = [];
  #timer: NodeJS.Timeout | undefined;

  /** Called for a large chunk; false means "pause this response" (it is resumed in a later window). */
  take(read: PausableRead, bytes: number): boolean {
    if (this.#timer !== undefined) {
      this.#paused.push(read);
      return false;
    }
    const now = performance.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#bytes = 0;
    }
    if ((this.#bytes += bytes) <= BYTES_PER_WINDOW) return true;
    this.#pauses++;
    this.#paused.push(read);
    this.#timer = setTimeout(this.#nextWindow, Math.max(1, Math.ceil(this.#windowStart + WINDOW_MS - now)));
    return false;
  }

  /**
   * A new window: resume paused readers one by one, oldest first, while its budget lasts. A
   * resumed reader parses what its socket holds at once (undici's resume() is synchronous), so
   * resuming all of them together would let hundreds of sockets' buffers through in one go.
   */
  readonly #nextWindow = (): void => {
    this.#timer = undefined;
    this.#windowStart = performance.now();
    this.#bytes = 0;
    const waiting = this.#paused.splice(0);
    let i = 0;
    for (; i < waiting.length && this.#timer === undefined; i++) {
      const read = waiting[i]!;
      if (!read.settled) read.resume?.();
    }
    // Those not reached wait for the next window, ahead of readers paused since.
    if (i < waiting.length) this.#paused.unshift(...waiting.slice(i));
  };

  /** How many times a reader was paused since the last call. */
  takePauses(): number {
    const n = this.#pauses;
    this.#pauses = 0;
    return n;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#paused.length = 0;
  }
}

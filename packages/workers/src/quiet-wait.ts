import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Each look at the process's CPU covers this long. */
const WINDOW_MS = 10;
/** The process counts as quiet below this share of one core. */
const QUIET_SHARE = 0.15;

/**
 * Waits until this process's other threads have finished the work the JIT warm-up left them, or
 * `timeoutMs` has passed. Returns how long it waited.
 *
 * V8 compiles optimised code on background threads. The warm-up makes its hottest functions
 * eligible, and their compiles run after the warm-up has ended. Pinned to one core, those threads
 * took 50–90 % of the core for about a second after t0 (measured per thread from /proc at
 * 10,000 req/s). The worker got too little of the core to keep up, and the backlog put hundreds
 * of milliseconds into the first second's corrected latency. Waiting here moves that work before
 * t0. The worker itself is idle while it waits, so the whole process's CPU (every thread) shows
 * what is left to do.
 */
export async function awaitQuietProcess(timeoutMs: number): Promise<number> {
  const start = performance.now();
  let before = process.cpuUsage();
  let at = start;
  for (;;) {
    await sleep(WINDOW_MS);
    const now = performance.now();
    const used = process.cpuUsage(before);
    const share = (used.user + used.system) / 1000 / (now - at);
    if (share < QUIET_SHARE || now - start >= timeoutMs) return now - start;
    before = process.cpuUsage();
    at = now;
  }
}

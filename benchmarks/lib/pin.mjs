/**
 * CPU pinning for the bench, the way users' pods see a machine: every load generator runs on one
 * core (`taskset -c <core>`, which pins all of a process's threads: for overload, its main thread
 * and its worker threads share that core), and the target runs on another. Linux with taskset
 * and at least two cores; elsewhere nothing is pinned and the bench says so.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

let available;
/** True when processes can be pinned here. */
export function canPin() {
  if (available === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      available = availableParallelism() >= 2;
    } catch {
      available = false;
    }
  }
  return available;
}

/** The cores used: the target on the first, every generator on the last. */
export const TARGET_CPU = 0;
export const GENERATOR_CPU = Math.max(1, availableParallelism() - 1);

/** [command, args] that run `command args` on the given core (or unpinned when that is impossible). */
export function pinned(cpu, command, args) {
  if (cpu === undefined || !canPin()) return [command, args];
  return ['taskset', ['-c', String(cpu), command, ...args]];
}

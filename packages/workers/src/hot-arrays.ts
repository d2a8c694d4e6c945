/**
 * Empty arrays for the send loop's queues, made per run, that V8 already holds as arrays of objects
 * (or of doubles). A fresh `[]` starts as an array of small integers and changes kind at its first
 * push of anything else. The warm-up's arrays changed kind in the interpreter, so the optimised
 * push kept a branch for arrays of small integers that checks the value pushed is one: the run's
 * fresh arrays took that branch and threw the code away at their first push (trace-deopt-verbose:
 * "not a Smi" at #fire's `#queue.push` and at H1Client's `#free.push`, in the run's first second).
 */
export function objectArray<T>(): T[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as T[];
}

/** An empty array that V8 holds as an array of doubles (see objectArray). */
export function doubleArray(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}

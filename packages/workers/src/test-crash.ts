/**
 * A test-only way to crash a worker thread in the middle of a run, so that tests can check what a
 * real crash leaves behind (a valid result marked partial, exit code 70). It is armed only by an
 * environment variable whose whole value must read like this sentence:
 *
 *   OVERLOAD_TEST_CRASH="worker 0 throws after 200 requests"
 *
 * Nothing else arms it (any other value is ignored), so it cannot fire by accident. The throw
 * happens in a timer callback of the worker, outside any try/catch: an uncaught exception, which
 * is what a bug in the send loop would be.
 */
export const TEST_CRASH_ENV = 'OVERLOAD_TEST_CRASH';
const FORM = /^worker (\d+) throws after (\d+) requests$/;

export function armTestCrash(workerIndex: number, sent: () => number, env: NodeJS.ProcessEnv = process.env): () => void {
  const m = FORM.exec(env[TEST_CRASH_ENV] ?? '');
  if (!m || Number(m[1]) !== workerIndex) return () => {};
  const after = Number(m[2]);
  const timer = setInterval(() => {
    if (sent() < after) return;
    clearInterval(timer);
    throw new Error(`${TEST_CRASH_ENV}: worker ${workerIndex} threw on purpose after ${sent()} requests`);
  }, 5);
  return () => clearInterval(timer);
}

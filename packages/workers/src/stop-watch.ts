import type { RunHandle } from './run.js';

/**
 * Calls `onStop` with the run's elapsed ms the first time the run is stopped, whoever stops it:
 * the judge, a guardrail inside the run (error burst, budget, --max-duration), a kill switch, a
 * signal. The judge needs the moment sending stopped so that the interval it stopped in, and the
 * drain after it, are not mistaken for a generator falling behind its schedule.
 *
 * It wraps `handle.stop`, through which every stop of a run goes (the run's own guardrails call
 * it too); if RunHandle ever reports the stop itself, use that instead.
 */
export function watchStops(handle: RunHandle, onStop: (atMs: number) => void): void {
  const stop = handle.stop.bind(handle);
  let seen = false;
  (handle as { stop: RunHandle['stop'] }).stop = (reason, detail, options) => {
    if (!seen) {
      seen = true;
      onStop(handle.elapsedMs());
    }
    stop(reason, detail, options);
  };
}

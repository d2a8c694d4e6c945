import type { StopReason } from '@overload/core';

/**
 * SIGINT/SIGTERM stop sending at once and drain in-flight requests for a grace period, then
 * write everything measured so far; a second SIGINT abandons the drain.
 */
export function installStopSignals(stop: (reason: StopReason, immediate: boolean) => void): { dispose(): void } {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    const immediate = count > 1;
    process.stderr.write(
      immediate
        ? `\n${signal} again: stopping now, abandoning in-flight requests\n`
        : `\n${signal}: stopped sending; draining in-flight requests (press Ctrl-C again to stop at once)\n`,
    );
    stop('signal', immediate);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

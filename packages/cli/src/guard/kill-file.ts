import { existsSync } from 'node:fs';

/**
 * `--kill-file PATH`: creating that file stops the run. Any operator with a shell can do it,
 * without knowing the PID or having the terminal — it works when everything else is on fire.
 * Polled every 25 ms (an existsSync is a cheap stat), so the stop reaches the workers well within
 * 100 ms; fs.watch is not used because it misses events on some file systems.
 */
export function watchKillFile(path: string, onKill: () => void, everyMs = 25): { dispose(): void } {
  const timer = setInterval(() => {
    if (existsSync(path)) {
      clearInterval(timer);
      onKill();
    }
  }, everyMs);
  return { dispose: () => clearInterval(timer) };
}

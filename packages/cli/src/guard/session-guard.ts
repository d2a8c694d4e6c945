import { DEFAULTS, formatDurationMs, type IntervalStats, type StopReason } from '@overload/core/internal';
import type { RunHandle } from '@overload/workers';
import { type ControlServer, startControlServer } from './control-server.js';
import { watchKillFile } from './kill-file.js';
import { watchWrapper } from './wrapper-watch.js';

export interface GuardOptions {
  readonly killFile?: string;
  readonly controlPort?: number;
  readonly controlToken?: string;
  /** Whole command, all phases together. */
  readonly maxDurationMs?: number;
  /** A second signal within this long of the first is the same stop (default DEFAULTS.signal). */
  readonly sameStopWithinMs?: number;
  /** Where the results go, as the first signal's notice says it (`to out/`, `under overload-results/`). */
  readonly resultsWhere?: string;
  /** The package manager that started overload (`npm`, `pnpm`): its exit stops the command. */
  readonly wrapper?: string;
  /** The PID of overload's own launcher (bin/overload.js started node again): its exit stops the command. */
  readonly launcherPid?: number;
  readonly log: (line: string) => void;
}

/**
 * The kill switches of one command, spanning all its phases (ramp, cool-down, recovery, search
 * trials): SIGINT/SIGTERM, the kill file, the control endpoint and the command-wide max duration.
 * Whichever fires first stops the phase that is running and no further phase starts. A second
 * signal abandons in-flight requests instead of draining them, unless it comes within
 * DEFAULTS.signal.sameStopWithinMs of the first: then it is a wrapper forwarding the same Ctrl-C.
 */
export class SessionGuard {
  #current: RunHandle | undefined;
  #phase = 'starting';
  #stopped: { reason: StopReason; detail: string } | undefined;
  #lastInterval: IntervalStats | undefined;
  #firstSignal: { signal: NodeJS.Signals; atMs: number } | undefined;
  #hardStopped = false;
  readonly #startedAt = performance.now();
  readonly #disposers: (() => void)[] = [];
  #control: ControlServer | undefined;
  readonly #options: GuardOptions;
  readonly #onStop: (() => void)[] = [];

  constructor(options: GuardOptions) {
    this.#options = options;
  }

  get stopped(): { reason: StopReason; detail: string } | undefined {
    return this.#stopped;
  }

  get control(): ControlServer | undefined {
    return this.#control;
  }

  /** Called when a stop fires (to abort waits between phases, such as a cool-down). */
  onStop(listener: () => void): void {
    this.#onStop.push(listener);
  }

  async start(): Promise<void> {
    const graceMs = this.#options.sameStopWithinMs ?? DEFAULTS.signal.sameStopWithinMs;
    const onSignal = (signal: NodeJS.Signals) => {
      const now = performance.now();
      const first = this.#firstSignal;
      if (first === undefined) {
        this.#firstSignal = { signal, atMs: now };
        // Said at once: behind a wrapper that exits on this signal (pnpm), it is the last line
        // printed before the shell's prompt (see docs/stopping.md).
        this.#options.log(
          this.#current === undefined
            ? `${signal}: stopping before any load is sent (Ctrl-C again to stop at once)`
            : `${signal}: stopped sending; draining in-flight requests and writing results${this.#options.resultsWhere ? ` ${this.#options.resultsWhere}` : ''} (Ctrl-C again to stop at once)`,
        );
        this.stop('signal', `${signal} received`);
      } else if (now - first.atMs < graceMs) {
        // The wrapper's echo of the same Ctrl-C (pnpm, npm), not the user asking twice.
        this.#options.log(
          `${signal} ${Math.round(now - first.atMs)} ms after ${first.signal}: the same stop (still draining; Ctrl-C again to stop at once)`,
        );
      } else if (!this.#hardStopped) {
        this.#hardStopped = true;
        this.#options.log(`${signal} again: abandoning in-flight requests`);
        this.stop('signal', `${signal} received twice`, true);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    this.#disposers.push(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    const { wrapper, launcherPid } = this.#options;
    if (wrapper !== undefined || launcherPid !== undefined) {
      const detail =
        wrapper !== undefined
          ? `a process of the ${wrapper} command that started overload exited`
          : `the overload launcher (PID ${launcherPid}) that started this process exited`;
      const w = watchWrapper(
        () => {
          // Behind pnpm, a Ctrl-C already stopped the command before pnpm died of it.
          if (!this.#stopped) this.#options.log(`${detail}: stopping`);
          this.stop('signal', detail);
        },
        { levels: (launcherPid !== undefined ? 1 : 0) + (wrapper !== undefined ? 2 : 0) },
      );
      this.#disposers.push(() => w.dispose());
    }
    if (this.#options.killFile) {
      const file = this.#options.killFile;
      const w = watchKillFile(file, () => {
        this.#options.log(`kill file ${file} appeared: stopping`);
        this.stop('kill-file', `kill file ${file} appeared`);
      });
      this.#disposers.push(() => w.dispose());
    }
    if (this.#options.maxDurationMs !== undefined) {
      const ms = this.#options.maxDurationMs;
      const t = setTimeout(() => this.stop('max-duration', `max duration ${formatDurationMs(ms)} reached`), ms);
      this.#disposers.push(() => clearTimeout(t));
    }
    if (this.#options.controlPort !== undefined) {
      this.#control = await startControlServer({
        port: this.#options.controlPort,
        ...(this.#options.controlToken ? { token: this.#options.controlToken } : {}),
        status: () => this.status(),
        stop: (by) => this.stop('control-endpoint', by),
      });
      const c = this.#control;
      this.#disposers.push(() => void c.close());
    }
  }

  /** Each phase registers its run; a phase that starts after a stop is stopped at once. */
  attach(phase: string, handle: RunHandle): void {
    this.#phase = phase;
    this.#current = handle;
    if (this.#stopped) handle.stop(this.#stopped.reason, this.#stopped.detail, { immediate: true });
  }

  interval(i: IntervalStats): void {
    this.#lastInterval = i;
  }

  stop(reason: StopReason, detail: string, immediate = false): void {
    const first = !this.#stopped;
    this.#stopped ??= { reason, detail };
    this.#current?.stop(this.#stopped.reason, this.#stopped.detail, { immediate });
    if (first) for (const l of this.#onStop) l();
  }

  status(): unknown {
    const i = this.#lastInterval;
    return {
      phase: this.#phase,
      elapsedMs: Math.round(performance.now() - this.#startedAt),
      stopped: this.#stopped ?? null,
      runId: this.#current?.config.runId,
      lastInterval: i
        ? {
            index: i.index,
            offeredRps: i.offeredRps,
            achievedRps: i.achievedRps,
            inFlight: i.inFlight,
            latencyMs: i.latencyMs,
            errors: i.errors,
            dropped: i.dropped,
          }
        : null,
    };
  }

  dispose(): void {
    for (const d of this.#disposers.splice(0)) d();
  }
}

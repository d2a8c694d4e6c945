import {
  type ActionRecord,
  isHostAllowed,
  OverloadError,
  type ResolvedAction,
  DEFAULTS,
  type RunStop,
  statusMatches,
  VERDICT_STOPS,
} from '@overload/core/internal';
import type { RunHandle } from '@overload/workers';
import pLimit from 'p-limit';

export interface ActionRunnerOptions {
  readonly allowedHosts: readonly string[];
  /** `{{env.NAME}}` in url, headers and body (validation already refused unset names). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called when an action with `onFailure: 'stop'` fails: the command stops the run with `action-failed`. */
  readonly onFailure: (record: ActionRecord) => void;
}

/**
 * Sends a run's actions on the main thread, off the firing threads' schedule: a timer per timed
 * action from t0, so the time an action takes never delays an arrival (and a busy firing thread
 * never delays an action). `finish()` is the clean-up promise: whatever stopped the run, every
 * `always` action whose moment had not come is sent then, before the command writes results and
 * exits. p-limit bounds how many go out at once, so ten clean-ups due at the stop do not open ten
 * connections to an admin endpoint that is already struggling.
 */
export class ActionRunner {
  readonly #actions: readonly ResolvedAction[];
  readonly #options: ActionRunnerOptions;
  readonly #limit = pLimit(DEFAULTS.action.concurrency);
  readonly #records = new Map<string, ActionRecord>();
  readonly #sent = new Set<string>();
  readonly #inFlight: Promise<void>[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #t0Perf: number | undefined;
  #finishing: Promise<ActionRecord[]> | undefined;

  /** Refuses any action whose host the allowlist does not name: before anything is sent (exit 2). */
  constructor(actions: readonly ResolvedAction[], options: ActionRunnerOptions) {
    for (const a of actions) {
      const url = fill(a.url, options.env);
      if (!isHostAllowed(url, options.allowedHosts))
        throw new OverloadError(
          'OVL_TARGET_NOT_ALLOWED',
          `action "${a.name}" calls ${new URL(url).host}, which is not an allowed host (${options.allowedHosts.join(', ') || 'loopback only'}); add it to safety.allowedHosts or OVERLOAD_ALLOWED_HOSTS. Nothing was sent`,
        );
    }
    this.#actions = actions;
    this.#options = options;
  }

  get count(): number {
    return this.#actions.length;
  }

  /** Arms the timers of one run: timed actions, `start` and `step:N` from its t0. */
  async attach(handle: RunHandle): Promise<void> {
    if (this.#actions.length === 0) return;
    const t0 = await Promise.race([handle.started, handle.stopped.then(() => undefined)]);
    if (t0 === undefined || this.#finishing) return;
    this.#t0Perf = t0;
    const steps = handle.config.curve.steps;
    for (const a of this.#actions) {
      let atMs: number | undefined;
      if (a.moment.kind === 'time') atMs = a.moment.atMs;
      else if (a.moment.kind === 'start') atMs = 0;
      else if (a.moment.kind === 'step') atMs = steps[a.moment.step - 1]?.startMs;
      if (atMs === undefined) continue;
      const due = atMs;
      // Rounded up: Node's timers count whole milliseconds, and a fractional delay truncated
      // would send the action up to 1 ms before its moment.
      const timer = setTimeout(() => this.#send(a, due), Math.max(0, Math.ceil(t0 + due - performance.now())));
      this.#timers.push(timer);
    }
  }

  /** A collapse was called: send the `collapse` actions now (the first call only; none once the clean-up began). */
  collapse(): void {
    if (this.#finishing || this.#t0Perf === undefined) return;
    for (const a of this.#actions) if (a.moment.kind === 'collapse') this.#send(a, undefined);
  }

  /**
   * Sending stopped (`stop`): `end` actions run when the run ended by design; every `always`
   * action not yet sent runs whatever the reason; the others whose moment never came are recorded
   * as skipped. Resolves once every action has been answered or timed out. Idempotent.
   */
  finish(stop: Pick<RunStop, 'reason'>): Promise<ActionRecord[]> {
    this.#finishing ??= (async () => {
      for (const t of this.#timers.splice(0)) clearTimeout(t);
      const byDesign = VERDICT_STOPS.has(stop.reason);
      const nowMs = this.#t0Perf === undefined ? undefined : performance.now() - this.#t0Perf;
      // No t0, no load and no action was sent (refused outputs, an unreachable target): there is
      // nothing to undo, and "nothing is sent" must hold for those exits too.
      const loadStarted = this.#t0Perf !== undefined;
      for (const a of this.#actions) {
        if (this.#sent.has(a.name)) continue;
        if (loadStarted && (a.always || (a.moment.kind === 'end' && byDesign)))
          this.#send(a, a.moment.kind === 'end' ? nowMs : undefined, a.moment.kind !== 'end');
        else this.#records.set(a.name, { ...base(a, this.#options.env), ok: false, skipped: true });
      }
      while (this.#inFlight.length > 0) await Promise.all(this.#inFlight.splice(0));
      return this.#actions.map((a) => this.#records.get(a.name)!);
    })();
    return this.#finishing;
  }

  #send(a: ResolvedAction, intendedAtMs: number | undefined, ranAtStop = false): void {
    if (this.#sent.has(a.name)) return;
    this.#sent.add(a.name);
    const p = this.#limit(async () => {
      const record = await sendAction(a, this.#options.env, this.#t0Perf, intendedAtMs, ranAtStop);
      this.#records.set(a.name, record);
      if (!record.ok && a.onFailure === 'stop' && !this.#finishing) this.#options.onFailure(record);
    });
    this.#inFlight.push(p);
  }
}

async function sendAction(
  a: ResolvedAction,
  env: ActionRunnerOptions['env'],
  t0Perf: number | undefined,
  intendedAtMs: number | undefined,
  ranAtStop: boolean,
): Promise<ActionRecord> {
  const startPerf = performance.now();
  const head = {
    ...base(a, env),
    ...(intendedAtMs !== undefined ? { intendedAtMs: round(intendedAtMs) } : {}),
    ...(t0Perf !== undefined ? { actualAtMs: round(startPerf - t0Perf) } : {}),
    ...(ranAtStop ? { ranAtStop: true } : {}),
  };
  try {
    const res = await fetch(fill(a.url, env), {
      method: a.method,
      headers: { 'user-agent': 'overload-action', ...Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, fill(v, env)])) },
      ...(a.body !== undefined ? { body: fill(a.body, env) } : {}),
      signal: AbortSignal.timeout(a.timeoutMs),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    const ok = statusMatches(res.status, a.expectStatus);
    return {
      ...head,
      status: res.status,
      durationMs: round(performance.now() - startPerf),
      ok,
      ...(ok ? {} : { error: `status ${res.status} is not one of the expected statuses` }),
    };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${a.timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ...head, durationMs: round(performance.now() - startPerf), ok: false, error: reason };
  }
}

function base(a: ResolvedAction, env: ActionRunnerOptions['env']) {
  return {
    name: a.name,
    at: a.at,
    method: a.method,
    url: fill(a.url, env),
    always: a.always,
    ...(a.release !== false ? { release: true } : {}),
  };
}

/** The exact request to run by hand when a clean-up failed (secrets are scrubbed on output). */
export function curlOf(a: ResolvedAction, env: ActionRunnerOptions['env']): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const headers = Object.entries(a.headers).map(([k, v]) => ` -H ${q(`${k}: ${fill(v, env)}`)}`);
  return `curl -X ${a.method}${headers.join('')}${a.body !== undefined ? ` --data ${q(fill(a.body, env))}` : ''} ${q(fill(a.url, env))}`;
}

function fill(text: string, env: ActionRunnerOptions['env']): string {
  return text.replace(/\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/g, (_m, name: string) => env[name] ?? '');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

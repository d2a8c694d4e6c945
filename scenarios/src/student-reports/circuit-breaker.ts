/**
 * The breaker the service keeps around its translated-copy database: after `threshold`
 * consecutive failures it opens and requests fail fast; after `resetMs` it lets one probe
 * through (half-open) and the probe's outcome closes or re-opens it.
 *
 * `sticky` reproduces the seed story's bug ("five failures in a row would trip a circuit
 * breaker... which then could never be cleared"): the open state never times out, so the
 * service stays degraded after the load is gone. A recovery check in a load test is what
 * finds it.
 *
 * Time is read lazily from an injected clock instead of a timer, so nothing keeps the process
 * alive and the state is exact whenever it is asked for.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerEvent {
  readonly state: BreakerState;
  /** Clock time of the transition (the clock the breaker was given). */
  readonly atMs: number;
}

export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  readonly trips: number;
  /** Transitions, oldest first (the last `MAX_EVENTS`). */
  readonly events: readonly BreakerEvent[];
}

const MAX_EVENTS = 1000;

export interface CircuitBreakerOptions {
  readonly threshold: number;
  readonly resetMs: number;
  readonly sticky: boolean;
  readonly nowMs: () => number;
}

/**
 * Handed out by `tryAcquire` and given back with the outcome, so the breaker can tell a call it
 * admitted before tripping (whose outcome says nothing about the DB now) from the half-open probe.
 */
export interface BreakerTicket {
  readonly generation: number;
  readonly probe: boolean;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAtMs = 0;
  /** Bumped on every trip: tickets from an earlier generation are stale. */
  private generation = 0;
  private probeInFlight = false;
  private tripCount = 0;
  private readonly log: BreakerEvent[] = [];

  constructor(private readonly options: CircuitBreakerOptions) {}

  state(): BreakerState {
    if (this.current === 'open' && !this.options.sticky && this.options.nowMs() - this.openedAtMs >= this.options.resetMs) {
      this.transition('half-open');
    }
    return this.current;
  }

  /**
   * Asks to call the database; undefined means "fail fast". In half-open only one probe is let
   * through at a time, so a still-sick DB sees one request, not the whole backlog.
   */
  tryAcquire(): BreakerTicket | undefined {
    const state = this.state();
    if (state === 'closed') return { generation: this.generation, probe: false };
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return { generation: this.generation, probe: true };
    }
    return undefined;
  }

  recordSuccess(ticket: BreakerTicket): void {
    const state = this.state();
    if (ticket.generation !== this.generation) return;
    if (ticket.probe && state === 'half-open') {
      this.probeInFlight = false;
      this.failures = 0;
      this.transition('closed');
    } else if (state === 'closed') {
      this.failures = 0;
    }
  }

  recordFailure(ticket: BreakerTicket): void {
    const state = this.state();
    // Calls admitted before the last trip keep finishing for a while; they neither re-trip the
    // breaker nor count towards the next trip.
    if (ticket.generation !== this.generation) return;
    if (ticket.probe && state === 'half-open') {
      this.probeInFlight = false;
      this.open();
    } else if (state === 'closed') {
      this.failures += 1;
      if (this.failures >= this.options.threshold) this.open();
    }
  }

  snapshot(): BreakerSnapshot {
    return { state: this.state(), consecutiveFailures: this.failures, trips: this.tripCount, events: [...this.log] };
  }

  private open(): void {
    this.openedAtMs = this.options.nowMs();
    this.failures = 0;
    this.generation += 1;
    this.tripCount += 1;
    this.transition('open');
  }

  private transition(state: BreakerState): void {
    this.current = state;
    this.log.push({ state, atMs: this.options.nowMs() });
    if (this.log.length > MAX_EVENTS) this.log.shift();
  }
}

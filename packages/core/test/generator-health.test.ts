import { compileProfile, generatorHealth, GENERATOR_WINDOW_MS } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { intervals } from './support/intervals.js';

/** What generatorHealth reads of a resolved run configuration: a constant 1,000 req/s for 20 s. */
const config = (rateRps = 1000, durationMs = 20_000) => ({
  workers: 1,
  connections: 8,
  maxInFlight: 10_000,
  lagThresholdMs: 5,
  curve: compileProfile({ kind: 'constant', rateRps, durationMs }),
  arrivals: 'uniform' as const,
  client: 'auto' as const,
  http2: false,
});

describe('generatorHealth: a run is saturated only when the load was not offered', () => {
  it('a target that stalls makes the lag jump, not the generator saturated', () => {
    // 1,000 req/s for 20 s; after each 1 s stall of the target the flood of responses delays a
    // few sends by 8 ms: lag p99 8 ms (the old rule's "saturated", exit 5). Every arrival went out.
    const run = intervals(0, 20, (k) => ({
      offered: 1000,
      latencyMs: [[5, 1000]],
      lagMs:
        k % 5 === 3
          ? [
              [0.5, 980],
              [8, 20],
            ]
          : [[0.5, 1000]],
    }));
    const g = generatorHealth(config(), run, { stopped: false, lagMsP99: 8, lagMsMax: 9 });
    expect(g).toMatchObject({ saturated: false, reasons: [], droppedGenerator: 0 });
    expect(g.notes).toEqual(["schedule lag p99 8.0 ms > 5 ms: the corrected latencies include that much of the generator's own delay"]);
  });

  it('a generator asked for far more than it can send falls short of the schedule in every window', () => {
    // 200,000 req/s asked of one worker that reaches 40,000 a second, its lag growing without bound.
    const run = intervals(0, 6, (k) => ({ offered: 40_000, latencyMs: [[1, 40_000]], lagMs: [[200 + 800 * k, 40_000]], elu: 1 }));
    const g = generatorHealth(config(200_000, 6000), run, { stopped: false, lagMsP99: 4000, lagMsMax: 4200 });
    expect(g.saturated).toBe(true);
    expect(g.eluMax).toBe(1);
    expect(g.reasons[0]).toMatch(
      /^reached 200,000 of 1,000,000 scheduled arrivals \(80 % short\), schedule lag grew 3\.4 s through the window, the firing thread was busy 100 % of the window: .* from 0 ms to 5 s$/,
    );
  });

  it('a send loop that reaches every arrival but has no idle time to read the responses is saturated too', () => {
    // As measured with the sleeping send loop: 200,000 req/s asked of one worker for 3 s. Every
    // arrival was reached on time (dropping 90 % at the in-flight cap is cheap), but the thread
    // was busy 97–100 % of every second, reading 20,000 responses a second: its own limit.
    const run = intervals(0, 7, (k) =>
      k < 3
        ? { offered: 200_000, dropped: 180_000, latencyMs: [[900, 20_000]], lagMs: [[1.5, 20_000]], elu: k === 0 ? 0.92 : 0.98 }
        : { offered: 0, latencyMs: [[1500, 20_000]], elu: 1 },
    );
    const g = generatorHealth(config(200_000, 3000), run, { stopped: false, lagMsP99: 4, lagMsMax: 160 });
    expect(g.saturated).toBe(true);
    expect(g.reasons).toEqual([
      'the firing thread was busy 98 % of the window: it could not send, or read responses, any faster from 0 ms to 5 s',
    ]);
  });

  it('a generator that dropped arrivals is saturated, wherever the drops were', () => {
    const run = intervals(0, 20, (k) => ({ offered: 1000, latencyMs: [[5, k === 19 ? 990 : 1000]], droppedGenerator: k === 19 ? 10 : 0 }));
    const g = generatorHealth(config(), run, { stopped: true, lagMsP99: 1, lagMsMax: 1000 });
    expect(g.saturated).toBe(true);
    expect(g.reasons).toEqual(['10 arrivals (0.1 %) dropped because the generator reached them too late']);
  });

  it('a run stopped from outside is not short for the interval it stopped in, nor for the drain', () => {
    const run = intervals(0, 9, (k) =>
      k < 6 ? { offered: 1000, latencyMs: [[5, 1000]] } : k === 6 ? { offered: 400, latencyMs: [[5, 400]] } : { offered: 0 },
    );
    expect(generatorHealth(config(), run, { stopped: true, lagMsP99: 1, lagMsMax: 2 }).saturated).toBe(false);
    expect(generatorHealth(config(), run, { stopped: false, lagMsP99: 1, lagMsMax: 2 }).saturated).toBe(true);
    expect(GENERATOR_WINDOW_MS).toBe(5000);
  });
});

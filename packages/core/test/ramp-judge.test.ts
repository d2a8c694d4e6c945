import {
  type IntervalStats,
  type ProbeSample,
  type ProfileStep,
  type RampEvent,
  RampJudge,
  ValidationError,
  compileProfile,
  formatVerdictLine,
  judgeWindow,
  parseSlo,
} from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { type IntervalSpec, capacityTarget, interval } from './support/intervals.js';

/** The steps of a real step profile: 1,000, 2,000, 3,000 req/s for 10 s each. */
const steps = compileProfile({ kind: 'step', startRps: 1000, stepRps: 1000, stepDurationMs: '10s', maxRps: 3000 }).steps;
const slo = parseSlo('p99<500ms,errors<1%');

/** Runs `judge` over one-second intervals for `seconds`, stopping at the first decision, as the orchestrator does. */
function drive(judge: RampJudge, seconds: number, spec: (tMs: number) => IntervalSpec, probes?: Record<string, ProbeSample[]>) {
  const events: { atMs: number; event: RampEvent }[] = [];
  for (let t = 0; t < seconds * 1000; t += 1000) {
    const event = judge.push(interval({ startMs: t, ...spec(t) }), probes);
    if (event) events.push({ atMs: t, event });
    if (judge.decision) break;
  }
  const last = judge.finish();
  if (last) events.push({ atMs: seconds * 1000, event: last });
  return events;
}

const rateAt = (s: readonly ProfileStep[], tMs: number) => s.find((x) => tMs >= x.startMs && tMs < x.startMs + x.durationMs)?.rateRps ?? 0;

describe('RampJudge: knee and collapse', () => {
  it('holds the steps below a fixed capacity and collapses at the first above it, with its signature', () => {
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 30, (t) => capacityTarget(rateAt(steps, t), 2500));
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'step-held', 'collapse']);
    // The 3,000 req/s step breaks in its first judged second (after the 1 s warm-up): its p99 is
    // past the limit in a way the rest of the first 5 s window could not undo, so the judge does
    // not wait for that window to fill.
    expect(events[2]!.atMs).toBe(20_000 + 1000);
    const collapse = events[2]!.event as Extract<RampEvent, { type: 'collapse' }>;
    expect(collapse.window).toMatchObject({ kind: 'sliding', startMs: 21_000, durationMs: 1000 });

    const summary = judge.summary();
    expect(summary.verdict).toBe('collapsed');
    expect(summary.knee?.rateRps).toBe(2000);
    expect(summary.collapse?.step).toMatchObject({ index: 2, rateRps: 3000, verdict: 'breached' });
    expect(summary.collapse?.signature.map((c) => c.name)).toEqual(['p99', 'achieved']);
    expect(summary.collapse?.signature.find((c) => c.name === 'achieved')?.observed).toBeCloseTo(2500 / 3000, 6);
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'held', 'breached']);
    expect(judge.steps[1]).toMatchObject({ label: '2000 req/s', offered: 20_000, responses: 20_000, achievedRps: 2000, errors: 0 });
    expect(judge.steps[1]!.latencyMs.p99).toBeCloseTo(5, 1);
    expect(formatVerdictLine(summary)).toBe('knee 2,000 req/s; collapsed at 3,000 req/s: p99 2.3 s > 500 ms, achieved 83 % < 95 %');
  });

  it('judges a sliding window inside a long step, so a late breakdown is not averaged away', () => {
    const longStep: ProfileStep[] = [{ index: 0, label: '1000 req/s', startMs: 0, durationMs: 60_000, rateRps: 1000 }];
    // Fine for 50 s, then for 5 s only half the arrivals are answered, then fine again.
    const spec = (t: number): IntervalSpec => ({ offered: 1000, latencyMs: [[5, t >= 50_000 && t < 55_000 ? 500 : 1000]] });
    const all: IntervalStats[] = [];
    for (let t = 0; t < 60_000; t += 1000) all.push(interval({ startMs: t, ...spec(t) }));
    // Judged whole (after its warm-up), the step looks healthy: 56.5 k of 59 k answered = 95.8 %.
    expect(judgeWindow(all.slice(1), slo).ok).toBe(true);

    const judge = new RampJudge({ steps: longStep, slo });
    const events = drive(judge, 60, spec);
    expect(events).toHaveLength(1);
    expect(events[0]!.event.type).toBe('collapse');
    // Caught at the first bad second: the window [46 s, 51 s) answered 4,500 of 5,000.
    expect(events[0]!.atMs).toBe(50_000);
    expect(judge.summary().collapse?.window).toMatchObject({ kind: 'sliding', startMs: 46_000, durationMs: 5000 });
    expect(judge.summary().knee).toBeUndefined();
    expect(formatVerdictLine(judge.summary())).toBe('no step held; collapsed at 1,000 req/s: achieved 90 % < 95 %');
  });

  it('skips the warm-up after each rate change', () => {
    // The first second of every step answers only 60 % (responses lag the new rate), then all.
    const spec = (t: number): IntervalSpec => {
      const rate = rateAt(steps, t);
      return { offered: rate, latencyMs: [[5, t % 10_000 === 0 ? rate * 0.6 : rate]] };
    };
    const judged = new RampJudge({ steps, slo });
    expect(drive(judged, 30, spec).map((e) => e.event.type)).toEqual(['step-held', 'step-held', 'step-held']);
    expect(judged.summary()).toMatchObject({ verdict: 'held', lastHeld: { rateRps: 3000 } });
    expect(judged.steps[0]!.judged).toMatchObject({ kind: 'step', startMs: 1000, durationMs: 9000 });
    // Counts still cover the whole step.
    expect(judged.steps[0]).toMatchObject({ offered: 10_000, responses: 9_600 });
    expect(formatVerdictLine(judged.summary())).toBe('held at every step up to 3,000 req/s; no collapse');

    // Without the warm-up the same transition reads as a collapse of the first step.
    const strict = new RampJudge({ steps, slo, warmupMs: 0 });
    const events = drive(strict, 30, spec);
    expect(events.map((e) => e.event.type)).toEqual(['collapse']);
    expect(strict.summary().collapse?.step.rateRps).toBe(1000);
  });

  it('judges the whole step at its end, which a percentile needing more samples than a window holds relies on', () => {
    // 150 req/s: a 5 s window has 750 responses (p99 needs 1,000), the judged 9 s of the step 1,350.
    const slow: ProfileStep[] = [{ index: 0, label: '150 req/s', startMs: 0, durationMs: 10_000, rateRps: 150 }];
    const judge = new RampJudge({ steps: slow, slo });
    const events = drive(judge, 10, () => ({
      offered: 150,
      latencyMs: [
        [5, 140],
        [900, 10],
      ],
    }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ atMs: 9000, event: { type: 'collapse', window: { kind: 'step', durationMs: 9000 } } });
  });
});

describe('RampJudge: the saturation rule', () => {
  it('a breach while the generator fell behind is inconclusive, not a knee', () => {
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      const target = capacityTarget(rate, 2500);
      // At 3,000 req/s the send loop reaches only 2,600 arrivals a second: it is falling behind.
      return rate === 3000 ? { ...target, offered: 2600, latencyMs: [[2300, 2500]] } : target;
    });
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'step-held', 'inconclusive']);
    const summary = judge.summary();
    expect(summary.verdict).toBe('inconclusive');
    expect(summary.knee).toBeUndefined();
    expect(summary.collapse).toBeUndefined();
    expect(summary.inconclusive).toEqual({
      rateRps: 3000,
      reason: 'generator saturated at 3,000 req/s (reached 13,000 of 15,000 scheduled arrivals (13 % short))',
      advice: 'add --workers or shard the load across machines',
    });
    expect(judge.steps[2]!.verdict).toBe('inconclusive');
    expect(formatVerdictLine(summary)).toBe(
      'inconclusive: generator saturated at 3,000 req/s (reached 13,000 of 15,000 scheduled arrivals (13 % short)); add --workers or shard the load across machines; held up to 2,000 req/s',
    );
  });

  it('a latency breach far beyond the lag is a collapse: a late send cannot fake it', () => {
    // Every send at 3,000 req/s was 23 ms late (the old rule called this saturation, exit 5).
    const judge = new RampJudge({ steps, slo });
    drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      const target = capacityTarget(rate, 2500);
      return rate === 3000 ? { ...target, lagMs: [[23, rate]] } : target;
    });
    const summary = judge.summary();
    expect(summary.verdict).toBe('collapsed');
    expect(summary.knee?.rateRps).toBe(2000);
    const p99 = summary.collapse!.signature.find((c) => c.name === 'p99')!;
    expect(p99.withoutLagMs).toBeGreaterThan(2200);
  });

  it('40 % errors with a few ms of lag is a collapse', () => {
    const judge = new RampJudge({ steps, slo });
    drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      return rate === 2000
        ? { offered: rate, latencyMs: [[3, rate]], statusErrors: rate * 0.4, lagMs: [[8, rate]] }
        : { offered: rate, latencyMs: [[5, rate]] };
    });
    const summary = judge.summary();
    expect(summary.verdict).toBe('collapsed');
    expect(summary.collapse!.signature.map((c) => c.name)).toEqual(['errors', 'achieved']);
    expect(formatVerdictLine(summary)).toBe('knee 1,000 req/s; collapsed at 2,000 req/s: errors 40 % > 1 %, achieved 60 % < 95 %');
  });

  it('a latency breach the lag could explain is inconclusive at the end of its step', () => {
    // p99 is 520 ms against a 500 ms limit, and every send was 40 ms late.
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      return rate === 2000
        ? {
            offered: rate,
            latencyMs: [
              [50, rate * 0.98],
              [520, rate * 0.02],
            ],
            lagMs: [[40, rate]],
          }
        : { offered: rate, latencyMs: [[5, rate]] };
    });
    // Not decided on the first ambiguous window (t = 15 s): only when the step ends.
    expect(events.map((e) => [e.atMs, e.event.type])).toEqual([
      [9000, 'step-held'],
      [19_000, 'inconclusive'],
    ]);
    const summary = judge.summary();
    expect(summary.verdict).toBe('inconclusive');
    expect(summary.inconclusive!.reason).toMatch(
      /^the generator's schedule lag \(up to 40 ms\) could explain the breach at 2,000 req\/s: p99 520 ms > 500 ms, but only at least 4\d\d ms without the lag$/,
    );
    expect(judge.steps[1]).toMatchObject({ verdict: 'inconclusive', generator: { saturated: false } });
  });

  it('an ambiguous window is overruled by a later window of the step that breaches beyond doubt', () => {
    const judge = new RampJudge({ steps, slo });
    drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      if (rate !== 2000) return { offered: rate, latencyMs: [[5, rate]] };
      // Marginal at first, then the queue builds and p99 runs away.
      return t < 17_000
        ? {
            offered: rate,
            latencyMs: [
              [50, rate * 0.98],
              [520, rate * 0.02],
            ],
            lagMs: [[40, rate]],
          }
        : {
            offered: rate,
            latencyMs: [
              [50, rate * 0.9],
              [3000, rate * 0.1],
            ],
            lagMs: [[40, rate]],
          };
    });
    expect(judge.summary()).toMatchObject({ verdict: 'collapsed', knee: { rateRps: 1000 }, collapse: { step: { rateRps: 2000 } } });
  });

  it('a step the target held despite late sends (lag, no backlog) is held: the lag only made it look worse', () => {
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 20, (t) => {
      const rate = rateAt(steps, t);
      return { offered: rate, latencyMs: [[5, rate]], ...(rate === 1000 ? { lagMs: [[12, rate]] as [number, number][] } : {}) };
    });
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'step-held']);
    expect(judge.steps[0]!.verdict).toBe('held');
    expect(judge.steps[0]!.generator).toMatchObject({ saturated: false });
    expect(judge.steps[0]!.generator.lagMsP99).toBeGreaterThan(5);
  });

  it('a send loop that fell behind within its first second is not offering, whatever it dropped at the in-flight cap', () => {
    // One worker asked for 200,000 req/s (as measured): it reached every arrival of the first
    // second, but sent the median one 19 ms late with its thread busy 93 % of the time, so it
    // could neither send nor read responses at that rate; the in-flight cap then dropped half.
    // A window of one interval, from t0.
    const oneStep: ProfileStep[] = [{ index: 0, label: '200000 req/s', startMs: 0, durationMs: 3000, rateRps: 200_000 }];
    const judge = new RampJudge({ steps: oneStep, slo: parseSlo('p99<1s,achieved>10%'), warmupMs: 500, windowMs: 1000 });
    const event = judge.push(
      interval({ startMs: 0, offered: 200_000, dropped: 92_000, latencyMs: [[900, 10_500]], lagMs: [[19, 108_000]], elu: 0.93 }),
    );
    expect(event?.type).toBe('inconclusive');
    expect(judge.summary().inconclusive?.reason).toBe(
      'generator saturated at 200,000 req/s (the firing thread was busy 93 % of the window and its lag grew 19 ms)',
    );
  });

  it('a step the target held while the generator dropped arrivals is inconclusive too', () => {
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      return rate === 2000
        ? { offered: rate, droppedGenerator: 50, latencyMs: [[5, rate - 50]] }
        : { offered: rate, latencyMs: [[5, rate]] };
    });
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'inconclusive']);
    expect(judge.summary()).toMatchObject({ verdict: 'inconclusive', lastHeld: { rateRps: 1000 } });
    expect(judge.summary().inconclusive?.reason).toMatch(/^generator saturated at 2,000 req\/s \(450 arrivals dropped by the generator\)$/);
  });

  it('a stop from outside is not a shortfall: the interval it happened in and the drain are left out', () => {
    const judge = new RampJudge({ steps, slo });
    for (let t = 0; t < 14_000; t += 1000) {
      const rate = rateAt(steps, t);
      // Stopped 300 ms into [12 s, 13 s); [13 s, 14 s) is the drain.
      if (t === 12_000) judge.sendingStopped(12_300);
      const offered = t < 12_000 ? rate : t === 12_000 ? rate * 0.3 : 0;
      judge.push(interval({ startMs: t, offered, latencyMs: [[5, offered]] }));
    }
    judge.finish();
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'partial']);
    expect(judge.summary()).toMatchObject({ verdict: 'partial', lastHeld: { rateRps: 1000 }, stoppedDuring: { rateRps: 2000 } });
  });
});

describe('RampJudge: a stop is never a verdict about the target', () => {
  it('what the stop abandoned is not judged: a step whose drain failed every request is partial, not a collapse', () => {
    // Stopped 400 ms into [13 s, 14 s): that interval and the drain after it hold nothing but the
    // requests the stop abandoned, failed as timeouts. None of it is the target's doing.
    const judge = new RampJudge({ steps, slo });
    for (let t = 0; t < 16_000; t += 1000) {
      const rate = rateAt(steps, t);
      if (t === 13_000) judge.sendingStopped(13_400);
      const fields =
        t < 13_000 ? { offered: rate, latencyMs: [[5, rate]] as const } : { offered: t === 13_000 ? 800 : 0, transportErrors: 900 };
      judge.push(interval({ startMs: t, ...fields }));
    }
    expect(judge.finish()).toBeUndefined();
    expect(judge.decision).toBeUndefined();
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'partial']);
    expect(judge.steps[1]).toMatchObject({ errors: 0, detail: 'sending was stopped before the step ended' });
    expect(judge.summary().verdict).toBe('partial');
    expect(judge.summary().collapse).toBeUndefined();
  });

  it('a breach that was certain before the stop is still the collapse it was', () => {
    // 40 % of requests failed in both seconds before the stop: no rest of the step could bring it under 1 %.
    const judge = new RampJudge({ steps, slo });
    let decided: string | undefined;
    for (let t = 0; t < 14_000 && !decided; t += 1000) {
      const rate = rateAt(steps, t);
      if (t === 13_000) judge.sendingStopped(13_000);
      const fields =
        t < 10_000
          ? { offered: rate, latencyMs: [[5, rate]] as const }
          : { offered: rate, transportErrors: 0.4 * rate, latencyMs: [[5, 0.6 * rate]] as const };
      const type = judge.push(interval({ startMs: t, ...fields }))?.type;
      if (type === 'collapse' || type === 'inconclusive') decided = type;
    }
    expect(decided ?? judge.finish()?.type).toBe('collapse');
    expect(judge.summary()).toMatchObject({ verdict: 'collapsed', knee: { rateRps: 1000 }, collapse: { step: { rateRps: 2000 } } });
  });

  it('a step cut short with a breach that was not yet certain is partial (2 % errors, 1 % allowed, a 20 s window)', () => {
    // The error-burst guardrail stopped the run 3 ms into the step's last second, [9 s, 10 s).
    const at = (t: number) =>
      t < 9000 ? { offered: 1000, transportErrors: 20, latencyMs: [[5, 980]] as const } : { offered: 3, transportErrors: 3 };
    const judge = new RampJudge({ steps, slo, windowMs: 20_000 });
    for (let t = 0; t < 10_000; t += 1000) {
      if (t === 9000) judge.sendingStopped(9003);
      judge.push(interval({ startMs: t, ...at(t) }));
    }
    expect(judge.finish()).toBeUndefined();
    expect(judge.summary().verdict).toBe('partial');
    // Not told of the stop, the judge could only see a generator that fell 20 % behind.
    const blind = new RampJudge({ steps, slo, windowMs: 20_000 });
    for (let t = 0; t < 10_000; t += 1000) blind.push(interval({ startMs: t, ...at(t) }));
    expect(blind.decision?.type).toBe('inconclusive');
  });

  it('a ramp whose very first step breaches never saw the target healthy', () => {
    const judge = new RampJudge({ steps, slo, warmupMs: 0, windowMs: 1000 });
    expect(judge.push(interval({ startMs: 0, offered: 1000, transportErrors: 1000 }))?.type).toBe('collapse');
    expect(judge.summary()).toMatchObject({ verdict: 'never-healthy', collapse: { step: { index: 0 } } });
    expect(judge.summary().knee).toBeUndefined();
  });
});

describe('RampJudge: unjudged conditions', () => {
  const low = compileProfile({ kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '6s', maxRps: 400 }).steps;

  it('a step whose percentile had too few responses is not judged, and cannot be the knee', () => {
    // 5 judged seconds after the warm-up: 500, 1,000, 1,500 responses at 100, 200, 300 req/s.
    const judge = new RampJudge({ steps: low, slo });
    const events = drive(judge, 24, (t) => {
      const rate = rateAt(low, t);
      return rate === 400 ? { offered: rate, latencyMs: [[900, rate]] } : { offered: rate, latencyMs: [[5, rate]] };
    });
    expect(events.map((e) => e.event.type)).toEqual(['step-unjudged', 'step-held', 'step-held', 'collapse']);
    expect(judge.steps[0]).toMatchObject({ verdict: 'unjudged', detail: 'p99 not judged: only 500 responses, p99 needs 1,000' });
    expect(judge.summary()).toMatchObject({ verdict: 'collapsed', knee: { rateRps: 300 } });
  });

  it('an unjudged step right below the collapse leaves the knee at the last judged step, and says so', () => {
    // The queue-depth probe went quiet during the 300 req/s step: nothing to judge it on.
    const judge = new RampJudge({ steps: low, slo: parseSlo('p50<100ms,queue_depth<100') });
    const queue: ProbeSample[] = [];
    drive(
      judge,
      24,
      (t) => {
        const rate = rateAt(low, t);
        if (rate !== 300) queue.push({ tMs: t + 500, value: rate === 400 ? 500 : 3, ok: true });
        return { offered: rate, latencyMs: [[5, rate]] };
      },
      { queue_depth: queue },
    );
    const summary = judge.summary();
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'held', 'unjudged', 'breached']);
    expect(summary.knee?.rateRps).toBe(200);
    expect(summary.unjudged?.map((s) => s.rateRps)).toEqual([300]);
    expect(formatVerdictLine(summary)).toBe(
      'knee 200 req/s (not judged above it: 300 req/s); collapsed at 400 req/s: queue_depth 500 >= 100',
    );
  });

  it('a ramp in which no step could be judged is inconclusive, with what to change', () => {
    const judge = new RampJudge({ steps: low, slo: parseSlo('p999<500ms') });
    drive(judge, 24, (t) => ({ offered: rateAt(low, t), latencyMs: [[5, rateAt(low, t)]] }));
    expect(judge.summary()).toMatchObject({
      verdict: 'inconclusive',
      inconclusive: { rateRps: 400, reason: 'no step could be judged on every condition of the SLO' },
    });
  });

  it('timeouts count in the percentile at the timeout: a hang collapses with the timeout in p99', () => {
    const judge = new RampJudge({ steps, slo });
    drive(judge, 30, (t) => {
      const rate = rateAt(steps, t);
      return rate === 2000
        ? { offered: rate, latencyMs: [[5, rate * 0.5]], failedMs: [[2000, rate * 0.5]] }
        : { offered: rate, latencyMs: [[5, rate]] };
    });
    const summary = judge.summary();
    expect(summary.verdict).toBe('collapsed');
    const p99 = summary.collapse!.signature.find((c) => c.name === 'p99')!;
    expect(p99.observed).toBeGreaterThanOrEqual(2000);
    expect(summary.collapse!.signature.map((c) => c.name)).toEqual(['p99', 'errors', 'achieved']);
  });
});

describe('RampJudge: probes', () => {
  it('a queue-depth gauge over its limit ends the ramp', () => {
    const probes: Record<string, ProbeSample[]> = { queue_depth: [] };
    const judge = new RampJudge({ steps, slo: parseSlo('p99<500ms,queue_depth<1000') });
    const events: RampEvent[] = [];
    for (let t = 0; t < 30_000 && !judge.decision; t += 1000) {
      // The target's queue grows from 15 s on; the probe polls once a second.
      probes['queue_depth']!.push({ tMs: t + 500, value: t < 15_000 ? 3 : (t - 14_000) * 0.5, ok: true });
      const e = judge.push(interval({ startMs: t, offered: rateAt(steps, t), latencyMs: [[5, rateAt(steps, t)]] }), probes);
      if (e) events.push(e);
    }
    expect(events.map((e) => e.type)).toEqual(['step-held', 'collapse']);
    const summary = judge.summary();
    expect(summary.collapse?.signature).toEqual([expect.objectContaining({ name: 'queue_depth', observed: 1000, ok: false })]);
    // 1000 is not < 1000: breached at t = 16 s, the first second whose sample reads 1,000.
    expect(summary.collapse?.window.startMs).toBe(12_000);
    expect(summary.knee?.rateRps).toBe(1000);
  });

  it("a queue over its limit in the warm-up is this step's, even when a breaker emptied it before the warm-up ended", () => {
    // 4 s steps (warm-up 0.8 s): in the 2,000 req/s step the queue reads 143 at 8.9 s, then the
    // breaker opens and answers 503s, and the queue reads 0 from 9.5 s on.
    const short = compileProfile({ kind: 'step', startRps: 1000, stepRps: 1000, stepDurationMs: '4s', maxRps: 2000 }).steps;
    const queue: ProbeSample[] = [];
    const judge = new RampJudge({ steps: short, slo: parseSlo('p99<500ms,translation_queue<100') });
    for (let t = 0; t < 8000 && !judge.decision; t += 1000) {
      queue.push(
        { tMs: t + 400, value: t < 4000 ? 10 : t === 4000 ? 143 : 0, ok: true },
        { tMs: t + 900, value: t < 4000 ? 12 : 0, ok: true },
      );
      const rate = rateAt(short, t);
      judge.push(
        interval({
          startMs: t,
          ...(t < 5000 ? { offered: rate, latencyMs: [[5, rate]] } : { offered: rate, latencyMs: [[1, rate]], statusErrors: rate }),
        }),
        { translation_queue: queue },
      );
    }
    const summary = judge.summary();
    expect(summary.collapse?.signature.map((c) => c.name)).toEqual(['errors', 'achieved', 'translation_queue']);
    expect(summary.collapse?.signature.find((c) => c.name === 'translation_queue')?.observed).toBe(143);
    expect(summary.knee?.rateRps).toBe(1000);
  });

  it('an unreachable probe is a breach, not a crash', () => {
    const judge = new RampJudge({ steps, slo: parseSlo('p99<500ms,health ok') });
    const health: ProbeSample[] = [];
    const events = drive(
      judge,
      30,
      (t) => {
        health.push(t < 12_000 ? { tMs: t, value: 1, ok: true } : { tMs: t, value: null, ok: false, error: 'ECONNREFUSED' });
        return { offered: rateAt(steps, t), latencyMs: [[5, rateAt(steps, t)]] };
      },
      { health },
    );
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'collapse']);
    expect(formatVerdictLine(judge.summary())).toBe('knee 1,000 req/s; collapsed at 2,000 req/s: health not ok: ECONNREFUSED');
  });
});

describe('RampJudge: bookkeeping', () => {
  it('a step cut short by the end of the run is partial, and stays out of the knee', () => {
    const judge = new RampJudge({ steps, slo });
    const events = drive(judge, 14, (t) => ({ offered: rateAt(steps, t), latencyMs: [[5, rateAt(steps, t)]] }));
    expect(events.map((e) => e.event.type)).toEqual(['step-held']);
    expect(judge.steps.map((s) => s.verdict)).toEqual(['held', 'partial']);
    expect(judge.steps[1]!.detail).toBe('the run ended before the step did');
    expect(judge.summary()).toMatchObject({ verdict: 'held', lastHeld: { rateRps: 1000 } });
  });

  it('ignores intervals after a decision and those outside every step', () => {
    const judge = new RampJudge({ steps, slo });
    expect(judge.push(interval({ startMs: 40_000, offered: 10, transportErrors: 10 }))).toBeUndefined();
    expect(judge.steps).toEqual([]);
    expect(judge.summary()).toMatchObject({
      verdict: 'inconclusive',
      inconclusive: { reason: 'the ramp ended before any step was completed' },
    });
    const broken = new RampJudge({ steps, slo, warmupMs: 0, windowMs: 1000 });
    expect(broken.push(interval({ startMs: 0, offered: 1000, transportErrors: 1000 }))?.type).toBe('collapse');
    expect(broken.push(interval({ startMs: 1000, offered: 1000, latencyMs: [[5, 1000]] }))).toBeUndefined();
    expect(broken.finish()).toBeUndefined();
    expect(broken.steps).toHaveLength(1);
  });

  it('rejects bad options, naming each', () => {
    try {
      new RampJudge({ steps: [], slo: { latency: [{ percentile: 99, maxMs: 0 }] }, windowMs: 0, warmupMs: -1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual([
        'options.steps',
        'options.slo.latency[0].maxMs',
        'options.windowMs',
        'options.warmupMs',
      ]);
    }
    expect(() => new RampJudge({ steps, slo, warmupMs: 10_000 })).toThrow(
      /options.warmupMs must be shorter than the shortest step \(10000 ms\)/,
    );
  });
});

describe('RampJudge: a collapse decided as soon as it is certain', () => {
  it('stops in the first judged second when 40 % of requests fail: no later second could bring the window under 1 %', () => {
    const judge = new RampJudge({ steps, slo });
    // Healthy at 1,000 req/s; at 2,000 req/s 40 % of requests fail from the start.
    const events = drive(judge, 20, (t) => (t < 10_000 ? { latencyMs: [[5, 1000]] } : { latencyMs: [[5, 1200]], transportErrors: 800 }));
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'collapse']);
    expect(events[1]!.atMs).toBe(11_000);
    expect(judge.summary().collapse?.signature.map((c) => c.name)).toContain('errors');
  });

  it('waits while a breach is possible but not yet certain', () => {
    const judge = new RampJudge({ steps, slo });
    // 2 % of requests fail at 2,000 req/s: over one second that could still average out under 1 %.
    const events = drive(judge, 20, (t) => (t < 10_000 ? { latencyMs: [[5, 1000]] } : { latencyMs: [[5, 1960]], transportErrors: 40 }));
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'collapse']);
    // Not after one second (40 failed of 2,000: the next four could bring the window to 0.4 %),
    // but after three (120 of 6,000: even 4,400 perfect requests more leave it at 1.15 %).
    expect(events[1]!.atMs).toBe(13_000);
  });
});

describe('RampJudge: a collapse called before its window was full', () => {
  it('names the breach that made it certain, though the window so far had too few responses to judge the percentile', () => {
    // 200, then 400 req/s; at 400 req/s every response takes 2 s from the first judged second on.
    // That second has 400 responses, fewer than p99 needs (1,000), so the window so far cannot
    // judge it; but 400 slow of at most 2,160 in the full window are certain to put p99 past 500 ms.
    const low = compileProfile({ kind: 'step', startRps: 200, stepRps: 200, stepDurationMs: '10s', maxRps: 400 }).steps;
    const judge = new RampJudge({ steps: low, slo });
    const events = drive(judge, 20, (t) => (t < 10_000 ? { latencyMs: [[5, 200]] } : { latencyMs: [[2000, 400]] }));
    expect(events.map((e) => e.event.type)).toEqual(['step-held', 'collapse']);
    expect(events[1]!.atMs).toBe(11_000);
    const summary = judge.summary();
    expect(summary.collapse?.signature.map((c) => c.name)).toEqual(['p99']);
    expect(summary.collapse?.signature[0]).toMatchObject({ status: 'breached', limit: 500 });
    expect(summary.collapse?.signature[0]?.observed).toBeGreaterThan(500);
    // The step's own conditions say the same as its signature.
    expect(summary.collapse?.step.conditions.find((c) => c.name === 'p99')?.status).toBe('breached');
    expect(formatVerdictLine(summary)).toMatch(/^knee 200 req\/s; collapsed at 400 req\/s: p99 \d[\d.,]* s > 500 ms/);
  });
});

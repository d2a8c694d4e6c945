import type { ValidationIssue } from '../errors.js';
import { type DurationInput, readDurationMs, readNumber } from '../units.js';
import { CurveBuilder } from './builder.js';
import type { RateCurve } from './curve.js';

/** A base rate with one sudden spike: base until `atMs`, spikeRps for `spikeDurationMs`, base after. */
export interface SpikeProfile {
  readonly kind: 'spike';
  readonly baseRps: number;
  readonly spikeRps: number;
  readonly atMs: DurationInput;
  readonly spikeDurationMs: DurationInput;
  readonly durationMs: DurationInput;
}

export function validateSpike(p: SpikeProfile, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  readNumber(p.baseRps, `${path}.baseRps`, issues, { what: 'a rate in req/s' });
  readNumber(p.spikeRps, `${path}.spikeRps`, issues, { min: 0, allowMin: false, what: 'a rate in req/s' });
  const at = readDurationMs(p.atMs, `${path}.atMs`, issues, { allowZero: true });
  const len = readDurationMs(p.spikeDurationMs, `${path}.spikeDurationMs`, issues);
  const total = readDurationMs(p.durationMs, `${path}.durationMs`, issues);
  if (at + len > total)
    issues.push({ path: `${path}.durationMs`, message: `must be >= atMs + spikeDurationMs (${at + len} ms) (got ${total} ms)` });
  return issues;
}

export function compileSpike(p: SpikeProfile, ms: (d: DurationInput) => number): RateCurve {
  const at = ms(p.atMs);
  const len = ms(p.spikeDurationMs);
  const total = ms(p.durationMs);
  return new CurveBuilder()
    .add(at, p.baseRps, p.baseRps, `base ${p.baseRps} req/s`)
    .add(len, p.spikeRps, p.spikeRps, `spike ${p.spikeRps} req/s`)
    .add(total - at - len, p.baseRps, p.baseRps, `after ${p.baseRps} req/s`)
    .build();
}

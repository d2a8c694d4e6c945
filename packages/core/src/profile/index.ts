import { ValidationError, type ValidationIssue } from '../errors.js';
import { closest, PROFILE_FIELDS, unknownFields } from '../scenario/known-fields.js';
import { describe, isUnitlessDuration, parseDurationMs } from '../units.js';
import { type ConstantProfile, compileConstant, validateConstant } from './constant.js';
import type { RateCurve } from './curve.js';
import { type ExponentialProfile, compileExponential, validateExponential } from './exponential.js';
import { type LinearProfile, compileLinear, validateLinear } from './linear.js';
import { type PinchProfile, compilePinch, validatePinch } from './pinch.js';
import { type SpikeProfile, compileSpike, validateSpike } from './spike.js';
import { type StagesProfile, compileStages, validateStages } from './stages.js';
import { type StepProfile, compileStep, validateStep } from './step.js';

export type Profile = ConstantProfile | LinearProfile | StepProfile | ExponentialProfile | SpikeProfile | PinchProfile | StagesProfile;

export type ProfileKind = Profile['kind'];

interface KindEntry {
  validate(p: never, path: string): ValidationIssue[];
  compile(p: never, ms: typeof parseDurationMs): RateCurve;
}

const KINDS: Record<ProfileKind, KindEntry> = {
  constant: { validate: validateConstant, compile: compileConstant },
  linear: { validate: validateLinear, compile: compileLinear },
  step: { validate: validateStep, compile: compileStep },
  exponential: { validate: validateExponential, compile: compileExponential },
  spike: { validate: validateSpike, compile: compileSpike },
  pinch: { validate: validatePinch, compile: compilePinch },
  stages: { validate: validateStages, compile: compileStages },
};

export const PROFILE_KINDS = Object.keys(KINDS) as ProfileKind[];

/** Every problem with a profile, each with its path (e.g. `profile.stages[2].durationMs`). */
export function validateProfile(profile: unknown, path = 'profile'): ValidationIssue[] {
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    return [{ path, message: `must be an object with a kind (${PROFILE_KINDS.join(', ')}) (got ${describe(profile)})` }];
  }
  const kind = (profile as { kind?: unknown }).kind;
  const entry = typeof kind === 'string' ? KINDS[kind as ProfileKind] : undefined;
  if (!entry || !Object.hasOwn(KINDS, kind as string)) {
    return [{ path: `${path}.kind`, message: `must be one of ${PROFILE_KINDS.join(', ')} (got ${describe(kind)})` }];
  }
  const unknown = unknownFields(profile, PROFILE_FIELDS[kind as ProfileKind]!, path, `a ${kind} profile`);
  return [...unknown, ...entry.validate(profile as never, path)];
}

/** Validates and compiles a profile to its rate curve; throws a ValidationError listing every problem. */
export function compileProfile(profile: Profile, path = 'profile'): RateCurve {
  const issues = validateProfile(profile, path);
  if (issues.length > 0) throw new ValidationError('profile', issues);
  return KINDS[profile.kind].compile(profile as never, parseDurationMs);
}

const ALIASES: Record<string, string> = {
  rate: 'rateRps',
  duration: 'durationMs',
  from: 'fromRps',
  to: 'toRps',
  start: 'startRps',
  step: 'stepRps',
  every: 'stepDurationMs',
  stepDuration: 'stepDurationMs',
  max: 'maxRps',
  base: 'baseRps',
  spike: 'spikeRps',
  at: 'atMs',
  for: 'spikeDurationMs',
  hold: 'holdMs',
  release: 'releaseRps',
  before: 'beforeMs',
  after: 'afterMs',
};

/**
 * Parses a profile as written on the command line:
 * - JSON: `{"kind":"step","startRps":100,...}`
 * - compact: `step:start=100,step=100,every=10s,max=2000`, `constant:rate=500,duration=30s`,
 *   `linear:from=10,to=1000,duration=1m`, `pinch:base=50,hold=20s,release=500,after=20s`
 * - stages: `stages:30s@100,1m@2000,30s@0` (duration@target, k6 style)
 * The result still goes through validateProfile, which names bad fields.
 */
export function parseProfileText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new ValidationError('profile', [{ path: 'profile', message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? '' : trimmed.slice(colon + 1);
  const parts = rest === '' ? [] : rest.split(',').map((p) => p.trim());
  // Typed text has no field names to carry a unit: `every=10` was 10 ms. A bare duration is refused.
  const unitless: ValidationIssue[] = [];
  const needsUnit = (key: string, v: string) => {
    if (isUnitlessDuration(v)) unitless.push({ path: '', message: `${key}=${v} needs a unit: ${key}=${v}s or ${key}=${v}ms` });
  };
  if (kind === 'stages') {
    const stages = parts.map((part) => {
      const [d, r] = part.split('@');
      if (isUnitlessDuration(d ?? ''))
        unitless.push({ path: '', message: `stage "${part}" needs a unit on its duration: ${d!.trim()}s@${r ?? ''}` });
      return { durationMs: d ?? '', targetRps: toValue(r ?? '') };
    });
    if (unitless.length > 0) throw new ValidationError('profile', unitless);
    return { kind, stages };
  }
  const out: Record<string, unknown> = { kind };
  const unknownKeys: ValidationIssue[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new ValidationError('profile', [
        { path: 'profile', message: `"${part}" must be key=value, e.g. ${kind}:rate=100,duration=30s` },
      ]);
    }
    const key = part.slice(0, eq).trim();
    const field = ALIASES[key] ?? key;
    const value = part.slice(eq + 1).trim();
    const fields = PROFILE_FIELDS[kind];
    if (fields && !fields.includes(field)) {
      // Said in the compact form's own words: `rat=` is a typo of `rate=`, not of `rateRps`.
      const keys = [...Object.keys(ALIASES).filter((a) => fields.includes(ALIASES[a]!)), ...fields.filter((f) => f !== 'kind')];
      const guess = closest(key, keys);
      unknownKeys.push({
        path: '',
        message: `${key}= is not a field of a ${kind} profile: ${guess ? `did you mean ${guess}=?` : `use ${keys.join('=, ')}=`}`,
      });
      continue;
    }
    if (field.endsWith('Ms') && !key.endsWith('Ms')) needsUnit(key, value);
    out[field] = toValue(value);
  }
  if (unitless.length + unknownKeys.length > 0) throw new ValidationError('profile', [...unknownKeys, ...unitless]);
  return out;
}

function toValue(v: string): unknown {
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

export type { ConstantProfile, LinearProfile, StepProfile, ExponentialProfile, SpikeProfile, PinchProfile, StagesProfile };

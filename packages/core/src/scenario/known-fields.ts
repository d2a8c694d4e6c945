import type { ValidationIssue } from '../errors.js';

/**
 * The fields of each object a scenario is made of. A field not listed is refused rather than
 * ignored: for a safety tool, `safety.maxRPS: 10` silently dropped means a run with no rate
 * ceiling, and `recovery.cooldown` dropped means a recovery check nobody asked for. The top
 * levels are checked in scenario.ts; profiles, SLO objects, feeders, captures, conditions and
 * think times by their own validators, so a library call is held to the same rule; probes by
 * kind in probe/spec.ts.
 */
export const SCENARIO_FIELDS = {
  scenario: [
    'name',
    'description',
    'target',
    'embeddedTarget',
    'requests',
    'journeys',
    'feeders',
    'slo',
    'probes',
    'actions',
    'profile',
    'safety',
    'recovery',
    'timeoutMs',
    'tls',
    'http2',
  ],
  embeddedTarget: ['module', 'options'],
  safety: ['allowedHosts', 'budgets', 'maxRps', 'maxRequests', 'maxDurationMs', 'errorBurst', 'runIdHeader'],
  errorBurst: ['maxErrorRate', 'windowMs'],
  recovery: ['baselineRatio', 'cooldownMs', 'withinMs', 'windowMs'],
  tls: ['ca', 'cert', 'key', 'insecure'],
  request: ['name', 'weight', 'method', 'path', 'headers', 'body', 'expectStatus', 'sideEffects'],
  journey: ['name', 'weight', 'steps'],
  step: ['name', 'method', 'path', 'headers', 'body', 'expectStatus', 'sideEffects', 'capture', 'poll', 'check', 'thinkTime', 'onFailure'],
  poll: ['until', 'intervalMs', 'maxTries', 'maxMs'],
  action: ['name', 'at', 'method', 'path', 'url', 'headers', 'body', 'expectStatus', 'timeoutMs', 'always', 'onFailure', 'release'],
  capture: ['json', 'header', 'regex', 'group'],
  condition: ['status', 'json', 'equals', 'in'],
  thinkTime: ['uniform', 'exponential'],
  feederFile: ['csv', 'json'],
  slo: ['latency', 'maxErrorRate', 'minAchievedRatio', 'maxDropRate', 'probes', 'scoped'],
  sloLatency: ['percentile', 'maxMs'],
  sloProbe: ['probe', 'op', 'value'],
  sloScoped: ['scope', 'name', 'latency', 'maxErrorRate'],
  stage: ['durationMs', 'targetRps'],
} as const satisfies Record<string, readonly string[]>;

/** The fields of each profile kind (`kind` included). */
export const PROFILE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  constant: ['kind', 'rateRps', 'durationMs'],
  linear: ['kind', 'fromRps', 'toRps', 'durationMs'],
  step: ['kind', 'startRps', 'stepRps', 'stepDurationMs', 'maxRps'],
  exponential: ['kind', 'startRps', 'factor', 'stepDurationMs', 'maxRps'],
  spike: ['kind', 'baseRps', 'spikeRps', 'atMs', 'spikeDurationMs', 'durationMs'],
  pinch: ['kind', 'baseRps', 'holdMs', 'releaseRps', 'beforeMs', 'afterMs'],
  stages: ['kind', 'startRps', 'stages'],
};

/**
 * An issue for each key of `value` that is not among `known`, at `path.key`, with the field it
 * was most likely meant to be (same letters in another case, or at most two edits away).
 */
export function unknownFields(value: unknown, known: readonly string[], path: string, what: string): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    const guess = closest(key, known);
    const fix = guess
      ? `did you mean ${path === '' ? guess : `${path}.${guess}`}?`
      : `remove it, or use one of the fields of ${what}: ${known.join(', ')}`;
    issues.push({ path: at, message: `is not a field of ${what}, and would be ignored: ${fix}` });
  }
  return issues;
}

/** The known field `key` was most likely meant to be, if one is close enough. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    // A field's name without its unit counts too: `cooldown` is `cooldownMs`, `rat` is `rateRps`.
    const bare = k.replace(/(Ms|Rps)$/, '').toLowerCase();
    if (bare !== k.toLowerCase() && bare === lower) return k;
    const d = Math.min(editDistance(lower, k.toLowerCase()), editDistance(lower, bare));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.min(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Edit distance: insertions, deletions, substitutions, and two neighbours swapped (`cvs` for `csv`) as one. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) current[j] = Math.min(current[j]!, before[j - 2]! + 1);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

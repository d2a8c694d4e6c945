import type { ValidationIssue } from '../errors.js';

/**
 * Refuses every field a scenario object does not define. For a safety tool, an ignored typo is a
 * guardrail silently switched off (`safety.maxRPS: 10` used to leave the rate uncapped), so an
 * unknown name is an error with the nearest known name, as a compiler would say it.
 */
export function checkKnownFields(value: unknown, known: readonly string[], at: string, issues: ValidationIssue[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const path = at === '' ? key : `${at}.${key}`;
    const near = nearestName(key, known);
    const prefix = at === '' ? '' : `${at}.`;
    issues.push({
      path,
      message: near
        ? `is not a field: did you mean ${prefix}${near}?`
        : `is not a field (the fields of ${at === '' ? 'a scenario' : at} are ${known.join(', ')})`,
    });
  }
}

/** The known name closest to `name`, when it is close enough to be the one meant. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    // Case alone (maxRPS for maxRps) is the commonest slip: always the answer.
    if (k.toLowerCase() === lower) return k;
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  const allowed = Math.max(2, Math.ceil(Math.max(name.length, best?.length ?? 0) / 3));
  if (best !== undefined && bestDistance <= allowed) return best;
  // A known name with a unit suffix or a plural dropped (cooldown for cooldownMs, budget for budgets).
  return known.find((k) => k.toLowerCase().startsWith(lower) && lower.length >= 4);
}

/** Levenshtein distance; the names are short, so the plain two-row table is plenty. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * What makes two results comparable: the same kind, target, profile and SLO. Taken from a
 * result.json, or from a run's resolved config before it starts, so `--baseline` can refuse a
 * baseline of another target before anything is sent.
 */
export interface ComparableIdentity {
  readonly kind: string;
  readonly target: { readonly method: string; readonly url: string };
  readonly profile: unknown;
  /** A ramp's SLO; a run has none. */
  readonly slo?: unknown;
}

/** The identity of a result.json as read from disk (a run, or a ramp that holds its run). */
export function identityOf(result: {
  readonly kind: string;
  readonly target: { readonly method: string; readonly url: string };
  readonly slo?: unknown;
  readonly config?: { readonly profile?: unknown };
  readonly run?: { readonly config?: { readonly profile?: unknown } };
}): ComparableIdentity {
  const profile = result.kind === 'ramp' ? result.run?.config?.profile : result.config?.profile;
  return {
    kind: result.kind,
    target: { method: result.target.method, url: result.target.url },
    profile,
    ...(result.kind === 'ramp' ? { slo: result.slo } : {}),
  };
}

/** Every difference, as "field: baseline …, current …" (the field first, so callers can name it). */
export function identityDifferences(baseline: ComparableIdentity, current: ComparableIdentity): string[] {
  const out: string[] = [];
  if (baseline.kind !== current.kind) out.push(`kind: baseline is a ${baseline.kind}, current is a ${current.kind}`);
  const bt = `${baseline.target.method} ${baseline.target.url}`;
  const ct = `${current.target.method} ${current.target.url}`;
  if (bt !== ct) out.push(`target: baseline ${bt}, current ${ct}`);
  const bp = JSON.stringify(baseline.profile);
  const cp = JSON.stringify(current.profile);
  if (bp !== cp) out.push(`profile: baseline ${bp}, current ${cp}`);
  if (baseline.kind === 'ramp' && current.kind === 'ramp') {
    const bs = JSON.stringify(baseline.slo);
    const cs = JSON.stringify(current.slo);
    if (bs !== cs) out.push(`slo: baseline ${bs}, current ${cs}`);
  }
  return out;
}

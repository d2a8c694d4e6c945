/**
 * What makes two results comparable: the same kind, target, profile and SLO. Taken from a
 * result.json, or from a command's resolved config before it starts, so `--baseline` can refuse a
 * baseline of another target before anything is sent.
 */
export interface ComparableIdentity {
  readonly kind: string;
  readonly target: { readonly method: string; readonly url: string };
  /**
   * Set when the target is a scenario's embedded demo target: it listens on a new port every
   * time, so the scenario's name, not the URL, says which target it is.
   */
  readonly embedded?: string;
  /** A run's or a ramp's profile; a search has none (its trials are compared rate by rate). */
  readonly profile?: unknown;
  /** A ramp's or a search's SLO; a run has none. */
  readonly slo?: unknown;
}

/** The parts of a result.json its identity is read from (a run, a ramp that holds its run, a search). */
export interface IdentitySource {
  readonly kind: string;
  readonly target: { readonly method: string; readonly url: string };
  readonly slo?: unknown;
  readonly config?: { readonly profile?: unknown };
  readonly run?: { readonly config?: { readonly profile?: unknown } };
  /** Added by the CLI: the scenario's name, and whether its embedded target was used. */
  readonly runbook?: { readonly name?: string; readonly embeddedTarget?: boolean };
}

/** The identity of a result.json as read from disk. */
export function identityOf(result: IdentitySource): ComparableIdentity {
  const profile = result.kind === 'ramp' ? result.run?.config?.profile : result.kind === 'run' ? result.config?.profile : undefined;
  const embedded = result.runbook?.embeddedTarget === true && result.runbook.name ? result.runbook.name : undefined;
  return {
    kind: result.kind,
    target: { method: result.target.method, url: result.target.url },
    ...(embedded ? { embedded } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(result.kind !== 'run' ? { slo: result.slo } : {}),
  };
}

/** The target as compared: `GET http://host:port/path`, or `GET /path on the embedded student-reports target`. */
export function targetKeyOf(id: ComparableIdentity): string {
  if (id.embedded === undefined) return `${id.target.method} ${id.target.url}`;
  let path = id.target.url;
  try {
    path = new URL(id.target.url).pathname;
  } catch {
    // Not a URL: compare it as it is.
  }
  return `${id.target.method} ${path} on the embedded ${id.embedded} target`;
}

/** Every difference, as "field: baseline …, current …" (the field first, so callers can name it). */
export function identityDifferences(baseline: ComparableIdentity, current: ComparableIdentity): string[] {
  const out: string[] = [];
  if (baseline.kind !== current.kind) out.push(`kind: baseline is a ${baseline.kind}, current is a ${current.kind}`);
  const bt = targetKeyOf(baseline);
  const ct = targetKeyOf(current);
  if (bt !== ct) out.push(`target: baseline ${bt}, current ${ct}`);
  const bp = JSON.stringify(baseline.profile);
  const cp = JSON.stringify(current.profile);
  if (bp !== cp) out.push(`profile: baseline ${bp}, current ${cp}`);
  if (baseline.kind !== 'run' && current.kind !== 'run') {
    const bs = JSON.stringify(baseline.slo);
    const cs = JSON.stringify(current.slo);
    if (bs !== cs) out.push(`slo: baseline ${bs}, current ${cs}`);
  }
  return out;
}

import { isLoopbackHost } from '@overload/core/internal';
import type { PackageManager } from './package-manager.js';

export interface ScenarioTemplateInput {
  readonly name: string;
  /** The service's base URL, already validated as an absolute http(s) URL. */
  readonly target: URL;
  readonly pm: PackageManager;
}

/** A TypeScript string literal in the house style (single quotes). */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The host entry that lets this target through the allowlist and nothing else. */
export function allowlistEntryFor(target: URL): string {
  return isLoopbackHost(target.hostname) ? 'loopback' : target.hostname.replace(/^\[|\]$/g, '');
}

/**
 * The scenario `overload init` writes: every field a first ramp against staging needs, with a
 * comment saying what it does and what to change. Conservative on purpose (small steps, low
 * ceiling, tight budgets): the first run against a shared environment must not be the incident.
 */
export function scenarioTemplate({ name, target, pm }: ScenarioTemplateInput): string {
  const file = `scenarios/${name}.ts`;
  const base = target.href.replace(/\/$/, '');
  return `import { defineScenario } from '@overload/core/internal';

/**
 * ${name}: ramp ${target.host} to collapse, on purpose and safely. Written by \`overload init\`.
 *
 *   ${pm.exec} plan ${file}   # dry run: schedule, side effects vs budgets, guardrails; sends nothing
 *   ${pm.exec} ramp ${file}   # the knee, the collapse signature, the recovery check
 *
 * Replace the request mix below with your service's real traffic before trusting the knee.
 * Every field is checked before a single request is sent; a mistake exits 2 naming the field.
 */
export default defineScenario({
  name: ${quote(name)},
  description: ${quote(`Ramp ${target.host} to collapse and check it recovers`)},

  // Base URL that request paths are relative to; \`--target <url>\` overrides it for one run.
  target: ${quote(base)},

  // The traffic mix, by weight (3 of every 4 requests are the first one here). Paths may use
  // feeders: '/users/{{users.id}}' with feeders: { users: { csv: 'users.csv' } } beside this file.
  requests: [
    { name: 'home', weight: 3, path: '/' },
    { name: 'health', weight: 1, path: '/health', expectStatus: [200, 404] },
    // A request with effects outside the service declares them, so the budgets below stop the
    // run before it can send too many. A key ending in OnFailure counts only failed requests:
    // { name: 'place order', weight: 1, method: 'POST', path: '/orders', body: { sku: 'demo-1' },
    //   sideEffects: { orders: 1, emailsOnFailure: 1 } },
  ],

  // What "still fine" means. The knee is the highest step where every condition held.
  // Also: 'p999<2s', 'achieved>95%' (throughput shortfall), and conditions on probes below.
  slo: 'p99<500ms,p50<200ms,errors<1%',

  // Read the service's own metrics during the ramp, to see which queue fills first:
  // probes: [{ name: 'queue_depth', kind: 'prometheus', url: '/metrics', metric: 'jobs_queue_depth' }],
  // and add 'queue_depth<1000' to the SLO.

  // Steps of 20 req/s every 30 s, from 20 up to 400 req/s (at most 10 minutes). Raise maxRps
  // once a run has shown where the knee is.
  profile: { kind: 'step', startRps: 20, stepRps: 20, stepDurationMs: '30s', maxRps: 400 },
  timeoutMs: '10s',

  safety: {
    // The allowlist: overload refuses any other host (exit 2, nothing sent). Never list production.
    allowedHosts: [${quote(allowlistEntryFor(target))}],
    // Side-effect budgets, charged before each request is sent: the run stops before a budget
    // can be exceeded. The names match the sideEffects keys above (emailsOnFailure → emails).
    budgets: { orders: 2_000, emails: 50 },
    // Hard ceilings whatever the profile or the command line says.
    maxRps: 400,
    maxDurationMs: '15m',
  },

  // After a collapse: stop, wait 5 s, then send 10 % of the knee rate; the SLO must hold again
  // within 30 s or the run exits 4 (the service does not heal by itself).
  recovery: { baselineRatio: 0.1, cooldownMs: '5s', withinMs: '30s' },
});
`;
}

import type { StatusExpectation } from '../run/config.js';
import { readJsonPath } from './json-path.js';
import { formatSelector, parsePrometheusText, selectPrometheusValue } from './prometheus-text.js';
import type { ProbeSample } from './series.js';
import type { ResolvedProbe } from './spec.js';

/** What one answer says, before it is stamped with its time. */
export type ProbeReading = Omit<ProbeSample, 'tMs'>;

/** Whether a probe needs the response body (an http health check only looks at the status). */
export function probeReadsBody(probe: ResolvedProbe): boolean {
  return probe.kind !== 'http';
}

/**
 * Turns one HTTP answer into a reading. Pure, so every way a metrics page can be wrong is tested
 * without a server; the poller only does the I/O. A json or prometheus probe needs a 2xx: an
 * error page has no trustworthy number in it, however it is shaped.
 */
export function readProbeResponse(probe: ResolvedProbe, statusCode: number, body: string): ProbeReading {
  if (probe.kind === 'http') {
    return statusMatches(statusCode, probe.expectStatus) ? { value: 1, ok: true } : { value: 0, ok: false, error: `status ${statusCode}` };
  }
  if (statusCode < 200 || statusCode > 299) return { value: null, ok: false, error: `status ${statusCode}` };
  return probe.kind === 'json' ? readJson(probe.path, body) : readPrometheus(probe.metric, probe.labels, body);
}

function readJson(path: string, body: string): ProbeReading {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { value: null, ok: false, error: 'body is not JSON' };
  }
  const found = readJsonPath(document, path);
  if (typeof found === 'number') return { value: found, ok: true };
  if (typeof found === 'boolean') return { value: found ? 1 : 0, ok: true };
  // A numeric string is refused rather than guessed at: a probe that silently reads "12 items"
  // as 12, or "" as 0, would judge an SLO on a number the target never reported.
  if (found === undefined) return { value: null, ok: false, error: `no value at ${path}` };
  return {
    value: null,
    ok: false,
    error: `${path} is ${found === null ? 'null' : Array.isArray(found) ? 'an array' : `a ${typeof found}`}, not a number`,
  };
}

function readPrometheus(metric: string, labels: Readonly<Record<string, string>>, body: string): ProbeReading {
  const { value, matched } = selectPrometheusValue(parsePrometheusText(body), metric, labels);
  if (matched === 0) return { value: null, ok: false, error: `no sample of ${formatSelector(metric, labels)}` };
  // NaN and ±Inf do not survive JSON (they become null) and cannot be compared with a limit.
  if (!Number.isFinite(value))
    return { value: null, ok: false, error: `value is ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'}` };
  return { value, ok: true };
}

export function statusMatches(statusCode: number, expect: readonly StatusExpectation[]): boolean {
  return expect.some((e) => (typeof e === 'number' ? statusCode === e : statusCode >= e[0] && statusCode <= e[1]));
}

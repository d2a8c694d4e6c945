import { ValidationError, type ValidationIssue } from '../errors.js';
import { parseStatusList } from '../run/config.js';
import type { DurationInput } from '../units.js';
import { parseMetricSelector } from './prometheus-text.js';
import { resolveOne, type ProbeSpec } from './spec.js';

export interface ProbeFlagOptions {
  /** Applied to the probe (the flag syntax has no room for them; the CLI has its own flags). */
  readonly intervalMs?: DurationInput;
  readonly timeoutMs?: DurationInput;
  /** Where issues point, e.g. `--probe[1]` (default `--probe`). */
  readonly path?: string;
}

const SHAPE = /^([^=]*)=([^:]*):(.*)$/s;
const EXAMPLES =
  'e.g. health=http:http://127.0.0.1:9000/health, depth=json:http://127.0.0.1:9000/status#queue.depth or ' +
  'queue_depth=prometheus:http://127.0.0.1:9000/metrics#student_reports_queue_depth{stage="translation"}';

/**
 * Reads the compact one-flag form `name=kind:url#selector`, so a one-off ramp needs no scenario
 * file. The selector rides in the URL fragment because a fragment is never sent to the server:
 * - http: `#200-299,404` (optional) is the expected status list;
 * - json: `#queue.depth` is the path;
 * - prometheus: `#metric{label="value"}` is written exactly as the metrics page shows it.
 * Throws a ValidationError with every problem found.
 */
export function parseProbeFlag(text: string, options: ProbeFlagOptions = {}): ProbeSpec {
  const issues: ValidationIssue[] = [];
  const spec = readProbeFlag(text, options, issues);
  if (!spec) throw new ValidationError(`probe flag ${JSON.stringify(text)}`, issues);
  return spec;
}

/** As parseProbeFlag, but pushes issues so a CLI can collect the problems of every flag at once. */
export function readProbeFlag(text: string, options: ProbeFlagOptions, issues: ValidationIssue[]): ProbeSpec | undefined {
  const path = options.path ?? '--probe';
  const m = SHAPE.exec(typeof text === 'string' ? text.trim() : '');
  if (!m) {
    issues.push({ path, message: `must look like name=kind:url, ${EXAMPLES} (got ${JSON.stringify(text)})` });
    return undefined;
  }
  const [, name, kind, rest] = m as unknown as [string, string, string, string];
  if (rest.startsWith('//')) {
    // `health=http://host/health`: the kind was left out and the URL's scheme read as one.
    issues.push({
      path,
      message: `is missing the probe kind before the URL: write ${name}=http:${kind}:${rest.split('#')[0]} (kinds: http, json, prometheus)`,
    });
    return undefined;
  }
  const hash = rest.indexOf('#');
  const url = hash < 0 ? rest : rest.slice(0, hash);
  const selector = hash < 0 ? undefined : rest.slice(hash + 1);
  const timing = {
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
  const base = { name: name.trim(), url: url.trim(), ...timing };

  let spec: Record<string, unknown>;
  if (kind === 'http') {
    spec = { ...base, kind, ...(selector ? { expectStatus: parseStatusList(selector) } : {}) };
  } else if (kind === 'json') {
    if (!selector) {
      issues.push({
        path,
        message: `needs the JSON path after a #, e.g. depth=json:http://127.0.0.1:9000/status#queue.depth (got ${JSON.stringify(text)})`,
      });
      return undefined;
    }
    spec = { ...base, kind, path: selector };
  } else if (kind === 'prometheus') {
    const parsed = selector ? parseMetricSelector(selector) : undefined;
    if (!parsed) {
      issues.push({
        path,
        message: selector
          ? `has a malformed metric selector ${JSON.stringify(selector)}; write it as metric or metric{label="value",…}`
          : 'needs the metric after a #, e.g. queue_depth=prometheus:http://127.0.0.1:9000/metrics#student_reports_queue_depth',
      });
      return undefined;
    }
    spec = { ...base, kind, metric: parsed.name, ...(Object.keys(parsed.labels).length > 0 ? { labels: parsed.labels } : {}) };
  } else {
    spec = { ...base, kind };
  }
  return resolveOne(spec, path, issues) ? (spec as unknown as ProbeSpec) : undefined;
}

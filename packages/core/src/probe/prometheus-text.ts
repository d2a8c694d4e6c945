/**
 * Reading the Prometheus text exposition format (version 0.0.4, and the OpenMetrics lines that
 * look like it) well enough to pick one gauge out of a `/metrics` page.
 *
 * A probe reads an exporter it does not control, so the parser is lenient where that costs
 * nothing: a malformed line is skipped rather than failing the page (one bad line from a
 * third-party collector must not blind the probe to the queue depth two lines below), trailing
 * commas in label sets are accepted, timestamps and OpenMetrics exemplars are read past.
 */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Every sample on the page, in order. `# HELP`, `# TYPE`, other comments and blank lines are skipped. */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const start = skipSpace(line, 0);
    if (start === line.length || line[start] === '#') continue;
    const sample = parseSampleLine(line, start);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string, start: number): PrometheusSample | undefined {
  const selector = readSelector(line, start);
  if (!selector) return undefined;
  let pos = selector.end;
  if (pos < line.length && line[pos] !== ' ' && line[pos] !== '\t') return undefined;
  pos = skipSpace(line, pos);
  const rest = line
    .slice(pos)
    .split(/[ \t]+/)
    .filter((t) => t !== '');
  const value = parseSampleValue(rest[0] ?? '');
  if (value === undefined) return undefined;
  // rest[1] is an optional timestamp (ms in 0.0.4, seconds in OpenMetrics); a probe samples
  // "now", so it is read past, as is an OpenMetrics exemplar (`# {trace_id="…"} 0.5`).
  if (rest.length > 1 && rest[1] !== '#' && parseSampleValue(rest[1]!) === undefined) return undefined;
  if (rest.length > 2 && rest[1] !== '#' && rest[2] !== '#') return undefined;
  return { name: selector.name, labels: selector.labels, value };
}

/**
 * Go's ParseFloat, which Prometheus uses, accepts `+Inf`, `-Inf`, `Inf`, `NaN` in any case;
 * JavaScript's Number() does not, and turns `""` into 0, so both are handled here.
 */
export function parseSampleValue(token: string): number | undefined {
  if (token === '') return undefined;
  const lower = token.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token)) return undefined;
  return Number(token);
}

export interface MetricSelector {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Parses `name` or `name{label="value",…}` starting at `start`; returns where it ended. Shared
 * by the page parser and the `--probe` flag, so a selector is written exactly as the page shows it.
 */
export function readSelector(text: string, start: number): (MetricSelector & { end: number }) | undefined {
  METRIC_NAME.lastIndex = start;
  const name = METRIC_NAME.exec(text)?.[0];
  if (!name) return undefined;
  let pos = start + name.length;
  const labels: Record<string, string> = {};
  if (text[pos] === '{') {
    pos = readLabels(text, pos + 1, labels);
    if (pos < 0) return undefined;
  }
  return { name, labels, end: pos };
}

/** Parses `metric{label="value"}` as a whole string (the flag syntax); undefined when malformed. */
export function parseMetricSelector(text: string): MetricSelector | undefined {
  const trimmed = text.trim();
  const selector = readSelector(trimmed, 0);
  if (!selector || selector.end !== trimmed.length) return undefined;
  return { name: selector.name, labels: selector.labels };
}

/** Reads `label="value",…}` after the `{`; returns the position after `}`, or -1 when malformed. */
function readLabels(text: string, start: number, into: Record<string, string>): number {
  let pos = start;
  for (;;) {
    pos = skipSpace(text, pos);
    if (text[pos] === '}') return pos + 1;
    LABEL_NAME.lastIndex = pos;
    const label = LABEL_NAME.exec(text)?.[0];
    if (!label) return -1;
    pos = skipSpace(text, pos + label.length);
    if (text[pos] !== '=') return -1;
    pos = skipSpace(text, pos + 1);
    if (text[pos] !== '"') return -1;
    pos++;
    let value = '';
    for (;;) {
      if (pos >= text.length) return -1;
      const ch = text[pos]!;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[pos + 1];
        if (next === undefined) return -1;
        // The format defines \\, \" and \n; anything else is kept as written.
        value += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next}`;
        pos += 2;
      } else {
        value += ch;
        pos++;
      }
    }
    // A label may be called __proto__; define it so it never replaces the object's prototype.
    Object.defineProperty(into, label, { value, enumerable: true, writable: true, configurable: true });
    pos = skipSpace(text, pos + 1);
    if (text[pos] === ',') pos++;
    else if (text[pos] !== '}') return -1;
  }
}

function skipSpace(text: string, pos: number): number {
  while (text[pos] === ' ' || text[pos] === '\t') pos++;
  return pos;
}

/**
 * The value a probe reports for `metric{labels}`: the sum of every sample with that name whose
 * labels include the given ones (extra labels on the sample are allowed). Summing is what makes
 * `queue_depth` without a `stage` label mean "all stages": a gauge split by label adds up to the
 * whole. It is the user's job to pick a selector for which a sum means something (a histogram's
 * `_bucket` series, for instance, do not add up to anything useful).
 */
export function selectPrometheusValue(
  samples: readonly PrometheusSample[],
  metric: string,
  labels: Readonly<Record<string, string>> = {},
): { readonly value: number; readonly matched: number } {
  let value = 0;
  let matched = 0;
  const wanted = Object.entries(labels);
  for (const s of samples) {
    if (s.name !== metric) continue;
    if (!wanted.every(([k, v]) => s.labels[k] === v)) continue;
    value += s.value;
    matched++;
  }
  return { value, matched };
}

/** `metric{a="x",b="y"}` for messages, escaped the way the format does. */
export function formatSelector(metric: string, labels: Readonly<Record<string, string>> = {}): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length > 0 ? `${metric}{${parts.join(',')}}` : metric;
}

export {
  DEFAULT_PROBE_EXPECT_STATUS,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  MIN_PROBE_INTERVAL_MS,
  PROBE_KINDS,
  PROBE_NAME_PATTERN,
  resolveProbes,
  validateProbes,
  type HttpProbeSpec,
  type JsonProbeSpec,
  type PrometheusProbeSpec,
  type ProbeKind,
  type ProbeSpec,
  type ResolvedProbe,
} from './spec.js';
export { parseJsonPath, readJsonPath, type JsonPathParse, type JsonPathSegment } from './json-path.js';
export {
  formatSelector,
  parseMetricSelector,
  parsePrometheusText,
  parseSampleValue,
  selectPrometheusValue,
  type MetricSelector,
  type PrometheusSample,
} from './prometheus-text.js';
export { probeReadsBody, readProbeResponse, statusMatches, type ProbeReading } from './read-response.js';
export { probeWindow, seriesWindow, type ProbeSample, type ProbeSeries, type ProbeWindow } from './series.js';
export { parseProbeFlag, readProbeFlag, type ProbeFlagOptions } from './flag.js';

export {
  OverloadError,
  ValidationError,
  TargetUnreachableError,
  WorkerCrashError,
  assertNoIssues,
  formatIssue,
  serializeError,
  type OverloadErrorCode,
  type SerializedError,
  type ValidationIssue,
} from './errors.js';
export { parseDurationMs, formatDurationMs, type DurationInput } from './units.js';
export { RateCurve, segmentArea, type Segment, type ProfileStep, type SerializedCurve } from './profile/curve.js';
export {
  PROFILE_KINDS,
  compileProfile,
  parseProfileText,
  validateProfile,
  type Profile,
  type ProfileKind,
  type ConstantProfile,
  type LinearProfile,
  type StepProfile,
  type ExponentialProfile,
  type SpikeProfile,
  type PinchProfile,
  type StagesProfile,
} from './profile/index.js';
export { ArrivalCursor, countArrivals, type ArrivalCursorOptions, type ArrivalProcess } from './schedule/arrivals.js';
export { mulberry32 } from './schedule/rng.js';
export {
  HISTOGRAM_SETTINGS,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  percentileMs,
  recordMicros,
  summarizeMs,
  type Histogram,
  type LatencySummaryMs,
} from './stats/histogram.js';
export {
  DEFAULT_EXPECT_STATUS,
  DEFAULT_TIMEOUT_MS,
  defaultConnections,
  defaultMaxInFlight,
  parseStatusList,
  resolveRunConfig,
  type RunConfig,
  type RunOptions,
  type StatusExpectation,
} from './run/config.js';
export {
  ERROR_CLASSES,
  IntervalAggregator,
  emptyErrorCounts,
  errorTotal,
  mergeReports,
  type ErrorClass,
  type ErrorCounts,
  type IntervalReport,
  type IntervalStats,
} from './run/interval.js';
export {
  RESULT_SCHEMA_VERSION,
  buildRunResult,
  generatorHealth,
  type GeneratorHealth,
  type RunResult,
  type RunTotals,
  type StopReason,
} from './result/run-result.js';

/**
 * Everything the other overload packages build on: the workers, the CLI and the tests import it
 * as `@overload/core/internal`. It is not a public API and may change in any release; the public
 * one is `@overload/core` (index.ts).
 */
export {
  OverloadError,
  ValidationError,
  TargetUnreachableError,
  WorkerCrashError,
  ShardMismatchError,
  ShardStartError,
  assertNoIssues,
  formatIssue,
  serializeError,
  type OverloadErrorCode,
  type SerializedError,
  type ValidationIssue,
} from './errors.js';
export { DEFAULTS } from './defaults.js';
export {
  type ActionMoment,
  type ActionRecord,
  type ActionSpec,
  parseActionFlag,
  parseMoment,
  type PinchRelease,
  type ResolvedAction,
  resolveActions,
  validateActionMoments,
  validateActions,
  validateReleaseProbes,
} from './action/action.js';
export { isUnitlessDuration, parseDurationMs, formatDurationMs, type DurationInput } from './units.js';
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
  HISTOGRAM_RECORD_SETTINGS,
  type HistogramRecordSettings,
  createHistogram,
  decodeHistogram,
  decodedHistogram,
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
  clientUsed,
  defaultConnections,
  defaultMaxInFlight,
  parseStatusList,
  resolveRunConfig,
  withProfile,
  type ArrivalUnit,
  type ClientUsed,
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
  mergeNameReports,
  type NameReport,
  type NameStats,
} from './run/interval.js';
export { summarizeTls, validateTls, type TlsOptions, type TlsSummary } from './run/tls.js';
export {
  GENERATOR_WINDOW_MS,
  RESULT_SCHEMA_VERSION,
  buildRunResult,
  generatorHealth,
  type GeneratorHealth,
  type IncompleteInfo,
  type ShardInfo,
  type ShardsInfo,
  type GeneratorMemory,
  type NamedStats,
  type PartialMark,
  type RunResult,
  type RunTotals,
  type StopReason,
} from './result/run-result.js';
export { finalStop, isOutsideStop, partialOf, type RunStop, type StopFields, VERDICT_STOPS } from './result/stop.js';
export {
  DEFAULT_PROBE_EXPECT_STATUS,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  MIN_PROBE_INTERVAL_MS,
  PROBE_KINDS,
  PROBE_NAME_PATTERN,
  formatSelector,
  parseJsonPath,
  parseMetricSelector,
  parseProbeFlag,
  parsePrometheusText,
  parseSampleValue,
  probeReadsBody,
  probeWindow,
  seriesWindow,
  readJsonPath,
  readProbeFlag,
  readProbeResponse,
  resolveProbes,
  selectPrometheusValue,
  statusMatches,
  validateProbes,
  type HttpProbeSpec,
  type JsonPathParse,
  type JsonPathSegment,
  type JsonProbeSpec,
  type MetricSelector,
  type ProbeFlagOptions,
  type ProbeKind,
  type ProbeReading,
  type ProbeSample,
  type ProbeSeries,
  type ProbeSpec,
  type ProbeWindow,
  type PrometheusProbeSpec,
  type PrometheusSample,
  type ResolvedProbe,
} from './probe/index.js';
export {
  DEFAULT_MAX_DROP_RATE,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_MIN_ACHIEVED_RATIO,
  PROBE_OPS,
  RESERVED_CONDITION_NAMES,
  minSamplesForPercentile,
  percentileName,
  strictestPercentile,
  validateProbeCondition,
  validateSlo,
  validateSloProbeNames,
  type LatencyLimit,
  type ProbeCondition,
  type ProbeOp,
  type Slo,
} from './slo/slo.js';
export { formatProbeCondition, formatSlo, parseSlo } from './slo/parse-slo.js';
export {
  achievedRps,
  arrivalNamesOf,
  mergeWindow,
  offeredRps,
  slidingWindows,
  type IntervalTrace,
  type WindowStats,
} from './collapse/window.js';
export type { ConditionStatus } from './collapse/condition-status.js';
export { judgeProbeCondition, samplesIn } from './collapse/probe-window.js';
export {
  judgeMerged,
  judgeWindow,
  scopeIndexes,
  validateScopedNames,
  judgementOf,
  type ConditionOutcome,
  type WindowJudgement,
} from './collapse/judge-window.js';
export {
  GENERATOR_SATURATED_ADVICE,
  SATURATION_RULE,
  generatorCheck,
  generatorCheckOf,
  latencyWithoutLagMs,
  type GeneratorCheck,
  type GeneratorCheckOptions,
  type OfferedSchedule,
} from './collapse/generator-check.js';
export {
  STEP_SAMPLE_MARGIN,
  formatShortStep,
  minRequestsPerArrival,
  stepsTooShort,
  type ShortStep,
  type StepSampleOptions,
} from './collapse/step-samples.js';
export { RampJudge, type RampJudgeOptions } from './collapse/ramp-judge.js';
export type { JudgedWindow, RampEvent, RampSummary, RampVerdict, StepResult, StepVerdict } from './collapse/step-result.js';
export { defaultWarmupMs, judgedMsOf, stepEndMs, validateRampJudgeOptions } from './collapse/step-plan.js';
export { certainBreaches, completedAtBest } from './collapse/certainty.js';
export {
  formatArrivalRate,
  formatCondition,
  formatCount,
  formatMs,
  formatPercent,
  formatRate,
  formatStepLabel,
  rateSymbol,
} from './collapse/format.js';
export { formatStepRate, formatVerdictLine, type VerdictLineOptions } from './collapse/verdict-line.js';
export {
  CapacitySearch,
  validateCapacitySearchOptions,
  type CapacitySearchOptions,
  type SearchResult,
  type SearchTrial,
  type TrialVerdict,
} from './search/capacity-search.js';
export {
  DEFAULT_SUSTAIN_WINDOWS,
  judgeRecovery,
  sustainedRecoveryMs,
  validateRecoveryOptions,
  type RecoveryOptions,
  type RecoveryVerdict,
} from './recovery/judge-recovery.js';
export { clampCurve } from './guard/max-rate.js';
export {
  DEFAULT_ALLOWED_HOSTS,
  assertHostsAllowed,
  combineAllowlists,
  isHostAllowed,
  isLoopbackHost,
  TargetNotAllowedError,
} from './guard/allowlist.js';
export { DEFAULT_ERROR_BURST, ErrorBurstDetector, parseErrorBurst, type ErrorBurstOptions } from './guard/error-burst.js';
export { BudgetLedger, budgetNameOf, parseBudget, validateBudgets } from './guard/budgets.js';
export {
  defineScenario,
  validateScenario,
  type EmbeddedTarget,
  type Scenario,
  type ScenarioRecovery,
  type ScenarioSafety,
  type ScenarioTls,
} from './scenario/scenario.js';
export { parseCsvFeeder, parseJsonFeeder, type FeederFileParse } from './scenario/feeder-file.js';
export { validateRequests, validateRequestShape, type RequestTemplate } from './scenario/request-template.js';
export {
  checkValue,
  compileBody,
  compileText,
  MissingCapture,
  renderBody,
  renderText,
  type CompiledBody,
  type CompiledText,
  type Placeholder,
  type PlaceholderScope,
  type RenderContext,
} from './scenario/placeholder.js';
export {
  normaliseJsonPath,
  validateJourneys,
  type CaptureSpec,
  type JourneyTemplate,
  type JsonScalar,
  type PollSpec,
  type ResponseCondition,
  type StepTemplate,
  type ThinkTime,
} from './scenario/journey.js';
export {
  compileFlows,
  FLOW_FAILURE_CLASSES,
  FlowPlan,
  type BuiltRequest,
  type Charges,
  type CompiledCapture,
  type CompiledCondition,
  type CompiledFlow,
  type CompiledPoll,
  type CompiledStep,
  type FlowFailureClass,
  type NameEntry,
  type NameKind,
  type RequestMix,
} from './scenario/flow-plan.js';
export { captureValues, conditionHolds, ResponseJson, type ResponseView } from './scenario/response-check.js';
export { statusTable } from './scenario/status-table.js';
export { MAX_GENERATED_ROWS, parseCsv, validateFeeders, type Feeder, type FeederRow, type FeederValue } from './scenario/feeder.js';
export { randomRunId } from './run/config.js';
export { analyzeQueue, type PinchMoments, type QueueDrain } from './pinch/queue-drain.js';
export type { DrainRate } from './pinch/drain-rate.js';
export {
  analyzePinch,
  judgeStretch,
  type PinchAnalysis,
  type PinchInput,
  type PinchRecovery,
  QUEUE_LIKE_PROBE,
  type StretchVerdict,
} from './pinch/analyze-pinch.js';
export { pinchOfRun, type PinchOfRun } from './pinch/pinch-moments.js';
export {
  HGRM_TICKS_PER_HALF_DISTANCE,
  INTERVAL_LOG_TAGS,
  hdrFilesOf,
  intervalLog,
  percentileDistribution,
  type HdrFiles,
} from './report/hdr-files.js';
export {
  MAX_SHARDS,
  formatShard,
  parseShardSpec,
  shardFromEnv,
  shareOf,
  sliceOf,
  splitBudgets,
  validateShard,
  type ShardSpec,
} from './shard/shard-spec.js';
export { START_MARGIN_MS, formatStartAt, parseStartAt } from './shard/start-at.js';
export { asReport, mergeShardIntervals } from './shard/merge-intervals.js';
export { mergeShardResults, type ShardInput } from './shard/merge-results.js';
export { bootstrapShift, medianOf, pooledShare, type Samples, type Share, type ShiftInterval, type Stratum } from './compare/bootstrap.js';
export {
  type CompareOptions,
  type CompareOutcome,
  compareMetric,
  DEFAULT_COMPARE_OPTIONS,
  formatMetricValue,
  type MetricComparison,
  type MetricKind,
  type MetricPlace,
  type MetricSamples,
  type MetricStratum,
  compareStrata,
} from './compare/metric-verdict.js';
export {
  type ComparableResult,
  type RampLike,
  rateUnitOf,
  type RecoveryLike,
  type SearchLike,
  type SearchTrialLike,
} from './compare/comparable.js';
export { compareKnee, compareSustainable, heldWithRoom, type KneeComparison } from './compare/knee.js';
export { type CollapseComparison, compareCollapse, compareRecovery, type RecoveryComparison } from './compare/recovery.js';
export { type ComparedPlace, compareAtPlaces, intervalsOfStep, nameLabel } from './compare/interval-metrics.js';
export { type ComparisonReport, compareResults, differencesOf } from './compare/compare-results.js';
export {
  type ComparableIdentity,
  type IdentitySource,
  identityDifferences,
  identityOf,
  targetKeyOf,
} from './compare/identity.js';

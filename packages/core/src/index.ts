/**
 * The public API of @overload/core: what a scenario file and a reader of results need. Everything
 * the other overload packages build on is in `@overload/core/internal`, which may change in any
 * release.
 */
export {
  defineScenario,
  validateScenario,
  type EmbeddedTarget,
  type Scenario,
  type ScenarioRecovery,
  type ScenarioSafety,
  type ScenarioTls,
} from './scenario/scenario.js';
export type { RequestTemplate } from './scenario/request-template.js';
export type { CaptureSpec, JourneyTemplate, JsonScalar, PollSpec, ResponseCondition, StepTemplate, ThinkTime } from './scenario/journey.js';
export type { Feeder, FeederRow, FeederValue } from './scenario/feeder.js';
export type { TlsOptions } from './run/tls.js';
export {
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
export { parseSlo, formatSlo } from './slo/parse-slo.js';
export type { LatencyLimit, ProbeCondition, ProbeOp, Slo } from './slo/slo.js';
export type { HttpProbeSpec, JsonProbeSpec, ProbeSpec, PrometheusProbeSpec } from './probe/index.js';
export { parseDurationMs, formatDurationMs, type DurationInput } from './units.js';
export { DEFAULTS } from './defaults.js';
export type { ActionRecord, ActionSpec, PinchRelease } from './action/action.js';
export {
  OverloadError,
  ValidationError,
  TargetUnreachableError,
  WorkerCrashError,
  type OverloadErrorCode,
  type ValidationIssue,
} from './errors.js';
export {
  RESULT_SCHEMA_VERSION,
  type GeneratorHealth,
  type PartialMark,
  type RunResult,
  type RunTotals,
  type StopReason,
} from './result/run-result.js';
export type { RunOptions } from './run/config.js';
export type { RampSummary, RampVerdict, StepResult, StepVerdict } from './collapse/step-result.js';
export type { RecoveryVerdict } from './recovery/judge-recovery.js';
export type { SearchResult, SearchTrial, TrialVerdict } from './search/capacity-search.js';
export type { LatencySummaryMs } from './stats/histogram.js';

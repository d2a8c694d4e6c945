export { run, runConfig, startRun, defaultWorkers, type RunHandle, type RunHooks, type RunRequest, type RunStarter } from './run.js';
export { classifyError, describeError, explainError } from './classify-error.js';
export { tlsConnectOptions, tlsConnector } from './tls-connect.js';
export { TEST_CRASH_ENV } from './test-crash.js';
export type { WorkerTask, ToWorker, FromWorker, WorkerOutcome } from './messages.js';
export { DEFAULT_PROBE_MAX_BODY_BYTES, startProbes, type ProbeHandle, type ProbeOptions } from './probes.js';
export { ramp, runRamp } from './ramp.js';
export {
  planRamp,
  type RampHooks,
  type RampOptions,
  type RampPhase,
  type RampPlan,
  type RampRecovery,
  type RampRecoveryOptions,
  type RampResult,
  type RampSettings,
  type RecoverySettings,
} from './ramp-plan.js';
export { SHARD_LOST_ADVICE, startJudgedPhase, type JudgedPhase, type JudgedPhaseOptions, type JudgedPhaseOutcome } from './judged-phase.js';
export { stopOfSignal } from './stop-signal.js';
export { search, type SearchOptions, type SearchRecoveryOptions, type SearchRunResult, type SearchTrialEvidence } from './search.js';
export { DEFAULT_PREFLIGHT_TIMEOUT_MS, preflight, preflightRun, type PreflightOptions, type PreflightResult } from './preflight.js';
export { checkBaseline, type BaselineCheck, type BaselineOutcome } from './baseline.js';

export { run, startRun, defaultWorkers, type RunHandle, type RunHooks, type RunRequest } from './run.js';
export { classifyError, describeError, explainError } from './classify-error.js';
export { tlsConnectOptions, tlsConnector } from './tls-connect.js';
export { TEST_CRASH_ENV } from './test-crash.js';
export type { WorkerTask, ToWorker, FromWorker, WorkerOutcome } from './messages.js';
export { DEFAULT_PROBE_MAX_BODY_BYTES, startProbes, type ProbeHandle, type ProbeOptions } from './probes.js';
export {
  ramp,
  SHARD_LOST_ADVICE,
  type RampOptions,
  type RampPhase,
  type RampRecovery,
  type RampRecoveryOptions,
  type RampResult,
} from './ramp.js';
export { search, type SearchOptions, type SearchRecoveryOptions, type SearchRunResult, type SearchTrialEvidence } from './search.js';
export { DEFAULT_PREFLIGHT_TIMEOUT_MS, preflight, type PreflightOptions, type PreflightResult } from './preflight.js';
export { checkBaseline, type BaselineCheck, type BaselineOutcome } from './baseline.js';

export { run, startRun, defaultWorkers, type RunHandle, type RunHooks, type RunRequest } from './run.js';
export { classifyError } from './classify-error.js';
export type { WorkerTask, ToWorker, FromWorker, WorkerOutcome } from './messages.js';

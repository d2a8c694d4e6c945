import { RateCurve, serializeError } from '@overload/core/internal';
import { Firing } from './firing.js';
import { warmJit } from './jit-warmup.js';
import { awaitQuietProcess } from './quiet-wait.js';
import type { FromWorker, ToWorker, WorkerOutcome, WorkerTask } from './messages.js';
import { armTestCrash } from './test-crash.js';

/** The most a worker waits for the background compiles after its warm-up. */
const QUIET_TIMEOUT_MS = 1000;

/**
 * The piscina task: runs for the whole run in its worker thread. Handshake over the task's
 * MessagePort: the worker says `ready` once its module and undici are loaded, the main thread
 * answers with one shared t0 for all workers, so no worker starts late and lags its schedule.
 */
export default async function fireSlice(task: WorkerTask): Promise<WorkerOutcome> {
  const port = task.port;
  const post = (m: FromWorker) => port.postMessage(m);
  let firing: Firing | undefined;
  /** A stop that came during the warm-up: the run's Firing takes it as soon as it exists. */
  let earlyStop: boolean | undefined;
  let disarm = () => {};
  try {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'start') {
        firing!.start(m.t0EpochMs);
        disarm = armTestCrash(task.workerIndex, () => firing!.sent);
      } else if (m.type === 'stop') {
        if (firing) firing.stop(m.immediate);
        else earlyStop = (earlyStop ?? false) || m.immediate;
      }
    });
    // Optimised code and open connections before the handshake completes: the schedule starts warm.
    const curve = RateCurve.from(task.curve);
    await warmJit(task, curve.areaAt(1000) / task.slice.stride, post);
    // Made after the warm-up: an object keeps the hidden class it was made with, and the warm-up's
    // objects move their classes on. With the run's Firing made first (and a warm-up task of other
    // keys), --trace-deopt showed #fire, #send, #nextWaiting and intervalAt deoptimised at t0
    // ("wrong map") and compiled again in the run's first second.
    firing = new Firing(task, post);
    if (earlyStop !== undefined) firing.stop(earlyStop);
    await firing.warm();
    // The optimising compiles the warm-up started run on V8's background threads: let them finish first.
    await awaitQuietProcess(QUIET_TIMEOUT_MS);
    post({ type: 'ready' });
    const abandoned = await firing.done;
    disarm();
    return { workerIndex: task.workerIndex, sent: firing.sent, abandoned };
  } catch (error) {
    return { workerIndex: task.workerIndex, sent: firing?.sent ?? 0, abandoned: 0, error: serializeError(error) };
  }
}

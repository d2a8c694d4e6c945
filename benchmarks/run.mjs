#!/usr/bin/env node
/**
 * `pnpm bench`: how fast is one overload worker, next to autocannon on the same target?
 *
 * The two tools are different kinds of load generator, so the comparison is of capacities:
 * - autocannon is closed-loop: N connections each send the next request when the previous answer
 *   arrives, so its figure is the peak req/s the client + target pair can turn around.
 * - overload is open-loop: it sends on a schedule whether or not answers came back, and measures
 *   every request from its intended time. Its figure is the highest constant rate one worker
 *   thread sustains honestly: schedule lag p99 < 5 ms, no arrival dropped (by the generator or by
 *   the in-flight cap), no errors, the responses keep up with the sends, and no client-side
 *   backlog (corrected latency p99 < 25 ms against a target that answers in well under 1 ms).
 *
 * Each open-loop trial runs warm-up + measured time at one constant rate. The lag and latency
 * criteria are judged on the measured part only (the first second pays for JIT compilation and
 * for opening connections, as wrk2's calibration period does); drops and errors count over the
 * whole trial. The rate is found by stepping ×1.2 from autocannon's figure, then bisecting.
 *
 * Both tools run against the same loopback target, started here (nginx if installed, else
 * node:http in a child process), in the same session, so the ratio means something on a shared
 * machine even when absolute numbers drift. autocannon runs before and after the search; the mean
 * is used, and the difference shows how much the machine drifted. Every trial also records the
 * CPU other programs used meanwhile; a failed trial during heavy other load is run once more.
 *
 * Both tools get the same number of connections (64 by default). That is not overload's own default
 * for a bare `run` at these rates (rate × 50 ms, capped at 512: sized for slow targets); pass
 * `--overload-connections default` to measure that instead.
 *
 * Options: --target auto|nginx|node  --connections 64  --overload-connections <n|default>
 *          --trial-ms 5000  --warmup-ms 1000  --autocannon-ms 8000  --start <req/s>
 *          --precision 0.03  --max-trials 14  --json <path>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { mergeEncoded, percentileMs } from '../packages/core/dist/index.js';
import { run } from '../packages/workers/dist/index.js';
import { startCpuMeter } from './lib/cpu-meter.mjs';
import { startTarget } from './lib/target.mjs';

const { values: opt } = parseArgs({
  options: {
    target: { type: 'string', default: 'auto' },
    'trial-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '1000' },
    'autocannon-ms': { type: 'string', default: '8000' },
    connections: { type: 'string', default: '64' },
    'overload-connections': { type: 'string' },
    start: { type: 'string' },
    precision: { type: 'string', default: '0.03' },
    'max-trials': { type: 'string', default: '14' },
    json: { type: 'string', default: fileURLToPath(new URL('./results/latest.json', import.meta.url)) },
  },
});
const TRIAL_MS = Number(opt['trial-ms']);
const WARMUP_MS = Number(opt['warmup-ms']);
const AUTOCANNON_MS = Number(opt['autocannon-ms']);
const AUTOCANNON_CONNECTIONS = Number(opt.connections);
/** undefined: overload picks its own default. */
const OVERLOAD_CONNECTIONS =
  opt['overload-connections'] === 'default' ? undefined : Number(opt['overload-connections'] ?? opt.connections);
const PRECISION = Number(opt.precision);
const MAX_TRIALS = Number(opt['max-trials']);
const INTERVAL_MS = 1000;
if (WARMUP_MS % INTERVAL_MS !== 0 || TRIAL_MS % INTERVAL_MS !== 0) throw new Error('--warmup-ms and --trial-ms must be whole seconds');

/** The definition of a healthy generator. */
const LAG_P99_LIMIT_MS = 5;
/** Responses must keep up with sends: a rate at which answers pile up is not sustained. */
const MIN_RESPONSE_FRACTION = 0.99;
/**
 * Requests waiting for a free connection inside the client are delayed by the generator, yet the
 * schedule lag (measured at dispatch) does not see it; corrected latency does. The target answers
 * in well under a millisecond, so a p99 this high means a backlog on our side.
 */
const BACKLOG_LATENCY_P99_MS = 25;
/** Other programs using this much CPU during a failed trial spoil it: it is run once more. */
const NOISY_OTHER_CORES = 0.3;

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const target = await startTarget(opt.target);
// The target is our child: kill it by PID however we leave.
process.on('exit', () => target.stop());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    target.stop();
    process.exit(130);
  });
}

console.log(
  `overload bench: target ${target.kind} ${target.url} (pid ${target.pid}), ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
);

/** autocannon's closed-loop peak: mean of its per-second samples (what it prints as Req/Sec Avg). */
async function closedLoopPeak(label) {
  const meter = startCpuMeter(target.pid);
  const result = await autocannon({ url: target.url, connections: AUTOCANNON_CONNECTIONS, duration: AUTOCANNON_MS / 1000 });
  const cpu = meter.stop();
  const rps = result.requests.average;
  const bad = result.errors + result.timeouts + result.non2xx;
  console.log(
    `autocannon ${label}: ${fmt(rps)} req/s closed-loop (${AUTOCANNON_CONNECTIONS} connections, ${AUTOCANNON_MS / 1000} s, ` +
      `latency p99 ${result.latency.p99} ms, errors ${bad}, other load ${cpu.otherCores ?? '?'} cores)`,
  );
  if (bad > 0) throw new Error(`autocannon saw ${bad} errors against our own target; the comparison would be meaningless`);
  return { rps, otherCores: cpu.otherCores };
}

function steadyPercentileMs(intervals, key, percentile) {
  const from = WARMUP_MS / INTERVAL_MS;
  const to = (WARMUP_MS + TRIAL_MS) / INTERVAL_MS;
  const steady = intervals.filter((i) => i.index >= from && i.index < to);
  return percentileMs(mergeEncoded(steady.map((i) => i.histograms[key])), percentile);
}

/** One open-loop trial at a constant rate on one worker thread. */
async function trial(rateRps) {
  const meter = startCpuMeter(target.pid);
  const r = await run({
    url: target.url,
    rateRps,
    durationMs: WARMUP_MS + TRIAL_MS,
    workers: 1,
    ...(OVERLOAD_CONNECTIONS !== undefined ? { connections: OVERLOAD_CONNECTIONS } : {}),
    timeoutMs: 2000,
    drainMs: 1000,
    intervalMs: INTERVAL_MS,
  });
  const cpu = meter.stop();
  const t = r.totals;
  const lagMsP99 = steadyPercentileMs(r.intervals, 'lag', 99);
  const latencyMsP50 = steadyPercentileMs(r.intervals, 'latency', 50);
  const latencyMsP99 = steadyPercentileMs(r.intervals, 'latency', 99);
  const serviceTimeMsP99 = steadyPercentileMs(r.intervals, 'serviceTime', 99);
  const responseFraction = t.sent === 0 ? 0 : t.responses / t.sent;
  const problems = [];
  if (!(lagMsP99 < LAG_P99_LIMIT_MS)) problems.push(`lag p99 ${lagMsP99} ms`);
  if (t.droppedGenerator > 0) problems.push(`${t.droppedGenerator} generator drops`);
  if (t.dropped > 0) problems.push(`${t.dropped} cap drops`);
  if (t.errors > 0) problems.push(`${t.errors} errors`);
  if (responseFraction < MIN_RESPONSE_FRACTION) problems.push(`responses ${(100 * responseFraction).toFixed(1)} % of sent`);
  if (!(latencyMsP99 < BACKLOG_LATENCY_P99_MS)) problems.push(`latency p99 ${latencyMsP99} ms: client-side backlog`);
  return {
    rateRps,
    sent: t.sent,
    responses: t.responses,
    errors: t.errors,
    dropped: t.dropped,
    droppedGenerator: t.droppedGenerator,
    steady: { lagMsP99, latencyMsP50, latencyMsP99, serviceTimeMsP99 },
    wholeRun: { lagMsP99: r.generator.lagMsP99, lagMsMax: r.generator.lagMsMax, latencyMsP99: r.latencyMs.p99 },
    connections: r.generator.connectionsPerWorker,
    cpu,
    sustained: problems.length === 0,
    problems,
  };
}

const HEADER = ' #      rate  lag p99  lat p50  lat p99  svc p99 | whole-run lag p99  lat p99 | other load  result';
function printTrial(n, t) {
  const ms = (v, w = 7) => v.toFixed(2).padStart(w);
  console.log(
    `${String(n).padStart(2)}  ${fmt(t.rateRps).padStart(8)}  ${ms(t.steady.lagMsP99)}  ${ms(t.steady.latencyMsP50)}  ${ms(t.steady.latencyMsP99)}  ${ms(t.steady.serviceTimeMsP99)} |` +
      `           ${ms(t.wholeRun.lagMsP99)}  ${ms(t.wholeRun.latencyMsP99, 7)} |  ${String(t.cpu.otherCores ?? '?').padStart(5)} cores  ${t.sustained ? 'ok  ' : 'FAIL'} ${t.problems.join(', ')}`,
  );
}

/**
 * Finds the highest sustained rate: from the start figure, step ×1.2 up while trials pass (or ÷1.2
 * down while they fail) to bracket it, then bisect geometrically until hi/lo ≤ 1 + precision.
 */
async function search(startRps) {
  const trials = [];
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let rate = Math.round(startRps);
  console.log(`\nopen-loop search: 1 worker, ${fmt(rate)} req/s first, ${WARMUP_MS / 1000} s warm-up + ${TRIAL_MS / 1000} s judged per trial (ms)`);
  console.log(HEADER);
  let retried = false;
  while (trials.length < MAX_TRIALS) {
    const t = await trial(rate);
    trials.push(t);
    printTrial(trials.length, t);
    if (!t.sustained && !retried && (t.cpu.otherCores ?? 0) >= NOISY_OTHER_CORES) {
      // Spoiled by another program's load: try the same rate once more before believing it.
      retried = true;
      continue;
    }
    retried = false;
    if (t.sustained) lo = Math.max(lo, rate);
    else hi = Math.min(hi, rate);
    if (hi === Number.POSITIVE_INFINITY) rate = Math.round(rate * 1.2);
    else if (lo === 0) {
      rate = Math.round(rate / 1.2);
      if (rate < 100) break;
    } else if (hi / lo <= 1 + PRECISION) break;
    else rate = Math.round(Math.sqrt(lo * hi));
  }
  return { sustainedRps: lo, firstFailingRps: Number.isFinite(hi) ? hi : null, trials };
}

const startedAt = new Date();
const t0 = performance.now();
try {
  const before = await closedLoopPeak('before');
  const found = await search(opt.start === undefined ? before.rps : Number(opt.start));
  const after = await closedLoopPeak('after ');
  const autocannonRps = (before.rps + after.rps) / 2;
  const ratio = autocannonRps > 0 ? found.sustainedRps / autocannonRps : 0;
  const drift = Math.abs(before.rps - after.rps) / autocannonRps;
  const connections = found.trials[0]?.connections;
  console.log(
    `\nopen-loop sustained ${fmt(found.sustainedRps)} req/s (1 worker, ${connections} connections) vs autocannon ${fmt(autocannonRps)} req/s ` +
      `closed-loop (${AUTOCANNON_CONNECTIONS} connections): ${ratio.toFixed(2)}×` +
      `  [autocannon before/after differ by ${(100 * drift).toFixed(1)} %; first failing rate ${found.firstFailingRps === null ? 'none' : fmt(found.firstFailingRps)}]`,
  );
  // One line for scripts and CI logs to grep.
  console.log(
    `BENCH target=${target.kind} open_loop_rps=${Math.round(found.sustainedRps)} autocannon_rps=${Math.round(autocannonRps)} ratio=${ratio.toFixed(3)}`,
  );
  const result = {
    kind: 'bench',
    startedAt: startedAt.toISOString(),
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? null,
    target: { kind: target.kind, url: target.url },
    criteria: {
      lagMsP99Below: LAG_P99_LIMIT_MS,
      latencyMsP99Below: BACKLOG_LATENCY_P99_MS,
      droppedGenerator: 0,
      dropped: 0,
      errors: 0,
      minResponseFraction: MIN_RESPONSE_FRACTION,
      judgedAfterWarmupMs: WARMUP_MS,
    },
    autocannon: { connections: AUTOCANNON_CONNECTIONS, durationMs: AUTOCANNON_MS, before, after, meanRps: autocannonRps },
    openLoop: { workers: 1, connections, warmupMs: WARMUP_MS, trialMs: TRIAL_MS, ...found },
    ratio,
  };
  mkdirSync(dirname(opt.json), { recursive: true });
  writeFileSync(opt.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${opt.json} (${result.durationS} s)`);
} finally {
  target.stop();
}

/**
 * One overload trial, run by the bench as its own (pinned) process: an open-loop run at one
 * constant rate, judged over every interval from t0 to the end, as a user's run is judged (the
 * worker's JIT warm-up and warm connections happen before t0, as wrk2's calibration does).
 * Prints one JSON line. CPU is read from /proc twice: the whole process from start to exit
 * (total: threads, JIT warm-up, connections included) and between the ends of intervals 0 and
 * the last full one (marginal: the judged cost per request, start-up excluded).
 *
 * argv[2]: JSON { url, rateRps, trialMs, workers, connections?, pipelining?, journeys?, client? }
 */
import { readFileSync } from 'node:fs';
import { mergeEncoded, percentileMs } from '../../packages/core/dist/internal.js';
import { run } from '../../packages/workers/dist/index.js';

const o = JSON.parse(process.argv[2]);

/** `journeys: true`: every arrival is the report journey (generate → poll → download). */
const JOURNEY_MIX = {
  templates: [],
  journeys: [
    {
      name: 'get-report',
      steps: [
        {
          name: 'generate',
          method: 'POST',
          path: '/reports',
          body: { student: '{{index}}' },
          expectStatus: [202],
          capture: { id: { json: 'id' } },
        },
        { name: 'poll', path: '/reports/{{id}}', poll: { until: { json: 'status', equals: 'done' }, intervalMs: '100ms', maxTries: 10 } },
        { name: 'download', path: '/reports/{{id}}/document' },
      ],
    },
  ],
  feeders: {},
  seed: 1,
  runId: 'bench',
};
/** OVERLOAD_TRIAL_INTERVAL_MS (diagnosis only, e.g. 100) reports finer intervals than the judged 1 s. */
const INTERVAL_MS = Number(process.env.OVERLOAD_TRIAL_INTERVAL_MS ?? 1000);
if (!Number.isInteger(INTERVAL_MS) || INTERVAL_MS < 10 || o.trialMs % INTERVAL_MS !== 0)
  throw new Error(
    `OVERLOAD_TRIAL_INTERVAL_MS must be a whole number of milliseconds, at least 10, that divides the trial (${o.trialMs} ms); got "${process.env.OVERLOAD_TRIAL_INTERVAL_MS}". Unset it for the judged 1 s.`,
  );
/** Marginal CPU is read between the end of interval 0 and the end of the last full interval. */
const cpuFrom = 1;
const cpuTo = o.trialMs / INTERVAL_MS;

/** utime + stime of this whole process (every thread), in seconds. */
function processCpuS() {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A marker among V8's trace lines (benchmarks/startup.mjs --node-flags). */
function mark(what) {
  process.stdout.write(`MARK ${what} at process uptime ${Math.round(process.uptime() * 1000)} ms\n`);
}

let cpuAtFrom;
let cpuAtTo;
const result = await run({
  url: o.url,
  rateRps: o.rateRps,
  durationMs: o.trialMs,
  workers: o.workers,
  ...(o.connections !== undefined ? { connections: o.connections } : {}),
  ...(o.pipelining !== undefined ? { pipelining: o.pipelining } : {}),
  ...(o.journeys ? { requests: JOURNEY_MIX } : {}),
  ...(o.client ? { client: o.client } : {}),
  timeoutMs: 2000,
  drainMs: 1000,
  intervalMs: INTERVAL_MS,
  errorBurst: false,
  // With markers on, every worker's ready (its warm-up and quiet wait done) and t0 are marked too.
  ...(process.env.OVERLOAD_TRIAL_MARK
    ? {
        awaitStart: async () => {
          mark('every worker ready (t0 - 100 ms)');
          setTimeout(() => mark('t0'), 100);
          return Date.now() + 100;
        },
      }
    : {}),
  onInterval(interval) {
    // Interval k is reported just after it ends.
    if (interval.index === cpuFrom - 1) cpuAtFrom = processCpuS();
    // Markers for V8's traces (benchmarks/startup.mjs --node-flags): interval k ends k + 1 s after t0.
    if (process.env.OVERLOAD_TRIAL_MARK) mark(`end of interval ${interval.index} (t0 + ${interval.index + 1} s)`);
    if (interval.index === cpuTo - 1) cpuAtTo = processCpuS();
  },
});
// Every interval is judged, the first (cold connections, first timers) and the last included.
const judged = result.intervals;
const sentMarginal = result.intervals.filter((i) => i.index >= cpuFrom && i.index < cpuTo).reduce((n, i) => n + i.sent, 0);
const pct = (key, p) => percentileMs(mergeEncoded(judged.map((i) => i.histograms[key])), p);
const sentJudged = judged.reduce((n, i) => n + i.sent, 0);
const first = result.intervals[0];
/** The journey's figures over the whole run, like everything else. */
function journeyStats() {
  const k = result.byName?.findIndex((n) => n.kind === 'journey') ?? -1;
  if (k < 0) return null;
  const rows = judged.map((i) => i.byName[k]);
  const latency = mergeEncoded(rows.map((r) => r.histograms.latency));
  return {
    count: rows.reduce((n, r) => n + r.count, 0),
    failed: rows.reduce((n, r) => n + r.failed, 0),
    latencyMs: { p50: percentileMs(latency, 50), p99: percentileMs(latency, 99) },
  };
}
const cpuS = cpuAtFrom !== undefined && cpuAtTo !== undefined ? cpuAtTo - cpuAtFrom : null;
const totalCpuS = processCpuS();
/** The worst interval: bursts show here even when the whole run's p99 passes. */
const worst = result.intervals.reduce((w, i) => (w === undefined || i.lagMsP99 > w.lagMsP99 ? i : w), undefined);
process.stdout.write(
  `${JSON.stringify({
    rateRps: o.rateRps,
    totals: result.totals,
    judged: {
      sent: sentJudged,
      lagMsP99: pct('lag', 99),
      latencyMsP50: pct('latency', 50),
      latencyMsP99: pct('latency', 99),
      serviceTimeMsP99: pct('serviceTime', 99),
      elu: judged.map((i) => Math.round(100 * i.generatorElu) / 100),
      lagMsP99ByInterval: judged.map((i) => i.lagMsP99),
      latencyMsP99ByInterval: judged.map((i) => i.latencyMs.p99),
      serviceTimeMsP99ByInterval: judged.map((i) => i.serviceTimeMs.p99),
    },
    worstInterval: worst ? { index: worst.index, lagMsP99: worst.lagMsP99, latencyMsP99: worst.latencyMs.p99 } : null,
    firstSecond: first ? { lagMsP99: first.lagMsP99, latencyMsP99: first.latencyMs.p99 } : null,
    cpu:
      cpuS === null
        ? null
        : {
            seconds: cpuS,
            cores: cpuS / ((cpuTo - cpuFrom) * (INTERVAL_MS / 1000)),
            usPerRequest: sentMarginal > 0 ? (cpuS * 1e6) / sentMarginal : null,
            totalSeconds: totalCpuS,
            totalUsPerRequest: result.totals.sent > 0 ? (totalCpuS * 1e6) / result.totals.sent : null,
          },
    connections: result.generator.connectionsPerWorker,
    journeys: journeyStats(),
  })}\n`,
);

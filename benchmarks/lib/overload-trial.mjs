/**
 * One overload trial, run by the bench as its own (pinned) process: an open-loop run at one
 * constant rate, judged after a warm-up. Prints one JSON line. Its CPU is read from /proc at the
 * interval boundaries of the judged stretch, so start-up (module loading, thread start, JIT and
 * connection warm-up) is not counted against the requests, just as the bench does for autocannon.
 *
 * argv[2]: JSON { url, rateRps, warmupMs, trialMs, workers, connections?, pipelining?, journeys? }
 */
import { readFileSync } from 'node:fs';
import { mergeEncoded, percentileMs } from '../../packages/core/dist/index.js';
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
const INTERVAL_MS = 1000;
const from = o.warmupMs / INTERVAL_MS;
const to = (o.warmupMs + o.trialMs) / INTERVAL_MS;

/** utime + stime of this whole process (every thread), in seconds. */
function processCpuS() {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

let cpuAtFrom;
let cpuAtTo;
const result = await run({
  url: o.url,
  rateRps: o.rateRps,
  durationMs: o.warmupMs + o.trialMs,
  workers: o.workers,
  ...(o.connections !== undefined ? { connections: o.connections } : {}),
  ...(o.pipelining !== undefined ? { pipelining: o.pipelining } : {}),
  ...(o.journeys ? { requests: JOURNEY_MIX } : {}),
  timeoutMs: 2000,
  drainMs: 1000,
  intervalMs: INTERVAL_MS,
  errorBurst: false,
  onInterval(interval) {
    // Interval k is reported just after it ends: k = from − 1 marks the start of the judged stretch.
    if (interval.index === from - 1) cpuAtFrom = processCpuS();
    if (interval.index === to - 1) cpuAtTo = processCpuS();
  },
});
const steady = result.intervals.filter((i) => i.index >= from && i.index < to);
const pct = (key, p) => percentileMs(mergeEncoded(steady.map((i) => i.histograms[key])), p);
const sentSteady = steady.reduce((n, i) => n + i.sent, 0);
const first = result.intervals[0];
/** The journey's figures over the judged stretch (steady intervals only, like everything else). */
function journeyStats() {
  const k = result.byName?.findIndex((n) => n.kind === 'journey') ?? -1;
  if (k < 0) return null;
  const rows = steady.map((i) => i.byName[k]);
  const latency = mergeEncoded(rows.map((r) => r.histograms.latency));
  return {
    count: rows.reduce((n, r) => n + r.count, 0),
    failed: rows.reduce((n, r) => n + r.failed, 0),
    latencyMs: { p50: percentileMs(latency, 50), p99: percentileMs(latency, 99) },
  };
}
const cpuS = cpuAtFrom !== undefined && cpuAtTo !== undefined ? cpuAtTo - cpuAtFrom : null;
process.stdout.write(
  `${JSON.stringify({
    rateRps: o.rateRps,
    totals: result.totals,
    steady: {
      sent: sentSteady,
      lagMsP99: pct('lag', 99),
      latencyMsP50: pct('latency', 50),
      latencyMsP99: pct('latency', 99),
      serviceTimeMsP99: pct('serviceTime', 99),
      elu: steady.map((i) => Math.round(100 * i.generatorElu) / 100),
    },
    firstSecond: first ? { lagMsP99: first.lagMsP99, latencyMsP99: first.latencyMs.p99 } : null,
    cpu:
      cpuS === null
        ? null
        : { seconds: cpuS, cores: cpuS / (o.trialMs / 1000), usPerRequest: sentSteady > 0 ? (cpuS * 1e6) / sentSteady : null },
    connections: result.generator.connectionsPerWorker,
    journeys: journeyStats(),
  })}\n`,
);

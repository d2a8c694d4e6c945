#!/usr/bin/env node
/**
 * What the live dashboard costs the generator, and how fast its Stop stops sending.
 *
 * 1. CPU per request, with and without a connected dashboard, in the same run. The target
 *    (nginx, else node:http) and every viewer run on CPU 0, the generator (`overload run` with
 *    one worker, the real CLI) on the last CPU (`taskset -c`, all of its threads). Each round
 *    runs both arms, one after the other, the order swapped every round: without, and with
 *    `--dashboard` and a viewer (headless Chromium with the page open, or `--viewer sse`, a bare
 *    event-stream reader). (Running the two at once on the one core was tried: each steals the
 *    other's time slices, and the rounds swung more, not less.) CPU is read from /proc/<pid>/stat (utime + stime, every thread) when the progress
 *    line of second `--from` and of second `--to` appear, and divided by the requests sent in
 *    those intervals (result.json). Printed: each arm's median, and the median of the rounds'
 *    ratios (with / without).
 * 2. The dashboard's own share, from the inside: one run with a viewer under `--cpu-prof`, the
 *    CPU of the samples with dashboard code on the stack, per request (and none in a firing
 *    thread). The end-to-end figures of 1 swing by several % from round to round on a shared
 *    machine; this one does not.
 * 3. Stop latency: `--stops` runs at 2,000 req/s against a target that keeps the wall-clock time
 *    of the last request it received; in second 4 the page's Stop button is clicked (and
 *    confirmed). The figure is the target's last arrival minus the moment the Stop reached the
 *    dashboard server (the `stop` event's `atEpochMs`), both on this machine's clock.
 *
 * Run it alone, under the CPU lock: `flock -x /tmp/overload-cpu.lock node benchmarks/dashboard-cost.mjs`.
 * Options: --rate 4000  --duration-s 15  --from 3  --to 14  --rounds 7
 *          --stops 5  --viewer chromium|sse  --json benchmarks/results/dashboard-cost.json
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { canPin, GENERATOR_CPU, pinned, TARGET_CPU } from './lib/pin.mjs';
import { startTarget } from './lib/target.mjs';

const { values: opt } = parseArgs({
  options: {
    rate: { type: 'string', default: '4000' },
    'duration-s': { type: 'string', default: '15' },
    from: { type: 'string', default: '3' },
    to: { type: 'string', default: '14' },
    rounds: { type: 'string', default: '7' },
    stops: { type: 'string', default: '5' },
    viewer: { type: 'string', default: 'chromium' },
    json: { type: 'string', default: fileURLToPath(new URL('./results/dashboard-cost.json', import.meta.url)) },
  },
});
const RATE = Number(opt.rate);
const DURATION_S = Number(opt['duration-s']);
const FROM = Number(opt.from);
const TO = Number(opt.to);
const ROUNDS = Number(opt.rounds);
const STOPS = Number(opt.stops);
if (!(FROM >= 1 && TO > FROM && TO < DURATION_S)) throw new Error('--from and --to must satisfy 1 <= from < to < duration-s');
if (!['chromium', 'sse'].includes(opt.viewer)) throw new Error(`--viewer must be chromium or sse (got "${opt.viewer}")`);

const CLI = fileURLToPath(new URL('../packages/cli/bin/overload.js', import.meta.url));
const CHROMIUM = process.env.OVERLOAD_CHROMIUM ?? '/usr/bin/chromium';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Everything this script starts (target, viewers) runs on CPU 0 with it; only the generator is
// moved to the last CPU. -a: every thread of this process.
if (canPin()) execFileSync('taskset', ['-a', '-p', '-c', String(TARGET_CPU), String(process.pid)], { stdio: 'ignore' });
else console.log('warning: cannot pin processes here (needs Linux, taskset and 2 cores): nothing is pinned');

const target = await startTarget('auto', TARGET_CPU);
const clock = fork(fileURLToPath(new URL('./lib/arrival-clock-target.mjs', import.meta.url)), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const [{ port: clockPort }] = await once(clock, 'message');
const browser =
  opt.viewer === 'chromium' || STOPS > 0
    ? await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
    : undefined;
const stopAll = () => {
  target.stop();
  clock.kill();
};
process.on('exit', stopAll);

function processCpuS(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** The CLI on the generator's CPU; `onLine` sees each stderr line as it comes. */
function startCli(args, onLine, nodeArgs = []) {
  // With node's flag given here, the bin runs the CLI in this very process instead of starting
  // node again as a child (where node has no process.execve), so /proc/<pid> is the generator.
  const [cmd, argv] = pinned(GENERATOR_CPU, process.execPath, ['--no-memory-reducer', ...nodeArgs, CLI, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OVERLOAD_DASHBOARD: '' } });
  let pending = '';
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) onLine(line);
  });
  const exited = once(child, 'exit').then(([code]) => ({ code, stderr }));
  return { child, exited };
}

/** A viewer of the dashboard at `url`: the page in Chromium, or a bare reader of its event stream. */
async function openViewer(url) {
  if (opt.viewer === 'chromium') {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(url);
    return { page, close: () => page.close() };
  }
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token');
  const abort = new AbortController();
  const res = await fetch(`${origin}/events?token=${token}`, { signal: abort.signal });
  const reading = (async () => {
    for await (const _ of res.body) {
      // read and discard, as a browser would parse and draw
    }
  })().catch(() => undefined);
  return { close: () => (abort.abort(), reading) };
}

/** One run at RATE; returns the generator's CPU per request sent between seconds FROM and TO. */
async function cpuTrial(withDashboard) {
  const out = mkdtempSync(join(tmpdir(), 'overload-dashboard-cost-'));
  let cpuFrom;
  let cpuTo;
  let viewer;
  const args = ['run', target.url, '--rate', String(RATE), '--duration', `${DURATION_S}s`, '--workers', '1', '--out-dir', out];
  const { child, exited } = startCli(withDashboard ? [...args, '--dashboard'] : args, (line) => {
    const url = /^dashboard: (http\S+#token=\S+)/.exec(line)?.[1];
    if (url && !viewer) viewer = openViewer(url);
    const second = Number(/^\[\s*(\d+)s\]/.exec(line)?.[1]);
    if (second === FROM && cpuFrom === undefined) cpuFrom = processCpuS(child.pid);
    if (second === TO && cpuTo === undefined) cpuTo = processCpuS(child.pid);
  });
  const { code, stderr } = await exited;
  await (await viewer)?.close();
  if (cpuFrom === undefined || cpuTo === undefined) throw new Error(`no progress line for second ${FROM} or ${TO}: ${stderr.slice(-500)}`);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  const sent = result.intervals.filter((i) => i.index >= FROM && i.index < TO).reduce((n, i) => n + i.sent, 0);
  return {
    dashboard: withDashboard,
    exitCode: code,
    cpuS: cpuTo - cpuFrom,
    sent,
    usPerRequest: ((cpuTo - cpuFrom) * 1e6) / sent,
    lagMsP99: result.generator.lagMsP99,
  };
}

function lastArrival() {
  clock.send({ type: 'last' });
  return once(clock, 'message').then(([m]) => m);
}

/**
 * The dashboard's own share, read from the inside: one run with a viewer under `--cpu-prof`; in
 * the main thread's profile, every sample with a frame of the dashboard's code on its stack
 * (serialising and writing each event, the heartbeat, the page and the stream requests), over the
 * requests the run sent. The firing threads' profiles are searched too: they must hold none.
 */
async function attributionTrial() {
  const out = mkdtempSync(join(tmpdir(), 'overload-dashboard-prof-'));
  const profDir = join(out, 'prof');
  let viewer;
  const args = [
    'run',
    target.url,
    '--rate',
    String(RATE),
    '--duration',
    `${DURATION_S}s`,
    '--workers',
    '1',
    '--dashboard',
    '--out-dir',
    out,
  ];
  const { exited } = startCli(
    args,
    (line) => {
      const url = /^dashboard: (http\S+#token=\S+)/.exec(line)?.[1];
      if (url && !viewer) viewer = openViewer(url);
    },
    ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  );
  await exited;
  await (await viewer)?.close();
  const isDashboard = (url) => /\/cli\/dist\/dashboard\//.test(url);
  const threads = readdirSync(profDir).map((f) => {
    const profile = JSON.parse(readFileSync(join(profDir, f), 'utf8'));
    const parent = new Map();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inDashboard = new Map();
    const dashboardOnStack = (id) => {
      if (inDashboard.has(id)) return inDashboard.get(id);
      const n = byId.get(id);
      const yes = isDashboard(n.callFrame.url) || (parent.has(id) && dashboardOnStack(parent.get(id)));
      inDashboard.set(id, yes);
      return yes;
    };
    // Steady state: from the first interval the dashboard published to the last (the page's
    // rendering at start-up, the end and the close are counted apart).
    const isInterval = (id) => {
      for (let n = id; n !== undefined; n = parent.get(n)) {
        const f = byId.get(n).callFrame;
        if (f.functionName === 'interval' && /live-dashboard\.js$/.test(f.url)) return true;
      }
      return false;
    };
    const times = [];
    let t = profile.startTime;
    profile.samples.forEach((_, k) => times.push((t += profile.timeDeltas[k] ?? 0)));
    const marks = profile.samples.map((id, k) => (isInterval(id) ? times[k] : undefined)).filter((x) => x !== undefined);
    const [from, to] = marks.length > 1 ? [marks[0], marks.at(-1)] : [0, 0];
    let dashboardUs = 0;
    let steadyUs = 0;
    profile.samples.forEach((id, k) => {
      if (!dashboardOnStack(id)) return;
      const dt = profile.timeDeltas[k + 1] ?? 0;
      dashboardUs += dt;
      if (times[k] >= from && times[k] <= to) steadyUs += dt;
    });
    return { file: f, dashboardUs, steadyUs, steadyS: (to - from) / 1e6 };
  });
  rmSync(out, { recursive: true, force: true });
  const main = threads.reduce((m, x) => (x.dashboardUs > m.dashboardUs ? x : m));
  return {
    steadyS: main.steadyS,
    steadyMs: main.steadyUs / 1000,
    usPerRequest: main.steadyUs / (RATE * main.steadyS),
    startAndEndMs: (main.dashboardUs - main.steadyUs) / 1000,
    otherThreadsDashboardMs: threads.filter((x) => x !== main).reduce((n, x) => n + x.dashboardUs, 0) / 1000,
    threads: threads.length,
  };
}

/** One Stop clicked in the page during second 4; returns how long sending went on after it reached overload. */
async function stopTrial() {
  const out = mkdtempSync(join(tmpdir(), 'overload-dashboard-stop-'));
  clock.send({ type: 'reset' });
  let page;
  let click;
  const clicked = new Promise((resolve, reject) => (click = () => page.then((p) => p.click('#stop')).then(resolve, reject)));
  const args = [
    'run',
    `http://127.0.0.1:${clockPort}/`,
    '--rate',
    '2000',
    '--duration',
    '30s',
    '--workers',
    '1',
    '--dashboard',
    '--out-dir',
    out,
  ];
  const { exited } = startCli(args, (line) => {
    const url = /^dashboard: (http\S+#token=\S+)/.exec(line)?.[1];
    if (url && !page) page = browser.newPage().then(async (p) => (p.on('dialog', (d) => void d.accept()), await p.goto(url), p));
    if (/^\[\s*4s\]/.test(line)) click();
  });
  await Promise.race([
    clicked,
    exited.then(({ stderr }) => Promise.reject(new Error(`the run ended before its Stop: ${stderr.slice(-500)}`))),
  ]);
  const p = await page;
  await p.waitForFunction(() => window.overloadLive.end !== null, undefined, { timeout: 30_000 });
  const stop = await p.evaluate(() => window.overloadLive.stop);
  await p.close();
  const { code } = await exited;
  const { lastEpochMs, count } = await lastArrival();
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  if (result.totals.sent !== count) throw new Error(`the target counted ${count} requests, the result ${result.totals.sent}`);
  return { exitCode: code, stopReason: result.stopReason, afterStopMs: lastEpochMs - stop.atEpochMs };
}

console.log(
  `overload dashboard cost: target ${target.kind} and viewers on CPU ${TARGET_CPU}, generator on CPU ${GENERATOR_CPU}; ` +
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; viewer ${opt.viewer}`,
);
const trials = [];
try {
  console.log(`\nCPU per request at ${RATE} req/s, 1 worker, seconds ${FROM}–${TO} of ${DURATION_S}:`);
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    const pair = [await cpuTrial(order[0]), await cpuTrial(order[1])];
    for (const t of pair) {
      trials.push({ round, ...t });
      console.log(
        `  round ${round + 1} ${t.dashboard ? 'with a viewer' : 'without      '} ${t.usPerRequest.toFixed(2)} µs/request ` +
          `(${t.cpuS.toFixed(2)} s CPU for ${t.sent} requests, lag p99 ${t.lagMsP99} ms, exit ${t.exitCode})`,
      );
    }
    const [a, b] = [pair.find((t) => !t.dashboard), pair.find((t) => t.dashboard)];
    ratios.push(b.usPerRequest / a.usPerRequest);
  }
  const without = median(trials.filter((t) => !t.dashboard).map((t) => t.usPerRequest));
  const withViewer = median(trials.filter((t) => t.dashboard).map((t) => t.usPerRequest));
  const ratio = median(ratios);
  console.log(
    `median: without ${without.toFixed(2)} µs/request, with a connected dashboard ${withViewer.toFixed(2)} µs/request; ` +
      `median of the rounds' ratios ${ratio.toFixed(3)}× (${((ratio - 1) * 100).toFixed(1)} %; rounds ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
  );
  const own = await attributionTrial();
  console.log(
    `\nthe dashboard's own code, from a CPU profile of one run with a viewer: ${own.steadyMs.toFixed(1)} ms of the main thread over ` +
      `${own.steadyS.toFixed(1)} s of sending = ${own.usPerRequest.toFixed(3)} µs per request (${((100 * own.usPerRequest) / withViewer).toFixed(2)} % of the with-dashboard figure); ` +
      `${own.startAndEndMs.toFixed(1)} ms more once, at start-up and at the end; in the ${own.threads - 1} firing thread profile(s): ${own.otherThreadsDashboardMs.toFixed(1)} ms`,
  );
  const stops = [];
  if (STOPS > 0) console.log('\nStop latency (Stop clicked in the page at second 4 of a 2,000 req/s run):');
  for (let k = 0; k < STOPS; k++) {
    const s = await stopTrial();
    stops.push(s);
    console.log(
      `  stop ${k + 1}: last request ${s.afterStopMs.toFixed(1)} ms after the Stop reached overload (exit ${s.exitCode}, ${s.stopReason})`,
    );
  }
  if (stops.length > 0) {
    const after = stops.map((s) => s.afterStopMs);
    console.log(`median ${median(after).toFixed(1)} ms, max ${Math.max(...after).toFixed(1)} ms`);
  }
  console.log(
    `BENCH dashboard rate=${RATE} without_us=${without.toFixed(2)} with_us=${withViewer.toFixed(2)} ratio=${ratio.toFixed(3)}` +
      (stops.length
        ? ` stop_median_ms=${median(stops.map((s) => s.afterStopMs)).toFixed(1)} stop_max_ms=${Math.max(...stops.map((s) => s.afterStopMs)).toFixed(1)}`
        : ''),
  );
  mkdirSync(dirname(opt.json), { recursive: true });
  writeFileSync(
    opt.json,
    `${JSON.stringify({ kind: 'bench-dashboard', startedAt: new Date().toISOString(), node: process.version, target: target.kind, viewer: opt.viewer, rateRps: RATE, trials, medians: { withoutUs: without, withUs: withViewer, ratio }, ratios, own, stops }, null, 2)}\n`,
  );
  console.log(`wrote ${opt.json}`);
} finally {
  await browser?.close();
  stopAll();
}

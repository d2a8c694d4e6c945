#!/usr/bin/env node
/**
 * `pnpm bench`: overload's generator next to its peers, on the same core, in the same run.
 *
 * Pinned mode (the default) measures per core, as users' pods run: the target (nginx when
 * installed, else node:http) runs on CPU 0 and every load generator, one after another, on the
 * last CPU (`taskset -c`, which pins all of a process's threads — overload's main thread and its
 * worker share the core). Each tool runs as its own process. Reported side by side:
 *
 * 1. the peers' closed-loop peaks: autocannon (`-c 64`, before and after the overload search, to
 *    show how much the machine drifted) and wrk (`-t1 -c64`) when installed;
 * 2. overload's highest sustained open-loop rate with one worker: no arrival dropped (by the
 *    generator or the in-flight cap), no error, schedule lag p99 below 5 ms (the limit the README
 *    documents), responses keeping up (≥ 99 % of sends), and corrected latency p99 below 25 ms (a
 *    client-side backlog shows there first). Found by stepping ×1.2 from autocannon's figure,
 *    then bisecting. Each trial is judged over every second from t0 to the end (10 s), as a
 *    user's run is judged: the JIT warm-up and warm connections happen before t0, as wrk2's
 *    calibration does, and the worst second of each trial is printed to show bursts;
 * 3. CPU per request at fixed rates (5,000 and 20,000 req/s): overload's whole process and
 *    autocannon's (`-R`), marginal (read from /proc from the end of second 1 to the last second,
 *    start-up excluded for both) and total (the whole process, start-up included). autocannon's
 *    `-R` sends each second's quota back to back and then idles: cheaper per request than any
 *    schedule spread over the second, which is what an open-loop generator must do. With WRK2
 *    given, wrk2's (`-R`, which spreads its sends as we do) too: the like-for-like peer;
 * 4. the lag p99 of the first second of the fixed-rate run;
 * 5. every figure as a ratio to its peer.
 *
 * Scaling mode (`--mode scaling --workers N`) pins nothing: overload's workers get cores of their
 * own, to show how it scales; the peers run the same way for comparison.
 *
 * `--journeys` measures journeys instead: the highest rate of generate → poll → download journeys
 * (3 requests each, against the target's canned report service) that one pinned worker sustains:
 * the same criteria, with every journey ok and journey p99 (start to document) below 25 ms. No
 * peer can run the journey, so there is no ratio.
 *
 * Runs swing ±30 % on a shared machine: read the ratios, not the absolute numbers, and never run
 * the bench while other load tests or test suites run.
 *
 * Options: --target auto|nginx|node  --mode pinned|scaling  --workers <n>  --connections 64
 *          --pipelining <n>  --trial-ms 10000  --peer-ms 10000  --fixed-rate 5000,20000
 *          --start <req/s>  --start-undici <req/s>  --precision 0.03  --max-trials 14  --json <path>
 *          WRK2=/path/to/wrk2 in the environment adds wrk2's open-loop rate (same 25 ms corrected p99).
 *
 * The open-loop search runs twice: with the hot path (the default client) and with
 * `--client undici`, so the hot path's worth is read from the same run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canPin, GENERATOR_CPU, pinned, TARGET_CPU } from './lib/pin.mjs';
import { startTarget } from './lib/target.mjs';

const { values: opt } = parseArgs({
  options: {
    target: { type: 'string', default: 'auto' },
    mode: { type: 'string', default: 'pinned' },
    workers: { type: 'string' },
    connections: { type: 'string', default: '64' },
    pipelining: { type: 'string' },
    'trial-ms': { type: 'string', default: '10000' },
    'peer-ms': { type: 'string', default: '10000' },
    'fixed-rate': { type: 'string', default: '5000,20000' },
    start: { type: 'string' },
    'start-undici': { type: 'string' },
    precision: { type: 'string', default: '0.03' },
    'max-trials': { type: 'string', default: '14' },
    journeys: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const JOURNEYS = opt.journeys;
opt.json ??= fileURLToPath(new URL(`./results/${JOURNEYS ? 'journeys' : 'latest'}.json`, import.meta.url));
const PINNED = opt.mode === 'pinned';
if (!PINNED && opt.mode !== 'scaling') throw new Error(`--mode must be pinned or scaling (got "${opt.mode}")`);
const WORKERS = opt.workers !== undefined ? Number(opt.workers) : PINNED ? 1 : Math.max(1, availableParallelism() - 1);
const CONNECTIONS = Number(opt.connections);
const PIPELINING = opt.pipelining !== undefined ? Number(opt.pipelining) : undefined;
const TRIAL_MS = Number(opt['trial-ms']);
const PEER_MS = Number(opt['peer-ms']);
const FIXED_RATES = opt['fixed-rate'].split(',').map(Number);
const PRECISION = Number(opt.precision);
const MAX_TRIALS = Number(opt['max-trials']);
if (TRIAL_MS % 1000 !== 0 || TRIAL_MS < 3000) throw new Error('--trial-ms must be whole seconds, at least 3000');
if (FIXED_RATES.some((r) => !(r > 0))) throw new Error(`--fixed-rate must be rates separated by commas (got "${opt['fixed-rate']}")`);
if (PINNED && !canPin()) console.log('warning: cannot pin processes here (needs Linux, taskset and 2 cores): nothing is pinned');

/** The README's definition of a generator that keeps its schedule. */
const LAG_P99_LIMIT_MS = 5;
const MIN_RESPONSE_FRACTION = 0.99;
const BACKLOG_LATENCY_P99_MS = 25;

const GEN_CPU = PINNED ? GENERATOR_CPU : undefined;
const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));
const TRIAL = fileURLToPath(new URL('./lib/overload-trial.mjs', import.meta.url));
const fmt = (n) => (n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? a / b : null);
const fmtRatio = (r) => (r === null ? '—' : `${r.toFixed(2)}×`);

const target = await startTarget(opt.target, PINNED ? TARGET_CPU : undefined);
process.on('exit', () => target.stop());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    target.stop();
    process.exit(130);
  });
}
console.log(
  `overload bench (${PINNED ? `pinned: target on CPU ${TARGET_CPU}, every generator on CPU ${GENERATOR_CPU}` : 'scaling: nothing pinned'}): ` +
    `target ${target.kind} ${target.url} (pid ${target.pid}), ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
);

/** Runs a child process to completion; resolves with its stdout. `during(pid)` runs alongside. */
function runChild(command, args, during) {
  const [cmd, argv] = pinned(GEN_CPU, command, args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const sampled = during ? during(child.pid) : Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', async (code) => {
      const extra = await sampled;
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${err.trim().slice(-500)}`));
      else resolve({ out, extra });
    });
  });
}

function processCpuS(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * CPU a child used between fromMs and toMs after it started (marginal: start-up excluded), and
 * in all (the last reading before it exited, sampled every 50 ms: total, start-up included).
 */
function cpuBetween(fromMs, toMs) {
  return async (pid) => {
    const startedAt = performance.now();
    let a;
    let b;
    let last = 0;
    for (;;) {
      const at = performance.now() - startedAt;
      let now;
      try {
        now = processCpuS(pid);
      } catch {
        break; // exited
      }
      last = now;
      if (a === undefined && at >= fromMs) a = now;
      if (b === undefined && at >= toMs) b = now;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { seconds: a !== undefined && b !== undefined ? b - a : null, wallS: (toMs - fromMs) / 1000, totalSeconds: last };
  };
}

async function autocannon(label, extraArgs = [], during) {
  const args = [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(PEER_MS / 1000), '--json', ...extraArgs, target.url];
  const { out, extra } = await runChild(process.execPath, args, during);
  const r = JSON.parse(out);
  const bad = r.errors + r.timeouts + r.non2xx;
  if (bad > 0) throw new Error(`autocannon saw ${bad} errors against our own target; the comparison would be meaningless`);
  if (label)
    console.log(
      `autocannon ${label}: ${fmt(r.requests.average)} req/s closed-loop (${CONNECTIONS} connections, ${PEER_MS / 1000} s, latency p99 ${r.latency.p99} ms)`,
    );
  return { rps: r.requests.average, extra };
}

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its version
    return e.status === 1;
  }
}

async function wrk() {
  const { out } = await runChild('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${PEER_MS / 1000}s`, target.url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`could not read wrk's output: ${out}`);
  const rps = Number(m[1]);
  console.log(`wrk: ${fmt(rps)} req/s closed-loop (1 thread, ${CONNECTIONS} connections, ${PEER_MS / 1000} s)`);
  return rps;
}

/**
 * wrk2 (the binary named by WRK2): the highest open-loop rate whose corrected p99 stays below the
 * same 25 ms, found the same way (×1.2 steps, then bisection), each trial as long as ours.
 */
async function wrk2Search(startRps) {
  const p99Ms = async (rate) => {
    const { out } = await runChild(process.env.WRK2, [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${TRIAL_MS / 1000}s`,
      `-R${rate}`,
      '--latency',
      target.url,
    ]);
    const m = /^\s*99\.000%\s+([\d.]+)(us|ms|s)\b/m.exec(out);
    if (!m) throw new Error(`could not read wrk2's output: ${out}`);
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let rate = Math.round(startRps);
  for (let n = 0; n < MAX_TRIALS; n++) {
    const p99 = await p99Ms(rate);
    console.log(`wrk2 -R${rate}: corrected p99 ${p99.toFixed(2)} ms ${p99 < BACKLOG_LATENCY_P99_MS ? 'ok' : 'FAIL'}`);
    if (p99 < BACKLOG_LATENCY_P99_MS) lo = Math.max(lo, rate);
    else hi = Math.min(hi, rate);
    if (hi === Number.POSITIVE_INFINITY) rate = Math.round(rate * 1.2);
    else if (lo === 0) rate = Math.round(rate / 1.2);
    else if (hi / lo <= 1 + PRECISION) break;
    else rate = Math.round(Math.sqrt(lo * hi));
  }
  return { sustainedRps: lo, firstFailingRps: Number.isFinite(hi) ? hi : null };
}

/** A peer's CPU per request at a fixed rate, from cpuBetween's reading of its whole run (PEER_MS). */
function peerCpu(extra, rateRps) {
  return {
    usPerRequest: extra.seconds === null ? null : (extra.seconds * 1e6) / (rateRps * extra.wallS),
    totalUsPerRequest: (extra.totalSeconds * 1e6) / (rateRps * (PEER_MS / 1000)),
    totalSeconds: extra.totalSeconds,
  };
}

/** wrk2's CPU per request at a fixed open-loop rate: marginal (start-up excluded) and total, as for autocannon. */
async function wrk2Cpu(rateRps) {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${PEER_MS / 1000}s`, `-R${rateRps}`, target.url];
  const { extra } = await runChild(process.env.WRK2, args, cpuBetween(1000, PEER_MS - 1000));
  return peerCpu(extra, rateRps);
}

async function trial(rateRps, client = 'auto') {
  const args = [
    // What the CLI's bin adds to node's command line (packages/cli/bin/overload.js).
    '--no-memory-reducer',
    TRIAL,
    JSON.stringify({
      url: target.url,
      rateRps,
      trialMs: TRIAL_MS,
      workers: WORKERS,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
      journeys: JOURNEYS,
      client,
    }),
  ];
  const { out } = await runChild(process.execPath, args);
  const t = JSON.parse(out.trim().split('\n').pop());
  const problems = [];
  if (!(t.judged.lagMsP99 < LAG_P99_LIMIT_MS)) problems.push(`lag p99 ${t.judged.lagMsP99} ms`);
  if (t.totals.droppedGenerator > 0) problems.push(`${t.totals.droppedGenerator} generator drops`);
  if (t.totals.dropped > 0) problems.push(`${t.totals.dropped} cap drops`);
  if (t.totals.errors > 0) problems.push(`${t.totals.errors} errors`);
  const fraction = t.totals.sent === 0 ? 0 : t.totals.responses / t.totals.sent;
  if (fraction < MIN_RESPONSE_FRACTION) problems.push(`responses ${(100 * fraction).toFixed(1)} % of sent`);
  if (!(t.judged.latencyMsP99 < BACKLOG_LATENCY_P99_MS)) problems.push(`latency p99 ${t.judged.latencyMsP99} ms: client-side backlog`);
  if (JOURNEYS) {
    if (!t.journeys || t.journeys.failed > 0) problems.push(`${t.journeys?.failed ?? '?'} failed journeys`);
    else if (!(t.journeys.latencyMs.p99 < BACKLOG_LATENCY_P99_MS)) problems.push(`journey p99 ${t.journeys.latencyMs.p99} ms`);
  }
  return { ...t, sustained: problems.length === 0, problems };
}

function printTrial(n, t) {
  const ms = (v) => (v ?? 0).toFixed(2).padStart(7);
  const elu = t.judged.elu.length ? Math.max(...t.judged.elu).toFixed(2) : '—';
  console.log(
    `${String(n).padStart(2)}  ${fmt(t.rateRps).padStart(8)}  ${ms(t.judged.lagMsP99)}  ${ms(t.judged.latencyMsP50)}  ${ms(t.judged.latencyMsP99)}  ` +
      `${elu.padStart(5)}  ${(t.cpu ? t.cpu.cores.toFixed(2) : '—').padStart(5)}  ${t.sustained ? 'ok  ' : 'FAIL'} ${t.problems.join(', ')}` +
      `  [worst second ${t.worstInterval?.index}: lag p99 ${t.worstInterval?.lagMsP99} ms, latency p99 ${t.worstInterval?.latencyMsP99} ms]`,
  );
}

/** Highest sustained rate: ×1.2 steps from the start figure to bracket it, then geometric bisection. */
async function search(startRps, client = 'auto') {
  const trials = [];
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let rate = Math.round(startRps);
  console.log(
    `\noverload open-loop search (--client ${client}): ${WORKERS} worker(s), ${CONNECTIONS} connections${PIPELINING ? `, pipelining ${PIPELINING}` : ''}, ${TRIAL_MS / 1000} s per trial, every second judged (from t0 to the end)`,
  );
  console.log(' #      rate  lag p99  lat p50  lat p99    elu  cores  result');
  while (trials.length < MAX_TRIALS) {
    const t = await trial(rate, client);
    trials.push(t);
    printTrial(trials.length, t);
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
if (JOURNEYS) {
  try {
    const found = await search(opt.start === undefined ? 5000 : Number(opt.start));
    const best = found.trials.filter((t) => t.sustained).sort((a, b) => b.rateRps - a.rateRps)[0];
    console.log(
      `\noverload sustained ${fmt(found.sustainedRps)} journeys/s (${fmt(3 * found.sustainedRps)} req/s: generate → poll → download) with ${WORKERS} worker(s)` +
        `${best?.journeys ? `; journey p50 ${best.journeys.latencyMs.p50} ms, p99 ${best.journeys.latencyMs.p99} ms` : ''}; first failing rate ${found.firstFailingRps === null ? 'none' : fmt(found.firstFailingRps)}`,
    );
    console.log(`BENCH mode=${opt.mode} journeys target=${target.kind} workers=${WORKERS} journeys_rps=${Math.round(found.sustainedRps)}`);
    mkdirSync(dirname(opt.json), { recursive: true });
    writeFileSync(
      opt.json,
      `${JSON.stringify({ kind: 'bench-journeys', mode: opt.mode, startedAt: startedAt.toISOString(), node: process.version, target: { kind: target.kind }, workers: WORKERS, connections: CONNECTIONS, ...found }, null, 2)}\n`,
    );
    console.log(`wrote ${opt.json}`);
  } finally {
    target.stop();
  }
  process.exit(0);
}
try {
  const before = await autocannon('before');
  const wrkRps = hasWrk() ? await wrk() : null;
  // CPU per request at fixed rates: marginal (start-up excluded, for both tools) and total.
  const fixed = [];
  for (const rateRps of FIXED_RATES) {
    const ac = await autocannon(null, ['-R', String(rateRps)], cpuBetween(1000, PEER_MS - 1000));
    const { usPerRequest: acUs, totalUsPerRequest: acTotalUs } = peerCpu(ac.extra, rateRps);
    // wrk2 spreads its sends over the second as an open-loop generator must (autocannon -R sends
    // each second's quota back to back): the peer whose CPU per request compares like for like.
    const w2 = process.env.WRK2 ? await wrk2Cpu(rateRps) : null;
    const ol = await trial(rateRps);
    const olUs = ol.cpu?.usPerRequest ?? null;
    const olTotalUs = ol.cpu?.totalUsPerRequest ?? null;
    console.log(
      `\nCPU per request at ${fmt(rateRps)} req/s: overload ${olUs?.toFixed(1)} µs marginal, ${olTotalUs?.toFixed(1)} µs total ` +
        `(${ol.cpu?.totalSeconds.toFixed(2)} s of CPU; lag p99 ${ol.judged.lagMsP99} ms, worst second ${ol.worstInterval?.index}: ${ol.worstInterval?.lagMsP99} ms, ${ol.sustained ? 'kept' : `not kept: ${ol.problems.join(', ')}`}); ` +
        `autocannon -R ${acUs?.toFixed(1)} µs marginal, ${acTotalUs.toFixed(1)} µs total (${ac.extra.totalSeconds.toFixed(2)} s): ` +
        `${fmtRatio(ratio(olUs, acUs))} marginal, ${fmtRatio(ratio(olTotalUs, acTotalUs))} total` +
        `${w2 ? `; wrk2 -R ${w2.usPerRequest?.toFixed(1)} µs marginal, ${w2.totalUsPerRequest.toFixed(1)} µs total: ${fmtRatio(ratio(olUs, w2.usPerRequest))} marginal` : ''}`,
    );
    fixed.push({
      rateRps,
      overload: {
        usPerRequest: olUs,
        totalUsPerRequest: olTotalUs,
        cpu: ol.cpu,
        judged: ol.judged,
        worstInterval: ol.worstInterval,
        sustained: ol.sustained,
        problems: ol.problems,
      },
      autocannon: { usPerRequest: acUs, totalUsPerRequest: acTotalUs, totalSeconds: ac.extra.totalSeconds },
      wrk2: w2,
      ratio: ratio(olUs, acUs),
      ratioWrk2: w2 ? ratio(olUs, w2.usPerRequest) : null,
      totalRatio: ratio(olTotalUs, acTotalUs),
    });
  }
  const [first] = fixed;
  const found = await search(opt.start === undefined ? before.rps : Number(opt.start));
  // The same search with undici for every request: what the hot path is worth.
  const foundUndici = await search(
    opt['start-undici'] === undefined ? found.sustainedRps / 2 || before.rps / 4 : Number(opt['start-undici']),
    'undici',
  );
  const wrk2 = process.env.WRK2 ? await wrk2Search(found.sustainedRps || before.rps) : null;
  const after = await autocannon('after ');
  const autocannonRps = (before.rps + after.rps) / 2;
  const drift = Math.abs(before.rps - after.rps) / autocannonRps;
  const peakRatio = ratio(found.sustainedRps, autocannonRps);
  const wrkRatio = ratio(found.sustainedRps, wrkRps);
  console.log(
    `\noverload sustained ${fmt(found.sustainedRps)} req/s open-loop vs autocannon ${fmt(autocannonRps)} closed-loop: ${fmtRatio(peakRatio)}` +
      `${wrkRps ? `; vs wrk ${fmt(wrkRps)}: ${fmtRatio(wrkRatio)}` : ''}` +
      `  [autocannon before/after differ by ${(100 * drift).toFixed(1)} %; first failing rate ${found.firstFailingRps === null ? 'none' : fmt(found.firstFailingRps)}]`,
  );
  console.log(
    `overload --client undici sustained ${fmt(foundUndici.sustainedRps)} req/s: ${fmtRatio(ratio(foundUndici.sustainedRps, autocannonRps))} autocannon; ` +
      `the hot path keeps ${fmtRatio(ratio(found.sustainedRps, foundUndici.sustainedRps))} what undici keeps` +
      `${wrk2 ? `; wrk2 kept ${fmt(wrk2.sustainedRps)} req/s open-loop (corrected p99 < ${BACKLOG_LATENCY_P99_MS} ms): overload ${fmtRatio(ratio(found.sustainedRps, wrk2.sustainedRps))}` : ''}`,
  );
  console.log(
    `BENCH mode=${opt.mode} target=${target.kind} workers=${WORKERS} open_loop_rps=${Math.round(found.sustainedRps)} autocannon_rps=${Math.round(autocannonRps)} ` +
      `wrk_rps=${wrkRps ? Math.round(wrkRps) : 'none'} peak_ratio=${peakRatio?.toFixed(3)} ${fixed.map((f) => `cpu_ratio_${f.rateRps}=${f.ratio?.toFixed(3)} cpu_total_ratio_${f.rateRps}=${f.totalRatio?.toFixed(3)}${f.ratioWrk2 ? ` cpu_ratio_wrk2_${f.rateRps}=${f.ratioWrk2.toFixed(3)}` : ''}`).join(' ')} ` +
      `first_second_lag_p99_ms=${first?.overload.judged.lagMsP99ByInterval[0]}`,
  );
  const result = {
    kind: 'bench',
    mode: opt.mode,
    startedAt: startedAt.toISOString(),
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? null,
    pinned: PINNED && canPin() ? { targetCpu: TARGET_CPU, generatorCpu: GENERATOR_CPU } : null,
    target: { kind: target.kind, url: target.url },
    criteria: {
      lagMsP99Below: LAG_P99_LIMIT_MS,
      latencyMsP99Below: BACKLOG_LATENCY_P99_MS,
      droppedGenerator: 0,
      dropped: 0,
      errors: 0,
      minResponseFraction: MIN_RESPONSE_FRACTION,
      judged: 'every interval, t0 to the end',
    },
    peers: {
      autocannon: { connections: CONNECTIONS, durationMs: PEER_MS, beforeRps: before.rps, afterRps: after.rps, meanRps: autocannonRps },
      wrkRps,
    },
    fixedRates: fixed,
    openLoop: { workers: WORKERS, connections: CONNECTIONS, pipelining: PIPELINING ?? 1, trialMs: TRIAL_MS, ...found },
    openLoopUndici: { sustainedRps: foundUndici.sustainedRps, firstFailingRps: foundUndici.firstFailingRps, trials: foundUndici.trials },
    wrk2,
    ratios: {
      peakVsAutocannon: peakRatio,
      peakVsWrk: wrkRatio,
      undiciVsAutocannon: ratio(foundUndici.sustainedRps, autocannonRps),
      hotPathVsUndici: ratio(found.sustainedRps, foundUndici.sustainedRps),
      peakVsWrk2: wrk2 ? ratio(found.sustainedRps, wrk2.sustainedRps) : null,
      cpuVsAutocannon: Object.fromEntries(fixed.map((f) => [f.rateRps, { marginal: f.ratio, total: f.totalRatio }])),
      cpuVsWrk2: process.env.WRK2 ? Object.fromEntries(fixed.map((f) => [f.rateRps, { marginal: f.ratioWrk2 }])) : null,
    },
  };
  mkdirSync(dirname(opt.json), { recursive: true });
  writeFileSync(opt.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${opt.json} (${result.durationS} s)`);
} finally {
  target.stop();
}

#!/usr/bin/env node
/**
 * The start-up burst, thread by thread: nginx on CPU 0, one overload trial (benchmarks/lib/
 * overload-trial.mjs) on CPU 1, its threads' CPU sampled every 100 ms (lib/thread-cpu.mjs), and
 * the trial's per-second lag and latency. Hold the CPU lock while it runs.
 *
 *   node benchmarks/startup.mjs <rate> [--client auto|undici] [--node-flags=--trace-gc]
 *   (OVERLOAD_TRIAL_MARK=1 in the environment prints the end of every interval among the trace lines)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATOR_CPU, pinned, TARGET_CPU } from './lib/pin.mjs';
import { startTarget } from './lib/target.mjs';
import { sampleThreads, threadTable } from './lib/thread-cpu.mjs';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { client: { type: 'string', default: 'auto' }, 'node-flags': { type: 'string', default: '' } },
});
const rateRps = Number(positionals[0] ?? 10_000);
const target = await startTarget('nginx', TARGET_CPU);
try {
  const trial = fileURLToPath(new URL('./lib/overload-trial.mjs', import.meta.url));
  const flags = ['--no-memory-reducer', ...opt['node-flags'].split(' ').filter(Boolean)];
  const config = { url: target.url, rateRps, trialMs: 10_000, workers: 1, connections: 64, client: opt.client };
  const [pinnedCmd, pinnedArgs] = pinned(GENERATOR_CPU, process.execPath, [...flags, trial, JSON.stringify(config)]);
  // V8 prints its traces through C's stdio, which a pipe makes fully buffered: line-buffered
  // (stdbuf), they interleave with the trial's markers in the order they happened.
  const [cmd, args] = opt['node-flags'] ? ['stdbuf', ['-oL', pinnedCmd, ...pinnedArgs]] : [pinnedCmd, pinnedArgs];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const sampler = sampleThreads(child.pid, GENERATOR_CPU);
  await new Promise((r) => child.on('exit', r));
  console.log(threadTable(await sampler.done));
  // The trial's one JSON line; V8's traces (--node-flags) may come before or after it.
  const all = out.trim().split('\n');
  const at = all.findLastIndex((l) => l.startsWith('{"rateRps"'));
  const t = JSON.parse(all[at]);
  const lines = all.filter((_, i) => i !== at);
  // What --node-flags made node print (--trace-gc, --trace-opt): the trial prints its t0 as a marker.
  if (lines.length > 0) console.log(lines.join('\n'));
  console.log(`lag p99 by second (ms):     ${t.judged.lagMsP99ByInterval.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`latency p99 by second (ms): ${t.judged.latencyMsP99ByInterval.map((x) => x.toFixed(1)).join(' ')}`);
  if (t.judged.serviceTimeMsP99ByInterval)
    console.log(`service p99 by interval (ms): ${t.judged.serviceTimeMsP99ByInterval.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`elu by interval: ${t.judged.elu.join(' ')}`);
} finally {
  target.stop();
}

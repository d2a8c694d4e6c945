/**
 * Per-thread CPU of a process, sampled from /proc (Linux) every `periodMs` until it exits: how the
 * start-up burst was found (docs/benchmarks.md). Each sample holds every thread's utime + stime
 * (seconds) and CPU `cpu`'s busy time, so a table shows who had the core: the worker thread, the
 * main thread, or V8's background threads.
 */
import { readdirSync, readFileSync } from 'node:fs';

function cpuBusyS(cpu) {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  const f = line.split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

function threadsOf(pid) {
  const m = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(tid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {}
  }
  return m;
}

/** Starts sampling `pid`; `done` resolves with the samples once it has exited. */
export function sampleThreads(pid, cpu, periodMs = 100) {
  const samples = [];
  const done = (async () => {
    for (;;) {
      let m;
      try {
        m = threadsOf(pid);
      } catch {
        return samples;
      }
      // A thread that ended keeps its last reading.
      for (const [k, v] of samples.at(-1)?.threads ?? []) if (!m.has(k)) m.set(k, v);
      samples.push({ atUs: Number(process.hrtime.bigint() / 1000n), threads: m, cpuBusyS: cpuBusyS(cpu) });
      await new Promise((r) => setTimeout(r, periodMs));
    }
  })();
  return { done };
}

/** One line per sample: time from `t0Us` (hrtime µs), the core's busy time, ours, each thread's. */
export function threadTable(samples, t0Us = samples[0].atUs) {
  const lines = [];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    const per = [...b.threads].map(([tid, s]) => [tid, s - (a.threads.get(tid) ?? 0)]).filter(([, s]) => s > 0.001);
    const ours = per.reduce((n, [, s]) => n + s, 0);
    lines.push(
      `${((a.atUs - t0Us) / 1e6).toFixed(2)} s  core ${(b.cpuBusyS - a.cpuBusyS).toFixed(2)} s  ours ${ours.toFixed(2)} s  ` +
        per.map(([tid, s]) => `${tid}:${s.toFixed(2)}`).join(' '),
    );
  }
  return lines.join('\n');
}

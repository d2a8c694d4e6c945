/**
 * CPU accounting for a bench trial on a shared machine: how much CPU our own process, the target
 * and everything else used while it ran. "Other load" is what another program took from the two
 * processes being compared; a trial that fails while it was high is not evidence about us.
 * Linux only (/proc); elsewhere every figure is null and nothing else changes.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ, fixed at 100 on Linux for /proc/*/stat and /proc/stat

function machineBusyS() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4]; // idle + iowait
  return (f.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_S;
}

function processCpuS(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S; // utime + stime
}

/** Starts a meter; `stop()` returns CPU used in cores (average over the wall time) by each party. */
export function startCpuMeter(targetPid) {
  let start;
  try {
    start = { wall: performance.now(), machine: machineBusyS(), own: process.cpuUsage(), target: processCpuS(targetPid) };
  } catch {
    return { stop: () => ({ ownCores: null, targetCores: null, otherCores: null }) };
  }
  return {
    stop() {
      const wallS = (performance.now() - start.wall) / 1000;
      const own = process.cpuUsage(start.own);
      const ownS = (own.user + own.system) / 1e6;
      let targetS = 0;
      try {
        targetS = processCpuS(targetPid) - start.target;
      } catch {
        // the target exited; its share is then counted as other load
      }
      const otherS = Math.max(0, machineBusyS() - start.machine - ownS - targetS);
      const cores = (s) => Math.round((100 * s) / wallS) / 100;
      return { ownCores: cores(ownS), targetCores: cores(targetS), otherCores: cores(otherS) };
    },
  };
}

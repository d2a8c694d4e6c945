#!/usr/bin/env node
// The `overload` command. A plain file beside the sources, not the compiled dist/bin.js: a
// package manager links bins before a workspace's first build runs, and a bin that does not exist
// yet is skipped with a warning ("Failed to create bin") instead of being linked.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: overload is not built (dist/bin.js is missing); run `pnpm build` at the root of the clone\n');
  process.exit(70);
}

/**
 * V8's memory reducer runs full garbage collections on a heap that grew and then went quiet: the
 * CLI's main thread, about 8 s into every run. Its pause (12 ms, plus as much in incremental
 * steps, measured pinned to one core) is taken from the worker thread that shares the core, and
 * seconds 7–8 of a run showed it as lag (docs/benchmarks.md). The flag that turns it off only
 * works on node's own command line: NODE_OPTIONS refuses it, a worker's execArgv refuses V8
 * flags, and v8.setFlagsFromString comes too late (the reducer is set up with the heap). So the
 * command starts node again with it: in place where node can (process.execve, Node ≥ 22.15 on
 * POSIX: same PID, so signals need no passing on), else as a child that gets our stdio, our
 * signals (a Ctrl-C reaches both; the CLI takes a second one within 1 s as the same stop) and
 * whose exit is ours. Skipped on Windows, under a debugger (the child would want its port), and
 * with OVERLOAD_NO_RELAUNCH=1.
 */
const FLAG = '--no-memory-reducer';
const relaunch =
  !process.execArgv.includes(FLAG) &&
  process.platform !== 'win32' &&
  process.env.OVERLOAD_NO_RELAUNCH !== '1' &&
  !process.execArgv.some((a) => a.startsWith('--inspect'));

if (!relaunch) await import(entry.href);
else {
  const args = [FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  if (typeof process.execve === 'function') process.execve(process.execPath, [process.execPath, ...args]);
  // The child watches this PID: a launcher killed outright (SIGKILL passes nothing on) is a stop.
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, OVERLOAD_LAUNCHER_PID: String(process.pid) } });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of signals) process.on(s, pass);
  child.on('error', (error) => {
    process.stderr.write(`error: could not start node again with ${FLAG}: ${error.message}\n`);
    process.exit(70);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, pass);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

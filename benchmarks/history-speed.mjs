#!/usr/bin/env node
// How long `overload history` takes on hundreds of results. Copies the real results that
// benchmarks/compare-honesty.mjs collected (main-job ramps of ~600 KB each, fixed-target ramps of
// ~200 KB), re-dated one a minute, into a temp folder until it holds N, then times the real CLI
// reading them all (wall clock, best of 3). Build first; run it under the CPU lock:
//   flock -x /tmp/overload-cpu.lock node benchmarks/history-speed.mjs [N=500] [--dir D]
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
const dirAt = args.indexOf('--dir');
const source = dirAt >= 0 ? args[dirAt + 1] : join(ROOT, 'benchmarks/results/compare-honesty');

const sources = [];
for (const set of ['main', 'fixed']) {
  let runs = [];
  try {
    runs = (await readdir(join(source, set))).filter((d) => /^run-\d+$/.test(d)).sort();
  } catch {}
  for (const r of runs) sources.push(await readFile(join(source, set, r, 'result.json'), 'utf8'));
}
if (sources.length === 0) throw new Error(`no results under ${source}: run benchmarks/compare-honesty.mjs collect first`);

const out = await mkdtemp(join(tmpdir(), 'overload-history-speed-'));
let bytes = 0;
try {
  for (let k = 0; k < n; k++) {
    const copy = JSON.parse(sources[k % sources.length]);
    copy.startedAt = new Date(Date.UTC(2026, 0, 1) + k * 60_000).toISOString();
    const to = join(out, `run-${String(k).padStart(4, '0')}`);
    await mkdir(to);
    const text = JSON.stringify(copy);
    bytes += text.length;
    await writeFile(join(to, 'result.json'), text);
  }
  const times = [];
  let lines = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'history', out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`overload history exited ${r.status}: ${r.stderr}`);
    lines = r.stdout.split('\n').length;
  }
  const best = Math.min(...times);
  console.log(
    `overload history: ${n} results (${(bytes / 1e6).toFixed(0)} MB of result.json, ${sources.length} real ones copied), ` +
      `${lines} lines out, best of 3: ${(best / 1000).toFixed(2)} s (${times.map((t) => (t / 1000).toFixed(2)).join(', ')})`,
  );
} finally {
  await rm(out, { recursive: true, force: true });
}

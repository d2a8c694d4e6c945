#!/usr/bin/env node
// How honest is `overload compare`? Counts its verdicts on pairs of real runs:
// - false alarms: pairs of ramps of the same target on this machine, compared in both orders
//   (the main job `overload ramp student-reports`, and a fixed-capacity loopback target): every
//   "regressed" is a false alarm; the goal is zero;
// - power: the fixed-capacity target against the same target with 20 % less capacity, and
//   against the same target 20 ms slower at every rate: how often is it found regressed?
//
// Two phases, so the method can be changed and judged again without running the load again:
//   node benchmarks/compare-honesty.mjs collect <main|fixed|smaller|slower> <N> [--dir D]
//       runs N more ramps of that set into D/<set>/run-NN (appending: collect in chunks, each
//       under the CPU lock: flock -x /tmp/overload-cpu.lock node benchmarks/compare-honesty.mjs …)
//   node benchmarks/compare-honesty.mjs judge [--dir D] [--json out.json] [-- compare flags]
//       compares the stored results with the real CLI (`overload compare`) and counts exit codes:
//       main and fixed runs 2k and 2k+1 in both orders; fixed run k against smaller and slower run k.
// D defaults to benchmarks/results/compare-honesty. Build first (`npx -y pnpm@10.34.9 build`).
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
// The fixed-capacity target of the test suite (test/support/servers/capacity.mjs), on a fixed port.
const TARGET = fileURLToPath(new URL('../test/support/servers/capacity.mjs', import.meta.url));

/**
 * The fixed-capacity target and its ramp. Its port is fixed, so every run has the same target URL
 * (results of another target are refused by compare). Capacity 400 req/s with steps of 50: the
 * 20 % drop (320 req/s) moves the knee two steps down; 6 s steps give 5 judged intervals each.
 */
const FIXED = {
  port: 47_311,
  profile: 'step:start=200,step=50,every=6s,max=600',
  slo: 'p99<50ms,errors<1%',
  targets: {
    fixed: { capacityRps: 400, addedMs: 0 },
    smaller: { capacityRps: 320, addedMs: 0 },
    slower: { capacityRps: 400, addedMs: 20 },
  },
};

function parseArgs(argv) {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
  const opts = { dir: join(ROOT, 'benchmarks/results/compare-honesty'), positional: [], extra };
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--dir') opts.dir = own[++i];
    else if (own[i] === '--json') opts.json = own[++i];
    else opts.positional.push(own[i]);
  }
  return opts;
}

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function startTarget(options) {
  const child = fork(TARGET, [JSON.stringify({ ...options, port: FIXED.port })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = await once(child, 'message');
  return {
    url: `http://127.0.0.1:${msg.port}`,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function runsOf(dir) {
  try {
    return (await readdir(dir)).filter((d) => /^run-\d+$/.test(d)).sort();
  } catch {
    return [];
  }
}

async function collect(set, count, dir) {
  if (!['main', 'fixed', 'smaller', 'slower'].includes(set)) throw new Error(`unknown set ${set}: main, fixed, smaller or slower`);
  const setDir = join(dir, set);
  await mkdir(setDir, { recursive: true });
  const first = (await runsOf(setDir)).length;
  for (let k = first; k < first + count; k++) {
    const out = join(setDir, `run-${String(k).padStart(2, '0')}`);
    await rm(out, { recursive: true, force: true });
    let r;
    if (set === 'main') {
      r = await cli(['ramp', 'student-reports', '--out-dir', out, '-q']);
    } else {
      const target = await startTarget(FIXED.targets[set]);
      try {
        r = await cli([
          'ramp',
          `${target.url}/`,
          '--profile',
          FIXED.profile,
          '--slo',
          FIXED.slo,
          '--probe',
          `queue_depth=prometheus:${target.url}/metrics#queue_depth`,
          '--out-dir',
          out,
          '-q',
        ]);
      } finally {
        await target.close();
      }
    }
    const verdict =
      r.stdout
        .trim()
        .split('\n')
        .find((l) => /^(knee|held|collapsed|never|inconclusive)/.test(l)) ?? r.stderr.trim().split('\n').pop();
    console.log(`${set} run ${k}: exit ${r.code}: ${verdict}`);
  }
}

async function compare(baseline, current, extra) {
  const r = await cli(['compare', baseline, current, ...extra]);
  const headline = r.stdout.trim().split('\n').pop() ?? r.stderr.trim();
  return { code: r.code, headline };
}

const OUTCOME = { 0: 'no regression', 8: 'regressed', 9: 'cannot tell' };

function tally(rows) {
  const counts = {};
  for (const r of rows) counts[OUTCOME[r.code] ?? `exit ${r.code}`] = (counts[OUTCOME[r.code] ?? `exit ${r.code}`] ?? 0) + 1;
  return counts;
}

async function judge(dir, extra, json) {
  const sets = {};
  for (const s of ['main', 'fixed', 'smaller', 'slower']) sets[s] = (await runsOf(join(dir, s))).map((r) => join(dir, s, r));
  const report = { date: new Date().toISOString(), compareFlags: extra, falseAlarms: {}, power: {} };
  for (const s of ['main', 'fixed']) {
    const runs = sets[s];
    const rows = [];
    for (let k = 0; k + 1 < runs.length; k += 2) {
      for (const [b, c] of [
        [runs[k], runs[k + 1]],
        [runs[k + 1], runs[k]],
      ]) {
        const r = await compare(b, c, extra);
        rows.push({ baseline: b, current: c, ...r });
        console.log(`${s}: ${b.split('/').pop()} vs ${c.split('/').pop()}: exit ${r.code} ${r.headline}`);
      }
    }
    report.falseAlarms[s] = { pairs: Math.floor(runs.length / 2), comparisons: rows.length, outcomes: tally(rows), rows };
  }
  for (const s of ['smaller', 'slower']) {
    const rows = [];
    for (let k = 0; k < Math.min(sets.fixed.length, sets[s].length); k++) {
      const r = await compare(sets.fixed[k], sets[s][k], extra);
      rows.push({ baseline: sets.fixed[k], current: sets[s][k], ...r });
      console.log(`${s}: fixed ${k} vs ${s} ${k}: exit ${r.code} ${r.headline}`);
    }
    report.power[s] = { comparisons: rows.length, outcomes: tally(rows), rows };
  }
  console.log('\nfalse alarms (same target, both orders; goal: 0 regressed):');
  for (const [s, f] of Object.entries(report.falseAlarms))
    console.log(`  ${s}: ${f.pairs} pairs, ${f.comparisons} comparisons: ${JSON.stringify(f.outcomes)}`);
  console.log('power (found regressed, of N):');
  for (const [s, p] of Object.entries(report.power))
    console.log(`  ${s}: ${p.outcomes.regressed ?? 0} of ${p.comparisons}: ${JSON.stringify(p.outcomes)}`);
  if (json) await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
}

const { positional, dir, extra, json } = parseArgs(process.argv.slice(2));
const [command, set, n] = positional;
if (command === 'collect') await collect(set, Number(n ?? 1), dir);
else if (command === 'judge') await judge(dir, extra, json);
else {
  console.error(
    'usage: node benchmarks/compare-honesty.mjs collect <main|fixed|smaller|slower> <N> [--dir D] | judge [--dir D] [--json F] [-- compare flags]',
  );
  process.exitCode = 2;
}

#!/usr/bin/env node
// The README's main job, N times: `overload ramp student-reports`, each run from its own process
// with its own embedded target, exactly as a new user runs it. Prints, per run, the exit code, the
// knee, the collapse and the recovery, then how many runs gave what the README promises (exit 0
// with a knee, a collapse and a recovery) and whether the knee was the same step or a
// neighbouring one every time.
//
// Not a timed test: it counts verdicts. Build first (`npx -y pnpm@10.34.9 build`), then
//   node benchmarks/main-job.mjs [N=20] [--json out.json] [-- extra ramp flags…]
// On the shared machine, run it under the CPU lock like any load: flock -x /tmp/overload-cpu.lock …
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The installed command, as npx and pnpm run it (it starts node again with --no-memory-reducer).
const CLI = join(ROOT, 'packages/cli/bin/overload.js');

function parseArgs(argv) {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
  let runs = 20;
  let json;
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--json') json = own[++i];
    else if (/^\d+$/.test(own[i])) runs = Number(own[i]);
    else throw new Error(`unknown argument ${own[i]}; usage: node benchmarks/main-job.mjs [N] [--json file] [-- ramp flags]`);
  }
  if (runs < 1) throw new Error('N must be at least 1');
  return { runs, json, extra };
}

function runOnce(outDir, extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'ramp', 'student-reports', '--out-dir', outDir, '-q', ...extra], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function main() {
  const { runs, json, extra } = parseArgs(process.argv.slice(2));
  const base = await mkdtemp(join(tmpdir(), 'overload-main-job-'));
  const rows = [];
  try {
    for (let i = 1; i <= runs; i++) {
      const outDir = join(base, `run-${i}`);
      const r = await runOnce(outDir, extra);
      let result;
      try {
        result = JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8'));
      } catch {
        result = undefined;
      }
      const row = {
        run: i,
        exitCode: r.code,
        verdict: result?.verdict ?? null,
        kneeRps: result?.knee?.rateRps ?? null,
        collapseRps: result?.collapse?.step?.rateRps ?? null,
        signature: result?.collapse?.signature?.map((c) => c.name) ?? [],
        recovered: result?.recovery && 'recovered' in result.recovery ? result.recovery.recovered : null,
        timeToRecoverMs: result?.recovery?.timeToRecoverMs ?? null,
        verdictLine: result?.verdictLine ?? (r.stderr.trim().split('\n').pop() || null),
        stepRps: result?.steps?.length >= 2 ? result.steps[1].rateRps - result.steps[0].rateRps : null,
      };
      row.asPromised = row.exitCode === 0 && row.kneeRps !== null && row.collapseRps !== null && row.recovered === true;
      rows.push(row);
      console.log(
        `run ${String(i).padStart(2)}: exit ${row.exitCode}  knee ${row.kneeRps ?? '-'}  collapse ${row.collapseRps ?? '-'} (${row.signature.join(', ') || '-'})  ` +
          `recovered ${row.recovered ?? '-'}${row.asPromised ? '' : `  <- ${row.verdictLine}`}`,
      );
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  const good = rows.filter((r) => r.asPromised).length;
  const knees = rows.map((r) => r.kneeRps).filter((k) => k !== null);
  const counts = new Map();
  for (const k of knees) counts.set(k, (counts.get(k) ?? 0) + 1);
  const distinct = [...counts.keys()].sort((a, b) => a - b);
  // "Neighbouring" means at most one step of the profile apart.
  const stepRps = rows.find((r) => r.stepRps !== null)?.stepRps ?? 0;
  const neighbouring = distinct.length <= 1 || distinct[distinct.length - 1] - distinct[0] <= stepRps;
  console.log('');
  console.log(`${good} of ${runs} runs exited 0 with a knee, a collapse and a recovery`);
  // The unit the verdict speaks (journeys/s for a journey scenario, req/s otherwise).
  const unit = rows.map((r) => /knee [\d,.]+ ([a-z]+\/s)/.exec(r.verdictLine ?? '')?.[1]).find(Boolean) ?? 'req/s';
  console.log(
    `knees: ${distinct.map((k) => `${k} ${unit} ×${counts.get(k)}`).join(', ') || 'none'}; ${neighbouring ? 'the same step or a neighbouring one every time' : 'NOT within one step of each other'}`,
  );
  const byExit = new Map();
  for (const r of rows) byExit.set(r.exitCode, (byExit.get(r.exitCode) ?? 0) + 1);
  console.log(`exit codes: ${[...byExit].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  if (json)
    await writeFile(
      json,
      `${JSON.stringify({ runs, asPromised: good, knees: Object.fromEntries(counts), neighbouring, rows }, null, 2)}\n`,
    );
  process.exitCode = good === runs && neighbouring ? 0 : 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});

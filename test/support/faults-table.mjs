// Prints the fault matrix of docs/faults.md as a markdown table, from what test/fault-matrix.test.ts
// measured:  OVERLOAD_FAULTS_REPORT=/tmp/faults.json npx vitest run test/fault-matrix.test.ts
//            node test/support/faults-table.mjs /tmp/faults.json
import { readFileSync } from 'node:fs';

const rows = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n >= 100 ? `${int(n)} ms` : `${n.toFixed(1)} ms`);
const mib = (n) => `${n.toFixed(1)} MiB`;
const out = [
  '| fault | what the target does | class (count) | exit | stop | sent / offered | latency p50 / max | lag p99 | memory growth (worker / RSS) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of rows) {
  if (r.preflight) {
    const cause = r.preflight.replace(/^.*cannot reach the target [^:]+:\d+ \([^)]*\): /, '').replace(/\. Check that it is running.*$/, '');
    out.push(
      `| \`${r.fault}\` | ${r.what} | none: refused by the pre-flight check (${cause}) | ${r.exit} | — | 0 / 0 (the target saw ${r.server.requests} requests) | — | — | — |`,
    );
    continue;
  }
  const classes = Object.entries(r.errorsByClass).map(([c, n]) => `\`${c}\` ${int(n)}`);
  const statuses = Object.entries(r.statusCodes).map(([s, n]) => `status ${s} ${int(n)} (ok)`);
  const name = `\`${r.fault}\`${r.args.length ? ` ${r.args.join(' ')}` : ''}`;
  const extra = [];
  if (r.totals.dropped) extra.push(`${int(r.totals.dropped)} dropped at the in-flight cap`);
  if (r.server.bodyBytesWritten) extra.push(`target wrote ${(r.server.bodyBytesWritten / 2 ** 30).toFixed(1)} GiB`);
  if (r.fault === 'redirect') extra.push(`${r.server.redirectHits} requests followed the redirect`);
  if (r.bodyReadPauses) extra.push(`${int(r.bodyReadPauses)} body-read pauses`);
  out.push(
    `| ${name} | ${r.what}${extra.length ? ` (${extra.join('; ')})` : ''} | ${[...classes, ...statuses].join(', ')} | ${r.exit} | ${r.stopReason} | ${int(r.totals.sent)} / ${int(r.totals.offered)} | ${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.max)} | ${ms(r.lagMsP99)} | ${mib(r.workerGrowthMiB)} / ${mib(r.rssGrowthMiB)} |`,
  );
}
console.log(out.join('\n'));

import type { RunResult } from '@overload/core/internal';
import { int, ms, pct } from '../output/format.js';

/** The live page's last verdict line for `overload run`: how it ended, and what it measured. */
export function runEndLine(r: RunResult): string {
  const t = r.totals;
  const how = r.partial ? `stopped early: ${r.partial.detail}` : r.stopReason;
  const generator = r.generator.saturated ? 'generator SATURATED: the target was not offered the scheduled load' : 'generator ok';
  return `${how}; sent ${int(t.sent)}, errors ${int(t.errors)} (${pct(t.errors, Math.max(1, t.sent))}), p99 ${ms(r.latencyMs.p99)}; ${generator}`;
}

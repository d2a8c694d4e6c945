import type { StatusExpectation } from '../run/config.js';

/** A lookup table so judging a status on the hot path is one array read. */
export function statusTable(expect: readonly StatusExpectation[]): Uint8Array {
  const table = new Uint8Array(600);
  for (const e of expect) {
    const [from, to] = typeof e === 'number' ? [e, e] : e;
    for (let s = from; s <= to && s < 600; s++) table[s] = 1;
  }
  return table;
}

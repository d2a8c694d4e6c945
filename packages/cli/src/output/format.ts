const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function int(n: number): string {
  return INT.format(n);
}

/** Milliseconds with sensible precision: 0.42 ms, 12.3 ms, 2.3 s. */
export function ms(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 1 : 2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function pct(part: number, whole: number): string {
  if (whole === 0) return '0 %';
  const p = (100 * part) / whole;
  return `${p < 1 && p > 0 ? p.toFixed(2) : p.toFixed(1)} %`;
}

export function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** A number with an optional unit: right-aligned in tables. */
const NUMERIC = /^-?[\d.,]+( ?(ms|s|%|req\/s))?$/;

/** A plain-text table: first row is the header; numbers right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r, ri) =>
      r
        .map((c, i) => (i === 0 || ri === 0 || !NUMERIC.test(c) ? padEnd(c, widths[i]!) : padStart(c, widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The report's own styles: readable printed, on a projector at a post-mortem, and in dark CI viewers that force a light page. */
export const REPORT_CSS = `
:root { color-scheme: light; --bad: #c62828; --good: #2e7d32; --warn: #b26a00; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1d1f; background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 20px; }
header .target { margin: 2px 0 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); word-break: break-all; }
main { padding: 8px 24px 24px; max-width: 1280px; }
section { margin: 16px 0 24px; }
h2 { font-size: 17px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
.verdict { padding: 12px 16px; border: 1px solid var(--line); border-radius: 8px; background: #fafafa; }
.verdict-line { font-size: 19px; font-weight: 600; margin: 8px 0 10px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #fff; background: #777; }
.badge.bad { background: var(--bad); } .badge.good { background: var(--good); } .badge.warn { background: var(--warn); }
table { border-collapse: collapse; margin: 4px 0 10px; }
table.kv th { text-align: left; vertical-align: top; padding: 3px 16px 3px 0; white-space: nowrap; color: #444; font-weight: 600; }
table.kv td { padding: 3px 0; }
table.kv ul { margin: 0; padding-left: 18px; }
table.grid { width: 100%; font-variant-numeric: tabular-nums; }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; vertical-align: top; white-space: nowrap; }
table.grid td.conds { white-space: normal; }
table.grid th:first-child, table.grid td:first-child, table.grid td.conds, table.grid th:last-child { text-align: left; }
.cond { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 4px; background: #eef5ee; white-space: nowrap; }
.cond.breach { background: #fdecea; color: var(--bad); font-weight: 600; }
.cond.unjudged { background: #f3f3f3; color: #666; font-style: italic; }
.signature { margin-top: 4px; }
.muted { color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
.chart-box { margin: 0 0 24px; }
.caption { margin: 0 0 6px; color: var(--muted); }
.chart { width: 100%; min-height: 320px; }
footer { padding: 12px 24px; color: var(--muted); border-top: 1px solid var(--line); font-size: 12px; }
@media print { .chart-box { break-inside: avoid; } }
`;

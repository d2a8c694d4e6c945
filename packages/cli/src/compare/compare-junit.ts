import type { ComparisonReport } from '@overload/core/internal';
import { type Case, type Outcome, suite } from '../report/junit.js';
import { differencesWarning } from './compare-output.js';
import { type ComparisonRow, comparisonHeadline, comparisonRows } from './compare-rows.js';

/**
 * The comparison as JUnit XML, one testcase per metric, so a CI system lists a regression the way
 * it lists a failed unit test and keeps each metric's history under a stable name: classname is
 * where it was measured (`capacity`, `at 400 req/s`, `at every rate both held`, `(run)`), name is
 * the metric there (`knee`, `p99`, `p99 journey get-report`), never a measured value.
 *
 * - regressed: `<failure type="regressed">`;
 * - cannot tell, on a row that decides: `<error type="cannot-tell">` (the comparison itself could
 *   not be made, as exit 9 says); on a row that does not decide: passed, with the reason in its
 *   output (see docs/compare.md);
 * - no regression, and the collapse row (it describes): passed, with the figures in its output.
 */
export function renderComparisonJunit(report: ComparisonReport, sources: { baseline: string; current: string }, startedAt: string): string {
  const deciding = new Set(report.metrics.filter((m) => m.decides).map((m) => m.metric));
  const cases = comparisonRows(report).map(
    (r): Case => ({
      classname: r.place,
      name: r.name,
      timeSec: '0.000',
      outcome: outcomeOf(r, r.group === 'capacity' || deciding.has(r.metric)),
    }),
  );
  const warning = differencesWarning(report);
  const props: [string, string][] = [
    ['baseline', sources.baseline],
    ['current', sources.current],
    ['outcome', report.outcome],
    ...(warning ? ([['allow_different', warning]] as [string, string][]) : []),
  ];
  return suite(
    `overload compare: ${sources.baseline} -> ${sources.current}`,
    '0.000',
    startedAt,
    props,
    cases,
    `${warning ? `${warning}\n` : ''}${comparisonHeadline(report)}`,
  );
}

function outcomeOf(r: ComparisonRow, decides: boolean): Outcome {
  const figures = `baseline ${r.baseline}, current ${r.current}${r.change ? `, change ${r.change}` : ''}${r.interval ? `, interval ${r.interval}` : ''}: ${r.why}`;
  if (r.outcome === 'regressed')
    return { kind: 'failure', type: 'regressed', message: `${r.metric}: ${r.baseline} -> ${r.current}`, body: figures };
  if (r.outcome === 'cannot-tell' && decides)
    return { kind: 'error', type: 'cannot-tell', message: `${r.metric}: ${r.why}`, body: figures };
  return { kind: 'passed', out: figures };
}

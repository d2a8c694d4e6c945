import { formatSelector, parseMetricSelector, parsePrometheusText, selectPrometheusValue } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

const PAGE = [
  '# HELP student_reports_queue_depth Reports waiting, by pipeline stage.',
  '# TYPE student_reports_queue_depth gauge',
  'student_reports_queue_depth{stage="translation"} 1200',
  'student_reports_queue_depth{stage="grading",shard="2"} 30',
  'student_reports_queue_depth{stage="grading",shard="3"} 12 1712345678901',
  '',
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="0.5"} 10',
  'http_request_duration_seconds_bucket{le="+Inf"} 14',
  'process_start_time_seconds 1.712345e9',
  'breaker_open 0',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads every sample with its labels, skipping HELP/TYPE comments and blank lines', () => {
    const samples = parsePrometheusText(PAGE);
    expect(samples).toHaveLength(7);
    expect(samples[0]).toEqual({ name: 'student_reports_queue_depth', labels: { stage: 'translation' }, value: 1200 });
    expect(samples[1]).toEqual({ name: 'student_reports_queue_depth', labels: { stage: 'grading', shard: '2' }, value: 30 });
    // The timestamp is read past, not mistaken for the value.
    expect(samples[2]!.value).toBe(12);
    expect(samples[4]).toEqual({ name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf' }, value: 14 });
    expect(samples[5]!.value).toBe(1.712345e9);
    expect(samples[6]).toEqual({ name: 'breaker_open', labels: {}, value: 0 });
  });

  it('unescapes \\", \\\\ and \\n in label values and keeps commas, braces and spaces inside quotes', () => {
    const [s] = parsePrometheusText('msg_total{text="say \\"hi\\", {ok} \\\\ done\\nbye",  path="/a b" ,} 3\n');
    expect(s!.labels).toEqual({ text: 'say "hi", {ok} \\ done\nbye', path: '/a b' });
    expect(s!.value).toBe(3);
  });

  it('reads +Inf, -Inf and NaN values, CRLF line ends and OpenMetrics exemplars', () => {
    const samples = parsePrometheusText('a +Inf\r\nb -Inf\r\nc NaN\r\nd_bucket{le="1"} 7 # {trace_id="abc"} 0.4 1.6e9\r\n# EOF\r\n');
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['a', Number.POSITIVE_INFINITY],
      ['b', Number.NEGATIVE_INFINITY],
      ['c', Number.NaN],
      ['d_bucket', 7],
    ]);
  });

  it('skips malformed lines without losing the good ones around them', () => {
    const samples = parsePrometheusText(
      [
        'good_one 1',
        'no_value',
        'bad{label=unquoted} 2',
        'unterminated{a="x 3',
        'junk_value abc',
        'too many 1 2 3',
        '9starts_with_digit 4',
        'good_two 5',
      ].join('\n'),
    );
    expect(samples.map((s) => s.name)).toEqual(['good_one', 'good_two']);
  });

  it('does not let a label named __proto__ replace the prototype', () => {
    const [s] = parsePrometheusText('m{__proto__="x"} 1');
    expect(Object.getPrototypeOf(s!.labels)).toBe(Object.prototype);
    // biome-ignore lint/suspicious/noProto: a label named __proto__ must be an own property, not the prototype
    expect(s!.labels['__proto__']).toBe('x');
  });
});

describe('selectPrometheusValue', () => {
  const samples = parsePrometheusText(PAGE);

  it('picks the sample whose labels include the selector', () => {
    expect(selectPrometheusValue(samples, 'student_reports_queue_depth', { stage: 'translation' })).toEqual({ value: 1200, matched: 1 });
  });

  it('sums every matching sample (a gauge split by label adds up to the whole)', () => {
    expect(selectPrometheusValue(samples, 'student_reports_queue_depth', { stage: 'grading' })).toEqual({ value: 42, matched: 2 });
    expect(selectPrometheusValue(samples, 'student_reports_queue_depth')).toEqual({ value: 1242, matched: 3 });
  });

  it('reports no match rather than 0 when nothing matches', () => {
    expect(selectPrometheusValue(samples, 'student_reports_queue_depth', { stage: 'ocr' })).toEqual({ value: 0, matched: 0 });
    expect(selectPrometheusValue(samples, 'student_reports_queue')).toEqual({ value: 0, matched: 0 });
  });
});

describe('metric selectors', () => {
  it('parse as the page writes them and format back', () => {
    const sel = parseMetricSelector('student_reports_queue_depth{stage="translation", shard="a\\"b"}');
    expect(sel).toEqual({ name: 'student_reports_queue_depth', labels: { stage: 'translation', shard: 'a"b' } });
    expect(formatSelector(sel!.name, sel!.labels)).toBe('student_reports_queue_depth{stage="translation",shard="a\\"b"}');
    expect(parseMetricSelector('up')).toEqual({ name: 'up', labels: {} });
  });

  it('refuse trailing junk and malformed label sets', () => {
    expect(parseMetricSelector('up{stage=translation}')).toBeUndefined();
    expect(parseMetricSelector('up{stage="x"')).toBeUndefined();
    expect(parseMetricSelector('up extra')).toBeUndefined();
    expect(parseMetricSelector('')).toBeUndefined();
  });
});

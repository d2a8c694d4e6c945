import { ValidationError, formatIssue, parseProbeFlag, readProbeFlag, type ValidationIssue } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

describe('parseProbeFlag', () => {
  it('reads a prometheus probe with a label selector written as the page writes it', () => {
    expect(parseProbeFlag('queue_depth=prometheus:http://127.0.0.1:9000/metrics#student_reports_queue_depth{stage="translation"}')).toEqual(
      {
        name: 'queue_depth',
        kind: 'prometheus',
        url: 'http://127.0.0.1:9000/metrics',
        metric: 'student_reports_queue_depth',
        labels: { stage: 'translation' },
      },
    );
    expect(parseProbeFlag('up=prometheus:http://127.0.0.1:9000/metrics#up')).toEqual({
      name: 'up',
      kind: 'prometheus',
      url: 'http://127.0.0.1:9000/metrics',
      metric: 'up',
    });
  });

  it('reads a health check, with an optional expected status list', () => {
    expect(parseProbeFlag('health=http:http://127.0.0.1:9000/health')).toEqual({
      name: 'health',
      kind: 'http',
      url: 'http://127.0.0.1:9000/health',
    });
    expect(parseProbeFlag('health=http:http://127.0.0.1:9000/health#200-299,429')).toMatchObject({ expectStatus: [[200, 299], 429] });
  });

  it('reads a json probe, keeping the query string in the URL', () => {
    expect(
      parseProbeFlag('depth=json:http://127.0.0.1:9000/status?verbose=1#items[0].count', { intervalMs: '2s', timeoutMs: 250 }),
    ).toEqual({
      name: 'depth',
      kind: 'json',
      url: 'http://127.0.0.1:9000/status?verbose=1',
      path: 'items[0].count',
      intervalMs: '2s',
      timeoutMs: 250,
    });
  });

  it.each([
    ['queue_depth', /--probe must look like name=kind:url/],
    ['depth=json:http://127.0.0.1:9000/status', /--probe needs the JSON path after a #/],
    ['q=prometheus:http://127.0.0.1:9000/metrics', /--probe needs the metric after a #/],
    ['q=prometheus:http://127.0.0.1:9000/metrics#q{stage=x}', /--probe has a malformed metric selector/],
    ['Queue=http:http://127.0.0.1:9000/', /--probe\.name must be lower-case/],
    ['q=smtp:http://127.0.0.1:9000/', /--probe\.kind must be one of "http", "json", "prometheus" \(got "smtp"\)/],
    ['q=http:127.0.0.1:9000/health', /--probe\.url must be an absolute http:\/\/ or https:\/\/ URL \(got "127\.0\.0\.1:9000\/health"\)/],
    [
      'health=http://127.0.0.1:9000/health',
      /--probe is missing the probe kind before the URL: write health=http:http:\/\/127\.0\.0\.1:9000\/health/,
    ],
    ['q=http:http://127.0.0.1:9000/#abc', /--probe\.expectStatus\[0\] must be a status code/],
  ])('explains what is wrong with %j', (text, expected) => {
    try {
      parseProbeFlag(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).message).toMatch(expected);
    }
  });

  it('collects problems of several flags under the paths it is given', () => {
    const issues: ValidationIssue[] = [];
    readProbeFlag('a=http:http://127.0.0.1:1/', { path: '--probe[0]' }, issues);
    readProbeFlag('b=json:http://127.0.0.1:1/', { path: '--probe[1]' }, issues);
    readProbeFlag('c=http:http://127.0.0.1:1/', { path: '--probe[2]', intervalMs: 100, timeoutMs: 100 }, issues);
    expect(issues.map(formatIssue)).toEqual([
      '--probe[1] needs the JSON path after a #, e.g. depth=json:http://127.0.0.1:9000/status#queue.depth (got "b=json:http://127.0.0.1:1/")',
      '--probe[2].timeoutMs must be < intervalMs (100 ms) so each poll ends before the next is due (got 100 ms)',
    ]);
  });
});

import { ValidationError, formatIssue, resolveProbes, validateProbes } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';

const messages = (specs: unknown) => validateProbes(specs).map(formatIssue);

describe('validateProbes', () => {
  it('accepts the three kinds and fills in the defaults', () => {
    const specs = [
      { name: 'health', kind: 'http', url: 'http://127.0.0.1:9000/health' },
      { name: 'depth', kind: 'json', url: 'http://127.0.0.1:9000/status', path: 'queue.depth', intervalMs: '2s', timeoutMs: 300 },
      {
        name: 'queue_depth',
        kind: 'prometheus',
        url: 'http://127.0.0.1:9000/metrics',
        metric: 'student_reports_queue_depth',
        labels: { stage: 'translation' },
      },
    ] as const;
    expect(validateProbes(specs)).toEqual([]);
    expect(resolveProbes([...specs])).toEqual([
      { ...specs[0], intervalMs: 1000, timeoutMs: 500, expectStatus: [[200, 299]] },
      { ...specs[1], intervalMs: 2000, timeoutMs: 300 },
      { ...specs[2], intervalMs: 1000, timeoutMs: 500 },
    ]);
  });

  it('reports every problem of every probe, each with its path', () => {
    const found = messages([
      { name: 'health', kind: 'http', url: 'ftp://127.0.0.1/health', expectStatus: [[299, 200], 42] },
      { name: 'queue_depth', kind: 'prometheus', url: 'http://127.0.0.1:9000/metrics', labels: { 'bad-label': 'x', stage: 3 } },
      { name: 'Depth!', kind: 'json', url: 'not a url', timeoutMs: 1500 },
      { name: 'health', kind: 'smtp', url: 'http://127.0.0.1:9000/' },
      'queue_depth',
    ]);
    expect(found).toEqual([
      'probes[0].url must use http:// or https:// (got ftp:)',
      'probes[0].expectStatus[0] must be a status code 100–599 or a [from, to] range (got [299,200])',
      'probes[0].expectStatus[1] must be a status code 100–599 or a [from, to] range (got 42)',
      'probes[1].metric is required for kind "prometheus" (e.g. student_reports_queue_depth)',
      'probes[1].labels.bad-label is not a valid Prometheus label name',
      'probes[1].labels.stage must be a string (got 3)',
      'probes[2].name must be lower-case letters, digits and _, not starting with a digit, so conditions can refer to it (got "Depth!")',
      'probes[2].url must be an absolute http:// or https:// URL (got "not a url")',
      'probes[2].timeoutMs must be < intervalMs (1000 ms) so each poll ends before the next is due (got 1500 ms)',
      'probes[2].path is required for kind "json" (e.g. queue.depth or items[0].count)',
      'probes[3].kind must be one of "http", "json", "prometheus" (got "smtp")',
      'probes[4] must be an object with name, kind and url (got "queue_depth")',
    ]);
  });

  it('rejects duplicate names, because conditions refer to probes by name', () => {
    expect(
      messages([
        { name: 'health', kind: 'http', url: 'http://127.0.0.1:1/a' },
        { name: 'health', kind: 'http', url: 'http://127.0.0.1:1/b' },
      ]),
    ).toEqual(['probes[1].name "health" is already used by probes[0]; conditions refer to probes by name, so names must be unique']);
  });

  it('rejects names the SLO text reads as its own signals', () => {
    for (const name of ['p99', 'max', 'errors', 'achieved', 'drops']) {
      expect(messages([{ name, kind: 'http', url: 'http://127.0.0.1:1/' }])[0]).toMatch(/is reserved/);
    }
    expect(messages([{ name: 'p99_latency', kind: 'http', url: 'http://127.0.0.1:1/' }])).toEqual([]);
  });

  it('names fields that belong to another kind, and unknown fields', () => {
    expect(messages([{ name: 'health', kind: 'http', url: 'http://127.0.0.1:1/', metric: 'up', intervall: 5 }])).toEqual([
      'probes[0].metric is not used by kind "http" (it belongs to kind "prometheus")',
      'probes[0].intervall is not a probe field: did you mean probes[0].intervalMs?',
    ]);
  });

  it('checks json paths and metric names for shape', () => {
    expect(
      messages([
        { name: 'a', kind: 'json', url: 'http://127.0.0.1:1/', path: 'items[x]' },
        { name: 'b', kind: 'prometheus', url: 'http://127.0.0.1:1/', metric: 'queue-depth' },
      ]),
    ).toEqual([
      'probes[0].path needs [<index>] or ["<key>"] at position 5; write it like queue.depth or items[0].count (got "items[x]")',
      'probes[1].metric must be a Prometheus metric name such as student_reports_queue_depth (got "queue-depth")',
    ]);
  });

  it('bounds the interval from below and requires a positive timeout', () => {
    expect(messages([{ name: 'a', kind: 'http', url: 'http://127.0.0.1:1/', intervalMs: 10, timeoutMs: 0 }])).toEqual([
      'probes[0].intervalMs must be >= 50 ms (got 10)',
      'probes[0].timeoutMs must be > 0 ms (got 0)',
    ]);
  });

  it('uses the path it is given and says when the list is not a list', () => {
    expect(validateProbes({}, 'scenario.probes')).toEqual([{ path: 'scenario.probes', message: 'must be a list of probes (got object)' }]);
    expect(validateProbes([{ kind: 'http', url: 'http://127.0.0.1:1/' }], 'scenario.probes')[0]!.path).toBe('scenario.probes[0].name');
  });
});

describe('resolveProbes', () => {
  it('throws one ValidationError carrying every issue', () => {
    try {
      resolveProbes([
        { name: 'x', kind: 'prometheus', url: 'http://127.0.0.1:1/' } as never,
        { name: 'x', kind: 'json', url: 'http://127.0.0.1:1/' } as never,
      ]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('OVL_INVALID_OPTIONS');
      expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['probes[0].metric', 'probes[1].path']);
    }
  });
});

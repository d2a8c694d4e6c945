/**
 * Probes: side-channel polls recorded as time series for a whole run, against
 * real loopback servers. Probes are light, so the servers run in this process.
 */
import { createHook } from 'node:async_hooks';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type OverloadError, ValidationError, type ProbeSample, type ProbeSpec } from '@overload/core/internal';
import { startProbes, type ProbeHandle } from '@overload/workers';
import { afterEach, describe, expect, it } from 'vitest';

interface TestServer {
  readonly url: string;
  requests: number;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    s.requests++;
    handler(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let closed = false;
  const s: TestServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: 0,
    sockets,
    async close() {
      if (closed) return;
      closed = true;
      const done = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await done;
    },
  };
  servers.push(s);
  return s;
}

/** Records samples as they arrive and lets a test await a condition on them (no sleeps). */
class Samples {
  readonly byName = new Map<string, ProbeSample[]>();
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  readonly onSample = (name: string, sample: ProbeSample): void => {
    const list = this.byName.get(name) ?? [];
    list.push(sample);
    this.byName.set(name, list);
    this.#waiters = this.#waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
  };

  of(name: string): ProbeSample[] {
    return this.byName.get(name) ?? [];
  }

  until(name: string, check: (samples: ProbeSample[]) => boolean): Promise<ProbeSample[]> {
    return new Promise((resolve) => {
      const w = { check: () => check(this.of(name)), resolve: () => resolve(this.of(name)) };
      if (w.check()) w.resolve();
      else this.#waiters.push(w);
    });
  }
}

const servers: TestServer[] = [];
let probes: ProbeHandle | undefined;

afterEach(async () => {
  await probes?.stop().catch(() => undefined);
  probes = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const FAST = { intervalMs: 100, timeoutMs: 80 } as const;

describe('startProbes', () => {
  it('records a Prometheus gauge as it changes, picking the sample by its labels', async () => {
    let scrapes = 0;
    const metrics = await serve((_req, res) => {
      scrapes++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# HELP student_reports_queue_depth Reports waiting per stage.',
          '# TYPE student_reports_queue_depth gauge',
          `student_reports_queue_depth{stage="translation"} ${scrapes * 100}`,
          'student_reports_queue_depth{stage="grading"} 7',
          '',
        ].join('\n'),
      );
    });
    const samples = new Samples();
    const t0Perf = performance.now() - 5000;
    probes = startProbes(
      [
        {
          name: 'queue_depth',
          kind: 'prometheus',
          url: `${metrics.url}/metrics`,
          metric: 'student_reports_queue_depth',
          labels: { stage: 'translation' },
          ...FAST,
        },
      ],
      { t0Perf, onSample: samples.onSample },
    );
    const got = await samples.until('queue_depth', (s) => s.length >= 5);
    expect(got.slice(0, 5).map((s) => s.value)).toEqual([100, 200, 300, 400, 500]);
    expect(got.every((s) => s.ok && s.error === undefined)).toBe(true);
    // Times are relative to the given t0 and spaced by the interval.
    expect(got[0]!.tMs).toBeGreaterThanOrEqual(5000);
    const spanMs = got[4]!.tMs - got[0]!.tMs;
    expect(spanMs).toBeGreaterThan(4 * 100 * 0.5);
    expect(spanMs).toBeLessThan(4 * 100 * 4);
    // series() carries the same samples, named and typed.
    const [series] = probes.series();
    expect(series!.name).toBe('queue_depth');
    expect(series!.kind).toBe('prometheus');
    expect(series!.points.slice(0, 5)).toEqual(got.slice(0, 5));
  });

  it('records a JSON value by path', async () => {
    let depth = 40;
    const status = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ queue: { depth: (depth += 2), paused: depth > 44 } }));
    });
    const samples = new Samples();
    probes = startProbes(
      [
        { name: 'depth', kind: 'json', url: `${status.url}/status`, path: 'queue.depth', ...FAST },
        { name: 'paused', kind: 'json', url: `${status.url}/status`, path: 'queue.paused', ...FAST },
      ],
      { onSample: samples.onSample },
    );
    const depths = await samples.until('depth', (s) => s.length >= 3);
    const paused = await samples.until('paused', (s) => s.some((x) => x.value === 1));
    const values = depths.map((s) => s.value as number);
    expect(values.every((v, i) => i === 0 || v > values[i - 1]!)).toBe(true);
    expect(values.every((v) => v % 2 === 0 && v >= 42)).toBe(true);
    expect(paused.every((s) => s.ok && (s.value === 0 || s.value === 1))).toBe(true);
  });

  it('sees a health endpoint flip to 503 and back', async () => {
    let healthy = true;
    const app = await serve((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'breaker open');
    });
    const samples = new Samples();
    probes = startProbes([{ name: 'health', kind: 'http', url: `${app.url}/health`, ...FAST }], { onSample: samples.onSample });
    await samples.until('health', (s) => s.length >= 2);
    healthy = false;
    const down = await samples.until('health', (s) => s.filter((x) => !x.ok).length >= 2);
    expect(down.find((x) => !x.ok)).toMatchObject({ value: 0, ok: false, error: 'status 503' });
    expect(down[0]).toMatchObject({ value: 1, ok: true });
    healthy = true;
    const back = await samples.until('health', (s) => s.length > 0 && s[s.length - 1]!.ok);
    expect(back[back.length - 1]).toMatchObject({ value: 1, ok: true });
  });

  it('turns an unreachable endpoint into ok:false samples and keeps polling', async () => {
    const app = await serve((_req, res) => res.end('ok'));
    const samples = new Samples();
    probes = startProbes([{ name: 'health', kind: 'http', url: `${app.url}/health`, ...FAST }], { onSample: samples.onSample });
    await samples.until('health', (s) => s.some((x) => x.ok));
    await app.close();
    // Three refused polls in a row: the probe neither throws nor stops.
    const after = await samples.until('health', (s) => {
      const tail = s.slice(-3);
      return tail.length === 3 && tail.every((x) => x.error === 'ECONNREFUSED');
    });
    expect(after[after.length - 1]).toEqual({ tMs: expect.any(Number), value: null, ok: false, error: 'ECONNREFUSED' });
    expect(after.length).toBeGreaterThanOrEqual(4);
  });

  it('gives up on a target that never answers at the probe timeout, and never retries', async () => {
    const stuck = await serve(() => {
      /* never answers */
    });
    const samples = new Samples();
    probes = startProbes([{ name: 'health', kind: 'http', url: `${stuck.url}/health`, intervalMs: 150, timeoutMs: 60 }], {
      onSample: samples.onSample,
    });
    const got = await samples.until('health', (s) => s.length >= 3);
    expect(got.slice(0, 3).every((s) => s.ok === false && s.value === null && s.error === 'timeout')).toBe(true);
    await probes.stop();
    // One request per recorded sample (plus at most the poll that stop() cut short): no retries.
    const recorded = probes.series()[0]!.points.length;
    expect(stuck.requests - recorded).toBeGreaterThanOrEqual(0);
    expect(stuck.requests - recorded).toBeLessThanOrEqual(1);
  });

  it('aborts a body larger than the cap', async () => {
    const big = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ queue: { depth: 1 }, padding: 'x'.repeat(64 * 1024) }));
    });
    const samples = new Samples();
    probes = startProbes([{ name: 'depth', kind: 'json', url: big.url, path: 'queue.depth', ...FAST }], {
      onSample: samples.onSample,
      maxBodyBytes: 4096,
    });
    const [first] = await samples.until('depth', (s) => s.length >= 1);
    expect(first).toMatchObject({ value: null, ok: false, error: 'body too large' });
  });

  it('stop() ends polling and leaves no timers or sockets behind, even with a poll in flight', async () => {
    const metrics = await serve((_req, res) => res.end('up 1\n'));
    let stuckRequests = 0;
    const stuck = await serve(() => void stuckRequests++);
    const count = (type: string) => process.getActiveResourcesInfo().filter((t) => t === type).length;
    const before = { timers: count('Timeout'), sockets: count('TCPSocketWrap') };

    const samples = new Samples();
    probes = startProbes(
      [
        { name: 'up', kind: 'prometheus', url: metrics.url, metric: 'up', intervalMs: 100, timeoutMs: 50 },
        // A long timeout, so this poll is certainly in flight when stop() is called.
        { name: 'stuck', kind: 'http', url: stuck.url, intervalMs: 10_000, timeoutMs: 5_000 },
      ],
      { onSample: samples.onSample },
    );
    await samples.until('up', (s) => s.length >= 2);
    expect(stuckRequests).toBe(1);
    expect(count('TCPSocketWrap')).toBeGreaterThan(before.sockets);

    await probes.stop();
    // The aborted poll records nothing: it says nothing about the target.
    expect(probes.series()[1]!.points).toEqual([]);
    // Every probe connection is closed: wait for the servers to see their ends close.
    await Promise.all([...metrics.sockets, ...stuck.sockets].map((s) => (s.destroyed ? undefined : once(s, 'close'))));
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.sockets);

    // And nothing runs after stop: no poll reaches a server, and no timer is armed again (the
    // probe schedule is unref'd, so only a hook sees it; a stray tick would re-arm every 100 ms).
    const requestsAtStop = metrics.requests;
    const quiet = new Promise((resolve) => setTimeout(resolve, 350));
    const timersArmed: string[] = [];
    const hook = createHook({ init: (_id, type) => void (type === 'Timeout' && timersArmed.push(type)) }).enable();
    await quiet;
    hook.disable();
    expect(timersArmed).toEqual([]);
    expect(metrics.requests).toBe(requestsAtStop);
    expect(metrics.sockets.size).toBe(0);
    // stop() is idempotent.
    await probes.stop();
  });

  it('refuses a probe outside the allowed hosts, and invalid probes, before sending anything', async () => {
    const app = await serve((_req, res) => res.end('ok'));
    const port = new URL(app.url).port;
    expect(() =>
      startProbes([{ name: 'health', kind: 'http', url: `http://localhost:${port}/` }], { allowedHosts: ['127.0.0.1'] }),
    ).toThrow(expect.objectContaining({ code: 'OVL_TARGET_NOT_ALLOWED' }) as unknown as OverloadError);
    expect(() => startProbes([{ name: 'Health', kind: 'http', url: app.url } as ProbeSpec])).toThrow(ValidationError);
    const ok = startProbes([{ name: 'health', kind: 'http', url: `${app.url}/`, ...FAST }], { allowedHosts: [`127.0.0.1:${port}`] });
    await ok.stop();
    expect(app.requests).toBeLessThanOrEqual(1);
  });

  it('keeps polling when onSample throws, and reports the error from stop()', async () => {
    const app = await serve((_req, res) => res.end('ok'));
    const samples = new Samples();
    let calls = 0;
    probes = startProbes([{ name: 'health', kind: 'http', url: app.url, ...FAST }], {
      onSample: (name, sample) => {
        samples.onSample(name, sample);
        if (++calls === 1) throw new Error('listener bug');
      },
    });
    await samples.until('health', (s) => s.length >= 3);
    const handle = probes;
    probes = undefined;
    await expect(handle.stop()).rejects.toThrow('listener bug');
  });
});

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';
import { expectSameIntervals, type LiveView } from './support/dashboard.js';

type Live = { overloadLive: { intervals: number; end: unknown } };

describe('the live dashboard', () => {
  let server: ChildServer;
  beforeEach(async () => {
    server = await startChildServer('counting');
  });
  afterEach(() => server.close());

  it('serves an offline page that several viewers see alike, refuses data without the token, and its Stop ends sending at once with exit 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-dashboard-'));
    const log = join(dir, 'overload.log');
    const seen: { refused: number[]; hosts: Set<string>; url?: string; viewers: LiveView[] } = {
      refused: [],
      hosts: new Set(),
      viewers: [],
    };
    let acting: Promise<void> | undefined;
    const r = await runCli(
      [
        'ramp',
        server.url,
        '--profile',
        'stages:30s@200',
        '--slo',
        'p99<500ms',
        '--no-recovery',
        '--dashboard',
        '--out-dir',
        dir,
        '--log-file',
        log,
      ],
      {
        onStderr: (chunk) => {
          seen.url ??= /dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(chunk)?.[1];
          if (acting || !seen.url) return;
          const url = seen.url;
          const base = url.replace(/\/#token=.*/, '');
          acting = (async () => {
            for (const [method, path] of [
              ['GET', '/events'],
              ['GET', '/status'],
              ['POST', '/stop'],
            ])
              seen.refused.push((await fetch(`${base}${path}`, { method })).status);
            const browser = await launchChromium();
            try {
              const open = async () => {
                const page = await browser.newPage();
                page.on('request', (req) => seen.hosts.add(new URL(req.url()).host));
                page.on('dialog', (d) => void d.accept());
                await page.goto(url);
                return page;
              };
              const first = await open();
              await first.waitForFunction(() => Number(document.getElementById('intervals')?.textContent) >= 2, undefined, {
                timeout: 15_000,
              });
              // A second viewer, late: it gets everything the first has, and what follows.
              const second = await open();
              await second.waitForFunction(() => (window as unknown as Live).overloadLive.intervals >= 3, undefined, { timeout: 15_000 });
              await first.click('#stop');
              for (const page of [first, second]) {
                await page.waitForFunction(() => (window as unknown as Live).overloadLive.end !== null, undefined, { timeout: 15_000 });
                seen.viewers.push(await page.evaluate(() => (window as unknown as Live).overloadLive as unknown as LiveView));
              }
            } finally {
              await browser.close();
            }
          })();
        },
      },
    );
    await acting;
    expect(seen.refused).toEqual([401, 401, 401]);
    expect([...seen.hosts]).toEqual([new URL(seen.url!).host]);
    expect(r.code).toBe(3);
    const raw = await readFile(join(dir, 'result.json'), 'utf8');
    const result = JSON.parse(raw);
    expect(result.stopReason).toBe('control-endpoint');
    expect(result.partial.detail).toMatch(/dashboard \(Stop button from 127\.0\.0\.1\)/);
    // Both viewers saw the same intervals, the stop and the end, and what they saw is the result's.
    const [a, b] = seen.viewers as [LiveView, LiveView];
    expect(b.received).toEqual(a.received);
    for (const v of [a, b]) {
      expect(v.stop.detail).toBe(result.partial.detail);
      expect(v.end.exitCode).toBe(3);
      expect(v.end.files).toContain(join(dir, 'result.json'));
    }
    expectSameIntervals(a.received, result.run.intervals);
    // Sending ended within 200 ms of the Stop reaching overload, by the target's own clock (the
    // same bound as Ctrl-C's; docs/dashboard.md has the figure measured on a quiet machine).
    const { arrivalsMs, firstEpochMs, count } = await server.stats<{ arrivalsMs: number[]; firstEpochMs: number; count: number }>();
    expect(firstEpochMs + arrivalsMs.at(-1)! - a.stop.atEpochMs).toBeLessThan(200);
    expect(result.run.totals.sent).toBe(count);
    // The token is in the one line that prints the URL, and nowhere else.
    const token = /#token=([0-9a-f]+)/.exec(seen.url!)![1]!;
    expect(r.stderr.split('\n').filter((l) => l.includes(token))).toEqual([`dashboard: ${seen.url}`]);
    expect(r.stdout).not.toContain(token);
    for (const file of await readdir(dir)) expect(await readFile(join(dir, file), 'utf8'), file).not.toContain(token);
    expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(['overload.log', 'report.html', 'result.json']));
  }, 90_000);

  it('draws each probe against its SLO limit and marks each step verdict as judged, matching result.json', async () => {
    const target = await startChildServer('capacity', { capacityRps: 300 });
    const dir = await mkdtemp(join(tmpdir(), 'overload-dashboard-probes-'));
    type Seen = {
      marks: { step: number; verdict: string }[];
      probe: { x: number[]; v: (number | null)[]; limits: { y: number; label: string }[] };
      latencyPoints: number;
      probeRows: number;
    };
    let seen: Seen | undefined;
    let acting: Promise<void> | undefined;
    try {
      const r = await runCli(
        [
          'ramp',
          `${target.url}/`,
          '--profile',
          'step:start=100,step=100,every=2s,max=700',
          '--slo',
          'p99<300ms,errors<1%,depth<40',
          '--probe',
          `depth=prometheus:${target.url}/metrics#queue_depth`,
          '--no-recovery',
          '--workers',
          '1',
          '--dashboard',
          '--out-dir',
          dir,
          '-q',
        ],
        {
          onStderr: (chunk) => {
            const url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(chunk)?.[1];
            if (acting || !url) return;
            acting = (async () => {
              const browser = await launchChromium();
              try {
                const page = await browser.newPage();
                await page.goto(url);
                // The run's end: every verdict and sample it sent has been drawn by then.
                await page.waitForFunction(() => /^\d+$/.test(document.getElementById('exit')?.textContent ?? ''), undefined, {
                  timeout: 40_000,
                });
                await page.waitForTimeout(300);
                seen = await page.evaluate(() => {
                  const live = (window as unknown as { overloadLive: any }).overloadLive;
                  const probe = live.layout.charts[live.layout.timeCharts];
                  const latency = live.layout.charts.find((c: { id: string }) => c.id === 'latency-over-time');
                  return {
                    marks: [...document.querySelectorAll('#marks li[data-step]')].map((li) => ({
                      step: Number(li.getAttribute('data-step')),
                      verdict: li.getAttribute('data-verdict') ?? '',
                    })),
                    probe: { x: probe.x, v: probe.series[0].values, limits: probe.limits },
                    latencyPoints: latency.x.length,
                    probeRows: document.querySelectorAll('#probes tr[data-probe="depth"]').length,
                  };
                });
              } finally {
                await browser.close();
              }
            })();
          },
        },
      );
      await acting;
      const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
      expect(result.verdict).toBe('collapsed');
      // Collapsed, with the recovery check switched off: nothing failed that the ramp asserts.
      expect(r.code).toBe(0);
      expect(seen).toBeDefined();
      const s = seen!;
      // Every judged step, in order, with the verdict the result records (a cut-short step has none).
      const judged = result.steps.filter((x: { verdict: string }) => x.verdict !== 'partial');
      expect(s.marks).toEqual(judged.map((x: { index: number; verdict: string }) => ({ step: x.index + 1, verdict: x.verdict })));
      expect(s.marks.at(-1)!.verdict).toBe('breached');
      // The probe's series is the one the result keeps, sample for sample, against the SLO's limit.
      expect(s.probeRows).toBe(1);
      expect(s.probe.limits).toEqual([expect.objectContaining({ y: 40 })]);
      const stored = result.probes.find((p: { name: string }) => p.name === 'depth').points;
      expect(s.probe.x.length).toBeGreaterThanOrEqual(3);
      // Each sample drawn is one the result keeps, at the same time with the same value.
      const byX = new Map(stored.map((p: { tMs: number; value: number | null }) => [Math.round((p.tMs / 1000) * 1000) / 1000, p.value]));
      s.probe.x.forEach((x, k) => expect([x, byX.get(x)]).toEqual([x, s.probe.v[k]]));
      expect(s.latencyPoints).toBe(result.run.intervals.length);
    } finally {
      await target.close();
    }
  }, 90_000);
});

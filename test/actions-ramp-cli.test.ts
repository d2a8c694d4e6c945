/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';

interface Arrival {
  readonly method: string;
  readonly path: string;
  readonly atMs: number;
}

/**
 * A loopback target that answers everything 200 and records, by its own clock, when the first
 * load request and each /admin call arrived; `onAdmin` sees each admin call as it arrives.
 */
async function startAdminTarget(onAdmin: (a: Arrival) => void = () => {}, failPath?: string) {
  const admin: Arrival[] = [];
  let load = 0;
  let firstLoadAtMs: number | undefined;
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = req.url ?? '/';
    if (path.startsWith('/admin')) {
      const a = { method: req.method ?? '', path, atMs: Date.now() };
      admin.push(a);
      onAdmin(a);
    } else {
      firstLoadAtMs ??= Date.now();
      load++;
    }
    res.writeHead(path === failPath ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    admin,
    load: () => load,
    firstLoadAtMs: () => firstLoadAtMs,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// Step 2 of this profile starts 2 s after t0 (`overload plan` prints the same table).
const PROFILE = 'step:start=20,step=20,every=2s,max=100';

describe('actions during a ramp', () => {
  let target: Awaited<ReturnType<typeof startAdminTarget>> | undefined;
  let child: ChildServer | undefined;
  let browser: Browser | undefined;
  let sigintDir: string | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
    await child?.close();
    child = undefined;
  });
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('SIGINT mid-ramp: the step:2 action ran when step 2 started, the always clean-up still runs, exit 3', async () => {
    let pid = 0;
    let sigintAtMs: number | undefined;
    // Ctrl-C half a second into step 2, once its action has arrived.
    target = await startAdminTarget((a) => {
      if (a.path === '/admin/step2')
        setTimeout(() => {
          sigintAtMs = Date.now();
          process.kill(pid, 'SIGINT');
        }, 500);
    });
    const dir = await mkdtemp(join(tmpdir(), 'overload-actions-ramp-'));
    const r = await runCli(
      [
        'ramp',
        `${target.url}/`,
        '--profile',
        PROFILE,
        '--slo',
        'p99<500ms',
        '--workers',
        '1',
        '--action',
        'mid=POST /admin/step2@step:2',
        '--action',
        'clean=POST /admin/clean@9s,always',
        '--out-dir',
        dir,
      ],
      { onSpawn: (p) => (pid = p) },
    );
    expect(sigintAtMs).toBeDefined();
    expect(r.code).toBe(3);
    expect(target.admin.map((a) => `${a.method} ${a.path}`)).toEqual(['POST /admin/step2', 'POST /admin/clean']);
    // The clean-up came after the Ctrl-C, not at its own moment (9 s).
    expect(target.admin[1]!.atMs).toBeGreaterThanOrEqual(sigintAtMs!);
    // The target's clock agrees that the step:2 action came as step 2 started (2 s after the first request).
    expect(Math.abs(target.admin[0]!.atMs - target.firstLoadAtMs()! - 2000)).toBeLessThan(100);

    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.kind).toBe('ramp');
    expect(result.stopReason).toBe('signal');
    const [mid, clean] = result.actions;
    expect(mid).toMatchObject({ name: 'mid', at: 'step:2', intendedAtMs: 2000, status: 200, ok: true });
    expect(Math.abs(mid.actualAtMs - 2000)).toBeLessThan(50);
    expect(clean).toMatchObject({ name: 'clean', always: true, ranAtStop: true, status: 200, ok: true });
    expect(clean.intendedAtMs).toBeUndefined();
    expect(clean.actualAtMs).toBeGreaterThan(mid.actualAtMs + 400);
    expect(r.stdout).toMatch(/action mid: POST http:\/\/127\.0\.0\.1:\d+\/admin\/step2 at 2\.\d\d s \(due 2\.00 s\): 200/);
    expect(r.stdout).toMatch(/action clean: POST .*\/admin\/clean at \d+\.\d\d s \(when the run stopped\): 200/);
    sigintDir = dir;
  }, 60_000);

  it('the HTML report marks each action at its actual time on the time charts, labelled with its name', async () => {
    expect(sigintDir, 'the SIGINT ramp above wrote its report').toBeDefined();
    const file = join(sigintDir!, 'report.html');
    const result = JSON.parse(await readFile(join(sigintDir!, 'result.json'), 'utf8'));
    const html = await readFile(file, 'utf8');
    const charts = JSON.parse(/<script type="application\/json" id="overload-report-data">(.*?)<\/script>/s.exec(html)![1]!).charts as {
      id: string;
      marks: { x: number; label: string }[];
    }[];
    const actionMarks = result.actions.map((a: { name: string; actualAtMs: number }) => ({
      x: Math.round(a.actualAtMs) / 1000,
      label: a.name,
    }));
    for (const id of ['rate-over-time', 'latency-over-time', 'errors-over-time']) {
      const marks = charts.find((c) => c.id === id)!.marks;
      expect(marks.map((m) => m.label)).toEqual(['mid', 'clean']);
      marks.forEach((m, i) => expect(Math.abs(m.x - actionMarks[i].x)).toBeLessThan(0.002));
    }

    // In the browser: each name drawn on the rate chart, next to a vertical line in the mark's
    // colour at the pixel the x axis gives its actual time.
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.addInitScript(() => {
      const proto = CanvasRenderingContext2D.prototype;
      const fillText = proto.fillText;
      const clearRect = proto.clearRect;
      type Texts = { text: string; left: number; right: number; top: number }[];
      const list = (c: HTMLCanvasElement): Texts => ((c as unknown as { __t?: Texts }).__t ??= []);
      proto.clearRect = function (x: number, y: number, w: number, h: number) {
        if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) list(this.canvas).length = 0;
        return clearRect.call(this, x, y, w, h);
      };
      proto.fillText = function (text: string, x: number, y: number) {
        const m = this.measureText(text);
        const t = this.getTransform();
        // Rotated text (the y axis titles) is of no use here; only upright labels are kept.
        if (t.b === 0 && t.c === 0)
          list(this.canvas).push({
            text: String(text),
            left: t.a * (x - m.actualBoundingBoxLeft) + t.e,
            right: t.a * (x + m.actualBoundingBoxRight) + t.e,
            top: t.d * (y - m.actualBoundingBoxAscent) + t.f,
          });
        return fillText.call(this, text, x, y);
      };
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelector('#chart-rate-over-time canvas') !== null, undefined, { timeout: 10_000 });
      const drawn = await page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>('#chart-rate-over-time canvas')!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        // Per pixel column, how many rows hold the action mark's colour (#3f007d).
        const columns = new Array<number>(c.width).fill(0);
        for (let i = 0; i < d.length; i += 4)
          if (d[i + 3]! > 150 && Math.abs(d[i]! - 63) <= 40 && d[i + 1]! <= 50 && Math.abs(d[i + 2]! - 125) <= 40)
            columns[(i / 4) % c.width]!++;
        return { columns, texts: (c as unknown as { __t: { text: string; left: number; right: number; top: number }[] }).__t };
      });
      expect(errors).toEqual([]);
      // The x axis: numeric tick labels sharing the lowest row of text; two of them map seconds to pixels.
      const numeric = drawn.texts.filter((t) => /^-?\d+(\.\d+)?$/.test(t.text));
      const axisTop = Math.max(...numeric.map((t) => Math.round(t.top)));
      const ticks = numeric.filter((t) => Math.abs(t.top - axisTop) <= 1).sort((a, b) => a.left - b.left);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      const [a, b] = [ticks[0]!, ticks.at(-1)!];
      const centre = (t: { left: number; right: number }) => (t.left + t.right) / 2;
      const pxOf = (sec: number) => centre(a) + ((sec - Number(a.text)) * (centre(b) - centre(a))) / (Number(b.text) - Number(a.text));
      for (const m of actionMarks) {
        const x = pxOf(m.x);
        const near = drawn.columns.slice(Math.floor(x) - 3, Math.ceil(x) + 4);
        expect(Math.max(...near), `a vertical line for "${m.label}" at ${m.x} s (x≈${x.toFixed(1)} px)`).toBeGreaterThan(40);
        const label = drawn.texts.find((t) => t.text === m.label);
        expect(label, `"${m.label}" is drawn`).toBeDefined();
        // Left of the line when near the right edge, right of it otherwise: within 10 px either way.
        expect(Math.min(Math.abs(label!.left - x), Math.abs(label!.right - x))).toBeLessThan(10);
      }
    } finally {
      await page.close();
    }
  }, 30_000);

  it("at: 'collapse' against a target of fixed capacity: sent once, after the judge called the collapse; the clean-up before the recovery check", async () => {
    child = await startChildServer('capacity', { capacityRps: 200 });
    const dir = await mkdtemp(join(tmpdir(), 'overload-actions-collapse-'));
    const r = await runCli([
      'ramp',
      `${child.url}/`,
      '--profile',
      'step:start=100,step=100,every=2s,max=500',
      '--slo',
      'p90<50ms,errors<1%',
      '--workers',
      '1',
      '--cooldown',
      '1s',
      '--recovery-within',
      '6s',
      '--action',
      'dump=POST /admin/heap-dump@collapse',
      '--action',
      'undo=POST /admin/undo@60s,always',
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('collapsed');
    expect(result.recovery.recovered).toBe(true);
    const [dump, undo] = result.actions;
    expect(dump).toMatchObject({ name: 'dump', at: 'collapse', status: 200, ok: true });
    expect(dump.intendedAtMs).toBeUndefined();
    // Called when the judge's window that breached had closed, not before.
    const w = result.collapse.window;
    expect(dump.actualAtMs).toBeGreaterThanOrEqual(w.startMs + w.durationMs);
    const stats = await child.stats<{ admin: Arrival[]; firstLoadAtMs: number }>();
    expect(stats.admin.map((a) => `${a.method} ${a.path}`)).toEqual(['POST /admin/heap-dump', 'POST /admin/undo']);
    // The clean-up ran when the ramp's load stopped, before the recovery baseline (judged on a target put back) began.
    expect(undo).toMatchObject({ name: 'undo', ranAtStop: true, status: 200, ok: true });
    expect(undo.actualAtMs).toBeGreaterThanOrEqual(result.run.durationMs);
    expect(undo.actualAtMs + undo.durationMs).toBeLessThan(result.run.durationMs + result.recovery.cooldownMs);
    // By the target's clock too: it came after the collapsing step had started.
    expect(stats.admin[0]!.atMs - stats.firstLoadAtMs).toBeGreaterThan(result.collapse.step.startMs);
    expect(r.stdout).toMatch(/action dump: POST .*\/admin\/heap-dump at \d+\.\d\d s: 200/);
  }, 60_000);

  it('a ramp that held but whose clean-up failed: exit 3, NOT UNDONE and the request to run by hand, last', async () => {
    target = await startAdminTarget(undefined, '/admin/resume');
    const r = await runCli([
      'ramp',
      `${target.url}/`,
      '--profile',
      'step:start=20,step=20,every=1s,max=40',
      '--slo',
      'p99<500ms',
      '--workers',
      '1',
      '--action',
      'resume=POST /admin/resume@end,always',
    ]);
    expect(r.code).toBe(3);
    expect(target.admin.map((a) => a.path)).toEqual(['/admin/resume']);
    expect(r.stdout).toContain('action resume: POST');
    expect(r.stderr.trimEnd().split('\n').slice(-3).join('\n')).toContain('NOT UNDONE');
    expect(r.stderr.trimEnd().endsWith(`curl -X POST '${target.url}/admin/resume'`)).toBe(true);
  }, 30_000);

  it('moments the command cannot honour are refused up front, naming the field, with nothing sent: exit 2', async () => {
    target = await startAdminTarget();
    const beyond = await runCli([
      'ramp',
      `${target.url}/`,
      '--profile',
      PROFILE,
      '--slo',
      'p99<500ms',
      '--action',
      'late=POST /admin/late@step:6',
    ]);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain(`--action "late=POST /admin/late@step:6".at 'step:6' is beyond the profile, which has 5 steps`);
    const onRun = await runCli(['run', `${target.url}/`, '--rate', '20', '--duration', '1s', '--action', 'dump=POST /admin/dump@collapse']);
    expect(onRun.code).toBe(2);
    expect(onRun.stderr).toContain(`--action "dump=POST /admin/dump@collapse".at 'collapse' never comes in \`overload run\``);
    expect(target.load()).toBe(0);
    expect(target.admin).toEqual([]);
  }, 30_000);
});

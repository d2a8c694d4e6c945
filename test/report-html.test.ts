/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunResult } from '@overload/core/internal';
import { ramp, type RampResult, run, search, type SearchRunResult } from '@overload/workers';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../packages/cli/dist/report/html.js';
import { toStored } from '../packages/cli/dist/report/stored-result.js';
import { writeResults } from '../packages/cli/dist/results/write-results.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';

interface PageReport {
  readonly errors: string[];
  readonly requests: string[];
  readonly charts: { id: string; canvases: number; seriesPixels: number }[];
  readonly chartDivs: number;
}

/**
 * Opens a report from disk in headless Chromium and measures each chart: a chart is drawn when
 * its canvas holds pixels in the colour of one of its data series (axes and grid are grey, and
 * knee, collapse and SLO lines use darker shades of their own, so only data counts). Collects
 * console errors, page errors and every request the page made (none but the file itself).
 */
async function openReport(browser: Browser, file: string, screenshot?: string): Promise<PageReport> {
  const html = await readFile(file, 'utf8');
  const seriesColours = Object.fromEntries(
    embeddedCharts(html).map((c) => [
      `chart-${c.id}`,
      c.series
        .filter((s) => s.values.some((v) => v !== null))
        .map((s) => hexToRgb(s.color))
        .filter(([r, g, b]) => Math.max(r, g, b) - Math.min(r, g, b) > 80),
    ]),
  );
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(
      () => document.querySelectorAll('.chart').length === document.querySelectorAll('.chart canvas').length,
      undefined,
      { timeout: 10_000 },
    );
    const charts = await page.evaluate(
      (colours) =>
        [...document.querySelectorAll<HTMLElement>('.chart')].map((el) => {
          const canvases = el.querySelectorAll('canvas');
          const wanted = colours[el.id] ?? [];
          let seriesPixels = 0;
          canvases.forEach((c) => {
            const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
              if (d[i + 3]! < 200) continue;
              if (wanted.some(([r, g, b]) => Math.abs(d[i]! - r) <= 30 && Math.abs(d[i + 1]! - g) <= 30 && Math.abs(d[i + 2]! - b) <= 30))
                seriesPixels++;
            }
          });
          return { id: el.id, canvases: canvases.length, seriesPixels };
        }),
      seriesColours,
    );
    const chartDivs = await page.locator('.chart').count();
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, requests: requests.filter((u) => u !== pathToFileURL(file).href), charts, chartDivs };
  } finally {
    await page.close();
  }
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function embeddedCharts(
  html: string,
): { id: string; marks: { x: number; label: string }[]; series: { label: string; color: string; values: (number | null)[] }[] }[] {
  const json = /<script type="application\/json" id="overload-report-data">(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json).charts;
}

function expectAllChartsDrawn(report: PageReport): void {
  expect(report.errors).toEqual([]);
  expect(report.requests).toEqual([]);
  expect(report.chartDivs).toBeGreaterThan(0);
  expect(report.charts).toHaveLength(report.chartDivs);
  for (const c of report.charts) {
    expect(c.canvases, c.id).toBe(1);
    expect(c.seriesPixels, `${c.id} has drawn data series`).toBeGreaterThan(100);
  }
}

describe('self-contained HTML report in headless Chromium', () => {
  let server: ChildServer;
  let browser: Browser;
  let dir: string;
  let rampResult: RampResult;
  beforeAll(async () => {
    [server, browser, dir] = await Promise.all([
      startChildServer('capacity', { capacityRps: 300 }),
      launchChromium(),
      mkdtemp(join(tmpdir(), 'overload-report-html-')),
    ]);
    rampResult = await ramp({
      url: server.url,
      profile: { kind: 'step', startRps: 100, stepRps: 100, stepDurationMs: '2s', maxRps: 700 },
      slo: 'p90<50ms,errors<1%',
      workers: 1,
      // The machine runs other suites too: tolerate long scheduling hiccups (up to the 1 s late-drop
      // limit) so the verdict is the target's; this test is about the report, not the generator.
      probes: [
        { name: 'queue_depth', kind: 'prometheus', url: `${server.url}/metrics`, metric: 'queue_depth', intervalMs: 500, timeoutMs: 400 },
      ],
      recovery: { cooldownMs: '500ms', withinMs: '4s', windowMs: '2s' },
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a real ramp: verdict first, every chart drawn, no console errors, no network; screenshot kept', async () => {
    expect(rampResult.verdict).toBe('collapsed');
    const files = await writeResults(rampResult, 'ramp', { outDir: dir });
    const file = join(dir, 'report.html');
    expect(files).toContain(file);
    const html = await readFile(file, 'utf8');

    // Offline by construction: no URL to fetch anything from, and a CSP that forbids it.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src &#39;none&#39;`);
    // Verdict before the runbook, the runbook before the charts.
    const order = ['class="verdict"', 'Parameters and guardrails', 'id="chart-rate-over-time"'].map((s) => html.indexOf(s));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(html).toContain(escapeHtml(rampResult.verdictLine));

    const charts = embeddedCharts(html);
    expect(charts.map((c) => c.id)).toEqual(['rate-over-time', 'latency-over-time', 'errors-over-time', 'latency-vs-load', 'probe-0']);
    const hockey = charts.find((c) => c.id === 'latency-vs-load')!;
    expect(hockey.marks.map((m) => m.x)).toEqual([rampResult.knee!.rateRps, rampResult.collapse!.step.rateRps]);
    expect(hockey.series.find((s) => s.label === 'p99')!.values).toEqual(rampResult.steps.map((s) => s.latencyMs.p99));

    const screenshot = join(dir, 'report-ramp.png');
    const report = await openReport(browser, file, screenshot);
    expectAllChartsDrawn(report);
    expect(report.charts).toHaveLength(5);
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    console.log(`report screenshot: ${screenshot}\nreport: ${file}`);
  });

  it('every string from the result is escaped: a hostile target URL, step label, probe name or verdict line never runs', async () => {
    const hostile = '</script><script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">';
    const base = toStored(rampResult) as RampResult;
    const evil = {
      ...base,
      target: { ...base.target, url: `http://127.0.0.1/${hostile}` },
      verdictLine: `knee ${hostile}`,
      steps: base.steps.map((s) => ({ ...s, label: hostile })),
      probes: base.probes.map((p) => ({ ...p, name: hostile })),
    };
    const html = renderHtmlReport(evil);
    expect(html).not.toContain('<script>window.__xss');
    expect(html).not.toContain('<img src=x');
    const file = join(dir, 'hostile.html');
    await writeFile(file, html);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length > 0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(3);
      // Shown as text, exactly as it was.
      expect(await page.locator('header .target').textContent()).toContain(hostile);
      expect(await page.locator('.verdict-line').textContent()).toBe(`knee ${hostile}`);
      // Escaping, not the CSP, kept it out: nothing was blocked.
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a plain run: rate, latency and error charts (no step charts)', async () => {
    const result: RunResult = await run({ url: server.url, rateRps: 150, durationMs: '2s', workers: 1 });
    const file = join(dir, 'run.html');
    await writeFile(file, renderHtmlReport(toStored(result)));
    const report = await openReport(browser, file);
    expectAllChartsDrawn(report);
    expect(report.charts.map((c) => c.id)).toEqual(['chart-rate-over-time', 'chart-latency-over-time', 'chart-errors-over-time']);
  });

  it('a capacity search: latency vs rate per trial with the bracket marked', async () => {
    const result: SearchRunResult = await search({
      url: server.url,
      slo: 'p50<50ms,errors<1%',
      startRps: 100,
      factor: 2,
      precision: 0.5,
      minTrialMs: '1s',
      warmupMs: 200,
      cooldownMs: '300ms',
      maxTrials: 4,
      workers: 1,
    });
    expect(result.evidence.length).toBeGreaterThanOrEqual(2);
    const html = renderHtmlReport(toStored(result));
    const hockey = embeddedCharts(html).find((c) => c.id === 'latency-vs-load')!;
    expect(hockey.marks.map((m) => m.x)).toEqual(result.bracket.filter((b) => b !== null));
    const file = join(dir, 'search.html');
    await writeFile(file, html);
    const report = await openReport(browser, file, join(dir, 'report-search.png'));
    expectAllChartsDrawn(report);
    expect(report.charts.map((c) => c.id)).toEqual(['chart-latency-vs-load']);
  }, 90_000);
});

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

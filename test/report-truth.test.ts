/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';

/** Every text the page's canvases drew, with its box, recorded by wrapping fillText before any script runs. */
interface DrawnText {
  readonly chart: string;
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

interface ChartJson {
  id: string;
  yLabel: string;
  xUnit: string;
  y2Label?: string;
  series: { label: string; unit?: string; scale?: string }[];
  bands: { label: string }[];
}

const SHORT = ['--profile', 'step:start=300,step=100,every=4s,max=1300', '--cooldown', '1s', '--recovery-within', '12s'];

describe('the report of the main job (student-reports ramp) tells the truth at a glance, in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let html: string;
  let drawn: DrawnText[];
  let rows: Record<string, string>;
  let stepsTable: { headers: string[]; firstColumn: string[] };
  let result: { verdictLine: string; knee?: unknown; collapse?: unknown };

  beforeAll(async () => {
    [browser, dir] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'overload-truth-'))]);
    const r = await runCli(['ramp', 'student-reports', ...SHORT, '--out-dir', dir, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    html = await readFile(join(dir, 'report.html'), 'utf8');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.addInitScript(() => {
      const seen: unknown[] = [];
      (window as unknown as { __drawn: unknown[] }).__drawn = seen;
      const original = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number) {
        const m = this.measureText(text);
        const left = this.textAlign === 'right' ? x - m.width : this.textAlign === 'center' ? x - m.width / 2 : x;
        const top = this.textBaseline === 'top' ? y : y - m.actualBoundingBoxAscent;
        seen.push({
          chart: this.canvas.closest('.chart')?.id ?? '',
          text: String(text),
          left,
          right: left + m.width,
          top,
          bottom: top + m.actualBoundingBoxAscent + m.actualBoundingBoxDescent,
        });
        return original.call(this, text, x, y);
      };
    });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('.chart').length === document.querySelectorAll('.chart canvas').length);
    drawn = await page.evaluate(() => (window as unknown as { __drawn: DrawnText[] }).__drawn);
    rows = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('.verdict tr')].map((tr) => [
          tr.querySelector('th')?.textContent ?? '',
          tr.querySelector('td')?.textContent ?? '',
        ]),
      ),
    );
    stepsTable = await page.evaluate(() => {
      const table = [...document.querySelectorAll('section')]
        .find((s) => s.querySelector('h2')?.textContent === 'Steps')!
        .querySelector('table')!;
      return {
        headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? ''),
        firstColumn: [...table.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('td')?.textContent ?? ''),
      };
    });
    await page.close();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const charts = () =>
    JSON.parse(/<script type="application\/json" id="overload-report-data">(.*?)<\/script>/s.exec(html)![1]!).charts as ChartJson[];

  it('offered and achieved share one axis and one unit (journeys/s); HTTP responses are on their own axis', () => {
    const rate = charts().find((c) => c.id === 'rate-over-time')!;
    expect(rate.yLabel).toBe('journeys/s');
    const onLeft = rate.series.filter((s) => (s.scale ?? 'y') === 'y');
    expect(onLeft.map((s) => [s.label, s.unit])).toEqual([
      ['achieved journeys/s', 'journeys/s'],
      ['offered journeys/s', 'journeys/s'],
    ]);
    expect(rate.series.find((s) => s.label === 'responses/s')!.scale).toBe('y2');
    expect(rate.y2Label).toMatch(/responses\/s/);
    const load = charts().find((c) => c.id === 'latency-vs-load')!;
    expect(load.xUnit).toBe('journeys/s');
    expect(load.y2Label).toBe('achieved (journeys/s)');
  });

  it('the Knee, Collapse and Steps rows name rates as the headline does', () => {
    expect(result.knee).toBeDefined();
    expect(result.collapse).toBeDefined();
    // The headline's form: `500 journeys/s (1,842 req/s)`.
    const rateForm = /\d[\d,.]* journeys\/s \(\d[\d,]* req\/s\)/;
    const headlineRates = result.verdictLine.match(new RegExp(rateForm.source, 'g'))!;
    expect(headlineRates.length).toBeGreaterThan(0);
    for (const name of ['Knee', 'Collapse']) {
      expect(rows[name], name).toMatch(rateForm);
      expect(rows[name]).not.toMatch(/\d req\/s \(\d[\d,]* req\/s\)/);
      expect(headlineRates).toContain(rows[name]!.match(rateForm)![0]);
    }
    expect(stepsTable.headers).toEqual(expect.arrayContaining(['offered (journeys/s)', 'achieved (journeys/s)', 'sent (req/s)']));
    for (const cell of stepsTable.firstColumn) expect(cell).toMatch(/^\d+: \d[\d,.]* journeys\/s \(\d[\d,]* req\/s\)$/);
  });

  it('no axis prints a literal "--", and no two labels of a chart overlap (the cool-down label is whole)', () => {
    expect(drawn.length).toBeGreaterThan(50);
    expect(drawn.filter((d) => d.text.trim() === '--')).toEqual([]);
    const bands = drawn.filter((d) => d.chart === 'chart-rate-over-time' && ['cool-down', 'recovery baseline'].includes(d.text));
    expect(bands.map((b) => b.text).sort()).toEqual(['cool-down', 'recovery baseline']);
    // Overlay labels (bands, marks) against each other, on every chart.
    const overlayTexts = new Set(charts().flatMap((c) => c.bands.map((b) => b.label)));
    for (const chart of new Set(drawn.map((d) => d.chart))) {
      const mine = drawn.filter((d) => d.chart === chart && overlayTexts.has(d.text));
      for (let i = 0; i < mine.length; i++)
        for (let j = i + 1; j < mine.length; j++) {
          const [a, b] = [mine[i]!, mine[j]!];
          const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          expect(overlap, `${chart}: "${a.text}" overlaps "${b.text}"`).toBe(false);
        }
    }
  });
});

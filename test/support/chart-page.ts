/// <reference lib="dom" />
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';

/** One chart of a page, as Chromium drew it. */
export interface DrawnChart {
  readonly id: string;
  /** Its spec as embedded in the page (titles, axis labels, units, series). */
  readonly spec: {
    id: string;
    xLabel: string;
    xUnit: string;
    yLabel: string;
    y2Label?: string;
    series: { label: string; color: string }[];
  };
  /** Canvas pixels in the colour of one of its series that has data. */
  readonly seriesPixels: number;
  /** Every string drawn on its canvas (axis titles, ticks, marks). */
  readonly texts: readonly string[];
}

export interface ChartPage {
  readonly charts: readonly DrawnChart[];
  /** Console errors and warnings, page errors. */
  readonly errors: readonly string[];
  /** Requests the page made besides loading itself (none: it is self-contained). */
  readonly requests: readonly string[];
}

/** Records every fillText on a canvas (uPlot draws its axis titles and ticks there), last frame only. */
function recordCanvasText(): void {
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  const list = (c: HTMLCanvasElement): string[] => {
    const holder = c as unknown as { __texts?: string[] };
    holder.__texts ??= [];
    return holder.__texts;
  };
  proto.clearRect = function (x: number, y: number, w: number, h: number) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) list(this.canvas).length = 0;
    return clearRect.call(this, x, y, w, h);
  };
  proto.fillText = function (text: string, x: number, y: number, maxWidth?: number) {
    list(this.canvas).push(String(text));
    return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
  };
}

const hexToRgb = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

/**
 * Opens one of overload's self-contained pages (the report, `compare --html`, `history --html`)
 * from disk in headless Chromium, once its charts are drawn, and measures each: a chart is drawn
 * when its canvas holds pixels in the colour of one of its data series.
 */
export async function openChartPage(browser: Browser, file: string): Promise<ChartPage> {
  const html = await readFile(file, 'utf8');
  const json = /<script type="application\/json" id="overload-report-data">(.*?)<\/script>/s.exec(html)?.[1];
  type Spec = Omit<DrawnChart['spec'], 'series'> & { series: { label: string; color: string; values: (number | null)[] }[] };
  const specs = (json ? JSON.parse(json).charts : []) as Spec[];
  const colours = Object.fromEntries(
    specs.map((c) => [`chart-${c.id}`, c.series.filter((s) => s.values.some((v) => v !== null)).map((s) => hexToRgb(s.color))]),
  );
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.addInitScript(recordCanvasText);
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
      {
        timeout: 10_000,
      },
    );
    const drawn = await page.evaluate(
      (wantedById) =>
        [...document.querySelectorAll<HTMLElement>('.chart')].map((el) => {
          const wanted = wantedById[el.id] ?? [];
          let seriesPixels = 0;
          const texts: string[] = [];
          el.querySelectorAll('canvas').forEach((c) => {
            const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
              if (d[i + 3]! < 200) continue;
              if (wanted.some(([r, g, b]) => Math.abs(d[i]! - r) <= 12 && Math.abs(d[i + 1]! - g) <= 12 && Math.abs(d[i + 2]! - b) <= 12))
                seriesPixels++;
            }
            texts.push(...((c as unknown as { __texts?: string[] }).__texts ?? []));
          });
          return { id: el.id, seriesPixels, texts };
        }),
      colours,
    );
    return {
      charts: drawn.map((d) => ({ ...d, spec: specs.find((s) => `chart-${s.id}` === d.id)! })),
      errors,
      requests: requests.filter((u) => u !== pathToFileURL(file).href),
    };
  } finally {
    await page.close();
  }
}

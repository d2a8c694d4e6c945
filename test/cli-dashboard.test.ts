import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { launchChromium } from './support/chromium.js';
import { runCli } from './support/cli.js';

describe('the live dashboard', () => {
  let server: ChildServer;
  beforeEach(async () => {
    server = await startChildServer('counting');
  });
  afterEach(() => server.close());

  it('serves an offline page that updates live, refuses data without the token, and its Stop button ends the run with exit 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-dashboard-'));
    const seen: {
      unauthorized?: number;
      stopUnauthorized?: number;
      intervalsBefore?: number;
      intervalsAfter?: number;
      hosts: Set<string>;
      url?: string;
    } = {
      hosts: new Set(),
    };
    let acting: Promise<void> | undefined;
    const r = await runCli(
      ['ramp', server.url, '--profile', 'stages:30s@200', '--slo', 'p99<500ms', '--no-recovery', '--dashboard', '--out-dir', dir],
      {
        onStderr: (chunk) => {
          seen.url ??= /dashboard: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(chunk)?.[1];
          if (acting || !seen.url) return;
          const url = seen.url;
          const base = url.replace(/\/#token=.*/, '');
          acting = (async () => {
            seen.unauthorized = (await fetch(`${base}/events`)).status;
            seen.stopUnauthorized = (await fetch(`${base}/stop`, { method: 'POST' })).status;
            const browser = await launchChromium();
            try {
              const page = await browser.newPage();
              page.on('request', (req) => seen.hosts.add(new URL(req.url()).host));
              page.on('dialog', (d) => void d.accept());
              await page.goto(url);
              await page.waitForFunction(() => Number(document.getElementById('intervals')?.textContent) >= 2, undefined, {
                timeout: 15_000,
              });
              seen.intervalsBefore = Number(await page.textContent('#intervals'));
              await page.waitForFunction((n) => Number(document.getElementById('intervals')?.textContent) > n, seen.intervalsBefore, {
                timeout: 5_000,
              });
              seen.intervalsAfter = Number(await page.textContent('#intervals'));
              await page.click('#stop');
              await page.waitForFunction(() => document.getElementById('exit')?.textContent === '3', undefined, { timeout: 15_000 });
            } finally {
              await browser.close();
            }
          })();
        },
      },
    );
    await acting;
    expect(seen.unauthorized).toBe(401);
    expect(seen.stopUnauthorized).toBe(401);
    expect(seen.intervalsAfter).toBeGreaterThan(seen.intervalsBefore!);
    expect([...seen.hosts]).toEqual([new URL(seen.url!).host]);
    expect(r.code).toBe(3);
    const raw = await readFile(join(dir, 'result.json'), 'utf8');
    const result = JSON.parse(raw);
    expect(result.stopReason).toBe('control-endpoint');
    expect(result.partial.detail).toMatch(/dashboard \(Stop button/);
    const token = /#token=([0-9a-f]+)/.exec(seen.url!)![1]!;
    expect(raw).not.toContain(token);
    expect(r.stdout).not.toContain(token);
  }, 60_000);
});

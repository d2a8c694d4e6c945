import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHistogram, hdrFilesOf, type Histogram, INTERVAL_LOG_TAGS, type RunResult, summarizeMs } from '@overload/core/internal';
import { run } from '@overload/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResults } from '../packages/cli/dist/results/write-results.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { histogramLogProcessor } from './support/consumers.js';

// hdr-histogram-js is core's dependency, not the workspace root's: read the files back with the
// very library HdrHistogram's JavaScript users would use, resolved from where core gets it.
const hdr = createRequire(new URL('../packages/core/package.json', import.meta.url))(
  'hdr-histogram-js',
) as typeof import('../packages/core/node_modules/hdr-histogram-js/dist/index.js');

interface HgrmRow {
  readonly valueMs: number;
  readonly percentile: number;
  readonly totalCount: number;
}

function parseHgrm(text: string) {
  const rows: HgrmRow[] = [];
  let meanMs = Number.NaN;
  let maxMs = Number.NaN;
  let total = Number.NaN;
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)\s+([\d.]+)\s+(\d+)(\s+[\d.]+|\s+Infinity)?\s*$/.exec(line);
    if (m) rows.push({ valueMs: Number(m[1]), percentile: Number(m[2]), totalCount: Number(m[3]) });
    const mean = /^#\[Mean\s+=\s+([\d.]+),/.exec(line);
    if (mean) meanMs = Number(mean[1]);
    const max = /^#\[Max\s+=\s+([\d.]+), Total count\s+=\s+(\d+)\]/.exec(line);
    if (max) {
      maxMs = Number(max[1]);
      total = Number(max[2]);
    }
  }
  return { rows, meanMs, maxMs, total };
}

/** hdr-histogram-js's name for the untagged series (its NO_TAG). */
const UNTAGGED = 'NO TAG';

/** Every histogram of an interval log by tag (untagged ones under UNTAGGED), read with HdrHistogram's own reader. */
function readLog(text: string): Map<string, Histogram[]> {
  const reader = new hdr.HistogramLogReader(text);
  const byTag = new Map<string, Histogram[]>();
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    const list = byTag.get(h.tag!) ?? [];
    list.push(h);
    byTag.set(h.tag!, list);
  }
  return byTag;
}

describe('HdrHistogram files (.hgrm and interval log) of a real run', () => {
  let server: ChildServer;
  let result: RunResult;
  beforeAll(async () => {
    server = await startChildServer('counting', { delayMs: 2 });
    result = await run({ url: server.url, rateRps: 300, durationMs: '3s', workers: 1 });
  });
  afterAll(() => server.close());

  it(".hgrm: the percentile distribution in ms reproduces the run's percentiles, max, mean and count", () => {
    const files = hdrFilesOf(result);
    for (const [text, summary, encoded] of [
      [files.latencyHgrm, result.latencyMs, result.histograms.latency],
      [files.serviceTimeHgrm, result.serviceTimeMs, result.histograms.serviceTime],
    ] as const) {
      expect(text).toMatch(/^ {7}Value {5}Percentile TotalCount 1\/\(1-Percentile\)\n\n/);
      const hgrm = parseHgrm(text);
      expect(hgrm.total).toBe(summary.count);
      expect(hgrm.total).toBeGreaterThan(800);
      expect(hgrm.maxMs).toBe(summary.max);
      expect(hgrm.rows[hgrm.rows.length - 1]).toMatchObject({ valueMs: summary.max, percentile: 1, totalCount: summary.count });
      expect(hgrm.meanMs).toBeCloseTo(decodeHistogram(encoded).mean / 1000, 3);
      // 50 % and 90 % are exact ticks of the distribution (5 ticks per half distance).
      const at = (p: number) => hgrm.rows.find((r) => r.percentile >= p)!;
      expect(at(0.5).percentile).toBe(0.5);
      expect(at(0.5).valueMs).toBe(summary.p50);
      expect(at(0.9).percentile).toBe(0.9);
      expect(at(0.9).valueMs).toBe(summary.p90);
      // 99 % falls between two ticks: it lies between their values.
      const above = hgrm.rows.findIndex((r) => r.percentile >= 0.99);
      expect(hgrm.rows[above - 1]!.valueMs).toBeLessThanOrEqual(summary.p99);
      expect(hgrm.rows[above]!.valueMs).toBeGreaterThanOrEqual(summary.p99);
      // Cumulative counts never go down; values never go down.
      for (let i = 1; i < hgrm.rows.length; i++) {
        expect(hgrm.rows[i]!.totalCount).toBeGreaterThanOrEqual(hgrm.rows[i - 1]!.totalCount);
        expect(hgrm.rows[i]!.valueMs).toBeGreaterThanOrEqual(hgrm.rows[i - 1]!.valueMs);
      }
    }
  });

  it('interval log: HistogramLogReader reads every interval back at its time; the merge of each tag is the whole-run histogram', () => {
    const { intervalLog } = hdrFilesOf(result);
    expect(intervalLog).toContain('#[Histogram log format version 1.3]');
    expect(intervalLog).toContain(
      `#[StartTime: ${(Date.parse(result.startedAt) / 1000).toFixed(3)} (seconds since epoch), ${result.startedAt}]`,
    );
    // The corrected latency is the untagged, default series; service time is tagged.
    expect(hdr.listTags(intervalLog).sort()).toEqual([UNTAGGED, INTERVAL_LOG_TAGS.serviceTime].sort());
    const byTag = readLog(intervalLog);
    const startMs = Date.parse(result.startedAt);
    for (const [tag, summary, whole, key] of [
      [INTERVAL_LOG_TAGS.latency, result.latencyMs, result.histograms.latency, 'latency'],
      [INTERVAL_LOG_TAGS.serviceTime, result.serviceTimeMs, result.histograms.serviceTime, 'serviceTime'],
    ] as const) {
      const intervals = byTag.get(tag ?? UNTAGGED)!;
      expect(intervals).toHaveLength(result.intervals.length);
      intervals.forEach((h, i) => {
        const expected = result.intervals[i]!;
        expect(h.startTimeStampMsec).toBeCloseTo(startMs + expected.startMs, 0);
        expect(h.endTimeStampMsec).toBeCloseTo(startMs + expected.startMs + expected.durationMs, 0);
        expect(h.totalCount).toBe(decodeHistogram(expected.histograms[key]).totalCount);
      });
      const merged = hdr.build({
        bitBucketSize: 32,
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: 3,
      });
      for (const h of intervals) merged.add(h);
      expect(summarizeMs(merged)).toEqual(summary);
      const run = decodeHistogram(whole);
      for (const p of [0, 10, 50, 75, 90, 95, 99, 99.9, 99.99, 100])
        expect(merged.getValueAtPercentile(p)).toBe(run.getValueAtPercentile(p));
      expect(merged.totalCount).toBe(run.totalCount);
    }
  });

  it('interval log: Java HistogramLogProcessor reads the corrected latency by default (no -tag) and the service time with -tag service', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-hlp-'));
    try {
      const log = join(dir, 'intervals.hlog');
      await writeFile(log, hdrFilesOf(result).intervalLog);
      // The command a user types first, exactly: it must read the log, not crash on it.
      const plain = histogramLogProcessor(['-i', log]);
      expect(plain.stderr).not.toMatch(/Exception/);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toMatch(new RegExp(`Total count\\s+=\\s+${result.latencyMs.count}\\]`));

      for (const [tagArgs, summary, name] of [
        [[], result.latencyMs, 'latency'],
        [['-tag', INTERVAL_LOG_TAGS.serviceTime], result.serviceTimeMs, 'service'],
      ] as const) {
        const out = join(dir, name);
        const r = histogramLogProcessor(['-i', log, ...tagArgs, '-outputValueUnitRatio', '1000', '-o', out]);
        expect(r.stderr).not.toMatch(/Exception/);
        expect(r.code).toBe(0);
        // One line per interval; its running total ends at the run's own percentiles (in ms).
        const lines = (await readFile(out, 'utf8')).split('\n').filter((l) => /^\d+\.\d+: I:/.test(l));
        expect(lines).toHaveLength(result.intervals.length);
        const total = /T:(\d+) \(\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+([\d.]+) \)$/.exec(lines[lines.length - 1]!)!;
        expect(total.slice(1).map(Number)).toEqual([summary.count, summary.p50, summary.p90, summary.p99, summary.max]);
        // Its whole-log distribution is the run's .hgrm distribution.
        const hgrm = parseHgrm(await readFile(`${out}.hgrm`, 'utf8'));
        expect(hgrm.total).toBe(summary.count);
        expect(hgrm.maxMs).toBe(summary.max);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writeResults writes the HdrHistogram files and the HTML report of a run into its out dir (no JUnit for a plain run)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-report-hdr-'));
    const written = await writeResults(result, 'hdr', { outDir: dir });
    expect((await readdir(dir)).sort()).toEqual(['intervals.hlog', 'latency.hgrm', 'report.html', 'result.json', 'service-time.hgrm']);
    expect(written).toHaveLength(5);
    const files = hdrFilesOf(result);
    expect(await readFile(join(dir, 'latency.hgrm'), 'utf8')).toBe(files.latencyHgrm);
    expect(await readFile(join(dir, 'service-time.hgrm'), 'utf8')).toBe(files.serviceTimeHgrm);
    expect(await readFile(join(dir, 'intervals.hlog'), 'utf8')).toBe(files.intervalLog);
  });
});

import { Writable } from 'node:stream';
import { createHistogram, encodeHistogram, mergeReports, emptyErrorCounts, recordMicros } from '@overload/core/internal';
import { describe, expect, it } from 'vitest';
import { Progress } from '../dist/output/progress.js';

function sink(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  return { stream, text: () => text };
}

function interval(index: number) {
  const h = createHistogram();
  for (let i = 0; i < 100; i++) recordMicros(h, 2000 + i * 10);
  const e = encodeHistogram(h);
  return mergeReports(index, 1000, [
    {
      index,
      offered: 100,
      sent: 100,
      dropped: 0,
      droppedGenerator: 0,
      responses: 100,
      ok: 100,
      errors: emptyErrorCounts(),
      abandoned: 0,
      statusCodes: { 200: 100 },
      inFlight: 3,
      elu: 0.1,
      latency: e,
      serviceTime: e,
      lag: encodeHistogram(createHistogram()),
    },
  ]);
}

describe('live progress', () => {
  it('redraws one block in place on a TTY, with budgets and time left', () => {
    const out = sink(true);
    const p = new Progress(out.stream);
    p.interval(interval(0), { phase: 'ramp', step: 'step 1/3: 100 req/s', budgets: { emails: { used: 2, limit: 100 } }, timeLeftMs: 9000 });
    p.interval(interval(1), { phase: 'ramp', step: 'step 1/3: 100 req/s', budgets: { emails: { used: 3, limit: 100 } }, timeLeftMs: 8000 });
    p.event('step 1 held');
    const text = out.text();
    // The second block moved the cursor up over the first (3 lines) and cleared it.
    expect(text).toContain('\x1b[3A\x1b[J');
    expect(text).toContain('ramp · step 1/3: 100 req/s · 8 s left');
    expect(text).toContain('budgets used: emails 3/100');
    expect(text.endsWith('step 1 held\n')).toBe(true);
  });

  it('a line written by anyone else while the block is up goes above it, and the block is redrawn under it', () => {
    const out = sink(true);
    const p = new Progress(out.stream);
    p.interval(interval(0), { phase: 'run', timeLeftMs: 9000 });
    out.stream.write('dashboard: http://127.0.0.1:1/#token\n');
    const text = out.text();
    const block = text.slice(0, text.indexOf('\x1b[2A\x1b[J'));
    // Cleared (2 lines up), the line, then the same block again below it.
    expect(text).toBe(`${block}\x1b[2A\x1b[Jdashboard: http://127.0.0.1:1/#token\n${block}`);
    expect(block).toContain('run · 9 s left');
    p.done();
    expect(out.text().endsWith('\x1b[2A\x1b[J')).toBe(true);
  });

  it('writes one plain line per interval elsewhere (CI logs, pipes)', () => {
    const out = sink(false);
    const p = new Progress(out.stream);
    p.interval(interval(0), { phase: 'run', timeLeftMs: 1000 });
    p.interval(interval(1), { phase: 'run', timeLeftMs: 0 });
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\[\s+2s\] offered\s+100\/s\s+achieved\s+100\/s\s+in-flight\s+3\s+p50/);
    expect(out.text()).not.toContain('\x1b[');
  });
});

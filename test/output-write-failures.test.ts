import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * What only a write can tell: every path is checked before the load (test/cli-validation.test.ts),
 * but a device that accepts the open and fails the write (/dev/full: ENOSPC) is found after it.
 * The results already measured must not be lost to it: every other file is written, and the
 * error names the flag, the file and the cause.
 */
describe('a result file that cannot be written after the load', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer('counting');
  });
  afterAll(() => server.close());

  it('--json and --junit on a full device: the out dir is complete, the error names both, exit 70', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overload-write-fail-'));
    const r = await runCli([
      'run',
      server.url,
      '--rate',
      '20',
      '--duration',
      '1s',
      '--out-dir',
      dir,
      '--json',
      '/dev/full',
      '--junit',
      '/dev/full',
    ]);
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toContain(
      'could not write --json /dev/full (ENOSPC: no space left on device), --junit /dev/full (ENOSPC: no space left on device); written: ',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await readdir(dir)).sort()).toEqual(['intervals.hlog', 'latency.hgrm', 'report.html', 'result.json', 'service-time.hgrm']);
  });

  it('--json - is refused before anything is sent: it would be a file named "-"', async () => {
    const before = (await server.stats()).count;
    const cwd = await mkdtemp(join(tmpdir(), 'overload-dash-'));
    const r = await runCli(['run', server.url, '--rate', '20', '--duration', '1s', '--json', '-'], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--json writes a file, and "-" would be a file of that name: name a file, such as result.json');
    expect((await server.stats()).count).toBe(before);
    expect(await readdir(cwd)).toEqual([]);
  });
});

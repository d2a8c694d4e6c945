import { existsSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_TARGET_NICE_OFFSET, startEmbeddedTarget } from '../packages/cli/dist/plan/embedded-target.js';

const TARGET_MAIN = fileURLToPath(new URL('../scenarios/dist/student-reports/target-main.js', import.meta.url));

describe('the embedded demo target cannot starve the generator', () => {
  it('runs every one of its threads at a lower CPU priority than the generator', async () => {
    const target = await startEmbeddedTarget(TARGET_MAIN, {});
    try {
      const expected = Math.min(19, getPriority() + EMBEDDED_TARGET_NICE_OFFSET);
      expect(EMBEDDED_TARGET_NICE_OFFSET).toBe(10);
      expect(target.nice).toBe(expected);
      expect(getPriority(target.pid)).toBe(expected);
      if (process.platform === 'linux' && existsSync(`/proc/${target.pid}/task`)) {
        // A nice value belongs to each thread on Linux: the V8 and libuv threads too.
        const tids = readdirSync(`/proc/${target.pid}/task`).map(Number);
        expect(tids.length).toBeGreaterThan(1);
        for (const tid of tids) expect(getPriority(tid), `thread ${tid}`).toBe(expected);
      }
      // It still serves.
      expect((await fetch(`${target.url}/health`)).status).toBe(200);
    } finally {
      await target.stop();
    }
  });
});

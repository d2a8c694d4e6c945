import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Load tests measure timing on a 2-core machine: run files one at a time so they do not
    // steal each other's CPU. Unit files are fast, so the cost is small.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    // One temp root per run, removed at the end (test/support/temp-root.ts).
    globalSetup: ['test/support/temp-root.ts'],
    // The JSON report is what .ci/run counts ("N passed, N failed").
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    hookTimeout: 30_000,
  },
});

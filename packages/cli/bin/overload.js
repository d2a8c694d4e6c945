#!/usr/bin/env node
// The `overload` command. A plain file beside the sources, not the compiled dist/bin.js: a
// package manager links bins before a workspace's first build runs, and a bin that does not exist
// yet is skipped with a warning ("Failed to create bin") instead of being linked.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: overload is not built (dist/bin.js is missing); run `pnpm build` at the root of the clone\n');
  process.exit(70);
}
await import(entry.href);

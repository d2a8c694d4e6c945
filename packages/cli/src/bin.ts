#!/usr/bin/env node
import { muteTerminalOnceOrphaned } from './guard/orphaned-terminal.js';
import { main } from './program.js';
import { outputCheckHung } from './results/check-outputs.js';
import { scrubProcessOutput } from './secrets.js';

// `overload … | head` closes stdout early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// Secrets a command registers never reach the terminal, whichever code path prints them.
scrubProcessOutput();
// A wrapper that returned the prompt on Ctrl-C (pnpm) must not get overload's summary printed over it.
muteTerminalOnceOrphaned();

process.exitCode = await main(process.argv);
// A file-system call that never answered (a hung mount) would hold the process open for ever.
if (outputCheckHung()) process.exit(process.exitCode);

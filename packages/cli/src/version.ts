import { createRequire } from 'node:module';

/** Read from the installed package.json, so `overload --version` can never drift from what was installed. */
export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

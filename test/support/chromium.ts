import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it when missing). */
export const CHROMIUM = process.env.OVERLOAD_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with everything that would reach the network at start-up turned off, so a
 * test that asserts "the page made no request" sees only what the page itself did.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `headless Chromium is needed for the report tests: install Debian's chromium (apt-get install chromium) or set OVERLOAD_CHROMIUM (looked for ${CHROMIUM})`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

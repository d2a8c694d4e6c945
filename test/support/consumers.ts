import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The programs other people wrote that read our files, run as their users run them. Each returns
 * the tool's exit code and output, so a test can assert exit 0 and show the tool's own complaint
 * when it fails. `scripts/test-tools.mjs` installs them before the suite runs.
 */
export interface ConsumerRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function exec(command: string, args: readonly string[], input?: string): ConsumerRun {
  const r = spawnSync(command, args, { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool check metrics`, fed the exposition on stdin as `curl … | promtool check metrics` does. */
export function promtoolCheckMetrics(exposition: string): ConsumerRun {
  return exec('promtool', ['check', 'metrics'], exposition);
}

/** The JUnit XML that CI reporters have in common (see the README beside it). */
export const JUNIT_XSD = fileURLToPath(new URL('../fixtures/schemas/junit-ci.xsd', import.meta.url));

/** `xmllint --noout --schema <xsd> <file>` */
export function xmllintValidate(file: string, xsd: string): ConsumerRun {
  return exec('xmllint', ['--noout', '--schema', xsd, file]);
}

/** Debian's HdrHistogram Java library (libhdrhistogram-java). */
export const HDRHISTOGRAM_JAR = '/usr/share/java/hdrhistogram.jar';

/** `java -cp hdrhistogram.jar org.HdrHistogram.HistogramLogProcessor <args>`, the log's own reader. */
export function histogramLogProcessor(args: readonly string[]): ConsumerRun {
  return exec('java', ['-cp', HDRHISTOGRAM_JAR, 'org.HdrHistogram.HistogramLogProcessor', ...args]);
}

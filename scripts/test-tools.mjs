#!/usr/bin/env node
// The programs the test suite checks our files with, as their users read them: Chromium renders
// the HTML report and the dashboard, promtool checks the live metrics, xmllint validates the JUnit
// file against its XSD, and HdrHistogram's own Java library reads the interval log. None of them
// is on npm, so on a fresh Debian machine this installs them from Debian's packages (as root, or
// with a sudo that asks no password) before the tests run; anywhere else it prints what to
// install and fails, so that no test is skipped for want of its tool.
//
// `pnpm test` runs this first. OVERLOAD_SKIP_TOOL_INSTALL=1 only checks.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What each tool is, where it is looked for, and the Debian packages that bring it (recommends are not installed). */
export const TEST_TOOLS = [
  { name: 'chromium', files: ['chromium', 'chromium-browser'], debian: ['chromium', 'fonts-liberation'] },
  { name: 'promtool', files: ['promtool'], debian: ['prometheus'] },
  { name: 'xmllint', files: ['xmllint'], debian: ['libxml2-utils'] },
  { name: 'java', files: ['java'], debian: ['default-jre-headless'] },
  { name: 'HdrHistogram (Java)', files: ['/usr/share/java/hdrhistogram.jar'], debian: ['libhdrhistogram-java'] },
];

function found(file) {
  const candidates = file.startsWith('/') ? [file] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, file));
  return candidates.some((f) => {
    try {
      accessSync(f, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(command, args) {
  return (
    spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0
  );
}

const missing = TEST_TOOLS.filter((t) => !t.files.some(found));
if (missing.length > 0) {
  const packages = [...new Set(missing.flatMap((t) => t.debian))];
  const what = `${missing.map((t) => t.name).join(', ')} (Debian packages: ${packages.join(' ')})`;
  const hasApt = found('apt-get');
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && found('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (process.env.OVERLOAD_SKIP_TOOL_INSTALL !== '1' && hasApt && (asRoot || sudo)) {
    process.stderr.write(`test tools: installing ${what}\n`);
    const prefix = asRoot ? [] : ['sudo', '-n', '-E'];
    const apt = (args) => (prefix.length > 0 ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args]) : run('apt-get', args));
    const ok = apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
    const still = TEST_TOOLS.filter((t) => !t.files.some(found));
    if (!ok || still.length > 0) {
      process.stderr.write(`test tools: could not install ${still.map((t) => t.name).join(', ') || what}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write(
      `test tools: missing ${what}.\n` +
        `The tests check every file overload writes with the program its users read it with. Install them, e.g.\n` +
        `  sudo apt-get install -y ${packages.join(' ')}\n`,
    );
    process.exit(1);
  }
}

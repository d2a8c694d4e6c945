import { readdir, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

const SECRETS = {
  envToken: 'env-token-7Qx9Lm2Pz',
  envBody: 'env-body-Vb3Nn8Kd1',
  cookie: 'literal-cookie-Hs5Tt6Yy',
  flagKey: 'flag-api-key-Wq4Ee1Rr',
};

/**
 * Secrets stay secret: a real run whose requests carry an {{env.NAME}} value in an Authorization
 * header and in the body, a literal Cookie header and an x-api-key from -H. The target receives
 * them (so the test is about something real); no output of the run — result.json, report.html,
 * junit.xml, the histograms, the log file, stdout, stderr (progress lines) — nor of `plan`
 * contains any of them.
 */
describe('secrets never reach an output', () => {
  let server: ChildServer;
  let dir: string;
  let scenario: string;
  beforeAll(async () => {
    server = await startChildServer('counting');
    dir = await mkdtemp(join(tmpdir(), 'overload-secrets-'));
    scenario = join(dir, 'secretive.mjs');
    await writeFile(
      scenario,
      `export default {
  name: 'secretive',
  requests: [{
    name: 'login', method: 'POST', path: '/login',
    headers: { authorization: 'Bearer {{env.OVL_TEST_TOKEN}}', cookie: 'session=${SECRETS.cookie}', 'content-type': 'application/json' },
    body: { note: '{{env.OVL_TEST_BODY}}' },
  }],
  profile: { kind: 'constant', rateRps: 50, durationMs: '2s' },
};\n`,
    );
  });
  afterAll(() => server.close());

  const env = { OVL_TEST_TOKEN: SECRETS.envToken, OVL_TEST_BODY: SECRETS.envBody };

  it('a run: the target gets every secret, no output file, log line or progress line has one', async () => {
    const out = join(dir, 'out');
    const r = await runCli(
      [
        'run',
        scenario,
        '--target',
        server.url,
        '-H',
        `x-api-key: ${SECRETS.flagKey}`,
        '--workers',
        '1',
        '--out-dir',
        out,
        '--json',
        join(dir, 'copy.json'),
        '--junit',
        join(dir, 'junit.xml'),
        '--log-file',
        join(dir, 'run.log'),
        '--log-level',
        'debug',
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    // The secrets really went out.
    const seen = await server.stats<{ count: number; requests: { authorization: string; apiKey: string; body: string }[] }>();
    expect(seen.count).toBe(100);
    expect(seen.requests[0]!.authorization).toBe(`Bearer ${SECRETS.envToken}`);
    expect(seen.requests[0]!.apiKey).toBe(SECRETS.flagKey);
    expect(JSON.parse(seen.requests[0]!.body)).toEqual({ note: SECRETS.envBody });
    // And nothing written contains them.
    const files = [...(await readdir(out)).map((f) => join(out, f)), join(dir, 'copy.json'), join(dir, 'junit.xml'), join(dir, 'run.log')];
    expect(files.map((f) => f.split('/').pop())).toEqual(
      expect.arrayContaining(['result.json', 'report.html', 'latency.hgrm', 'copy.json', 'junit.xml', 'run.log']),
    );
    const log = await readFile(join(dir, 'run.log'), 'utf8');
    expect(log).toContain('run started');
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${name} in ${f}`).toBe(false);
    }
    expect(r.stderr).toMatch(/\[\s+1s\] offered/);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(r.stdout.includes(secret), `${name} in stdout`).toBe(false);
      expect(r.stderr.includes(secret), `${name} in stderr`).toBe(false);
    }
  });

  it('plan: neither the schedule nor the request mix shows a secret', async () => {
    const r = await runCli(['plan', scenario, '--target', server.url, '-H', `x-api-key: ${SECRETS.flagKey}`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('login');
    for (const secret of Object.values(SECRETS)) expect(r.stdout.includes(secret) || r.stderr.includes(secret)).toBe(false);
  });

  it('a secret that reaches an output by a path nobody planned (pasted into the target URL) is still scrubbed', async () => {
    const r = await runCli(['plan', scenario, '--target', `${server.url}/?token=${SECRETS.envToken}`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`target:      ${server.url}/?token=[redacted]`);
    expect(r.stdout.includes(SECRETS.envToken)).toBe(false);
  });

  it('a URL password is scrubbed in its URL form, and a port number equal to it is left alone', async () => {
    const port = new URL(server.url).port;
    const withPort = `http://ops:${port}@127.0.0.1:${port}`;
    const short = await runCli(['plan', scenario, '--target', withPort], { env });
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain(`target:      http://ops:[redacted]@127.0.0.1:${port}`);
    const long = 'url-pass-Zk8Jq3Wn';
    const r = await runCli(['plan', scenario, '--target', `http://ops:${long}@127.0.0.1:${port}`, '--seed', long], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'--seed <n>' argument '[redacted]' is invalid");
    expect(r.stdout.includes(long) || r.stderr.includes(long)).toBe(false);
  });

  it('a credential in a malformed -H is never quoted back, even when another flag is the one that fails', async () => {
    const bad = await runCli(['plan', scenario, '--target', server.url, '-H', `authorization Bearer ${SECRETS.flagKey}`], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '-H, --header <name:value>' argument");
    const other = await runCli(
      ['plan', scenario, '--target', server.url, '-H', `authorization: Bearer ${SECRETS.flagKey}`, '--seed', SECRETS.flagKey],
      { env },
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("'--seed <n>' argument '[redacted]' is invalid");
    for (const r of [bad, other]) expect(r.stderr.includes(SECRETS.flagKey)).toBe(false);
  });
});

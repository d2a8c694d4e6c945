import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@overload/core/internal';
import { run, startProbes } from '@overload/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from './support/certs.js';
import { type ChildServer, startChildServer } from './support/child-server.js';
import { runCli } from './support/cli.js';

/**
 * HTTPS targets with a private CA, mutual TLS, insecure mode and HTTP/2, against real node:tls
 * and node:http2 servers on 127.0.0.1 with certificates openssl made for this test run.
 */
describe('TLS and HTTP/2', () => {
  let certs: TestCerts;
  const servers: ChildServer[] = [];
  const https = async (cert: 'server' | 'wrongHost' | 'expired', extra: Record<string, unknown> = {}) => {
    const key = ({ server: 'serverKey', wrongHost: 'wrongHostKey', expired: 'expiredKey' } as const)[cert];
    const s = await startChildServer('faults', { fault: 'ok', tls: { cert: certs.files[cert], key: certs.files[key], ...extra } });
    servers.push(s);
    return { server: s, url: `https://127.0.0.1:${s.port}/` };
  };
  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    certs.remove();
  });

  const lib = (url: string, tls?: Parameters<typeof run>[0]['tls'], extra: Partial<Parameters<typeof run>[0]> = {}) =>
    run({ url, rateRps: 50, durationMs: '1s', workers: 1, timeoutMs: '2s', ...(tls ? { tls } : {}), ...extra });

  it('a private CA: every request fails as tlsUnknownCa without it (the message names the host), and succeeds with it', async () => {
    const { server, url } = await https('server');
    const without = await lib(url);
    expect(without.totals.sent).toBe(50);
    expect(without.errorsByClass.tlsUnknownCa).toBe(50);
    expect(without.totals.responses).toBe(0);
    expect(without.errorExamples?.tlsUnknownCa).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:${server.port}: its certificate is not signed by a trusted CA .*--ca`),
    );
    const withCa = await lib(url, { ca: certs.read('ca') });
    expect(withCa.totals.ok).toBe(50);
    expect(withCa.totals.errors).toBe(0);
    expect(withCa.config.tls).toEqual({ ca: true, clientCertificate: false, insecure: false });
    expect((await server.stats()).requests).toBe(50);
  });

  it('classifies a certificate for another host as tlsHostname and an expired one as tlsExpired, even with the CA trusted', async () => {
    const ca = certs.read('ca');
    const wrong = await lib((await https('wrongHost')).url, { ca });
    expect(wrong.errorsByClass.tlsHostname).toBe(50);
    expect(wrong.errorExamples?.tlsHostname).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    const expired = await lib((await https('expired')).url, { ca });
    expect(expired.errorsByClass.tlsExpired).toBe(50);
    expect(expired.errorExamples?.tlsExpired).toContain('CERT_HAS_EXPIRED');
  });

  it('mutual TLS: refused in the handshake without a client certificate (tlsHandshake), answered with one', async () => {
    const { server, url } = await https('server', { ca: certs.files.ca, requestCert: true });
    const ca = certs.read('ca');
    const refused = await lib(url, { ca });
    expect(refused.totals.sent).toBe(50);
    expect(refused.errorsByClass.tlsHandshake).toBe(50);
    expect(refused.errorExamples?.tlsHandshake).toContain('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: tlsv13 alert certificate required');
    const accepted = await lib(url, { ca, cert: certs.read('client'), key: certs.read('clientKey') });
    expect(accepted.totals.ok).toBe(50);
    expect(accepted.config.tls).toEqual({ ca: true, clientCertificate: true, insecure: false });
    const stats = await server.stats<{ requests: number; clientCerts: number }>();
    expect(stats.requests).toBe(50);
    expect(stats.clientCerts).toBeGreaterThan(0);
  });

  it('--http2 sends HTTP/2 (the server counts 2.0), also on the connections opened before t0; without it HTTP/1.1', async () => {
    const h2 = await startChildServer('h2', { cert: certs.files.server, key: certs.files.serverKey });
    servers.push(h2);
    const url = `https://127.0.0.1:${h2.port}/`;
    const ca = certs.read('ca');
    const over2 = await lib(url, { ca }, { rateRps: 200, http2: true });
    expect(over2.totals.ok).toBe(200);
    expect(over2.config.http2).toBe(true);
    expect((await h2.stats<{ byVersion: Record<string, number> }>()).byVersion).toEqual({ '2.0': 200 });
    const over1 = await lib(url, { ca }, { rateRps: 200 });
    expect(over1.totals.ok).toBe(200);
    expect((await h2.stats<{ byVersion: Record<string, number> }>()).byVersion).toEqual({ '2.0': 200, '1.1': 200 });
  });

  it('probes use the same TLS options as the load', async () => {
    const { url } = await https('server');
    const read = async (tls?: { ca: string }) => {
      const p = startProbes([{ name: 'up', kind: 'http', url: `${url}health`, intervalMs: 1000, timeoutMs: 900 }], {
        ...(tls ? { tls } : {}),
      });
      await new Promise((r) => setTimeout(r, 500));
      await p.stop();
      return p.series()[0]!.points[0]!;
    };
    expect(await read()).toMatchObject({ ok: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(await read({ ca: certs.read('ca') })).toMatchObject({ ok: true });
  });

  describe('through the CLI', () => {
    const cli = async (args: string[], env: Record<string, string> = {}) => {
      const dir = await mkdtemp(join(tmpdir(), 'overload-tls-'));
      const r = await runCli([...args, '--out-dir', dir, '-q'], { env });
      const file = join(dir, 'result.json');
      const result = await readFile(file, 'utf8').then(
        (t) => JSON.parse(t) as RunResult & { runbook?: Record<string, unknown> },
        () => undefined,
      );
      return { ...r, result, dir };
    };

    it('--ca makes a private-CA target work; without it the pre-flight refuses it (exit 6), naming the host, the cause and the fix', async () => {
      const { server, url } = await https('server');
      const without = await cli(['run', url, '--rate', '40', '--duration', '1s', '--workers', '1']);
      expect(without.code).toBe(6);
      expect(without.stderr).toContain(`pre-flight check failed, nothing was sent: cannot reach the target 127.0.0.1:${server.port}`);
      expect(without.stderr).toContain('its certificate is not signed by a trusted CA (give the CA with --ca');
      expect(without.stderr).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      // A certificate problem is not solved by starting the server: no such advice.
      expect(without.stderr).not.toContain('Check that it is running');
      expect(without.result).toBeUndefined();
      expect((await server.stats()).requests).toBe(0);
      const withCa = await cli(['run', url, '--rate', '40', '--duration', '1s', '--workers', '1', '--ca', certs.files.ca]);
      expect(withCa.code).toBe(0);
      expect(withCa.result!.totals.ok).toBe(40);
      expect(withCa.result!.runbook!['tls']).toEqual({ ca: true, clientCertificate: false, insecure: false });
    });

    it('mutual TLS through the CLI: the handshake passes the pre-flight (TLS 1.3 refuses after it), every request is tlsHandshake, and the summary says so', async () => {
      const { server, url } = await https('server', { ca: certs.files.ca, requestCert: true });
      const r = await cli(['run', url, '--rate', '40', '--duration', '1s', '--workers', '1', '--ca', certs.files.ca]);
      expect(r.code).toBe(0);
      expect(r.result!.errorsByClass.tlsHandshake).toBe(40);
      expect(r.stdout).toContain('errors by class: tlsHandshake 40');
      expect(r.stdout).toContain(
        `first tlsHandshake: 127.0.0.1:${server.port}: the TLS handshake was refused (a client certificate it wants? --cert/--key`,
      );
    });

    it('--http2 through the CLI: the server sees HTTP/2 only, and the result and runbook record it', async () => {
      const h2 = await startChildServer('h2', { cert: certs.files.server, key: certs.files.serverKey });
      servers.push(h2);
      const r = await cli([
        'run',
        `https://127.0.0.1:${h2.port}/`,
        '--rate',
        '40',
        '--duration',
        '1s',
        '--workers',
        '1',
        '--ca',
        certs.files.ca,
        '--http2',
      ]);
      expect(r.result!.totals.ok).toBe(40);
      expect((await h2.stats<{ byVersion: Record<string, number> }>()).byVersion).toEqual({ '2.0': 40 });
      expect(r.result!.config.http2).toBe(true);
      expect(r.result!.generator.client).toBe('undici');
      expect(r.result!.runbook!['http2']).toBe(true);
    });

    it('--insecure accepts a certificate for another host, warns on stderr (even with -q) and records it', async () => {
      const { url } = await https('wrongHost');
      const r = await cli(['run', url, '--rate', '40', '--duration', '1s', '--workers', '1', '--insecure']);
      expect(r.code).toBe(0);
      expect(r.result!.totals.ok).toBe(40);
      expect(r.stderr).toContain('warning: --insecure: the TLS certificates of');
      expect(r.result!.config.tls).toEqual({ ca: false, clientCertificate: false, insecure: true });
      expect(r.result!.runbook!['tls']).toEqual({ ca: false, clientCertificate: false, insecure: true });
    });

    it("a scenario's tls field (paths relative to the scenario file) gives the CA and client certificate", async () => {
      const { url } = await https('server', { ca: certs.files.ca, requestCert: true });
      const dir = await mkdtemp(join(tmpdir(), 'overload-tls-scenario-'));
      await writeFile(join(dir, 'ca.pem'), certs.read('ca'));
      await writeFile(join(dir, 'me.pem'), certs.read('client'));
      await writeFile(join(dir, 'me.key'), certs.read('clientKey'));
      const file = join(dir, 'mtls.mjs');
      await writeFile(
        file,
        `export default { name: 'mtls', target: '${url}', requests: [{ name: 'home', path: '/' }], tls: { ca: 'ca.pem', cert: 'me.pem', key: 'me.key' } };\n`,
      );
      const r = await cli(['run', file, '--rate', '40', '--duration', '1s', '--workers', '1']);
      expect(r.code).toBe(0);
      expect(r.result!.totals.ok).toBe(40);
      const plan = await runCli(['plan', file, '--profile', 'constant:rate=40,duration=1s']);
      expect(plan.stdout).toMatch(/^tls: +trusts the given CA \(--ca\); client certificate \(mutual TLS\)$/m);
    });

    it('bad TLS input is a usage error naming the flag and the file, before anything is sent', async () => {
      const { server, url } = await https('server');
      const base = ['run', url, '--rate', '10', '--duration', '1s', '--workers', '1'];
      const missing = await cli([...base, '--ca', '/nonexistent/ca.pem']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--ca cannot read /nonexistent/ca.pem: ENOENT');
      const notPem = await cli([...base, '--ca', certs.files.serverKey]);
      expect(notPem.code).toBe(2);
      expect(notPem.stderr).toContain(`--ca ${certs.files.serverKey} is not a PEM certificate`);
      const lonely = await cli([...base, '--cert', certs.files.client]);
      expect(lonely.code).toBe(2);
      expect(lonely.stderr).toContain('--key is required with the other: mutual TLS needs both');
      const mismatch = await cli([...base, '--cert', certs.files.client, '--key', certs.files.serverKey]);
      expect(mismatch.code).toBe(2);
      expect(mismatch.stderr).toContain(`--key ${certs.files.serverKey} is not the private key of the client certificate`);
      // The key's contents never appear in a message.
      expect(mismatch.stderr).not.toContain('PRIVATE KEY');
      const h2c = await cli(['run', `http://127.0.0.1:${server.port}/`, '--rate', '10', '--duration', '1s', '--http2']);
      expect(h2c.code).toBe(2);
      expect(h2c.stderr).toContain('http2 needs an https:// target');
      for (const r of [missing, notPem, lonely, mismatch, h2c]) expect(r.stderr).not.toMatch(/\n\s+at /);
      expect((await server.stats()).requests).toBe(0);
    });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test certificates, made with openssl at test time in a temporary folder (no private key is
 * committed): a private CA, and leaf certificates it signed for every TLS case the tests need.
 * Everything is for 127.0.0.1 / localhost only.
 */
export interface TestCerts {
  readonly dir: string;
  /** Files (PEM) by name: ca, server (127.0.0.1 + localhost), wrongHost (only wrong.example), expired, client. */
  readonly files: {
    readonly ca: string;
    readonly server: string;
    readonly serverKey: string;
    readonly wrongHost: string;
    readonly wrongHostKey: string;
    readonly expired: string;
    readonly expiredKey: string;
    readonly client: string;
    readonly clientKey: string;
  };
  read(name: keyof TestCerts['files']): string;
  remove(): void;
}

const CA_CONFIG = `[ ca ]
default_ca = test
[ test ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
[ loopback ]
subjectAltName = IP:127.0.0.1,DNS:localhost
`;

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'overload-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=overload test CA');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  const sign = (name: string, subject: string, ext: string, dates: string[]) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), `[ ext ]\n${ext}\n`);
    ssl(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-notext',
      '-extfile',
      `${name}.ext`,
      '-extensions',
      'ext',
      ...dates,
    );
  };
  const valid = ['-days', '2'];
  sign('server', '/CN=127.0.0.1', 'subjectAltName = IP:127.0.0.1,DNS:localhost', valid);
  sign('wrong-host', '/CN=wrong.example', 'subjectAltName = DNS:wrong.example', valid);
  sign('expired', '/CN=127.0.0.1', 'subjectAltName = IP:127.0.0.1,DNS:localhost', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
  sign('client', '/CN=overload test client', 'extendedKeyUsage = clientAuth', valid);
  const files = {
    ca: join(dir, 'ca.pem'),
    server: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    wrongHost: join(dir, 'wrong-host.pem'),
    wrongHostKey: join(dir, 'wrong-host.key'),
    expired: join(dir, 'expired.pem'),
    expiredKey: join(dir, 'expired.key'),
    client: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
  return {
    dir,
    files,
    read: (name) => readFileSync(files[name], 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Throwaway certificates for TLS tests, made with the `openssl` CLI in a temporary folder:
 * a CA, a server certificate for localhost (SAN DNS:localhost, IP:127.0.0.1), client
 * certificates signed by that CA (CN=alice; and one naming "bob" only in its SAN), and a second,
 * unrelated CA with a client certificate of its own (for "verification fails" tests).
 * EC P-256 keys keep generation fast (well under a second for the whole set).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

export interface CertFiles {
  /** Paths, for configuration (`hub.<protocol>.tls`). */
  readonly certPath: string;
  readonly keyPath: string;
  /** PEM contents, for the client API. */
  readonly cert: string;
  readonly key: string;
}

export interface TestCerts {
  readonly dir: string;
  readonly ca: CertFiles;
  readonly server: CertFiles;
  /** CN=alice, signed by `ca`. */
  readonly alice: CertFiles;
  /** CN=client-7 with subjectAltName DNS:bob, signed by `ca`. */
  readonly bob: CertFiles;
  /** A CA that signed nothing the server uses. */
  readonly otherCa: CertFiles;
  /** CN=alice, signed by `otherCa` (does not verify at the server). */
  readonly stranger: CertFiles;
  cleanup(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function files(dir: string, name: string): Promise<CertFiles> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPath, keyPath, cert, key };
}

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeLeaf(dir: string, name: string, ca: string, subject: string, ext: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), ext);
  await openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    String(1 + Math.floor(Math.random() * 1e12)),
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-certs-'));
  const client = 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n';
  await Promise.all([makeCa(dir, 'ca', 'Hub Test CA'), makeCa(dir, 'other-ca', 'Other Test CA')]);
  await Promise.all([
    makeLeaf(
      dir,
      'server',
      'ca',
      '/CN=localhost',
      'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
    ),
    makeLeaf(dir, 'alice', 'ca', '/CN=alice', client),
    makeLeaf(dir, 'bob', 'ca', '/CN=client-7', client + 'subjectAltName=DNS:bob\n'),
    makeLeaf(dir, 'stranger', 'other-ca', '/CN=alice', client),
  ]);
  const [ca, server, alice, bob, otherCa, stranger] = await Promise.all(
    ['ca', 'server', 'alice', 'bob', 'other-ca', 'stranger'].map((n) => files(dir, n)),
  );
  return {
    dir,
    ca: ca!,
    server: server!,
    alice: alice!,
    bob: bob!,
    otherCa: otherCa!,
    stranger: stranger!,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The test certificates, made once for the file (beforeAll) and removed after it (afterAll). */
export function useTestCerts(): () => TestCerts {
  let certs: TestCerts | undefined;
  beforeAll(async () => {
    certs = await makeTestCerts();
  });
  afterAll(() => certs?.cleanup());
  return () => certs!;
}

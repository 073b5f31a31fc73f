/**
 * A reload re-reads the hub listeners' TLS files (docs/operations-reload.md): a renewed
 * certificate under the same paths is served to new connections while a client connected over
 * TLS stays; unreadable or mismatched files refuse the reload and the certificate in force stays.
 * Real TLS over loopback with throwaway certificates (openssl).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestCerts } from '../support/certs.js';
import { account, baseConfig, checked, startFrom, type Raw } from '../support/reload.js';
import { stopAfterEach } from '../support/stop-after.js';

const certs = useTestCerts();
const start = stopAfterEach(startFrom);
const run = promisify(execFile);

describe('hub TLS files', () => {
  it('a renewed certificate is served from the reload on; a broken one is refused', async () => {
    const dir = certs().dir;
    const cert = join(dir, 'listener.crt');
    const key = join(dir, 'listener.key');
    copyFileSync(certs().server.certPath, cert);
    copyFileSync(certs().server.keyPath, key);
    const raw = baseConfig([account('alice'), account('bob')]);
    (raw.hub as Raw).imtp = { host: '127.0.0.1', port: 0, tls: { cert, key } };
    const g = await start(raw);
    const oldCa = { tls: { ca: certs().ca.cert } };
    const alice = await g.client('alice', 'imtp', undefined, oldCa);

    // A self-signed replacement for the same names.
    const [cert2, key2] = [join(dir, 'renewed.crt'), join(dir, 'renewed.key')];
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key2,
      '-out',
      cert2,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    const newCa = { tls: { ca: readFileSync(cert2, 'utf8') } };

    // Nothing renewed yet: nothing to report.
    expect(await g.gateway.reload(checked(raw))).toMatchObject({ ok: true, changes: [] });

    // The new certificate with the old key: refused, the old certificate stays in force.
    copyFileSync(cert2, cert);
    const mismatched = await g.gateway.reload(checked(raw));
    expect(mismatched.ok).toBe(false);
    expect(mismatched.problems.map((p) => p.path)).toEqual(['hub.imtp.tls']);
    await (await g.client('bob', 'imtp', undefined, oldCa)).close();

    copyFileSync(key2, key);
    const renewed = await g.gateway.reload(checked(raw));
    expect(renewed).toMatchObject({ ok: true, changes: ['hub.imtp.tls (files re-read)'] });
    await (await g.client('bob', 'imtp', undefined, newCa)).close();
    await expect(g.client('bob', 'imtp', undefined, oldCa)).rejects.toThrow();
    expect(alice.connection.closed).toBe(false);
    expect((await alice.command('listen', [['Inbox', 'im:alice@gw.test']])).status).toBe('ok');

    writeFileSync(cert, 'not a certificate');
    const broken = await g.gateway.reload(checked(raw));
    expect(broken.problems.map((p) => p.path)).toEqual(['hub.imtp.tls']);
    await (await g.client('bob', 'imtp', undefined, newCa)).close();
  });
});

/**
 * Two client API instances talking through the real hub server (a listen/send relay in between),
 * over TLS with SASL PLAIN and with EXTERNAL from client certificates; certificate verification
 * on; PLAIN refused in clear unless allowed; ANONYMOUS off by default (part 4 rows 2, 12, 28).
 */
import { describe, expect, it } from 'vitest';
import { connectHub, type HubClient, type HubClientOptions } from '../../src/hub/client.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { getHeader } from '../../src/protocol/index.js';
import { useTestCerts } from '../support/certs.js';
import { relayApplication } from '../support/hub-relay.js';
import { captureLog, useCleanup, startHub, testHubConfig } from '../support/hub-tcp.js';

const testCerts = useTestCerts();

const cleanup = useCleanup();

const SEND = (to: string, text: string): [string, [string, string][], Buffer] => [
  'send',
  [
    ['Sender', 'im:bob@hub.example.net'],
    ['Inbox', to],
  ],
  Buffer.from(text),
];

function tlsConfig(sasl: Record<string, unknown> = {}) {
  return testHubConfig({
    imtp: {
      port: 0,
      tls: {
        cert: testCerts().server.certPath,
        key: testCerts().server.keyPath,
        ca: testCerts().ca.certPath,
        requestClientCert: true,
      },
    },
    sasl: { mechanisms: ['PLAIN', 'EXTERNAL'], allowPlainWithoutTls: false, ...sasl },
  });
}

async function client(port: number, o: Partial<HubClientOptions>): Promise<HubClient> {
  const c = await connectHub({ host: '127.0.0.1', port, protocol: 'imtp', ...o });
  return cleanup.add(c, (x) => x.close());
}

/** alice listens and answers with an auto-reply; returns what she received. */
async function listener(port: number, o: Partial<HubClientOptions>): Promise<{ got: CommandFrame[] }> {
  const got: CommandFrame[] = [];
  const alice = await client(port, {
    ...o,
    onCommand: (c) => {
      got.push(c);
      return { status: 'ok', headers: [['X-Reply', 'yes']], payload: Buffer.from('away until 5') };
    },
  });
  const r = await alice.command('listen', [['Inbox', 'im:alice@hub.example.net']]);
  expect(r.status).toBe('ok');
  return { got };
}

describe('hub over TLS', () => {
  it('relays a send between two PLAIN clients over TLS (medium strength)', async () => {
    const app = relayApplication();
    const { log } = captureLog();
    const { port } = await startHub(cleanup, { config: tlsConfig(), application: app, log });
    const tls = { ca: testCerts().ca.cert, servername: 'localhost' };
    const { got } = await listener(port, {
      tls,
      sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
    });
    const bob = await client(port, { tls, sasl: { mechanism: 'PLAIN', user: 'bob', password: 'hunter2' } });
    expect(bob.mechanisms).toEqual(['PLAIN']); // no client certificate: no EXTERNAL
    expect(bob.strength).toBe('medium');
    const r = await bob.command(...SEND('im:alice@hub.example.net', 'hello over TLS'));
    expect(r.status).toBe('ok');
    expect(getHeader(r.headers, 'X-Reply')).toBe('yes');
    expect(Buffer.from(r.payload!).toString()).toBe('away until 5');
    expect(Buffer.from(got[0]!.payload!).toString()).toBe('hello over TLS');
    expect(getHeader(got[0]!.headers, 'Astrength')).toBe('medium');
    expect([...app.identities.values()]).toEqual([
      { identity: 'alice', strength: 'medium' },
      { identity: 'bob', strength: 'medium' },
    ]);
    const none = await bob.command(...SEND('im:carol@hub.example.net', 'anyone?'));
    expect(getHeader(none.headers, 'Error-Type')).toBe('no-listeners');
  });

  it('authenticates EXTERNAL from client certificates, by CN and by SAN (strong)', async () => {
    const app = relayApplication();
    const { log } = captureLog();
    const { port } = await startHub(cleanup, { config: tlsConfig(), application: app, log });
    const { got } = await listener(port, {
      tls: { ca: testCerts().ca.cert, cert: testCerts().alice.cert, key: testCerts().alice.key },
      sasl: { mechanism: 'EXTERNAL' },
    });
    const bob = await client(port, {
      tls: { ca: testCerts().ca.cert, cert: testCerts().bob.cert, key: testCerts().bob.key },
      sasl: { mechanism: 'EXTERNAL', authzid: 'bob' },
    });
    expect(bob.mechanisms).toEqual(['EXTERNAL', 'PLAIN']);
    expect(bob.strength).toBe('strong');
    const r = await bob.command(...SEND('im:alice@hub.example.net', 'signed, bob'));
    expect(r.status).toBe('ok');
    expect(getHeader(got[0]!.headers, 'Astrength')).toBe('strong');
    expect([...app.identities.values()]).toEqual([
      { identity: 'alice', strength: 'strong' },
      { identity: 'bob', strength: 'strong' },
    ]);
  });

  it('does not offer EXTERNAL for a certificate from another CA', async () => {
    const captured = captureLog();
    const { port } = await startHub(cleanup, {
      config: tlsConfig(),
      application: relayApplication(),
      log: captured.log,
    });
    const attempt = connectHub({
      host: '127.0.0.1',
      port,
      protocol: 'imtp',
      tls: { ca: testCerts().ca.cert, cert: testCerts().stranger.cert, key: testCerts().stranger.key },
      sasl: { mechanism: 'EXTERNAL' },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'sasl-failure', message: /does not offer EXTERNAL/ });
    await captured.waitFor('hub client certificate not verified; EXTERNAL not offered');
  });

  it('fails with a clear error when the client trusts a different CA (verification on by default)', async () => {
    const { log } = captureLog();
    const { port } = await startHub(cleanup, { config: tlsConfig(), application: relayApplication(), log });
    const attempt = connectHub({
      host: '127.0.0.1',
      port,
      protocol: 'imtp',
      tls: { ca: testCerts().otherCa.cert },
      sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'tls',
      message: /TLS verification of 127\.0\.0\.1:\d+ failed/,
    });
  });

  it('rejects a wrong password and a refused connection with clear errors', async () => {
    const { log } = captureLog();
    const { port } = await startHub(cleanup, { config: tlsConfig(), application: relayApplication(), log });
    await expect(
      connectHub({
        host: '127.0.0.1',
        port,
        protocol: 'imtp',
        tls: { ca: testCerts().ca.cert },
        sasl: { mechanism: 'PLAIN', user: 'alice', password: 'wrong' },
      }),
    ).rejects.toMatchObject({ code: 'sasl-failure', message: 'authentication failed: invalid credentials' });
    const free = await startHub(cleanup, { config: testHubConfig(), application: relayApplication(), log });
    await free.server.stop(0);
    await expect(connectHub({ host: '127.0.0.1', port: free.port, protocol: 'imtp' })).rejects.toMatchObject({
      code: 'connect',
      message: /connection refused/,
    });
  });
});

describe('hub SASL policy in clear', () => {
  it('refuses PLAIN on a cleartext listener unless allowPlainWithoutTls', async () => {
    const { log } = captureLog();
    const strict = await startHub(cleanup, {
      config: testHubConfig({ sasl: { allowPlainWithoutTls: false } }),
      application: relayApplication(),
      log,
    });
    await expect(
      connectHub({
        host: '127.0.0.1',
        port: strict.port,
        protocol: 'imtp',
        sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
      }),
    ).rejects.toMatchObject({ code: 'sasl-failure', message: /does not offer PLAIN \(it offers: nothing\)/ });
    const lax = await startHub(cleanup, { config: testHubConfig(), application: relayApplication(), log });
    const c = await client(lax.port, { sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' } });
    expect(c.strength).toBe('weak'); // part 4 row 12: PLAIN in clear
  });

  it('offers ANONYMOUS only with allowAnonymous', async () => {
    const captured = captureLog();
    const mechanisms = ['PLAIN', 'EXTERNAL', 'ANONYMOUS'];
    const off = await startHub(cleanup, {
      config: testHubConfig({ sasl: { mechanisms } }),
      application: relayApplication(),
      log: captured.log,
    });
    await captured.waitFor('hub ANONYMOUS is listed but hub.sasl.allowAnonymous is false; not offered');
    const anon = { mechanism: 'ANONYMOUS', trace: 'tester' } as const;
    await expect(
      connectHub({ host: '127.0.0.1', port: off.port, protocol: 'imtp', sasl: anon }),
    ).rejects.toMatchObject({ code: 'sasl-failure' });
    const on = await startHub(cleanup, {
      config: testHubConfig({ sasl: { mechanisms, allowAnonymous: true } }),
      application: relayApplication(),
      log: captured.log,
    });
    const c = await client(on.port, { sasl: anon });
    expect(c.mechanisms).toEqual(['PLAIN', 'ANONYMOUS']);
    const unlisted = await startHub(cleanup, {
      config: testHubConfig({ sasl: { allowAnonymous: true } }),
      application: relayApplication(),
      log: captured.log,
    });
    await captured.waitFor(
      'hub allowAnonymous is set but ANONYMOUS is not in hub.sasl.mechanisms; not offered',
    );
    const plainOnly = await client(unlisted.port, {});
    expect(plainOnly.mechanisms).toEqual(['PLAIN']);
    expect(c.strength).toBe('none');
    expect(c.connection.identity).toBeNull();
  });

  it('traces the wire at trace level without SASL data or passwords', async () => {
    const captured = captureLog('trace');
    const { port } = await startHub(cleanup, {
      config: testHubConfig(),
      application: relayApplication(),
      log: captured.log,
    });
    const c = await client(port, {
      log: captured.log,
      sasl: { mechanism: 'PLAIN', user: 'alice', password: 'secret' },
    });
    await c.command('listen', [['Inbox', 'im:alice@hub.example.net']]);
    const wire = captured.lines.filter((l) => l.msg === 'hub wire');
    expect(wire.some((l) => l.dir === 'in' && l.method === 'listen' && l.frame === 'command')).toBe(true);
    expect(wire.some((l) => l.frame === 'mech' && l.dir === 'out')).toBe(true);
    const auth = wire.find((l) => l.method === 'auth' && l.frame === 'command')!;
    expect(auth.body).toBe('[sasl data hidden]');
    expect(auth.headers).toEqual(['Mechanism: PLAIN']);
    expect(JSON.stringify(captured.lines)).not.toContain('secret');
    await captured.waitFor('hub connection authenticated', { identity: 'alice', strength: 'weak' });
  });
});

/**
 * Reloading `peers:` (docs/operations-reload.md): a peer added by a reload is routed to at once
 * over a real TCP link, one removed is dropped (its links closed gracefully) and its domain is
 * unknown again, and the gateway's own client stays connected throughout.
 */
import { describe, expect, it } from 'vitest';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { peerEntry, useFederation } from '../support/federation.js';
import { account, baseConfig, checked, startFrom, type Raw } from '../support/reload.js';
import { stopAfterEach } from '../support/stop-after.js';

const fed = useFederation();
const start = stopAfterEach(startFrom);

describe('peers', () => {
  it('a peer added by a reload is reachable at once; removed, its domain is unknown again', async () => {
    const b = await fed.start({
      domain: 'b.test',
      peerAccounts: [{ user: 'gw-a', password: 'secret-a', peerDomain: 'a.test' }],
    });
    const bob = await listenAs(b, 'bob', 'im:bob@b.test');
    const raw = (peers: Raw[]) => baseConfig([account('alice', 'a.test')], { peers }, 'a.test');
    const a = await start(raw([]), [], 'a.test');
    const alice = await a.client('alice');
    const send = (text: string) => sendText(alice, 'im:alice@a.test', 'im:bob@b.test', text);

    const before = await send('too early');
    expect(h(before.headers, 'Error-Type')).toBe('target-not-found');

    const entry = peerEntry(['b.test'], b, { user: 'gw-a', password: 'secret-a' });
    const added = await a.gateway.reload(checked(raw([entry])));
    expect(added).toMatchObject({ ok: true, changes: ['peer b.test added'] });
    const sent = await send('hello over the new link');
    expect(sent.status, h(sent.headers, 'Error-Description')).toBe('ok');
    expect(Buffer.from(bob.at(-1)!.payload!).toString()).toBe('hello over the new link');
    expect(a.gateway.federation.status()).toMatchObject([{ peer: 'b.test', imtp: 'up' }]);

    const removed = await a.gateway.reload(checked(raw([])));
    expect(removed).toMatchObject({ ok: true, changes: ['peer b.test removed'] });
    expect(a.gateway.federation.status()).toEqual([]);
    expect(h((await send('gone')).headers, 'Error-Type')).toBe('target-not-found');
    expect(alice.connection.closed).toBe(false);
  });

  it('a peer whose TLS files cannot be read is refused, and the running peers stay', async () => {
    const raw = (peers: Raw[]) => baseConfig([account('alice', 'a.test')], { peers }, 'a.test');
    const a = await start(raw([]), [], 'a.test');
    const entry = {
      domains: ['c.test'],
      host: '127.0.0.1',
      tls: { ca: '/nonexistent/ca.pem' },
      sasl: { mechanism: 'PLAIN', user: 'x', password: 'y' },
    };
    const r = await a.gateway.reload(checked(raw([entry])));
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      {
        path: 'peers',
        message: expect.stringContaining('cannot read the peer TLS CA file /nonexistent/ca.pem'),
      },
    ]);
    expect(a.gateway.federation.status()).toEqual([]);
    expect(a.gateway.config.peers).toEqual([]);
  });
});

/**
 * The gateway's message id (issue 15; docs/hub-protocol.md part 4 row 32): added to a send that
 * enters without one, kept when given and valid, `malformed` when not; every copy of a room post
 * carries the same one.
 */
import { describe, expect, it } from 'vitest';
import { parseImUri } from '../model/index.js';
import { FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { OK, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { newMessageId } from './message-id.js';
import { Router } from './index.js';

const A = 'a.example';

function setup() {
  const peerB = new FakeEndpoint('peer-b', () => OK, 'b.example');
  const router = new Router({
    domains: [A],
    routes: (d) => (d === 'b.example' ? peerB : null),
    rooms: [
      {
        name: 'lobby',
        address: parseImUri(`im:lobby@${A}`),
        members: [`im:alice@${A}`, `im:bob@${A}`, 'im:carol@b.example'].map((m) => parseImUri(m)),
      },
    ],
  });
  return { router, peerB };
}

describe('Message-ID (docs/hub-protocol.md part 4 row 32)', () => {
  it('part 4 row 32: a send without one gets the time then 96 random bits; each send its own', async () => {
    const { router, peerB } = setup();
    const alice = client([`im:alice@${A}`]);
    await router.handle(send(`im:alice@${A}`, 'im:x@b.example', 'one'), alice);
    await router.handle(send(`im:alice@${A}`, 'im:x@b.example', 'two'), alice);
    const ids = peerB.of('send').map((o) => headersOf(o, 'Message-ID'));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toHaveLength(1);
    expect(ids[0]![0]).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect(Buffer.from(ids[0]![0]!.slice(9), 'base64url')).toHaveLength(12);
    expect(parseInt(ids[0]![0]!.slice(0, 9), 36)).toBeGreaterThan(Date.now() - 60_000);
    expect(ids[0]![0]).not.toBe(ids[1]![0]);
  });

  it('part 4 row 32: relays keep a given id, in its place; peers and adapters may give one too', async () => {
    const { router, peerB } = setup();
    const bob = new FakeEndpoint('bob');
    await router.handle(op('imtp', 'listen', [['Inbox', `im:bob@${A}`]]), client([`im:bob@${A}`], bob));
    const id = 'CAF3+irc.1699999999.42@irc.example.org';
    await router.handle(send('im:x@b.example', `im:bob@${A}`, 'hi', [['Message-ID', id]]), peer('b.example'));
    expect(headersOf(bob.last('send'), 'Message-ID')).toEqual([id]);
    expect(bob.last('send')!.headers.findIndex((h) => h[0] === 'Message-ID')).toBe(2);
    await router.handle(
      send(`im:alice@${A}`, 'im:y@b.example', 'x', [['Message-ID', 'a-1']]),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(peerB.last('send'), 'Message-ID')).toBe('a-1');
  });

  it('part 4 row 32: an id over 128 octets, empty or with other characters is malformed and not relayed', async () => {
    const { router, peerB } = setup();
    const alice = client([`im:alice@${A}`]);
    for (const bad of ['x'.repeat(129), '', 'two words', '<a@b>', 'caf\u00e9']) {
      const a = await router.handle(
        send(`im:alice@${A}`, 'im:x@b.example', 'x', [['Message-ID', bad]]),
        alice,
      );
      expect(headerOf(a, 'Error-Type')).toBe('malformed');
      expect(headerOf(a, 'Error-Description')).toContain('Message-ID');
    }
    expect(peerB.received).toHaveLength(0);
    const ok = await router.handle(
      send(`im:alice@${A}`, 'im:x@b.example', 'x', [['Message-ID', 'x'.repeat(128)]]),
      alice,
    );
    expect(ok.status).toBe('ok');
  });

  it('part 4 row 34: only postmaster@<domain> may send a Report header', async () => {
    const { router, peerB } = setup();
    const forged = await router.handle(
      send(`im:alice@${A}`, 'im:x@b.example', 'your mail bounced', [['Report', 'expired']]),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(forged, 'Error-Type')).toBe('source-authorization');
    expect(peerB.received).toHaveLength(0);
    const bob = new FakeEndpoint('bob');
    await router.handle(op('imtp', 'listen', [['Inbox', `im:bob@${A}`]]), client([`im:bob@${A}`], bob));
    const real = await router.handle(
      send('im:postmaster@b.example', `im:bob@${A}`, 'r', [['Report', 'expired']]),
      peer('b.example'),
    );
    expect(real.status).toBe('ok');
    expect(headerOf(bob.last('send'), 'Report')).toBe('expired');
  });

  it('every copy of a room post carries the same id', async () => {
    const { router, peerB } = setup();
    const bob = new FakeEndpoint('bob');
    await router.handle(op('imtp', 'listen', [['Inbox', `im:bob@${A}`]]), client([`im:bob@${A}`], bob));
    await router.handle(send(`im:alice@${A}`, `im:lobby@${A}`, 'hi all'), client([`im:alice@${A}`]));
    const mine = headersOf(bob.last('send'), 'Message-ID');
    expect(mine).toHaveLength(1);
    expect(headersOf(peerB.last('send'), 'Message-ID')).toEqual(mine);
  });

  it('ids do not repeat across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newMessageId());
    expect(seen.size).toBe(5000);
  });
});

/**
 * Federation: two real gateways (a.test and b.test) linked over TCP with TLS and SASL, through
 * the static `peers:` table (docs/architecture.md part 10: "two gateways in one test, linked over TCP").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPidf } from '../../src/codec/pidf/index.js';
import { connectHub } from '../../src/hub/client.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { peerEntry, useFederation, type FedGatewaySpec } from '../support/federation.js';
import { h, listenAs, OK, sendText as send } from '../support/hub-calls.js';
import { freePorts } from '../support/net.js';
import type { TestGateway } from '../support/gateway.js';

const fed = useFederation({ tls: true });
const start = (spec: FedGatewaySpec) => fed.start(spec);

/** A and B, each the other's peer over TLS; `auth` picks PLAIN or EXTERNAL for both links. */
async function pair(
  auth: 'plain' | 'external',
  extra: { a?: Partial<FedGatewaySpec>; b?: Partial<FedGatewaySpec> } = {},
) {
  const [ai, ap, bi, bp] = await freePorts(4);
  const A = { imtp: { port: ai! }, pitp: { port: ap! } };
  const B = { imtp: { port: bi! }, pitp: { port: bp! } };
  // EXTERNAL: A presents the certificate CN=alice, B the one with CN=client-7 (SAN bob); the
  // accounts are named after the certificates (so B has no client account "alice").
  const ext = auth === 'external';
  const a = await start({
    domain: 'a.test',
    ports: { imtp: ai!, pitp: ap! },
    peerAccounts: [
      ext
        ? { user: 'client-7', peerDomain: 'b.test' }
        : { user: 'gw-b', password: 'secret-b', peerDomain: 'b.test' },
    ],
    peers: [
      peerEntry(
        ['b.test'],
        B,
        ext ? { external: 'alice' } : { user: 'gw-a', password: 'secret-a' },
        fed.certs,
      ),
    ],
    ...extra.a,
  });
  const b = await start({
    domain: 'b.test',
    ports: { imtp: bi!, pitp: bp! },
    ...(ext ? { clients: ['bob', 'carol'] } : {}),
    peerAccounts: [
      ext
        ? { user: 'alice', peerDomain: 'a.test' }
        : { user: 'gw-a', password: 'secret-a', peerDomain: 'a.test' },
    ],
    peers: [
      peerEntry(['a.test'], A, ext ? { external: 'bob' } : { user: 'gw-b', password: 'secret-b' }, fed.certs),
    ],
    ...extra.b,
  });
  return { a, b };
}

function client(
  g: TestGateway,
  user: string,
  protocol: 'imtp' | 'pitp' = 'imtp',
  onCommand?: (c: CommandFrame) => typeof OK,
) {
  return g.client(user, protocol, onCommand, { tls: { ca: fed.certs.ca.cert } });
}

const listen = (g: TestGateway, user: string, inbox: string) =>
  listenAs(g, user, inbox, { tls: { ca: fed.certs.ca.cert } });

describe('federation between two gateways', () => {
  it('row 2: a client on A sends to a listener on B (TLS + PLAIN) and gets ok', async () => {
    const { a, b } = await pair('plain');
    const got = await listen(b, 'bob', 'im:bob@b.test');
    const alice = await client(a, 'alice');
    const r = await send(alice, 'im:alice@a.test', 'im:bob@b.test', Buffer.from('hello across'));
    expect(r.status).toBe('ok');
    expect(got).toHaveLength(1);
    expect(h(got[0]!.headers, 'Visited')).toBe('a.test b.test');
    // PLAIN under TLS is medium (part 4 row 12); the weaker of link and received (row 28).
    expect(h(got[0]!.headers, 'Astrength')).toBe('medium');
    expect(a.gateway.federation.status()).toEqual([
      { peer: 'b.test', kind: 'static', imtp: 'up', pitp: 'idle' },
    ]);
  });

  it('EXTERNAL with client certificates makes a strong link', async () => {
    const { a, b } = await pair('external');
    const got = await listen(b, 'bob', 'im:bob@b.test');
    const alice = await client(a, 'alice');
    expect((await send(alice, 'im:alice@a.test', 'im:bob@b.test')).status).toBe('ok');
    // alice's own link is PLAIN over TLS (medium); the peer link is strong; the weaker wins.
    expect(h(got[0]!.headers, 'Astrength')).toBe('medium');
    const link = b.logs().find((l) => l.msg === 'hub connection authenticated' && l.identity === 'alice');
    expect(link).toMatchObject({ mechanism: 'EXTERNAL', strength: 'strong' });
  });

  it('a presence change on B reaches a watcher on A; terminate on B ends it there', async () => {
    const { a, b } = await pair('plain');
    const pidf = (basic: 'open' | 'closed') =>
      Buffer.from(buildPidf({ entity: 'pres:carol@b.test', tuples: [{ id: 't1', basic }] }));
    const carol = await client(b, 'carol', 'pitp');
    const ins = await carol.command(
      'insert-mapping',
      [
        ['Presentity', 'presence:carol@b.test'],
        ['Mapping', '1'],
        ['Wpattern', 'presence:*@a.test'],
        ['Content-Type', 'application/pidf+xml'],
      ],
      pidf('open'),
    );
    expect(ins.status).toBe('ok');
    const notes: CommandFrame[] = [];
    const alice = await client(a, 'alice', 'pitp', (c) => {
      notes.push(c);
      return OK;
    });
    const sub = await alice.command('subscribe', [
      ['Subscription', '/presence:alice@a.test'],
      ['Presentity', 'presence:carol@b.test'],
    ]);
    expect(sub.status).toBe('ok');
    expect(Buffer.from(sub.payload!).equals(pidf('open'))).toBe(true);

    const ch = await carol.command(
      'change',
      [
        ['Presentity', 'presence:carol@b.test'],
        ['Mapping', '1'],
        ['Content-Type', 'application/pidf+xml'],
      ],
      pidf('closed'),
    );
    expect(ch.status).toBe('ok');
    await b.gateway.router.settle();
    await a.gateway.router.settle();
    expect(notes.map((n) => n.method)).toEqual(['change-notify']);
    expect(Buffer.from(notes[0]!.payload!).equals(pidf('closed'))).toBe(true);
    expect(h(notes[0]!.headers, 'Subscription')).toBe('/presence:alice@a.test');

    // B's watcher information shows A's token; carol terminates that subscription.
    const wi = await carol.command('start-wi', [['Presentity', 'presence:carol@b.test']]);
    const subscription = h(wi.headers, 'Subscription')!;
    expect(subscription).toMatch(/^[A-Za-z0-9]+\/presence:alice@a\.test$/);
    const t = await carol.command('terminate', [
      ['Presentity', 'presence:carol@b.test'],
      ['Subscription', subscription],
    ]);
    expect(t.status).toBe('ok');
    await b.gateway.router.settle();
    await a.gateway.router.settle();
    expect(notes.map((n) => n.method)).toEqual(['change-notify', 'terminate-notify']);
    expect(h(notes[1]!.headers, 'Subscription')).toBe('/presence:alice@a.test');
    // B's notifies went over B's own link to A (part 4 row 13).
    expect(b.gateway.federation.status()[0]).toMatchObject({ peer: 'a.test', pitp: 'up' });
  });

  it('a peer that claims a sender outside its domain gets source-authorization', async () => {
    const { b } = await pair('plain');
    await listen(b, 'bob', 'im:bob@b.test');
    // A's peer credentials, used by hand: the peer domain is a.test, the sender is not.
    const mallory = await connectHub({
      host: '127.0.0.1',
      port: b.imtp.port,
      protocol: 'imtp',
      tls: { ca: fed.certs.ca.cert },
      sasl: { mechanism: 'PLAIN', user: 'gw-a', password: 'secret-a' },
    });
    try {
      const r = await send(mallory, 'im:mallory@c.test', 'im:bob@b.test');
      expect(h(r.headers, 'Error-Type')).toBe('source-authorization');
      const fine = await send(mallory, 'im:someone@a.test', 'im:bob@b.test');
      expect(fine.status).toBe('ok');
    } finally {
      await mallory.close();
    }
  });

  it('a room with members on both gateways delivers each message once to each member', async () => {
    const { a, b } = await pair('plain', {
      a: {
        rooms: [
          {
            name: 'dev',
            address: 'im:dev@a.test',
            members: ['im:alice@a.test', 'im:bob@a.test', 'im:dev@b.test'],
          },
        ],
      },
      b: {
        rooms: [
          {
            name: 'dev',
            address: 'im:dev@b.test',
            members: ['im:dev@a.test', 'im:bob@b.test', 'im:carol@b.test'],
          },
        ],
      },
    });
    const inbox = {
      aliceA: await listen(a, 'alice', 'im:alice@a.test'),
      bobA: await listen(a, 'bob', 'im:bob@a.test'),
      bobB: await listen(b, 'bob', 'im:bob@b.test'),
      carolB: await listen(b, 'carol', 'im:carol@b.test'),
    };
    const alice = await client(a, 'alice');
    expect((await send(alice, 'im:alice@a.test', 'im:dev@a.test', Buffer.from('one'))).status).toBe('ok');
    const carol = await client(b, 'carol');
    expect((await send(carol, 'im:carol@b.test', 'im:dev@b.test', Buffer.from('two'))).status).toBe('ok');
    const texts = (got: CommandFrame[]) => got.map((c) => Buffer.from(c.payload!).toString());
    expect(texts(inbox.aliceA)).toEqual(['two']);
    expect(texts(inbox.bobA)).toEqual(['one', 'two']);
    expect(texts(inbox.bobB)).toEqual(['one', 'two']);
    expect(texts(inbox.carolB)).toEqual(['one']);
    expect(h(inbox.bobB[0]!.headers, 'Orig-Sender')).toBe('im:alice@a.test');
    expect(h(inbox.bobB[0]!.headers, 'Visited')).toBe('a.test b.test');
  });

  it('issue 13 defect 3: a client of a.test cannot post to a b.test room as carol@b.test, nor drop her', async () => {
    const { a, b } = await pair('plain', {
      b: {
        rooms: [
          {
            name: 'dev',
            address: 'im:dev@b.test',
            members: ['im:alice@a.test', 'im:bob@b.test', 'im:carol@b.test'],
          },
        ],
      },
    });
    const inbox = {
      bobB: await listen(b, 'bob', 'im:bob@b.test'),
      carolB: await listen(b, 'carol', 'im:carol@b.test'),
    };
    const alice = await client(a, 'alice');
    const forged = await send(alice, 'im:alice@a.test', 'im:dev@b.test', Buffer.from('forged'), [
      ['Orig-Sender', 'im:carol@b.test'],
    ]);
    expect(h(forged.headers, 'Error-Type')).toBe('source-authorization');
    // Her own post reaches every other member, carol included, as alice's.
    expect((await send(alice, 'im:alice@a.test', 'im:dev@b.test', Buffer.from('mine'))).status).toBe('ok');
    const texts = (got: CommandFrame[]) => got.map((c) => Buffer.from(c.payload!).toString());
    expect(texts(inbox.bobB)).toEqual(['mine']);
    expect(texts(inbox.carolB)).toEqual(['mine']);
    expect(h(inbox.carolB[0]!.headers, 'Orig-Sender')).toBe('im:alice@a.test');
  });

  it("issue 19 defect 1: in an open room on B, a forged Orig-Sender is refused from A's client and from A's peer link; a peer speaks only for its own domain; nobody is left out", async () => {
    const { a, b } = await pair('plain', {
      b: {
        rooms: [
          {
            name: 'lobby',
            address: 'im:lobby@b.test',
            members: ['im:bob@b.test', 'im:carol@b.test', 'im:alice@a.test'],
            open: true,
          },
        ],
      },
    });
    const inbox = {
      bobB: await listen(b, 'bob', 'im:bob@b.test'),
      carolB: await listen(b, 'carol', 'im:carol@b.test'),
      aliceA: await listen(a, 'alice', 'im:alice@a.test'),
    };
    // The scenario: alice, logged in on A, posts as carol.
    const alice = await client(a, 'alice');
    const viaA = await send(alice, 'im:alice@a.test', 'im:lobby@b.test', Buffer.from('as carol'), [
      ['Orig-Sender', 'im:carol@b.test'],
    ]);
    expect(h(viaA.headers, 'Error-Type')).toBe('source-authorization');
    // The same over A's peer credentials, straight to B: B itself refuses authors outside a.test.
    const peer = await connectHub({
      host: '127.0.0.1',
      port: b.imtp.port,
      protocol: 'imtp',
      tls: { ca: fed.certs.ca.cert },
      sasl: { mechanism: 'PLAIN', user: 'gw-a', password: 'secret-a' },
    });
    try {
      for (const forged of ['im:carol@b.test', 'im:dave@c.test']) {
        const r = await send(peer, 'im:alice@a.test', 'im:lobby@b.test', Buffer.from(forged), [
          ['Orig-Sender', forged],
        ]);
        expect(h(r.headers, 'Error-Type')).toBe('source-authorization');
        expect(h(r.headers, 'Error-Description')).toContain(forged);
      }
      // An author in the peer's own domain is accepted, and shown as the author.
      const own = await send(peer, 'im:alice@a.test', 'im:lobby@b.test', Buffer.from('from eve'), [
        ['Orig-Sender', 'im:eve@a.test'],
      ]);
      expect(own.status).toBe('ok');
    } finally {
      await peer.close();
    }
    // alice's own post reaches bob and carol, as alice's; she gets no copy of her own.
    expect((await send(alice, 'im:alice@a.test', 'im:lobby@b.test', Buffer.from('mine'))).status).toBe('ok');
    const seen = (got: CommandFrame[]) =>
      got.map((c) => `${h(c.headers, 'Orig-Sender')} ${Buffer.from(c.payload!).toString()}`);
    expect(seen(inbox.bobB)).toEqual(['im:eve@a.test from eve', 'im:alice@a.test mine']);
    expect(seen(inbox.carolB)).toEqual(['im:eve@a.test from eve', 'im:alice@a.test mine']);
    expect(inbox.bobB.every((c) => h(c.headers, 'Sender') === 'im:lobby@b.test')).toBe(true);
    expect(inbox.aliceA).toEqual([]);
  });

  it('a message/cpim payload with a signature-like body arrives byte-identical', async () => {
    const { a, b } = await pair('external');
    const got = await listen(b, 'bob', 'im:bob@b.test');
    const head = Buffer.from(
      'From: Alice <im:alice@a.test>\r\nTo: Bob <im:bob@b.test>\r\nDateTime: 2000-12-13T13:40:00-08:00\r\n\r\n' +
        'Content-Type: multipart/signed; boundary=xx; protocol="application/pkcs7-signature"\r\n\r\n' +
        '--xx\r\nContent-Type: text/plain\r\n\r\nhi  \r\n--xx\r\nContent-Type: application/pkcs7-signature\r\n\r\n',
    );
    // A fake PKCS#7 blob: NUL, bare CR/LF, CRLFCRLF, invalid UTF-8 (part 3 row 6).
    const blob = Buffer.from([
      0x30, 0x82, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0x28, 0xff, 0x0d, 0x00, 0x0a, 0xa0,
    ]);
    const vector = readFileSync(new URL('../fixtures/vectors/cpim-01-rfc3862-example.txt', import.meta.url));
    const alice = await client(a, 'alice');
    for (const octets of [Buffer.concat([head, blob, Buffer.from('\r\n--xx--\r\n')]), vector]) {
      const r = await send(alice, 'im:alice@a.test', 'im:bob@b.test', octets, [
        ['Content-Type', 'message/cpim'],
      ]);
      expect(r.status).toBe('ok');
      const last = got[got.length - 1]!;
      expect(h(last.headers, 'Content-Type')).toBe('message/cpim');
      expect(Buffer.from(last.payload!).equals(octets)).toBe(true);
    }
  });
});

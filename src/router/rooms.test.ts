import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInbox } from '../model/index.js';
import { FakeEndpoint, PeerLink, client, peer } from '../../test/support/router-fakes.js';
import { OK, enc, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { VECTOR_DIR } from '../../test/support/vectors.js';
import { Router, type Endpoint, type RoomConfig } from './index.js';

const im = (s: string) => parseInbox(s);

function room(name: string, address: string, members: string[], open = false): RoomConfig {
  return { name, address: im(address), members: members.map(im), open };
}

async function listener(router: Router, inbox: string, ep = new FakeEndpoint(inbox)): Promise<FakeEndpoint> {
  const a = await router.handle(op('imtp', 'listen', [['Inbox', inbox]]), client([inbox], ep));
  expect(a.status).toBe('ok');
  return ep;
}

/** Two routers linked as peer gateways (each side's link authenticates as its own domain). */
function pair(
  a: { domains: string[]; rooms?: RoomConfig[] },
  b: { domains: string[]; rooms?: RoomConfig[] },
) {
  const da = a.domains[0]!;
  const db = b.domains[0]!;
  const routers: { a?: Router; b?: Router } = {};
  const ab: PeerLink = new PeerLink(
    'a->b',
    () => routers.b!,
    da,
    () => ba,
    db,
  );
  const ba: PeerLink = new PeerLink(
    'b->a',
    () => routers.a!,
    db,
    () => ab,
    da,
  );
  const ra = (routers.a = new Router({ ...a, routes: (d) => (d === db ? ab : null) }));
  const rb = (routers.b = new Router({ ...b, routes: (d) => (d === da ? ba : null) }));
  return { ra, rb, ab, ba };
}

describe('rooms (docs/architecture.md part 7)', () => {
  const members = ['im:alice@a.example', 'im:bob@a.example', 'im:carol@a.example', 'im:bob@a.example'];

  it('fans out to every other member once, never back to the origin, with Orig-Inbox naming the room', async () => {
    const r = new Router({ domains: ['a.example'], rooms: [room('lobby', 'im:lobby@a.example', members)] });
    const alice = await listener(r, 'im:alice@a.example');
    const bob = await listener(r, 'im:bob@a.example');
    const carol = await listener(r, 'im:carol@a.example');
    const body = enc('hello room');
    const a = await r.handle(
      send('im:alice@a.example', 'im:lobby@a.example', body),
      client(['im:alice@a.example']),
    );
    expect(a).toEqual(OK);
    expect(alice.received).toHaveLength(0);
    expect(bob.received).toHaveLength(1);
    expect(carol.received).toHaveLength(1);
    const got = bob.received[0]!;
    expect(headerOf(got, 'Sender')).toBe('im:lobby@a.example');
    expect(headerOf(got, 'Inbox')).toBe('im:bob@a.example');
    expect(headerOf(got, 'Orig-Sender')).toBe('im:alice@a.example');
    expect(headersOf(got, 'Orig-Inbox')).toEqual(['im:lobby@a.example']);
    expect(headerOf(got, 'Visited')).toBe('a.example');
    expect(got.payload).toBe(body);
  });

  it('only members post unless the room is open; failures are listed in Room-Failed', async () => {
    const r = new Router({
      domains: ['a.example'],
      rooms: [room('lobby', 'im:lobby@a.example', members), room('hall', 'im:hall@a.example', members, true)],
    });
    await listener(r, 'im:bob@a.example');
    const outsider = client(['im:eve@a.example']);
    const refused = await r.handle(send('im:eve@a.example', 'im:lobby@a.example'), outsider);
    expect(headerOf(refused, 'Error-Type')).toBe('target-authorization');
    const open = await r.handle(send('im:eve@a.example', 'im:hall@a.example'), outsider);
    expect(open.status).toBe('ok');
    expect(headersOf(open, 'Room-Failed')).toEqual([
      'im:alice@a.example no-listeners',
      'im:carol@a.example no-listeners',
    ]);
    const r2 = new Router({ domains: ['a.example'], rooms: [room('lobby', 'im:lobby@a.example', members)] });
    const none = await r2.handle(
      send('im:alice@a.example', 'im:lobby@a.example'),
      client(['im:alice@a.example']),
    );
    expect(headerOf(none, 'Error-Type')).toBe('no-listeners');
    expect(headersOf(none, 'Room-Failed')).toHaveLength(2);
  });

  it('two rooms bridged across two routers reach every member once and do not loop', async () => {
    const { ra, rb, ab, ba } = pair(
      {
        domains: ['a.example'],
        rooms: [
          room('lobby', 'im:lobby@a.example', [
            'im:alice@a.example',
            'im:bob@a.example',
            'im:lobby@b.example',
          ]),
        ],
      },
      {
        domains: ['b.example'],
        rooms: [room('lobby', 'im:lobby@b.example', ['im:carol@b.example', 'im:lobby@a.example'])],
      },
    );
    const alice = await listener(ra, 'im:alice@a.example');
    const bob = await listener(ra, 'im:bob@a.example');
    const carol = await listener(rb, 'im:carol@b.example');
    const a = await ra.handle(
      send('im:alice@a.example', 'im:lobby@a.example'),
      client(['im:alice@a.example']),
    );
    expect(a).toEqual(OK);
    expect([alice, bob, carol].map((l) => l.received.length)).toEqual([0, 1, 1]);
    expect(ab.received).toHaveLength(1);
    expect(ba.received).toHaveLength(0);
    expect(headerOf(carol.received[0], 'Orig-Sender')).toBe('im:alice@a.example');
    expect(headerOf(carol.received[0], 'Visited')).toBe('a.example b.example');
    // And back: carol posts on b; alice and bob get it once, carol nothing.
    const b = await rb.handle(
      send('im:carol@b.example', 'im:lobby@b.example'),
      client(['im:carol@b.example']),
    );
    expect(b).toEqual(OK);
    expect([alice, bob, carol].map((l) => l.received.length)).toEqual([1, 2, 1]);
    expect(headerOf(alice.received[0], 'Orig-Sender')).toBe('im:carol@b.example');
  });

  it('a circle of bridged rooms is stopped by Visited', async () => {
    const { ra } = pair(
      {
        domains: ['a.example'],
        rooms: [
          room('one', 'im:one@a.example', ['im:alice@a.example', 'im:two@b.example']),
          room('three', 'im:three@a.example', ['im:two@b.example', 'im:dave@a.example']),
        ],
      },
      {
        domains: ['b.example'],
        rooms: [room('two', 'im:two@b.example', ['im:one@a.example', 'im:three@a.example'])],
      },
    );
    const dave = await listener(ra, 'im:dave@a.example');
    const a = await ra.handle(send('im:alice@a.example', 'im:one@a.example'), client(['im:alice@a.example']));
    // two@b excludes one@a (its sender) and sends to three@a, which a.example already visited.
    expect(a.status).toBe('error');
    expect(headerOf(a, 'Error-Type')).toBe('loop');
    // b's own Room-Failed line comes back inside its error, then a's.
    expect(headersOf(a, 'Room-Failed')).toEqual(['im:three@a.example loop', 'im:two@b.example loop']);
    expect(dave.received).toHaveLength(0);
  });

  it('refuses a room whose member is another room of the same router', () => {
    expect(
      () =>
        new Router({
          domains: ['a.example'],
          rooms: [
            room('x', 'im:x@a.example', ['im:y@a.example']),
            room('y', 'im:y@a.example', ['im:x@a.example']),
          ],
        }),
    ).toThrow(/is a room here/);
  });
});

describe('topologies', () => {
  it('a triangle of routers whose routes point in a circle ends in loop', async () => {
    // Three servers of one domain (intra-domain relaying is local policy, draft §8.1), each with
    // its own Visited token, routing x.example round the circle.
    const routers: Router[] = [];
    const links: PeerLink[] = [];
    for (let i = 0; i < 3; i++) {
      const next = (i + 1) % 3;
      links.push(
        new PeerLink(
          `s${i}->s${next}`,
          () => routers[next]!,
          'a.example',
          () => links[(i + 2) % 3]!,
          `s${next}.a.example`,
        ),
      );
    }
    for (let i = 0; i < 3; i++)
      routers.push(
        new Router({
          domains: ['a.example'],
          visitedToken: `s${i}.a.example`,
          routes: (d) => (d === 'x.example' ? links[i]! : null),
        }),
      );
    const a = await routers[0]!.handle(
      send('im:alice@a.example', 'im:z@x.example'),
      client(['im:alice@a.example']),
    );
    expect(headerOf(a, 'Error-Type')).toBe('loop');
    // s2 was the first relay to pass s0's error on.
    expect(headerOf(a, 'Error-Originator')).toBe('s0.a.example');
    expect(links.map((l) => l.received.length)).toEqual([1, 1, 1]);
    expect(headerOf(links[2]!.received[0], 'Visited')).toBe('s0.a.example s1.a.example s2.a.example');
  });

  it('a message/cpim payload with a signature-like body arrives byte-identical', async () => {
    const head = Buffer.from(
      'From: Alice <im:alice@a.example>\r\nTo: Bob <im:bob@b.example>\r\nDateTime: 2000-12-13T13:40:00-08:00\r\n\r\n' +
        'Content-Type: multipart/signed; boundary=xx; protocol="application/pkcs7-signature"; micalg=sha-256\r\n\r\n' +
        '--xx\r\nContent-Type: text/plain\r\n\r\nhi  \r\n--xx\r\nContent-Type: application/pkcs7-signature\r\n' +
        'Content-Transfer-Encoding: binary\r\n\r\n',
    );
    // DER-like octets: NUL, bare CR/LF, CRLFCRLF and invalid UTF-8 (part 3 row 6).
    const signature = Buffer.from([
      0x30, 0x82, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0x28, 0xff, 0x0d, 0x00, 0x0a,
    ]);
    const signed = Buffer.concat([head, signature, Buffer.from('\r\n--xx--\r\n')]);
    const vector = readFileSync(new URL('cpim-01-rfc3862-example.txt', VECTOR_DIR));
    const { ra, rb } = pair(
      {
        domains: ['a.example'],
        rooms: [room('r', 'im:r@a.example', ['im:alice@a.example', 'im:bob@b.example'])],
      },
      { domains: ['b.example'] },
    );
    const bob = await listener(rb, 'im:bob@b.example');
    for (const octets of [signed, vector]) {
      for (const inbox of ['im:bob@b.example', 'im:r@a.example']) {
        bob.clear();
        const a = await ra.handle(
          send('im:alice@a.example', inbox, new Uint8Array(octets), [['Content-Type', 'message/cpim']]),
          client(['im:alice@a.example']),
        );
        expect(a).toEqual(OK);
        const got = bob.received[0]!;
        expect(headerOf(got, 'Content-Type')).toBe('message/cpim');
        expect(Buffer.from(got.payload!).equals(octets)).toBe(true);
      }
    }
  });

  it('a peer claiming a sender outside its domain gets source-authorization', async () => {
    const r = new Router({ domains: ['a.example'] });
    const bob = await listener(r, 'im:bob@a.example');
    const back: Endpoint = new FakeEndpoint('back');
    const a = await r.handle(send('im:mallory@c.example', 'im:bob@a.example'), peer('b.example', back));
    expect(headerOf(a, 'Error-Type')).toBe('source-authorization');
    expect(headerOf(a, 'Error-Originator')).toBeUndefined();
    expect(bob.received).toHaveLength(0);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { OK, dec, enc, err, headerOf, headersOf } from '../../test/support/router-ops.js';
import { A, ALICE, BOB, CAROL, PIDF } from '../../test/support/router-pitp-names.js';
import {
  change,
  fetch,
  insert,
  owner,
  peerB,
  pitp,
  reset,
  router,
  run,
  setRouter,
  subscribe,
  watcher,
} from '../../test/support/router-pitp.js';
import { Router } from './index.js';
import type { Origin } from './operation.js';

beforeEach(reset);
describe('PITP watchers (docs/hub-protocol.md part 3 rows 41-47)', () => {
  it('row 41: fetch ok and subscribe ok carry the PI', async () => {
    await insert(1, [BOB], '<presence/>');
    const bob = watcher('bob');
    for (const a of [await fetch(BOB, bob.origin), await subscribe(bob, BOB)]) {
      expect(a.status).toBe('ok');
      expect(dec(a.payload)).toBe('<presence/>');
      expect(headerOf(a, 'Content-Type')).toBe(PIDF);
    }
  });

  it('row 42: change-notify carries the PI; an Unreliable in its answer is kept', async () => {
    await insert(1, [BOB], 'one');
    const bob = watcher('bob');
    await subscribe(bob, BOB);
    await change(1, 'two');
    await router.settle();
    const n = bob.ep.last('change-notify')!;
    expect(dec(n.payload)).toBe('two');
    expect(headerOf(n, 'Content-Type')).toBe(PIDF);
    // Across domains: bob watches a presentity at b.example; its server's change-notify reaches bob.
    peerB.respond = () => ({ status: 'ok', headers: [['Content-Type', PIDF]], payload: enc('far-1') });
    await subscribe(bob, BOB, 'presence:zed@b.example');
    const token = headerOf(peerB.last('subscribe'), 'Subscription')!.split('/')[0]!;
    bob.ep.respond = () => ({ status: 'ok', headers: [['Unreliable', 'gw.a.example']] });
    const relayed = await router.handle(
      pitp(
        'change-notify',
        [
          ['Presentity', 'presence:zed@b.example'],
          ['Subscription', `${token}/${BOB}`],
          ['Content-Type', PIDF],
        ],
        'far-2',
      ),
      peer('b.example'),
    );
    expect(relayed).toEqual({ status: 'ok', headers: [['Unreliable', 'gw.a.example']] });
    expect(dec(bob.ep.last('change-notify')!.payload)).toBe('far-2');
  });

  it('row 43: a client subscribe/unsubscribe with a non-empty connection-id is malformed', async () => {
    await insert(1, [BOB], 'x');
    const bob = watcher('bob');
    for (const method of ['subscribe', 'unsubscribe']) {
      const a = await run(
        method,
        [
          ['Subscription', `abc/${BOB}`],
          ['Presentity', ALICE],
        ],
        bob.origin,
      );
      expect(headerOf(a, 'Error-Type'), method).toBe('malformed');
    }
  });

  it('row 44: the watcher server mints a token per connection, reuses it, and blanks it toward the client', async () => {
    peerB.respond = (o) =>
      o.method === 'subscribe' ? { status: 'ok', headers: [], payload: enc('pi') } : OK;
    const bob = watcher('bob');
    await subscribe(bob, BOB, 'presence:zed@b.example');
    await subscribe(bob, BOB, 'presence:yan@b.example');
    const bob2 = watcher('bob');
    await subscribe(bob2, BOB, 'presence:zed@b.example');
    const tokens = peerB.of('subscribe').map((o) => headerOf(o, 'Subscription')!.split('/')[0]!);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9]+$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(headerOf(peerB.last('subscribe'), 'Subscription')).toBe(`${tokens[2]}/${BOB}`);
    await run(
      'unsubscribe',
      [
        ['Subscription', `/${BOB}`],
        ['Presentity', 'presence:zed@b.example'],
      ],
      bob.origin,
    );
    expect(headerOf(peerB.last('unsubscribe'), 'Subscription')).toBe(`${tokens[0]}/${BOB}`);
    await router.handle(
      pitp(
        'change-notify',
        [
          ['Presentity', 'presence:yan@b.example'],
          ['Subscription', `${tokens[0]}/${BOB}`],
        ],
        'new',
      ),
      peer('b.example'),
    );
    expect(headerOf(bob.ep.last('change-notify'), 'Subscription')).toBe(`/${BOB}`);
    // Local presentity: the WI view shows the token, the watcher's notify shows it blank.
    await insert(1, [BOB], 'x');
    await subscribe(bob, BOB);
    const wi = await run('start-wi', [['Presentity', ALICE]]);
    expect(headersOf(wi, 'Subscription')).toEqual([`${tokens[0]}/${BOB}`]);
    await change(1, 'y');
    await router.settle();
    expect(headerOf(bob.ep.last('change-notify'), 'Subscription')).toBe(`/${BOB}`);
  });

  it('row 45: start-wi lists subscribers, then fetch-, subscribe- and unsubscribe-notify follow', async () => {
    await insert(1, ['*'], 'x');
    const bob = watcher('bob');
    await subscribe(bob, BOB);
    const wiEp = new FakeEndpoint('wi');
    const wiConn = client([`im:alice@${A}`], wiEp);
    const ok = await run('start-wi', [['Presentity', ALICE]], wiConn);
    const bobToken = router.tokenFor(bob.origin.connectionId);
    expect(headersOf(ok, 'Subscription')).toEqual([`${bobToken}/${BOB}`]);
    const carol = watcher('carol');
    await fetch(CAROL, carol.origin);
    await subscribe(carol, CAROL);
    await run(
      'subscribe',
      [
        ['Subscription', `t9/presence:x@b.example`],
        ['Presentity', ALICE],
      ],
      peer('b.example'),
    );
    await run(
      'unsubscribe',
      [
        ['Subscription', `/${CAROL}`],
        ['Presentity', ALICE],
      ],
      carol.origin,
    );
    await router.settle();
    const carolToken = router.tokenFor(carol.origin.connectionId);
    expect(
      wiEp.received.map((o) => [o.method, headerOf(o, 'Subscription') ?? headerOf(o, 'Watcher')]),
    ).toEqual([
      ['fetch-notify', CAROL],
      ['subscribe-notify', `${carolToken}/${CAROL}`],
      ['subscribe-notify', 't9/presence:x@b.example'],
      ['unsubscribe-notify', `${carolToken}/${CAROL}`],
    ]);
    // Denied attempts are not reported (part 4 row 20).
    await run('delete-mapping', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ]);
    await router.settle();
    wiEp.clear();
    await fetch(CAROL, carol.origin);
    await router.settle();
    expect(wiEp.received).toHaveLength(0);
  });

  it('row 46: terminate ⇒ terminate-notify to the watcher, unsubscribe-notify to every WI connection', async () => {
    await insert(1, [BOB], 'x');
    const bob = watcher('bob');
    await subscribe(bob, BOB);
    const otherWi = new FakeEndpoint('wi-2');
    await run('start-wi', [['Presentity', ALICE]], client([`im:alice@${A}`], otherWi));
    const wi = await run('start-wi', [['Presentity', ALICE]]);
    const sub = headersOf(wi, 'Subscription')[0]!;
    const ownerEp = owner.endpoint as FakeEndpoint;
    const a = await run('terminate', [
      ['Presentity', ALICE],
      ['Subscription', sub],
    ]);
    expect(a.status).toBe('ok');
    await router.settle();
    expect(bob.ep.methods()).toEqual(['terminate-notify']);
    expect(headerOf(bob.ep.last(), 'Subscription')).toBe(`/${BOB}`);
    expect(ownerEp.methods()).toEqual(['unsubscribe-notify']);
    expect(otherWi.methods()).toEqual(['unsubscribe-notify']);
    const again = await run('terminate', [
      ['Presentity', ALICE],
      ['Subscription', sub],
    ]);
    expect(headerOf(again, 'Error-Type')).toBe('not-subscribed');
    await change(1, 'y');
    await router.settle();
    expect(bob.ep.methods()).toEqual(['terminate-notify']);
  });

  it('row 47: a client that closes without unsubscribing is cleaned up', async () => {
    await insert(1, [BOB], 'x');
    const bob = watcher('bob');
    await subscribe(bob, BOB);
    peerB.respond = (o) => (o.method === 'subscribe' ? { status: 'ok', headers: [], payload: enc('p') } : OK);
    await subscribe(bob, BOB, 'presence:zed@b.example');
    const token = headerOf(peerB.last('subscribe'), 'Subscription')!.split('/')[0]!;
    const wiEp = new FakeEndpoint('wi');
    await run('start-wi', [['Presentity', ALICE]], client([`im:alice@${A}`], wiEp));
    router.connectionClosed(bob.origin.connectionId);
    await router.settle();
    expect(wiEp.methods()).toEqual(['unsubscribe-notify']);
    expect(headerOf(peerB.last('unsubscribe'), 'Subscription')).toBe(`${token}/${BOB}`);
    await change(1, 'y');
    await router.settle();
    expect(bob.ep.received).toHaveLength(0);
    const late = await router.handle(
      pitp(
        'change-notify',
        [
          ['Presentity', 'presence:zed@b.example'],
          ['Subscription', `${token}/${BOB}`],
        ],
        'z',
      ),
      peer('b.example'),
    );
    expect(headerOf(late, 'Error-Type')).toBe('not-subscribed');
  });
});

describe('PITP across domains and adapters', () => {
  it('notifies to a foreign watcher go over the route to its domain (part 4 row 13)', async () => {
    await insert(1, ['presence:*@b.example'], 'x');
    const inbound = new FakeEndpoint('inbound-from-b');
    const a = await run(
      'subscribe',
      [
        ['Subscription', 'k1/presence:zed@b.example'],
        ['Presentity', ALICE],
      ],
      peer('b.example', inbound),
    );
    expect(dec(a.payload)).toBe('x');
    await change(1, 'y');
    await router.settle();
    expect(inbound.received).toHaveLength(0);
    const n = peerB.last('change-notify')!;
    expect(headerOf(n, 'Subscription')).toBe('k1/presence:zed@b.example');
    // A watcher that answers not-subscribed is purged (part 4 row 15).
    peerB.respond = () => err('not-subscribed');
    await change(1, 'z');
    await router.settle();
    peerB.clear();
    await change(1, 'w');
    await router.settle();
    expect(peerB.received).toHaveLength(0);
  });

  it('a peer does not get presence relayed to a third domain; a peer claiming another domain is refused', async () => {
    const a = await run(
      'subscribe',
      [
        ['Subscription', 'k1/presence:zed@c.example'],
        ['Presentity', 'presence:x@b.example'],
      ],
      peer('c.example'),
    );
    expect(headerOf(a, 'Error-Type')).toBe('target-not-found');
    const forged = await run(
      'subscribe',
      [
        ['Subscription', 'k1/presence:zed@c.example'],
        ['Presentity', ALICE],
      ],
      peer('b.example'),
    );
    expect(headerOf(forged, 'Error-Type')).toBe('source-authorization');
  });

  it('adapters: presence none ⇒ target-not-found, serve ⇒ forwarded, publish ⇒ served from the store', async () => {
    const irc = new FakeEndpoint('irc');
    router.registerDomain('irc.example', irc, { presence: 'none' });
    const bob = watcher('bob');
    expect(headerOf(await subscribe(bob, BOB, 'presence:nick@irc.example'), 'Error-Type')).toBe(
      'target-not-found',
    );
    const xmpp = new FakeEndpoint('xmpp', () => ({ status: 'ok', headers: [], payload: enc('xp') }));
    router.registerDomain('xmpp.example', xmpp, { presence: 'serve' });
    expect(dec((await subscribe(bob, BOB, 'presence:j@xmpp.example')).payload)).toBe('xp');
    expect(headerOf(xmpp.last('subscribe'), 'Subscription')).toMatch(/^c[0-9a-z]+\/presence:bob@a\.example$/);
    const web = new FakeEndpoint('web');
    router.registerDomain('web.example', web, { presence: 'publish' });
    const pub = await router.handle(
      pitp(
        'insert-mapping',
        [
          ['Presentity', 'presence:u@web.example'],
          ['Mapping', '1'],
          ['Wpattern', '*'],
        ],
        'web-pi',
      ),
      { kind: 'adapter', connectionId: 'web', strength: 'strong', endpoint: web },
    );
    expect(pub.status).toBe('ok');
    const got = await run(
      'fetch',
      [
        ['Watcher', BOB],
        ['Presentity', 'presence:u@web.example'],
      ],
      bob.origin,
    );
    expect(dec(got.payload)).toBe('web-pi');
  });

  it('the translate seam is asked only for origins that do not accept the PI type', async () => {
    const seen: string[] = [];
    setRouter(
      new Router({
        domains: [A],
        translate: (pi, type) => {
          seen.push(`${pi.contentType}->${type}`);
          return { contentType: type, bytes: enc('translated') };
        },
      }),
    );
    await insert(1, ['*'], '<pidf/>');
    const plain = await fetch(BOB, client([BOB], undefined, { accept: ['application/presence'] }));
    expect(headerOf(plain, 'Content-Type')).toBe('application/presence');
    expect(dec(plain.payload)).toBe('translated');
    const pidf = await fetch(BOB, client([BOB], undefined, { accept: [PIDF] }));
    expect(dec(pidf.payload)).toBe('<pidf/>');
    expect(seen).toEqual([`${PIDF}->application/presence`]);
  });
});

describe('asksWatchers: the foreign network decides who may watch (RFC 3922 §6.2)', () => {
  it('a subscribe the store refuses is asked of the adapter; its ok lets the store serve it', async () => {
    const xmpp = new FakeEndpoint('xmpp');
    const origin: Origin = { kind: 'adapter', connectionId: 'xmpp', strength: 'strong', endpoint: xmpp };
    router.registerDomain('xmpp.example', xmpp, { presence: 'publish', asksWatchers: true });
    const bob = watcher('bob');
    const J = 'presence:j@xmpp.example';
    // The adapter answers the ask by publishing a mapping for the watcher it was asked about.
    xmpp.respond = (op) => {
      const w = headerOf(op, 'Subscription')!.split('/')[1]!;
      void router.handle(
        pitp(
          'insert-mapping',
          [
            ['Presentity', J],
            ['Mapping', '1'],
            ['Wpattern', w],
          ],
          'j-pi',
        ),
        origin,
      );
      return OK;
    };
    const granted = await subscribe(bob, BOB, J);
    expect(granted.status).toBe('ok');
    expect(dec(granted.payload)).toBe('j-pi');
    expect(xmpp.of('subscribe')).toHaveLength(1);
    // Carol is not in the class: the adapter is asked, refuses, and so does the router.
    xmpp.respond = () => err('target-authorization');
    const carol = watcher('carol');
    const refused = await subscribe(carol, CAROL, J);
    expect(headerOf(refused, 'Error-Type')).toBe('target-authorization');
    expect(xmpp.of('subscribe')).toHaveLength(2);
    // Bob again: the store now has him, the adapter is not asked.
    await subscribe(bob, BOB, J);
    expect(xmpp.of('subscribe')).toHaveLength(2);
    // Without asksWatchers the store alone decides.
    const web = new FakeEndpoint('web');
    router.registerDomain('web.example', web, { presence: 'publish' });
    const nobody = await subscribe(bob, BOB, 'presence:u@web.example');
    expect(headerOf(nobody, 'Error-Type')).toBe('target-not-found');
    expect(web.received).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { Answer, Strength } from '../protocol/index.js';
import { Deferred, FakeEndpoint, adapter, client, peer } from '../../test/support/router-fakes.js';
import { OK, enc, err, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { Router } from './index.js';

const A = 'a.example';

function setup(minStrength?: (d: string) => Strength | undefined) {
  const peerB = new FakeEndpoint('peer-b', () => OK, 'b.example');
  const router = new Router({
    domains: [A],
    routes: (d) => (d === 'b.example' ? peerB : null),
    ...(minStrength ? { minStrength } : {}),
  });
  return { router, peerB };
}

async function listen(
  router: Router,
  inbox: string,
  extra: [string, string][] = [],
  ep = new FakeEndpoint(inbox),
) {
  const origin = client([inbox], ep);
  const answer = await router.handle(op('imtp', 'listen', [['Inbox', inbox], ...extra]), origin);
  expect(answer.status).toBe('ok');
  return { ep, origin };
}

describe('IMTP relay, authorization and errors (docs/hub-protocol.md part 3)', () => {
  it('row 24: forwards what it does not reject and answers only after the next hop', async () => {
    const { router, peerB } = setup();
    const gate = new Deferred<Answer>();
    peerB.respond = () => gate.promise;
    let settled = false;
    const pending = router
      .handle(
        send(`im:alice@${A}`, 'im:bob@b.example', 'x', [['X-Unknown', 'kept as is']]),
        client([`im:alice@${A}`]),
      )
      .then((a) => {
        settled = true;
        return a;
      });
    await new Promise((r) => setTimeout(r, 5));
    expect(peerB.received).toHaveLength(1);
    expect(headerOf(peerB.received[0], 'X-Unknown')).toBe('kept as is');
    expect(settled).toBe(false);
    gate.resolve({ status: 'ok', headers: [['X-Reply', '1']] });
    const answer = await pending;
    expect(answer).toEqual({ status: 'ok', headers: [['X-Reply', '1']] });
  });

  it('row 25: a client speaking for a foreign-domain source gets source-authorization', async () => {
    const { router, peerB } = setup();
    const alice = client([`im:alice@${A}`]);
    const foreign = await router.handle(send('im:alice@b.example', 'im:bob@b.example'), alice);
    expect(headerOf(foreign, 'Error-Type')).toBe('source-authorization');
    expect(headerOf(foreign, 'Error-Originator')).toBeUndefined();
    const other = await router.handle(send(`im:carol@${A}`, 'im:bob@b.example'), alice);
    expect(headerOf(other, 'Error-Type')).toBe('source-authorization');
    expect(peerB.received).toHaveLength(0);
    // An adapter speaks only for the domains it registered.
    const irc = new FakeEndpoint('irc');
    router.registerDomain('irc.example', irc, { presence: 'none' });
    const outside = await router.handle(send('im:nick@mail.example', 'im:bob@b.example'), adapter(irc));
    expect(headerOf(outside, 'Error-Type')).toBe('source-authorization');
    expect((await router.handle(send('im:nick@irc.example', 'im:bob@b.example'), adapter(irc))).status).toBe(
      'ok',
    );
  });

  it('row 26: a peer may only speak for the domain it authenticated as, and is refused for nothing else', async () => {
    const { router } = setup();
    const { ep } = await listen(router, `im:bob@${A}`);
    const bad = await router.handle(send('im:x@c.example', `im:bob@${A}`), peer('b.example'));
    expect(headerOf(bad, 'Error-Type')).toBe('source-authorization');
    const unauthenticated = await router.handle(send('im:x@b.example', `im:bob@${A}`), {
      ...peer('b.example'),
      peerDomain: undefined,
    });
    expect(headerOf(unauthenticated, 'Error-Type')).toBe('source-authorization');
    // Weak strength, an Orig-Sender of its own domain, unknown headers: no source-based refusal.
    const good = await router.handle(
      send('im:x@b.example', `im:bob@${A}`, 'hi', [
        ['Astrength', 'weak'],
        ['Orig-Sender', 'im:someone@b.example'],
      ]),
      peer('b.example'),
    );
    expect(good.status).toBe('ok');
    expect(ep.received).toHaveLength(1);
  });

  it('row 27: commands toward a client are not filtered on source grounds', async () => {
    const { router } = setup();
    const { ep } = await listen(router, `im:bob@${A}`);
    const ircEndpoint = new FakeEndpoint('irc', () => OK);
    router.registerDomain('irc.example', ircEndpoint, { presence: 'none' });
    expect((await router.handle(send('im:x@b.example', `im:bob@${A}`), peer('b.example'))).status).toBe('ok');
    expect(
      (await router.handle(send('im:nick@irc.example', `im:bob@${A}`), adapter(ircEndpoint))).status,
    ).toBe('ok');
    expect(ep.received.map((o) => headerOf(o, 'Sender'))).toEqual(['im:x@b.example', 'im:nick@irc.example']);
  });

  it('row 28: relayed Astrength is the weaker of the link and the received value; absent means strong', async () => {
    const { router, peerB } = setup();
    const cases: [Strength, string | undefined, string][] = [
      ['strong', undefined, 'strong'],
      ['weak', undefined, 'weak'],
      ['weak', 'strong', 'weak'],
      ['strong', 'none', 'none'],
      ['medium', 'Medium', 'medium'],
      ['strong', 'weak', 'weak'],
    ];
    for (const [link, got, want] of cases) {
      peerB.clear();
      const extra: [string, string][] = got === undefined ? [] : [['Astrength', got]];
      const a = await router.handle(
        send(`im:alice@${A}`, 'im:bob@b.example', 'x', extra),
        client([`im:alice@${A}`], undefined, { strength: link }),
      );
      expect(a.status).toBe('ok');
      expect(headersOf(peerB.received[0], 'Astrength')).toEqual([want]);
    }
    const bad = await router.handle(
      send(`im:alice@${A}`, 'im:bob@b.example', 'x', [['Astrength', 'very']]),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(bad, 'Error-Type')).toBe('malformed');
  });

  it('row 29: a weak command may be refused by route policy, an answer never is', async () => {
    const { router, peerB } = setup((d) => (d === 'b.example' ? 'medium' : undefined));
    const weak = await router.handle(
      send(`im:alice@${A}`, 'im:bob@b.example'),
      client([`im:alice@${A}`], undefined, { strength: 'weak' }),
    );
    expect(headerOf(weak, 'Error-Type')).toBe('source-authorization');
    expect(peerB.received).toHaveLength(0);
    peerB.respond = () => ({ status: 'ok', headers: [['Astrength', 'none']] });
    const strong = await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(strong).toEqual({ status: 'ok', headers: [['Astrength', 'none']] });
  });

  it('row 31 (with 30): the first relay adds Error-Originator, later ones keep it; types pass unchanged', async () => {
    const { router, peerB } = setup();
    peerB.respond = () => err('target-not-found', ['Error-Description', 'no bob']);
    const first = await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(first.headers).toEqual([
      ['Error-Type', 'target-not-found'],
      ['Error-Description', 'no bob'],
      ['Error-Originator', 'b.example'],
    ]);
    peerB.respond = () => err('no-listeners', ['Error-Originator', 'c.example']);
    const later = await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(headersOf(later, 'Error-Originator')).toEqual(['c.example']);
    // A client's error names the inbox it listened for (part 4 row 21).
    const { ep } = await listen(router, `im:bob@${A}`);
    ep.respond = () => err('resources');
    const fromClient = await router.handle(send('im:x@b.example', `im:bob@${A}`), peer('b.example'));
    expect(headerOf(fromClient, 'Error-Originator')).toBe(`im:bob@${A}`);
  });
});

describe('IMTP listen and send (docs/hub-protocol.md part 3 rows 48-54)', () => {
  it('row 48: Only/Except filter senders; a filtered sender sees no listener; re-listen replaces filters', async () => {
    const { router } = setup();
    const bob = `im:bob@${A}`;
    const ep = new FakeEndpoint('bob');
    const origin = client([bob], ep);
    const listenWith = (h: [string, string][]) =>
      router.handle(op('imtp', 'listen', [['Inbox', bob], ...h]), origin);
    expect(
      (
        await listenWith([
          ['Only', 'im:*@b.example'],
          ['Except', 'im:spam@b.example'],
        ])
      ).status,
    ).toBe('ok');
    const from = (s: string) => router.handle(send(s, bob), peer(s.split('@')[1]!));
    expect((await from('im:friend@b.example')).status).toBe('ok');
    expect(headerOf(await from('im:spam@b.example'), 'Error-Type')).toBe('no-listeners');
    expect(headerOf(await from('im:x@c.example'), 'Error-Type')).toBe('no-listeners');
    // A second, unfiltered listener gets what the first filters out.
    const other = new FakeEndpoint('bob-2');
    await router.handle(op('imtp', 'listen', [['Inbox', bob]]), client([bob], other));
    expect((await from('im:spam@b.example')).status).toBe('ok');
    expect(other.received).toHaveLength(1);
    expect(ep.received).toHaveLength(1);
    // Re-listen on the first connection: filters replaced, not added.
    await listenWith([['Except', 'im:friend@b.example']]);
    ep.clear();
    await from('im:spam@b.example');
    await from('im:friend@b.example');
    expect(ep.received.map((o) => headerOf(o, 'Sender'))).toEqual(['im:spam@b.example']);
    // part 4 row 28: listen needs an authenticated identity covering the inbox.
    const anon = await router.handle(op('imtp', 'listen', [['Inbox', bob]]), client(undefined));
    expect(headerOf(anon, 'Error-Type')).toBe('source-authorization');
    const wrong = await router.handle(op('imtp', 'listen', [['Inbox', bob]]), client([`im:eve@${A}`]));
    expect(headerOf(wrong, 'Error-Type')).toBe('source-authorization');
    const bad = await router.handle(
      op('imtp', 'listen', [
        ['Inbox', bob],
        ['Only', 'no pattern'],
      ]),
      origin,
    );
    expect(headerOf(bad, 'Error-Type')).toBe('malformed');
  });

  it('row 49: each relay appends its token to Visited', async () => {
    const { router, peerB } = setup();
    await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(headerOf(peerB.received[0], 'Visited')).toBe(A);
    const { ep } = await listen(router, `im:bob@${A}`);
    await router.handle(
      send('im:x@b.example', `im:bob@${A}`, 'x', [['Visited', 'c.example  b.example']]),
      peer('b.example'),
    );
    expect(headersOf(ep.received[0], 'Visited')).toEqual([`c.example b.example ${A}`]);
  });

  it('row 50: every Orig-Inbox and Orig-Sender is passed on in order', async () => {
    const { router, peerB } = setup();
    const orig: [string, string][] = [
      ['Orig-Sender', 'im:boss@a.example'],
      ['Orig-Inbox', 'im:bob@b.example'],
      ['Orig-Inbox', 'im:carol@c.example'],
    ];
    // The client may speak for boss too (identity.ts: an Orig-Sender needs that).
    await router.handle(
      send(`im:alice@${A}`, 'im:bob@b.example', 'x', orig),
      client([`im:alice@${A}`, `im:boss@${A}`]),
    );
    const got = peerB.received[0]!.headers.filter((h) => h[0].startsWith('Orig-'));
    expect(got).toEqual(orig);
  });

  it('row 51: send carries a payload', async () => {
    const { router, peerB } = setup();
    const a = await router.handle(
      op('imtp', 'send', [
        ['Sender', `im:alice@${A}`],
        ['Inbox', 'im:bob@b.example'],
      ]),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(a, 'Error-Type')).toBe('malformed');
    expect(peerB.received).toHaveLength(0);
  });

  it('row 52: Unreliable from a gateway without end receipt is kept intact by relays', async () => {
    const { router, peerB } = setup();
    const irc = new FakeEndpoint('irc', () => ({ status: 'ok', headers: [['Unreliable', 'irc.example']] }));
    router.registerDomain('irc.example', irc, { presence: 'none' });
    const viaAdapter = await router.handle(
      send(`im:alice@${A}`, 'im:nick@irc.example'),
      client([`im:alice@${A}`]),
    );
    expect(viaAdapter).toEqual({ status: 'ok', headers: [['Unreliable', 'irc.example']] });
    peerB.respond = () => ({ status: 'ok', headers: [['Unreliable', 'gw.b.example']] });
    const viaPeer = await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(headersOf(viaPeer, 'Unreliable')).toEqual(['gw.b.example']);
  });

  it('row 53: fan-out to every listener; any ok wins, one auto-reply kept, all errors report one', async () => {
    const { router } = setup();
    const bob = `im:bob@${A}`;
    const l1 = (await listen(router, bob)).ep;
    const l2 = (await listen(router, bob)).ep;
    const l3 = (await listen(router, bob)).ep;
    l1.respond = () => err('resources');
    l2.respond = () => ({ status: 'ok', headers: [['Unreliable', 'x.example']] });
    l3.respond = () => ({ status: 'ok', headers: [['Content-Type', 'text/plain']], payload: enc('away') });
    const a = await router.handle(send('im:x@b.example', bob), peer('b.example'));
    expect(a.status).toBe('ok');
    expect(headerOf(a, 'Unreliable')).toBeUndefined();
    expect(a.payload && new TextDecoder().decode(a.payload)).toBe('away');
    expect([l1, l2, l3].map((l) => l.received.length)).toEqual([1, 1, 1]);
    l3.respond = () => ({ status: 'ok', headers: [['Unreliable', 'y.example']] });
    const unreliable = await router.handle(send('im:x@b.example', bob), peer('b.example'));
    expect(headersOf(unreliable, 'Unreliable')).toHaveLength(1);
    l2.respond = () => err('communications');
    l3.respond = () => err('quota');
    const failed = await router.handle(send('im:x@b.example', bob), peer('b.example'));
    expect(failed.status).toBe('error');
    expect(headerOf(failed, 'Error-Type')).toBe('resources');
    expect(headerOf(failed, 'Error-Originator')).toBe(bob);
  });

  it('row 54: nobody listening ⇒ no-listeners; own token or too long a Visited ⇒ loop', async () => {
    const { router } = setup();
    const bob = `im:bob@${A}`;
    expect(headerOf(await router.handle(send('im:x@b.example', bob), peer('b.example')), 'Error-Type')).toBe(
      'no-listeners',
    );
    const { ep } = await listen(router, bob);
    const visited = (v: string) =>
      router.handle(send('im:x@b.example', bob, 'x', [['Visited', v]]), peer('b.example'));
    expect(headerOf(await visited(`b.example ${A.toUpperCase()}`), 'Error-Type')).toBe('loop');
    const sixteen = Array.from({ length: 16 }, (_, i) => `r${i}.example`).join(' ');
    expect((await visited(sixteen)).status).toBe('ok');
    expect(headerOf(await visited(sixteen + ' r16.example'), 'Error-Type')).toBe('loop');
    expect(ep.received).toHaveLength(1);
  });

  it('an unknown destination domain is target-not-found; unknown methods are unknown-method', async () => {
    const { router } = setup();
    const a = await router.handle(send(`im:alice@${A}`, 'im:bob@nowhere.invalid'), client([`im:alice@${A}`]));
    expect(headerOf(a, 'Error-Type')).toBe('target-not-found');
    const m = await router.handle(op('imtp', 'SEND', []), client([`im:alice@${A}`]));
    expect(headerOf(m, 'Error-Type')).toBe('unknown-method');
  });

  it('a listen ends with its connection (part 4 row 15)', async () => {
    const { router } = setup();
    const { origin } = await listen(router, `im:bob@${A}`);
    router.connectionClosed(origin.connectionId);
    const a = await router.handle(send('im:x@b.example', `im:bob@${A}`), peer('b.example'));
    expect(headerOf(a, 'Error-Type')).toBe('no-listeners');
  });

  it('a next hop that fails counts as communications (part 4 row 14); size limits answer quota', async () => {
    const { router, peerB } = setup();
    peerB.respond = () => Promise.reject(new Error('socket gone'));
    const a = await router.handle(send(`im:alice@${A}`, 'im:bob@b.example'), client([`im:alice@${A}`]));
    expect(headerOf(a, 'Error-Type')).toBe('communications');
    const big = await router.handle(
      send(`im:alice@${A}`, 'im:bob@b.example', new Uint8Array(70_000)),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(big, 'Error-Type')).toBe('quota');
    const small = new FakeEndpoint('sms');
    router.registerDomain('sms.example', small, { presence: 'none', maxMessageSize: 10 });
    const tooLong = await router.handle(
      send(`im:alice@${A}`, 'im:n@sms.example', 'more than ten octets'),
      client([`im:alice@${A}`]),
    );
    expect(headerOf(tooLong, 'Error-Type')).toBe('quota');
  });
});

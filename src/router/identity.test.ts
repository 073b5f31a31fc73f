import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import type { Logger } from '../log.js';
import { parseInbox } from '../model/index.js';
import { FakeEndpoint, adapter, client, peer } from '../../test/support/router-fakes.js';
import { headerOf, send } from '../../test/support/router-ops.js';
import { buildCpim } from '../codec/cpim/index.js';
import type { Origin } from './index.js';
import { Router } from './index.js';

const A = 'a.example';
const im = (s: string) => parseInbox(s);

/** A router serving a.example, an adapter for irc.example, a listener for bob and a room. */
async function setup(log?: Logger) {
  const router = new Router({
    domains: [A],
    ...(log === undefined ? {} : { log }),
    rooms: [
      {
        name: 'lobby',
        address: im(`im:lobby@${A}`),
        members: [
          `im:alice@${A}`,
          `im:bob@${A}`,
          `im:carol@${A}`,
          'im:dave@irc.example',
          'im:erin@b.example',
        ].map(im),
        open: true,
      },
    ],
    routes: (d) => (d === 'b.example' ? peerB : null),
  });
  const peerB = new FakeEndpoint('peer-b');
  const irc = new FakeEndpoint('irc');
  router.registerDomain('irc.example', irc, { presence: 'none' });
  const inbox = new Map<string, FakeEndpoint>();
  for (const who of ['alice', 'bob', 'carol']) {
    const ep = new FakeEndpoint(who);
    inbox.set(who, ep);
    const a = await router.handle(
      { protocol: 'imtp', method: 'listen', headers: [['Inbox', `im:${who}@${A}`]] },
      client([`im:${who}@${A}`], ep),
    );
    expect(a.status).toBe('ok');
  }
  return { router, irc, peerB, inbox };
}

async function claim(router: Router, origin: Origin, sender: string, author: string, to = `im:bob@${A}`) {
  return router.handle(send(sender, to, 'hi', [['Orig-Sender', author]]), origin);
}

describe('identity: Orig-Sender only from an origin that may speak for it (issue 13 defect 3)', () => {
  it('client: allowed for an identity it holds, refused for anyone else', async () => {
    const log = captureLog();
    const { router, inbox } = await setup(log.log);
    const ok = await claim(
      router,
      client([`im:alice@${A}`, `im:bot-1@${A}`]),
      `im:alice@${A}`,
      `im:bot-1@${A}`,
    );
    expect(ok.status).toBe('ok');
    expect(headerOf(inbox.get('bob')!.received[0], 'Orig-Sender')).toBe(`im:bot-1@${A}`);
    const bad = await claim(router, client([`im:alice@${A}`]), `im:alice@${A}`, `im:carol@${A}`);
    expect(headerOf(bad, 'Error-Type')).toBe('source-authorization');
    expect(headerOf(bad, 'Error-Description')).toContain('im:carol@a.example');
    expect(log.lines.filter((l) => l.msg === 'Orig-Sender refused, answered source-authorization')).toEqual([
      expect.objectContaining({
        level: 40,
        sender: `im:alice@${A}`,
        claimed: `im:carol@${A}`,
        origin: 'client',
      }),
    ]);
    expect(inbox.get('bob')!.received).toHaveLength(1);
    // An unauthenticated client speaks for nobody but its Sender.
    const anon = await claim(router, client(undefined), `im:alice@${A}`, `im:carol@${A}`);
    expect(headerOf(anon, 'Error-Type')).toBe('source-authorization');
    // Its own address as Orig-Sender is no claim at all.
    expect((await claim(router, client([`im:alice@${A}`]), `im:alice@${A}`, `im:alice@${A}`)).status).toBe(
      'ok',
    );
  });

  it('adapter: allowed for its own domain, refused for another', async () => {
    const { router, irc, inbox } = await setup();
    const origin = adapter(irc);
    expect((await claim(router, origin, 'im:%23dev@irc.example', 'im:dave@irc.example')).status).toBe('ok');
    const bad = await claim(router, origin, 'im:%23dev@irc.example', `im:carol@${A}`);
    expect(headerOf(bad, 'Error-Type')).toBe('source-authorization');
    expect(inbox.get('bob')!.received).toHaveLength(1);
  });

  it('peer: allowed for its authenticated domain, refused for another', async () => {
    const { router, inbox } = await setup();
    const origin = peer('b.example');
    expect((await claim(router, origin, 'im:x@b.example', 'im:erin@b.example')).status).toBe('ok');
    const bad = await claim(router, origin, 'im:x@b.example', 'im:carol@c.example');
    expect(headerOf(bad, 'Error-Type')).toBe('source-authorization');
    const own = await claim(router, origin, 'im:x@b.example', `im:alice@${A}`);
    expect(headerOf(own, 'Error-Type')).toBe('source-authorization');
    expect(inbox.get('bob')!.received).toHaveLength(1);
  });

  it('an Orig-Sender that is not an instant inbox, or a second one, is malformed', async () => {
    const { router } = await setup();
    const alice = client([`im:alice@${A}`]);
    expect(headerOf(await claim(router, alice, `im:alice@${A}`, 'mailto:x@y.example'), 'Error-Type')).toBe(
      'malformed',
    );
    const two = await router.handle(
      send(`im:alice@${A}`, `im:bob@${A}`, 'hi', [
        ['Orig-Sender', `im:alice@${A}`],
        ['Orig-Sender', `im:alice@${A}`],
      ]),
      alice,
    );
    expect(headerOf(two, 'Error-Type')).toBe('malformed');
  });

  it('a room fans out with the verified author and skips that author, not a header-named member', async () => {
    const { router, inbox, irc, peerB } = await setup();
    // alice claims to be bob: refused, nobody gets a copy, bob is not dropped from anything.
    const forged = await claim(
      router,
      client([`im:alice@${A}`]),
      `im:alice@${A}`,
      `im:bob@${A}`,
      `im:lobby@${A}`,
    );
    expect(headerOf(forged, 'Error-Type')).toBe('source-authorization');
    expect([...inbox.values()].map((e) => e.received.length)).toEqual([0, 0, 0]);
    expect(irc.received).toHaveLength(0);
    // The IRC adapter posts for dave: every other member gets it as dave's, dave gets none.
    const a = await claim(
      router,
      adapter(irc),
      'im:%23dev@irc.example',
      'im:dave@irc.example',
      `im:lobby@${A}`,
    );
    expect(a.status).toBe('ok');
    for (const who of ['alice', 'bob', 'carol'])
      expect(headerOf(inbox.get(who)!.received[0], 'Orig-Sender')).toBe('im:dave@irc.example');
    expect(irc.received).toHaveLength(0);
    expect(headerOf(peerB.received[0], 'Orig-Sender')).toBe('im:dave@irc.example');
    // A plain post: the author is the Sender, who is skipped.
    await router.handle(send(`im:alice@${A}`, `im:lobby@${A}`), client([`im:alice@${A}`]));
    expect(inbox.get('alice')!.received).toHaveLength(1);
    expect(headerOf(inbox.get('bob')!.received[1], 'Orig-Sender')).toBe(`im:alice@${A}`);
  });

  it('identity.mismatchedFrom: refuse answers a CPIM From naming someone else; show passes it on', async () => {
    const cpim = (from: string) =>
      buildCpim({
        startsWith: 'cpim-headers',
        from: { formalName: 'Bob', uri: from },
        to: [{ uri: `im:bob@${A}` }],
        contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
        body: 'hi',
      });
    const post = (router: Router, from: string) =>
      router.handle(
        send(`im:alice@${A}`, `im:bob@${A}`, cpim(from), [['Content-Type', 'message/cpim']]),
        client([`im:alice@${A}`]),
      );
    for (const mode of ['refuse', 'show'] as const) {
      const router = new Router({ domains: [A], mismatchedFrom: mode });
      const bob = new FakeEndpoint('bob');
      await router.handle(
        { protocol: 'imtp', method: 'listen', headers: [['Inbox', `im:bob@${A}`]] },
        client([`im:bob@${A}`], bob),
      );
      const forged = await post(router, `im:bob@${A}`);
      if (mode === 'refuse') {
        expect(headerOf(forged, 'Error-Type')).toBe('source-authorization');
        expect(headerOf(forged, 'Error-Description')).toContain(`im:bob@${A}`);
        expect(bob.received).toHaveLength(0);
      } else expect(forged.status).toBe('ok');
      expect((await post(router, `im:alice@${A}`)).status).toBe('ok');
      expect(bob.received).toHaveLength(mode === 'refuse' ? 1 : 2);
    }
  });
});

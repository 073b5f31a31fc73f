/**
 * Rooms hosted by the component (XEP-0045 service side; docs/adapters/xmpp.md "Rooms (XEP-0045)") against a
 * real Prosody: the gateway room `im:dev@gw.test` has a hub client (carol) and the XMPP bridge
 * `im:dev@xmpp-gw.localhost` as members; XMPP users join `dev@xmpp-gw.localhost`. Files (issue 17):
 * xmpp-muc-files.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/component';
import { h, listenAs, sendText } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xml, type XmppUser } from '../../support/xmpp.js';
import { isSelf, join, MUC_USER, ROOM, roomsConfig } from '../../support/xmpp-muc.js';
import { websocketAdapter } from '../../../adapters/websocket/index.js';
import { signIn, TOKENS, webAdapterEntry, wsUrlOf } from '../../support/websocket.js';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const groupchats = (u: XmppUser) =>
  u.stanzas.filter((s) => s.is('message') && s.attrs.type === 'groupchat' && s.getChild('body'));

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP hosted rooms (real Prosody)',
  () => {
    const xmpp = useProsody();

    it('disco: the domain lists the room; the room is conference/text with the muc feature', async () => {
      await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      const items = await juliet.client.iqCaller.request(
        xml(
          'iq',
          { type: 'get', to: 'xmpp-gw.localhost' },
          xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' }),
        ),
      );
      expect(
        items
          .getChild('query')!
          .getChildren('item')
          .map((i) => i.attrs.jid),
      ).toEqual([ROOM]);
      const info = (
        await juliet.client.iqCaller.request(
          xml(
            'iq',
            { type: 'get', to: ROOM },
            xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
          ),
        )
      ).getChild('query')!;
      expect(info.getChild('identity')!.attrs).toMatchObject({ category: 'conference', type: 'text' });
      expect(info.getChildren('feature').map((f) => f.attrs.var)).toContain('http://jabber.org/protocol/muc');
    });

    it('join: occupants (the hub member included), then self-presence 110, then the subject; others see the newcomer', async () => {
      await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      await join(juliet, 'Juliet');
      const subject = await received(juliet, (s) => s.is('message') && s.getChild('subject') !== undefined);
      expect(subject.attrs.from).toBe(ROOM);
      expect(subject.getChildText('subject')).toBe('Development');
      const i = (m: (s: Element) => boolean) => juliet.stanzas.findIndex(m);
      const carolAt = i((s) => s.is('presence') && s.attrs.from === `${ROOM}/carol`);
      expect(carolAt).toBeGreaterThanOrEqual(0);
      const carol = juliet.stanzas[carolAt]!.getChild('x', MUC_USER)!.getChild('item')!;
      expect(carol.attrs).toMatchObject({ affiliation: 'member', role: 'participant' });
      // XEP-0045 §7.2.3: others first, self last, then the subject.
      expect(carolAt).toBeLessThan(i(isSelf));
      expect(i(isSelf)).toBeLessThan(juliet.stanzas.indexOf(subject));

      const romeo = await xmpp.user('romeo');
      await join(romeo, 'Romeo');
      expect(romeo.stanzas.some((s) => s.is('presence') && s.attrs.from === `${ROOM}/Juliet`)).toBe(true);
      await received(juliet, (s) => s.is('presence') && s.attrs.from === `${ROOM}/Romeo`, 'Romeo announced');
    });

    it('messages all ways: XMPP → hub and the other occupant (with the echo), hub → XMPP occupants', async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      await join(juliet, 'Juliet');
      await join(romeo, 'Romeo');
      await juliet.client.send(
        xml('message', { to: ROOM, type: 'groupchat', id: 'g1' }, xml('body', {}, 'hello <room> & all')),
      );
      const cmd = await waitFor(() => got[0], 5000, 'the post at carol');
      expect(h(cmd.headers, 'Inbox')).toBe('im:carol@gw.test');
      expect(h(cmd.headers, 'Sender')).toBe('im:dev@gw.test');
      expect(h(cmd.headers, 'Orig-Sender')).toBe('im:juliet@localhost');
      expect(
        Buffer.from(cmd.payload ?? [])
          .toString()
          .endsWith('hello <room> & all'),
      ).toBe(true);
      // XEP-0045 §7.4: the sender's echo with its own id, and the other occupant's copy.
      const echo = await received(juliet, (s) => s.is('message') && s.attrs.id === 'g1', 'the echo');
      expect(echo.attrs.from).toBe(`${ROOM}/Juliet`);
      expect(echo.getChildText('body')).toBe('hello <room> & all');
      const copy = await received(romeo, (s) => groupchats(romeo).includes(s), 'romeo copy');
      expect(copy.attrs.from).toBe(`${ROOM}/Juliet`);

      const carol = await gw.client('carol');
      const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'from the hub');
      expect(r.status).toBe('ok');
      for (const u of [juliet, romeo]) {
        const m = await received(u, (s) => s.is('message') && s.getChildText('body') === 'from the hub');
        expect(m.attrs.from).toBe(`${ROOM}/carol`);
        expect(m.attrs.type).toBe('groupchat');
      }
    });

    it('leave: the leaver gets its unavailable self-presence, the others the leave; posts stop', async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      await join(juliet, 'Juliet');
      await join(romeo, 'Romeo');
      await romeo.client.send(xml('presence', { to: `${ROOM}/Romeo`, type: 'unavailable' }));
      await received(romeo, (s) => isSelf(s) && s.attrs.type === 'unavailable', 'own leave');
      await received(
        juliet,
        (s) => s.is('presence') && s.attrs.from === `${ROOM}/Romeo` && s.attrs.type === 'unavailable',
        'Romeo leaving',
      );
      const carol = await gw.client('carol');
      expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'after')).status).toBe('ok');
      await received(juliet, (s) => s.getChildText('body') === 'after');
      expect(romeo.stanzas.some((s) => s.getChildText('body') === 'after')).toBe(false);
    });

    it('nick collision: a nick held by another XMPP user or a hub member is 409 conflict', async () => {
      await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      await join(juliet, 'Juliet');
      for (const nick of ['Juliet', 'carol']) {
        await romeo.client.send(
          xml('presence', { to: `${ROOM}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })),
        );
        const e = await received(
          romeo,
          (s) => s.is('presence') && s.attrs.type === 'error' && s.attrs.from === `${ROOM}/${nick}`,
        );
        expect(e.getChild('error')!.getChild('conflict', NS_STANZAS)).toBeDefined();
      }
      expect(romeo.stanzas.some(isSelf)).toBe(false);
    });

    it('an occupant may not change the subject (forbidden); someone not joined may not post (not-acceptable)', async () => {
      await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      await join(juliet, 'Juliet');
      await juliet.client.send(
        xml('message', { to: ROOM, type: 'groupchat', id: 's1' }, xml('subject', {}, 'mine')),
      );
      await romeo.client.send(
        xml('message', { to: ROOM, type: 'groupchat', id: 'p1' }, xml('body', {}, 'hi')),
      );
      const condition = async (u: XmppUser, id: string) =>
        (await received(u, (s) => s.attrs.id === id && s.attrs.type === 'error'))
          .getChild('error')!
          .getChildElements()[0]!.name;
      expect(await condition(juliet, 's1')).toBe('forbidden');
      expect(await condition(romeo, 'p1')).toBe('not-acceptable');
    });

    it('private messages (§7.5) between occupants and to a hub member; nick changes (§7.6) with 303, conflicts refused', async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      await join(juliet, 'Juliet');
      await join(romeo, 'Romeo');
      // XMPP occupant → XMPP occupant: from room/Juliet, never Juliet's real JID.
      await juliet.client.send(
        xml('message', { to: `${ROOM}/Romeo`, type: 'chat', id: 'pm1' }, xml('body', {}, 'psst')),
      );
      const pm = await received(romeo, (s) => s.is('message') && s.getChildText('body') === 'psst', 'the PM');
      expect(pm.attrs.from).toBe(`${ROOM}/Juliet`);
      expect(pm.attrs.type).toBe('chat');
      expect(pm.getChild('x', MUC_USER)).toBeDefined();
      expect(groupchats(romeo).some((s) => s.getChildText('body') === 'psst')).toBe(false);
      // XMPP occupant → hub member: a direct send from Juliet's own address, not a room post.
      await juliet.client.send(
        xml('message', { to: `${ROOM}/carol`, type: 'chat', id: 'pm2' }, xml('body', {}, 'hi carol')),
      );
      const direct = await waitFor(
        () =>
          got.find((c) =>
            Buffer.from(c.payload ?? [])
              .toString()
              .endsWith('hi carol'),
          ),
        5000,
        'the PM at carol',
      );
      expect(h(direct.headers, 'Sender')).toBe('im:juliet@localhost');
      expect(h(direct.headers, 'Orig-Sender')).toBeUndefined();
      // Errors: an unknown nick; groupchat to a nick.
      await juliet.client.send(
        xml('message', { to: `${ROOM}/Nobody`, type: 'chat', id: 'pm3' }, xml('body', {}, 'x')),
      );
      await juliet.client.send(
        xml('message', { to: `${ROOM}/Romeo`, type: 'groupchat', id: 'pm4' }, xml('body', {}, 'x')),
      );
      const condition = async (id: string) =>
        (await received(juliet, (s) => s.attrs.id === id && s.attrs.type === 'error'))
          .getChild('error')!
          .getChildElements()[0]!.name;
      expect(await condition('pm3')).toBe('item-not-found');
      expect(await condition('pm4')).toBe('bad-request');

      // §7.6: Romeo becomes Montague. Juliet sees the old nick leave with 303 and the new one come.
      await romeo.client.send(xml('presence', { to: `${ROOM}/Montague`, id: 'n1' }));
      const gone = await received(
        juliet,
        (s) => s.is('presence') && s.attrs.from === `${ROOM}/Romeo` && s.attrs.type === 'unavailable',
        'the old nick leaving',
      );
      const x = gone.getChild('x', MUC_USER)!;
      expect(x.getChildren('status').map((c) => c.attrs.code)).toContain('303');
      expect(x.getChild('item')!.attrs.nick).toBe('Montague');
      await received(juliet, (s) => s.is('presence') && s.attrs.from === `${ROOM}/Montague` && !s.attrs.type);
      await received(romeo, (s) => isSelf(s) && s.attrs.from === `${ROOM}/Montague`, 'own new nick');
      // Posts now come from the new nick; a PM to the old one finds nobody.
      await romeo.client.send(
        xml('message', { to: ROOM, type: 'groupchat', id: 'g9' }, xml('body', {}, 'renamed')),
      );
      const post = await received(
        juliet,
        (s) => groupchats(juliet).includes(s) && s.getChildText('body') === 'renamed',
      );
      expect(post.attrs.from).toBe(`${ROOM}/Montague`);
      // A nick held by someone else is a conflict, and nothing changes.
      await romeo.client.send(xml('presence', { to: `${ROOM}/carol`, id: 'n2' }));
      const refused = await received(romeo, (s) => s.attrs.id === 'n2' && s.attrs.type === 'error');
      expect(refused.getChild('error')!.getChild('conflict', NS_STANZAS)).toBeDefined();
    });

    it('history on join from the store, with <delay>, before the subject; maxstanzas honoured', async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const carol = await gw.client('carol');
      for (const t of ['one', 'two', 'three']) {
        const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', t);
        expect(r.status).toBe('ok');
      }
      const juliet = await xmpp.user('juliet');
      await join(juliet, 'Juliet', { maxstanzas: '2' });
      const subject = await received(juliet, (s) => s.is('message') && s.getChild('subject') !== undefined);
      const history = groupchats(juliet);
      expect(history.map((m) => m.getChildText('body'))).toEqual(['two', 'three']);
      for (const m of history) {
        expect(m.attrs.from).toBe(`${ROOM}/carol`);
        expect(m.getChild('delay', 'urn:xmpp:delay')?.attrs.from).toBe(ROOM);
        expect(juliet.stanzas.indexOf(m)).toBeLessThan(juliet.stanzas.indexOf(subject));
      }
    });

    it('self-ping (XEP-0410): answered for an occupant, not-acceptable for someone not joined', async () => {
      await xmpp.gateway(roomsConfig);
      const juliet = await xmpp.user('juliet');
      const nurse = await xmpp.user('nurse');
      await join(juliet, 'Juliet');
      const ping = (to: string) => xml('iq', { type: 'get', to }, xml('ping', { xmlns: 'urn:xmpp:ping' }));
      const ok = await juliet.client.iqCaller.request(ping(`${ROOM}/Juliet`));
      expect(ok.attrs.type).toBe('result');
      const refused = await nurse.client.iqCaller.request(ping(`${ROOM}/Nurse`)).then(
        () => 'answered',
        (e: { condition?: string }) => e.condition,
      );
      expect(refused).toBe('not-acceptable');
    });

    it('after a Prosody restart the rooms start empty: self-ping fails, users join again and see each other', async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const online = () => gw.gateway.adapters.find((a) => a.type === 'xmpp')!.status === 'online';
      await join(await xmpp.user('juliet'), 'Juliet');
      await join(await xmpp.user('romeo'), 'Romeo');
      // SIGKILL: no goodbye presence from the server's sessions, as after a crash.
      process.kill(xmpp.server.pid, 'SIGKILL');
      await waitFor(() => !online() && !xmpp.server.alive(), 5000, 'the adapter to notice the drop');
      await xmpp.server.start();
      await waitFor(online, 10_000, 'the adapter to reconnect');
      const juliet = await xmpp.user('juliet');
      const ping = xml('iq', { type: 'get', to: `${ROOM}/Juliet` }, xml('ping', { xmlns: 'urn:xmpp:ping' }));
      const before = await juliet.client.iqCaller.request(ping).then(
        () => 'answered',
        (e: { condition?: string }) => e.condition,
      );
      expect(before).toBe('not-acceptable');
      await join(juliet, 'Juliet');
      // The old sessions are gone: no ghost Romeo among the occupants.
      expect(juliet.stanzas.some((s) => s.is('presence') && s.attrs.from === `${ROOM}/Romeo`)).toBe(false);
      const romeo = await xmpp.user('romeo');
      await join(romeo, 'Romeo');
      await received(juliet, (s) => s.is('presence') && s.attrs.from === `${ROOM}/Romeo`, 'Romeo back');
      const carol = await gw.client('carol');
      expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'welcome back')).status).toBe('ok');
      for (const u of [juliet, romeo]) await received(u, (s) => s.getChildText('body') === 'welcome back');
    });

    it('a room bridged to a web room: web posts come from room/<web nick> (announced first), XMPP posts reach the page', async () => {
      const gw = await xmpp.gateway({
        adapters: [{ ...webAdapterEntry('web.test'), rooms: [{ name: 'dev', address: 'im:dev@gw.test' }] }],
        adapterDefinitions: [websocketAdapter as never],
        config: {
          rooms: [
            {
              name: 'dev',
              address: 'im:dev@gw.test',
              members: ['im:room.dev@web.test', 'im:dev@xmpp-gw.localhost'],
            },
          ],
        },
        xmpp: roomsConfig.xmpp,
      });
      const alice = await signIn(wsUrlOf(gw), TOKENS.alice);
      expect(await alice.request({ type: 'join', room: 'dev' })).toMatchObject({ status: 'ok' });
      const juliet = await xmpp.user('juliet');
      await join(juliet, 'Juliet');
      expect(await alice.request({ type: 'send', room: 'dev', text: 'hi from the web' }, 5000)).toMatchObject(
        {
          type: 'result',
          status: 'ok',
        },
      );
      const m = await received(juliet, (s) => s.getChildText('body') === 'hi from the web');
      expect(m.attrs).toMatchObject({ from: `${ROOM}/alice`, type: 'groupchat' });
      const announced = juliet.stanzas.findIndex((s) => s.is('presence') && s.attrs.from === `${ROOM}/alice`);
      expect(announced).toBeGreaterThanOrEqual(0);
      expect(announced).toBeLessThan(juliet.stanzas.indexOf(m));

      await juliet.client.send(
        xml('message', { to: ROOM, type: 'groupchat' }, xml('body', {}, 'hi from XMPP')),
      );
      const back = await alice.waitFor((f) => f.type === 'message' && f.text === 'hi from XMPP', 5000);
      expect(back).toMatchObject({ room: 'dev', from: 'im:juliet@localhost' });
    });
  },
);

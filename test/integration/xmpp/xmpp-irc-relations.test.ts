/**
 * Issue 17, the XMPP ↔ IRC pair: an XMPP user in a hosted room (real Prosody) and an IRC user in
 * the bridged channel on a real IRCv3 server (InspIRCd 3.15) exchange a reply, a reaction, an edit
 * and a deletion through one gateway. Replies and reactions arrive in each network's native form
 * (XEP-0461 / XEP-0444 ↔ `+draft/reply` / `+draft/react`); IRC has no edit or deletion this
 * gateway sends, so juliet's correction arrives as its `* ` fallback line and her retraction as the
 * `(… deleted a message)` fallback line. One server of each per file.
 */
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/component';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';
import { inspircdInstalled } from '../../support/inspircd.js';
import { useInspircd } from '../../support/inspircd-suite.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xml, xmppAdapterConfig } from '../../support/xmpp.js';

const ROOM = 'dev@xmpp-gw.localhost';
const NS = {
  sid: 'urn:xmpp:sid:0',
  reply: 'urn:xmpp:reply:0',
  fallback: 'urn:xmpp:fallback:0',
  correct: 'urn:xmpp:message-correct:0',
  retract: 'urn:xmpp:message-retract:1',
  reactions: 'urn:xmpp:reactions:0',
};

describe.skipIf((!prosodyInstalled() || !inspircdInstalled()) && process.env['CI'] !== 'true')(
  'an XMPP user and an IRCv3 user: reply, reaction, edit, deletion',
  () => {
    const irc = useInspircd();
    const xmpp = useProsody();

    it('each arrives in the native form of the other network, or as its fallback', async () => {
      await irc.gateway({
        rooms: [
          {
            name: 'dev',
            address: 'im:dev@gw.test',
            members: ['im:%23dev@irc.test', 'im:dev@xmpp-gw.localhost'],
          },
        ],
        adapters: [
          xmppAdapterConfig(xmpp.server, {
            rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: [] }],
          }),
        ],
        adapterDefinitions: [xmppAdapter as never],
      });
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const juliet = await xmpp.user('juliet');
      await juliet.client.send(
        xml('presence', { to: `${ROOM}/Juliet` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })),
      );
      await received(juliet, (s) => s.is('message') && s.getChild('subject') !== undefined, 'the subject');
      const groupchat = (pred: (s: Element) => boolean, what: string) =>
        received(juliet, (s) => s.is('message') && s.attrs.type === 'groupchat' && pred(s), what);
      const post = (id: string, body: string | undefined, ...children: Element[]) =>
        juliet.client.send(
          xml(
            'message',
            { to: ROOM, type: 'groupchat', id },
            body === undefined ? undefined : xml('body', {}, body),
            ...children,
          ),
        );
      const line = (pred: (m: string) => boolean, what: string) =>
        waitFor(() => dave.tagged.find((l) => l.command === 'PRIVMSG' && pred(l.message)), 5000, what);

      // Dave speaks; juliet sees it from room/dave with the room's stanza-id.
      dave.client.say('#dev', 'deploy at 5?');
      const daveLine = await line((m) => m === 'deploy at 5?', "dave's own echo");
      const inRoom = await groupchat((s) => s.getChildText('body') === 'deploy at 5?', "dave's line");
      const daveSid = inRoom.getChild('stanza-id', NS.sid)!.attrs.id!;

      // XMPP → IRC reply: +draft/reply naming dave's line's msgid.
      await post(
        'g-1',
        '> dave: deploy at 5?\nyes, at 5',
        xml('reply', { xmlns: NS.reply, id: daveSid, to: `${ROOM}/dave` }),
        xml('fallback', { xmlns: NS.fallback, for: NS.reply }, xml('body', { start: '0', end: '21' })),
      );
      // The XEP-0428 quote is Msg.Fallback: the IRC adapter removes it, the tag says what the line
      // answers (docs/message-semantics.md: a receiver that understands Msg drops the fallback).
      const reply = await waitFor(
        () => dave.tagged.find((l) => l.command === 'PRIVMSG' && l.tags['+draft/reply'] !== undefined),
        5000,
        'the reply in #dev',
      );
      expect(reply.tags['+draft/reply']).toBe(daveLine.tags['msgid']);
      expect(reply.message).toBe('<juliet@localhost> yes, at 5');
      const echo = await groupchat((s) => s.attrs.id === 'g-1', "juliet's reflected reply");
      const julietSid = echo.getChild('stanza-id', NS.sid)!.attrs.id!;

      // XMPP → IRC reaction: a TAGMSG with +draft/react and +draft/reply.
      await post(
        'g-2',
        undefined,
        xml('reactions', { xmlns: NS.reactions, id: daveSid }, xml('reaction', {}, '👍')),
      );
      const tagmsg = await waitFor(
        () => dave.tagged.find((l) => l.command === 'TAGMSG' && l.tags['+draft/react'] !== undefined),
        5000,
        'the reaction in #dev',
      );
      expect(tagmsg.tags['+draft/react']).toBe('👍');
      expect(tagmsg.tags['+draft/reply']).toBe(daveLine.tags['msgid']);

      // XMPP → IRC edit: one correction line against the text IRC saw (`s/5/6/`), tagged as a
      // reply to the original line; the deletion: its fallback line.
      await post('g-3', 'yes, at 6', xml('replace', { xmlns: NS.correct, id: 'g-1' }));
      const edit = await line((m) => m.includes('s/5/6/'), 'the edit in #dev');
      expect(edit.message).toBe('<juliet@localhost> s/5/6/');
      expect(edit.tags['+draft/reply']).toBe(reply.tags['msgid']);
      expect(dave.tagged.some((l) => l.command === 'PRIVMSG' && l.message.includes('> dave:'))).toBe(false);
      await post('g-4', 'retracted', xml('retract', { xmlns: NS.retract, id: 'g-1' }));
      await line((m) => m.includes('deleted a message'), 'the deletion in #dev');

      // IRC → XMPP reply and reaction to juliet's line: named by its stanza-id.
      const julietLine = reply;
      dave.client.raw(`@+draft/reply=${julietLine.tags['msgid']} PRIVMSG #dev :great`);
      const back = await groupchat((s) => s.getChildText('body') === 'great', "dave's reply");
      expect(back.getChild('reply', NS.reply)?.attrs.id).toBe(julietSid);
      dave.client.raw(`@+draft/react=🎉;+draft/reply=${julietLine.tags['msgid']} TAGMSG #dev`);
      const r = await groupchat(
        (s) => s.attrs.from === `${ROOM}/dave` && s.getChild('reactions', NS.reactions) !== undefined,
        "dave's reaction",
      );
      const set = r.getChild('reactions', NS.reactions)!;
      expect(set.attrs.id).toBe(julietSid);
      expect(set.getChildren('reaction').map((x) => x.getText())).toEqual(['🎉']);
    });
  },
);

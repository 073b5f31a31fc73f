/**
 * Issue 17 on XMPP against a real Prosody: ids (XEP-0359), replies (XEP-0461 with XEP-0428
 * fallbacks), corrections (XEP-0308), retractions (XEP-0424) and reactions (XEP-0444) both ways
 * between an XMPP user and a hub client writing the `Msg` namespace (test/support/relation-cpim.ts),
 * one-to-one and in a hosted room; ids that survive a restart; hostile and unknown references.
 * docs/adapters/xmpp-mapping.md "Relations" is the mapping tested here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/component';
import type { Relations } from '../../../src/index.js';
import type { HubClient } from '../../../src/hub/client.js';
import type { CommandFrame } from '../../../src/hub/frame/index.js';
import { h, listenAs } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { readRelationCpim, relationCpim } from '../../support/relation-cpim.js';
import { received, useProsody, xml, type XmppUser } from '../../support/xmpp.js';

const PUPPET = 'carol\\40gw.test@xmpp-gw.localhost';
const JULIET = 'im:juliet@localhost';
const CAROL = 'im:carol@gw.test';
const ROOM = 'dev@xmpp-gw.localhost';
const NS = {
  sid: 'urn:xmpp:sid:0',
  reply: 'urn:xmpp:reply:0',
  fallback: 'urn:xmpp:fallback:0',
  correct: 'urn:xmpp:message-correct:0',
  retract: 'urn:xmpp:message-retract:1',
  reactions: 'urn:xmpp:reactions:0',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
};

/** carol's Message/CPIM with `r` to `to`, under Message-ID `id` (= Msg.ID). */
function carolSends(c: HubClient, to: string, body: string, r: Relations, id: string) {
  return c.command(
    'send',
    [
      ['Sender', CAROL],
      ['Inbox', to],
      ['Content-Type', 'message/cpim'],
      ['Message-ID', id],
    ],
    relationCpim(CAROL, to, body, { ...r, id }),
  );
}

/** The n-th (from 0) send that reached carol, read with its relations. */
async function nth(got: CommandFrame[], n: number) {
  const cmd = await waitFor(() => got[n], 5000, `send #${n + 1} at carol`);
  return { id: h(cmd.headers, 'Message-ID')!, ...readRelationCpim(cmd.payload) };
}

/** A chat stanza from juliet to carol's puppet. */
function chat(u: XmppUser, id: string, body: string | undefined, ...children: Element[]) {
  return u.client.send(
    xml(
      'message',
      { to: PUPPET, type: 'chat', id },
      body === undefined ? undefined : xml('body', {}, body),
      ...children,
    ),
  );
}

const reactions = (id: string, ...keys: string[]) =>
  xml('reactions', { xmlns: NS.reactions, id }, ...keys.map((k) => xml('reaction', {}, k)));

const fromCarol = (u: XmppUser, pred: (s: Element) => boolean, what: string) =>
  received(u, (s) => s.is('message') && s.attrs.from === PUPPET && pred(s), what);

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP message relations (issue 17)',
  () => {
    const xmpp = useProsody();

    it('ids and replies both ways, one-to-one; a reply to an unknown id goes on as plain text', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 0 } } });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');

      // XEP-0359: what the component sends has id and origin-id = the gateway id.
      expect((await carolSends(carol, JULIET, 'first', {}, 'c-1')).status).toBe('ok');
      const first = await fromCarol(juliet, (s) => s.getChildText('body') === 'first', 'first');
      expect(first.attrs.id).toBe('c-1');
      expect(first.getChild('origin-id', NS.sid)?.attrs.id).toBe('c-1');

      // XEP-0461 + XEP-0428 in: Msg.Reply-To and Msg.Fallback, Msg.ID = the send's Message-ID.
      await chat(
        juliet,
        'j-1',
        '> carol: first\nyes',
        xml('reply', { xmlns: NS.reply, id: 'c-1', to: PUPPET }),
        xml('fallback', { xmlns: NS.fallback, for: NS.reply }, xml('body', { start: '0', end: '15' })),
        xml('origin-id', { xmlns: NS.sid, id: 'o-j-1' }),
      );
      const reply = await nth(got, 0);
      expect(reply.r).toMatchObject({ id: reply.id, replyTo: 'c-1', fallback: [{ start: 0, end: 15 }] });
      expect(reply.body).toBe('> carol: first\nyes');

      // Out: carol answers juliet's message; juliet's client finds it by her own id (XEP-0461 §3).
      const body = '> juliet: yes\nok';
      const sent = await carolSends(
        carol,
        JULIET,
        body,
        { replyTo: reply.id, fallback: [{ start: 0, end: 14 }] },
        'c-2',
      );
      expect(sent.status).toBe('ok');
      const back = await fromCarol(juliet, (s) => s.getChild('reply', NS.reply) !== undefined, 'the reply');
      expect(back.getChild('reply', NS.reply)?.attrs.id).toBe('j-1');
      expect(back.getChildText('body')).toBe(body);
      const fb = back.getChild('fallback', NS.fallback);
      expect(fb?.attrs.for).toBe(NS.reply);
      expect(fb?.getChild('body')?.attrs).toMatchObject({ start: '0', end: '14' });

      // Out, to a parent juliet never got: a plain message, the quote as written.
      await carolSends(
        carol,
        JULIET,
        '> x: ?\nno idea',
        { replyTo: 'zz-unknown', fallback: [{ start: 0, end: 7 }] },
        'c-3',
      );
      const orphan = await fromCarol(juliet, (s) => s.attrs.id === 'c-3', 'the orphan reply');
      expect(orphan.getChild('reply', NS.reply)).toBeUndefined();
      expect(orphan.getChildText('body')).toBe('> x: ?\nno idea');

      // An unknown parent: no relation, the text (its quote included) as it was.
      await chat(juliet, 'j-2', '> x: ?\nhuh', xml('reply', { xmlns: NS.reply, id: 'never-seen' }));
      const plain = await nth(got, 1);
      expect(plain.r.replyTo).toBeUndefined();
      expect(plain.body).toBe('> x: ?\nhuh');
    });

    it('corrections both ways name the original; a correction of a correction too; an unknown one is a new message', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 0 } } });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');

      await chat(juliet, 'j-1', 'helo');
      const original = await nth(got, 0);
      await chat(juliet, 'j-2', 'hello', xml('replace', { xmlns: NS.correct, id: 'j-1' }));
      const edit = await nth(got, 1);
      expect(edit.r).toMatchObject({ replaces: original.id, fallback: [{ start: 0, end: 2 }] });
      expect(edit.body).toBe('* hello');
      expect(edit.id).not.toBe(original.id);
      // An older client corrects the correction: still the original (message-semantics 2.1).
      await chat(juliet, 'j-3', 'hello!', xml('replace', { xmlns: NS.correct, id: 'j-2' }));
      expect((await nth(got, 2)).r.replaces).toBe(original.id);

      // Out: carol's edit of her message reaches juliet as XEP-0308 naming the original's id.
      expect((await carolSends(carol, JULIET, 'see you at 10', {}, 'c-1')).status).toBe('ok');
      await carolSends(
        carol,
        JULIET,
        '* see you at 11',
        { replaces: 'c-1', fallback: [{ start: 0, end: 2 }] },
        'c-2',
      );
      const fix = await fromCarol(
        juliet,
        (s) => s.getChild('replace', NS.correct) !== undefined,
        'the correction',
      );
      expect(fix.getChild('replace', NS.correct)?.attrs.id).toBe('c-1');
      expect(fix.getChildText('body')).toBe('see you at 11');

      // An edit of a message juliet never got: a new message, fallback and all.
      await carolSends(
        carol,
        JULIET,
        '* typo',
        { replaces: 'c-unknown', fallback: [{ start: 0, end: 2 }] },
        'c-3',
      );
      const fresh = await fromCarol(
        juliet,
        (s) => s.getChildText('body') === '* typo',
        'the edit as a message',
      );
      expect(fresh.getChild('replace', NS.correct)).toBeUndefined();
    });

    it('reactions both ways: XEP-0444 full sets ↔ one Msg.Reaction change each; unknown targets dropped', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 0 } } });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');

      expect((await carolSends(carol, JULIET, 'lunch?', {}, 'c-1')).status).toBe('ok');
      await fromCarol(juliet, (s) => s.getChildText('body') === 'lunch?', 'lunch');
      await chat(juliet, 'j-1', undefined, reactions('c-1', '👍', '🎉'));
      const [a, b] = [await nth(got, 0), await nth(got, 1)];
      expect([a.r.reaction, b.r.reaction]).toEqual([
        { op: 'add', target: 'c-1', key: '👍' },
        { op: 'add', target: 'c-1', key: '🎉' },
      ]);
      expect(a.body).toBe('');
      expect(a.m.semantics.required.map((r) => r.name)).toEqual(['Reaction']);
      await chat(juliet, 'j-2', undefined, reactions('c-1', '🎉'));
      expect((await nth(got, 2)).r.reaction).toEqual({ op: 'remove', target: 'c-1', key: '👍' });

      // A reaction to a message the gateway never saw: dropped; the next message is the next send.
      await chat(juliet, 'j-3', undefined, reactions('nope', '👍'));
      await chat(juliet, 'j-4', 'after');
      expect((await nth(got, 3)).body).toBe('after');
      const j4 = (await nth(got, 3)).id;

      // Out: carol's silent reactions become juliet's view of carol's whole set on j-4.
      const r1 = await carolSends(
        carol,
        JULIET,
        '',
        { reaction: { op: 'add', target: j4, key: '❤' } },
        'c-2',
      );
      expect(r1.status).toBe('ok');
      expect(h(r1.headers, 'Xmpp-Clipped')).toBeUndefined();
      await carolSends(carol, JULIET, '', { reaction: { op: 'add', target: j4, key: '👀' } }, 'c-3');
      const sets = () =>
        juliet.stanzas
          .filter((s) => s.is('message') && s.getChild('reactions', NS.reactions) !== undefined)
          .map((s) => {
            const r = s.getChild('reactions', NS.reactions)!;
            return [r.attrs.id, r.getChildren('reaction').map((x) => x.getText()), s.getChild('body')];
          });
      await waitFor(() => sets().length === 2, 5000, 'two reaction sets at juliet');
      expect(sets()).toEqual([
        ['j-4', ['❤'], undefined],
        ['j-4', ['❤', '👀'], undefined],
      ]);
      // A silent reaction to a message juliet never got is not sent: said in the answer.
      const lost = await carolSends(
        carol,
        JULIET,
        '',
        { reaction: { op: 'add', target: 'zz', key: '❤' } },
        'c-4',
      );
      expect(h(lost.headers, 'Xmpp-Clipped')).toMatch(/a reaction is not passed on.*unknown/);
    });

    it('retractions both ways (XEP-0424; the older fasten form read); a hostile reactions stanza is refused', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 0 }, limits: { maxReactions: 5 } } });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');

      await chat(juliet, 'j-1', 'oops');
      await chat(juliet, 'j-2', 'oops again');
      const [m1, m2] = [await nth(got, 0), await nth(got, 1)];
      await chat(juliet, 'j-3', 'retracted', xml('retract', { xmlns: NS.retract, id: 'j-1' }));
      const del = await nth(got, 2);
      expect(del.r.retracts).toBe(m1.id);
      // Its fallback (XEP-0424 §4 has one too), all marked: networks without deletions show it.
      expect(del.body).toBe('(juliet deleted a message)');
      expect(del.r.fallback).toEqual([{ start: 0, end: null }]);
      await chat(
        juliet,
        'j-4',
        undefined,
        xml(
          'apply-to',
          { xmlns: 'urn:xmpp:fasten:0', id: 'j-2' },
          xml('retract', { xmlns: 'urn:xmpp:message-retract:0' }),
        ),
      );
      expect((await nth(got, 3)).r.retracts).toBe(m2.id);

      // Out: a silent deletion of a message juliet got becomes a retraction with its fallback.
      await carolSends(carol, JULIET, 'wrong chat', {}, 'c-1');
      await carolSends(carol, JULIET, '', { retracts: 'c-1' }, 'c-2');
      const r = await fromCarol(
        juliet,
        (s) => s.getChild('retract', NS.retract) !== undefined,
        'the retraction',
      );
      expect(r.getChild('retract', NS.retract)?.attrs.id).toBe('c-1');
      expect(r.getChild('fallback', NS.fallback)?.attrs.for).toBe(NS.retract);
      expect(r.getChildText('body')).toMatch(/deleted a message/);
      expect(r.getChild('store', 'urn:xmpp:hints')).toBeDefined();

      // Hostile: a reactions element with hundreds of keys is refused, nothing reaches carol.
      const many = Array.from({ length: 300 }, (_, i) => `k${i}`);
      await chat(juliet, 'j-5', undefined, reactions('c-1', ...many));
      const err = await received(
        juliet,
        (s) => s.attrs.type === 'error' && s.attrs.id === 'j-5',
        'the refusal',
      );
      expect(err.getChild('error')?.getChild('policy-violation', NS.stanzas)).toBeDefined();
      // A key the Msg namespace cannot carry (over 64 characters) is left out, the others pass.
      await chat(juliet, 'j-6', undefined, reactions('c-1', 'x'.repeat(500), '👍'));
      expect((await nth(got, 4)).r.reaction).toEqual({ op: 'add', target: 'c-1', key: '👍' });
      expect(got).toHaveLength(5);
    });

    describe('after a restart', () => {
      const dir = mkdtempSync(join(tmpdir(), 'xmpp-relations-'));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));

      it('a correction of a message from before the restart still arrives as a correction', async () => {
        const config = { storage: { backend: 'sqlite', path: join(dir, 'gw.sqlite') } };
        const xmppCfg = { receipts: { waitMs: 0 } };
        const first = await xmpp.gateway({ xmpp: xmppCfg, config });
        const got1 = await listenAs(first, 'carol');
        const juliet = await xmpp.user('juliet');
        await chat(juliet, 'j-1', 'before');
        const before = await nth(got1, 0);
        await first.stop();
        const second = await xmpp.gateway({ xmpp: xmppCfg, config });
        const got2 = await listenAs(second, 'carol');
        await chat(juliet, 'j-2', 'after', xml('replace', { xmlns: NS.correct, id: 'j-1' }));
        const edit = await nth(got2, 0);
        expect(edit.r.replaces).toBe(before.id);
        expect(edit.body).toBe('* after');
      });
    });

    it('in a hosted room: stanza-ids name posts; replies, corrections and reactions both ways', async () => {
      const gw = await xmpp.gateway({
        config: {
          rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: [CAROL, 'im:dev@xmpp-gw.localhost'] }],
        },
        xmpp: { rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: [CAROL] }] },
      });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
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

      expect((await carolSends(carol, 'im:dev@gw.test', 'standup at 10', {}, 'c-1')).status).toBe('ok');
      const c1 = await groupchat((s) => s.getChildText('body') === 'standup at 10', 'carol in the room');
      expect(c1.getChild('stanza-id', NS.sid)?.attrs).toMatchObject({ id: 'c-1', by: ROOM });

      // Juliet replies by stanza-id (XEP-0461 §3) and reacts to it (XEP-0444 §3).
      await post('g-1', 'ok', xml('reply', { xmlns: NS.reply, id: 'c-1', to: `${ROOM}/carol` }));
      const reply = await nth(got, 0);
      expect(reply.r.replyTo).toBe('c-1');
      const echo = await groupchat((s) => s.attrs.id === 'g-1', 'the reflection');
      expect(echo.getChild('reply', NS.reply)?.attrs.id).toBe('c-1');
      const g1 = echo.getChild('stanza-id', NS.sid)!.attrs.id!;
      expect(g1).toBe(reply.id);
      await post('g-2', undefined, reactions('c-1', '👍'));
      expect((await nth(got, 1)).r.reaction).toEqual({ op: 'add', target: 'c-1', key: '👍' });
      // Her correction names her own message's id (XEP-0308), carol gets the original's gateway id.
      await post('g-3', 'ok!', xml('replace', { xmlns: NS.correct, id: 'g-1' }));
      expect((await nth(got, 2)).r.replaces).toBe(g1);

      // Carol reacts to and replies to juliet's post: named by its stanza-id.
      await carolSends(
        carol,
        'im:dev@gw.test',
        '',
        { reaction: { op: 'add', target: g1, key: '🎉' } },
        'c-2',
      );
      const react = await groupchat(
        (s) => s.getChild('reactions', NS.reactions) !== undefined && s.attrs.id === 'c-2',
        'carol reacting',
      );
      expect(react.getChild('reactions', NS.reactions)?.attrs.id).toBe(g1);
      expect(react.getChild('body')).toBeUndefined();
      await carolSends(carol, 'im:dev@gw.test', 'great', { replyTo: g1 }, 'c-3');
      const answer = await groupchat((s) => s.attrs.id === 'c-3', 'carol replying');
      expect(answer.getChild('reply', NS.reply)?.attrs.id).toBe(g1);

      // Retractions in the room, both ways, named by stanza-id.
      await post('g-4', 'retracted', xml('retract', { xmlns: NS.retract, id: g1 }));
      expect((await nth(got, 3)).r.retracts).toBe(g1);
      await carolSends(carol, 'im:dev@gw.test', '', { retracts: 'c-1' }, 'c-4');
      const gone = await groupchat((s) => s.attrs.id === 'c-4', 'carol retracting');
      expect(gone.getChild('retract', NS.retract)?.attrs.id).toBe('c-1');
    });
  },
);

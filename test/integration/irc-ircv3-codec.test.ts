/**
 * Issue 17 through the core codec on a real IRCv3 server (InspIRCd 3.15): the IRC adapter as
 * shipped (adapters/irc/index.ts with codec-relations.ts) turns `Msg.Reply-To` / `Msg.Reaction`
 * of a hub client's Message/CPIM into `+draft/reply` / `+draft/react` tags and back, and answers a
 * silent deletion it cannot carry `ok` + `Irc-Clipped`. The adapter's own mapping is tested with
 * a stand-in for the codec in irc-ircv3.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Relations } from '../../src/index.js';
import type { HubClient } from '../../src/hub/client.js';
import { h, listenAs } from '../support/hub-calls.js';
import { inspircdInstalled } from '../support/inspircd.js';
import { useInspircd } from '../support/inspircd-suite.js';
import { waitFor } from '../support/net.js';
import { readRelationCpim, relationCpim } from '../support/relation-cpim.js';

/** Sends carol's Message/CPIM with `r` to the room; a silent relation has an empty body. */
function sendWith(c: HubClient, body: string, r: Relations, id: string) {
  return c.command(
    'send',
    [
      ['Sender', 'im:carol@gw.test'],
      ['Inbox', 'im:dev@gw.test'],
      ['Content-Type', 'message/cpim'],
      ['Message-ID', id],
    ],
    relationCpim('im:carol@gw.test', 'im:dev@gw.test', body, r),
  );
}

function relationsOf(payload: Uint8Array | undefined) {
  const { m, r } = readRelationCpim(payload);
  return { relations: r, required: m.semantics.required.map((q) => q.name) };
}

describe.skipIf(!inspircdInstalled() && process.env['CI'] !== 'true')(
  'IRC replies and reactions through the Msg namespace (InspIRCd)',
  () => {
    const irc = useInspircd();

    it('a hub reply and reaction become IRCv3 tags; an IRC reply and reaction come back as Msg headers', async () => {
      const gw = await irc.gateway();
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');

      // Dave speaks; carol gets it with its gateway id.
      dave.client.say('#dev', 'hello from dave');
      const daveLine = await waitFor(() =>
        got.find((c) => Buffer.from(c.payload!).toString().endsWith('hello from dave')),
      );
      const daveId = h(daveLine.headers, 'Message-ID')!;
      const daveEcho = await waitFor(() => dave.tagged.find((l) => l.message === 'hello from dave'));

      // Carol replies through the codec: dave sees +draft/reply naming his own line's msgid.
      expect((await sendWith(carol, 'hi dave', { replyTo: daveId }, 'carol-1')).status).toBe('ok');
      const reply = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> hi dave'));
      expect(reply.tags['+draft/reply']).toBe(daveEcho.tags['msgid']);
      // Carol reacts, silently: a TAGMSG with +draft/react.
      const react = await sendWith(
        carol,
        '',
        { reaction: { op: 'add', target: daveId, key: '👍' } },
        'carol-2',
      );
      expect(react.status).toBe('ok');
      const tagmsg = await waitFor(() =>
        dave.tagged.find((l) => l.command === 'TAGMSG' && l.nick === 'gwbot'),
      );
      expect(tagmsg.tags['+draft/react']).toBe('👍');
      expect(tagmsg.tags['+draft/reply']).toBe(daveEcho.tags['msgid']);

      // Dave replies and reacts to carol's line: carol gets Msg.Reply-To and a silent Msg.Reaction.
      dave.client.raw(`@+draft/reply=${reply.tags['msgid']} PRIVMSG #dev :thanks carol`);
      const back = await waitFor(() =>
        got.find((c) => Buffer.from(c.payload!).toString().endsWith('thanks carol')),
      );
      expect(relationsOf(back.payload).relations.replyTo).toBe('carol-1');
      dave.client.raw(`@+draft/react=🎉;+draft/reply=${reply.tags['msgid']} TAGMSG #dev`);
      const reaction = await waitFor(() =>
        got.find((c) => relationsOf(c.payload).relations.reaction !== undefined),
      );
      const rr = relationsOf(reaction.payload);
      expect(rr.relations.reaction).toEqual({ op: 'add', target: 'carol-1', key: '🎉' });
      expect(rr.required).toEqual(['Reaction']);

      // A silent deletion has no IRC form this gateway sends: ok, and said.
      const gone = await sendWith(carol, '', { retracts: 'carol-1' }, 'carol-3');
      expect(gone.status).toBe('ok');
      expect(h(gone.headers, 'Irc-Clipped')).toMatch(/REDACT/);
    });

    it('an edit is one correction line tied to the original by +draft/reply; reactions in private messages both ways', async () => {
      const gw = await irc.gateway();
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');

      expect((await sendWith(carol, 'see you at 5', {}, 'e-1')).status).toBe('ok');
      const orig = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> see you at 5'));
      const edit = await sendWith(
        carol,
        '* see you at 6',
        { replaces: 'e-1', fallback: [{ start: 0, end: 2 }] },
        'e-2',
      );
      expect(edit.status).toBe('ok');
      // "5" → "6" is a third of the line: the sed form, tied to the original's msgid.
      const fix = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> s/5/6/'));
      expect(fix.tags['+draft/reply']).toBe(orig.tags['msgid']);

      // Private: dave writes to carol through the gateway's nick, carol answers, both react.
      dave.client.say('gwbot', 'carol@gw.test: psst');
      const psst = await waitFor(() => got.find((c) => Buffer.from(c.payload!).toString().endsWith('psst')));
      const psstId = h(psst.headers, 'Message-ID')!;
      const react = (target: string, id: string) =>
        carol.command(
          'send',
          [
            ['Sender', 'im:carol@gw.test'],
            ['Inbox', 'im:dave@irc.test'],
            ['Content-Type', 'message/cpim'],
            ['Message-ID', id],
          ],
          relationCpim('im:carol@gw.test', 'im:dave@irc.test', '', {
            reaction: { op: 'add', target, key: '👀' },
          }),
        );
      expect((await react(psstId, 'e-3')).status).toBe('ok');
      const tagmsg = await waitFor(() =>
        dave.tagged.find((l) => l.command === 'TAGMSG' && l.target.toLowerCase() === 'dave'),
      );
      expect(tagmsg.tags['+draft/react']).toBe('👀');
      const psstEcho = await waitFor(() => dave.tagged.find((l) => l.message === 'carol@gw.test: psst'));
      expect(tagmsg.tags['+draft/reply']).toBe(psstEcho.tags['msgid']);
      dave.client.raw(`@+draft/react=👍;+draft/reply=${fix.tags['msgid']} TAGMSG gwbot`);
      const back = await waitFor(() =>
        got.find((c) => relationsOf(c.payload).relations.reaction?.key === '👍'),
      );
      expect(h(back.headers, 'Sender')).toBe('im:dave@irc.test');
      expect(relationsOf(back.payload).relations.reaction).toEqual({ op: 'add', target: 'e-2', key: '👍' });
    });
  },
);

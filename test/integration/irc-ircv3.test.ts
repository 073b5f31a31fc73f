/**
 * Issue 17 on a real IRCv3 server (InspIRCd 3.15, test/support/inspircd.ts): the caps the
 * adapter negotiates, the msgid ↔ gateway Message-ID map both ways (inbound lines; our own lines
 * through echo-message + labeled-response), echoes never re-injected, and replies and reactions
 * as `+draft/reply` / `+draft/react` tags both ways. The core codec's seam is played by
 * test/support/irc-relations.ts. The same on ngircd (no caps): irc-bridge.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { IrcAdapter } from '../../adapters/irc/irc-adapter.js';
import type { IrcRelations } from '../../adapters/irc/relations.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { inspircdInstalled } from '../support/inspircd.js';
import { useInspircd } from '../support/inspircd-suite.js';
import { waitFor } from '../support/net.js';
import type { TestGateway } from '../support/gateway.js';
import { hookedIrcAdapter, payloadText as text } from '../support/irc-relations.js';

describe.skipIf(!inspircdInstalled() && process.env['CI'] !== 'true')(
  'IRC adapter on a real IRCv3 server (InspIRCd)',
  () => {
    const irc = useInspircd();
    const seen: IrcRelations[] = [];
    const adapters: IrcAdapter[] = [];
    const start = async (ircConfig: Record<string, unknown> = {}): Promise<TestGateway> => {
      seen.length = 0;
      adapters.length = 0;
      return irc.gateway({ adapterDefinitions: [hookedIrcAdapter(seen, adapters)], irc: ircConfig });
    };

    it('negotiates message-tags, echo-message, server-time, labeled-response and batch', async () => {
      await start();
      const caps = adapters[0]!.negotiated();
      expect(caps[0]).toMatchObject({
        nick: 'gwbot',
        caps: {
          messageTags: true,
          echoMessage: true,
          serverTime: true,
          labeledResponse: true,
          batch: true,
          multiline: null,
          redaction: false,
          chathistory: false,
        },
      });
    });

    it('maps msgids both ways, never re-injects an echo, and carries replies and reactions', async () => {
      const gw = await start();
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const carolGot = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      await waitFor(() => adapters[0]!.negotiated()[0]!.caps.echoMessage);

      // Outbound: carol's message goes out labelled; its echo's msgid maps to its Message-ID.
      const sent = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'first from carol', [
        ['Message-ID', 'carol-msg-1'],
      ]);
      expect(sent.status).toBe('ok');
      const first = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> first from carol'));
      const carolMsgid = first.tags['msgid']!;
      expect(carolMsgid).toBeTruthy();

      // Inbound: dave replies to it with +draft/reply; the relation names carol's gateway id.
      dave.client.raw(`@+draft/reply=${carolMsgid} PRIVMSG #dev :answer from dave`);
      const reply = await waitFor(() => carolGot.find((c) => text(c).endsWith('answer from dave')));
      expect(seen).toContainEqual({ replyTo: 'carol-msg-1' });
      const daveEcho = await waitFor(() => dave.tagged.find((l) => l.message === 'answer from dave'));
      const daveGwId = h(reply.headers, 'Message-ID')!;
      expect(daveGwId).toBeTruthy();
      // server-time: the CPIM DateTime is the second of the server's `time` tag.
      expect(text(reply)).toContain(`DateTime: ${daveEcho.tags['time']!.slice(0, 19)}`);

      // Reaction in: a TAGMSG with +draft/react and +draft/reply.
      dave.client.raw(`@+draft/react=👍;+draft/reply=${carolMsgid} TAGMSG #dev`);
      await waitFor(() => seen.find((r) => r.reaction !== undefined));
      expect(seen).toContainEqual({ reaction: { op: 'add', target: 'carol-msg-1', key: '👍' } });

      // Reply and reaction out: the tags name dave's IRC msgid.
      const r1 = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'back to dave', [
        ['Test-Relation', `reply ${daveGwId}`],
      ]);
      expect(r1.status).toBe('ok');
      const back = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> back to dave'));
      expect(back.tags['+draft/reply']).toBe(daveEcho.tags['msgid']);
      const r2 = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'ignored', [
        ['Test-Relation', `react ${daveGwId} 🎉`],
      ]);
      expect(r2.status).toBe('ok');
      const tagmsg = await waitFor(() =>
        dave.tagged.find((l) => l.command === 'TAGMSG' && l.nick === 'gwbot'),
      );
      expect(tagmsg.tags['+draft/reply']).toBe(daveEcho.tags['msgid']);
      expect(tagmsg.tags['+draft/react']).toBe('🎉');

      // Echoes of the gateway's own lines never came back to the room.
      expect(carolGot.filter((c) => /first from carol|back to dave/.test(text(c)))).toEqual([]);
      expect(carolGot.filter((c) => text(c).endsWith('answer from dave'))).toHaveLength(1);
    });

    it("puppet mode: each puppet negotiates its caps, and its own lines' msgids map too", async () => {
      const gw = await start({ mode: 'puppet' });
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const carolGot = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const sent = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'from the puppet', [
        ['Message-ID', 'carol-puppet-1'],
      ]);
      expect(sent.status).toBe('ok');
      const line = await waitFor(() => dave.tagged.find((l) => l.message === 'from the puppet'));
      expect(line.nick).not.toBe('gwbot');
      const all = adapters[0]!.negotiated();
      expect(all.map((c) => c.nick)).toEqual(['gwbot', line.nick]);
      for (const c of all)
        expect(c.caps).toMatchObject({ messageTags: true, echoMessage: true, labeledResponse: true });
      dave.client.raw(`@+draft/reply=${line.tags['msgid']!} PRIVMSG #dev :to the puppet`);
      await waitFor(() => carolGot.find((c) => text(c).endsWith('to the puppet')));
      expect(seen).toContainEqual({ replyTo: 'carol-puppet-1' });
      // Issue 17: a reaction in private to the puppet goes to its owner.
      const psst = await sendText(carol, 'im:carol@gw.test', 'im:dave@irc.test', 'psst', [
        ['Message-ID', 'carol-puppet-2'],
      ]);
      expect(psst.status).toBe('ok');
      const pm = await waitFor(() => dave.tagged.find((l) => l.message === 'psst'));
      dave.client.raw(`@+draft/react=👍;+draft/reply=${pm.tags['msgid']!} TAGMSG ${pm.nick}`);
      await waitFor(() => seen.find((r) => r.reaction !== undefined));
      expect(seen).toContainEqual({ reaction: { op: 'add', target: 'carol-puppet-2', key: '👍' } });
      // Dave wrote nothing else to carol: the reaction is the one send from him to her.
      await waitFor(() => carolGot.find((c) => h(c.headers, 'Sender') === 'im:dave@irc.test'));
    });

    it('maps the echo that comes in a labeled-response batch (a private message to someone away)', async () => {
      const gw = await start();
      const dave = await irc.user('dave');
      const batch: string[] = [];
      await dave.ask('AWAY :out', / 306 /, / 306 /);
      const carolGot = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      await waitFor(() => adapters[0]!.negotiated()[0]!.caps.labeledResponse);
      adapters[0]!['main'].client.on(
        'raw',
        (e: { line: string }) => / BATCH /.test(e.line) && batch.push(e.line),
      );
      const sent = await sendText(carol, 'im:carol@gw.test', 'im:dave@irc.test', 'while you were out', [
        ['Message-ID', 'carol-dm-1'],
      ]);
      expect(sent.status).toBe('ok');
      const line = await waitFor(() => dave.tagged.find((l) => l.message === '<carol> while you were out'));
      // InspIRCd answers the labelled PRIVMSG with RPL_AWAY and the echo, in one batch.
      await waitFor(() => batch.length >= 2);
      expect(batch[0]).toMatch(/label=.* BATCH \+\S+ :?labeled-response/);
      dave.client.raw(`@+draft/reply=${line.tags['msgid']!} PRIVMSG gwbot :back now`);
      await waitFor(() => carolGot.find((c) => text(c).endsWith('back now')));
      expect(seen).toContainEqual({ replyTo: 'carol-dm-1' });
    });
  },
);

// spec §1.1: "Without labeled-response, match echoes in FIFO order per target" (echo-fifo.ts).
describe.skipIf(!inspircdInstalled() && process.env['CI'] !== 'true')(
  'IRC adapter on InspIRCd without labeled-response',
  () => {
    const irc = useInspircd({ without: ['ircv3_labeledresponse'] });
    const seen: IrcRelations[] = [];
    const adapters: IrcAdapter[] = [];

    it("maps its own lines' msgids from unlabelled echoes, in order per target", async () => {
      const gw = await irc.gateway({ adapterDefinitions: [hookedIrcAdapter(seen, adapters)] });
      const dave = await irc.user('dave', ['echo-message']);
      await dave.join('#dev');
      const carolGot = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      await waitFor(() => adapters[0]!.negotiated()[0]!.caps.echoMessage);
      expect(adapters[0]!.negotiated()[0]!.caps.labeledResponse).toBe(false);
      // A line refused (no such nick) never comes back: it waits under its own target only.
      expect((await sendText(carol, 'im:carol@gw.test', 'im:nobody@irc.test', 'lost')).status).toBe('error');
      const msgids: string[] = [];
      for (const n of [1, 2]) {
        const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', `line ${n}`, [
          ['Message-ID', `carol-fifo-${n}`],
        ]);
        expect(r.status).toBe('ok');
        const l = await waitFor(() => dave.tagged.find((x) => x.message === `<carol> line ${n}`));
        msgids.push(l.tags['msgid']!);
      }
      dave.client.raw(`@+draft/reply=${msgids[1]!} PRIVMSG #dev :re two`);
      dave.client.raw(`@+draft/reply=${msgids[0]!} PRIVMSG #dev :re one`);
      await waitFor(() => carolGot.find((c) => text(c).endsWith('re one')));
      expect(seen).toEqual([{ replyTo: 'carol-fifo-2' }, { replyTo: 'carol-fifo-1' }]);
    });
  },
);

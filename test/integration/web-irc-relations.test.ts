/**
 * Issue 17 end to end: a web user (a WebSocket client speaking the web chat protocol, as the
 * page does) and an IRC user in one room, through one gateway with the web and IRC adapters as
 * shipped. With IRCv3 (Debian's InspIRCd 3.15): replies and reactions both ways as tags, an edit
 * as one correction line tied to the original, a deletion answered (InspIRCd has no REDACT), and
 * after a gateway restart an IRC reply to a line from before it still arrives as a reply (the
 * msgid ↔ gateway id pairs and the texts kept in the store). On plain IRC (ngircd): each feature's
 * fallback line. Each server starts once for the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { ServerFrame } from '../../adapters/websocket/protocol.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { TestGateway } from '../support/gateway.js';
import { inspircdInstalled } from '../support/inspircd.js';
import { useInspircd } from '../support/inspircd-suite.js';
import { useIrcServer, type IrcGatewayOptions } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { signIn, TOKENS, type TestClient } from '../support/websocket.js';

/** The room: IRC `#dev` and the web room `dev`. */
function webAndIrc(
  extra: { irc?: Record<string, unknown>; config?: Record<string, unknown> } = {},
): IrcGatewayOptions {
  return {
    adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
    rooms: [
      { name: 'dev', address: 'im:dev@gw.test', members: ['im:%23dev@irc.test', 'im:room.dev@web.test'] },
    ],
    ...(extra.irc ? { irc: extra.irc } : {}),
    ...(extra.config ? { config: extra.config } : {}),
    adapters: [
      {
        type: 'websocket',
        domain: 'web.test',
        http: { port: 0 },
        auth: { tokens: [{ user: 'alice', token: TOKENS.alice }] },
        rooms: [{ name: 'dev', address: 'im:dev@gw.test', title: 'Dev' }],
      },
    ],
  };
}

async function aliceOn(gw: TestGateway): Promise<TestClient> {
  const at = (gw.gateway.adapters.find((a) => a.type === 'websocket')!.adapter as WebSocketAdapter).address!;
  const alice = await signIn(`ws://${at.host}:${at.port}/ws`, TOKENS.alice, true, 2);
  expect(await alice.request({ type: 'join', room: 'dev' })).toMatchObject({ status: 'ok' });
  return alice;
}

type Message = Extract<ServerFrame, { type: 'message' }>;
const isMessage = (f: ServerFrame): f is Message => f.type === 'message';
const post = async (alice: TestClient, f: Record<string, unknown>): Promise<string> => {
  const r = await alice.request({ type: 'send', room: 'dev', ...f });
  expect(r).toMatchObject({ type: 'result', status: 'ok' });
  return (r as { messageId: string }).messageId;
};

describe.skipIf(!inspircdInstalled() && process.env['CI'] !== 'true')(
  'web ↔ IRC with IRCv3 (InspIRCd)',
  () => {
    const irc = useInspircd();
    const dir = mkdtempSync(join(tmpdir(), 'web-irc-rel-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reply, edit, delete and reaction both ways; a reply and an edit after a restart to a line from before it', async () => {
      const storage = { storage: { backend: 'sqlite', path: join(dir, 'gw.db') } };
      const gw = await irc.gateway(webAndIrc({ config: storage }));
      const dave = await irc.user('dave');
      await dave.join('#dev');
      const alice = await aliceOn(gw);

      // Web → IRC: a post, then its edit as `s/5/6/` tied to the post's msgid.
      const p1 = await post(alice, { text: 'deploy at 5' });
      const line = await waitFor(() => dave.tagged.find((l) => l.message.endsWith('> deploy at 5')));
      const p1msgid = line.tags['msgid']!;
      expect(p1msgid).toBeTruthy();
      await post(alice, { text: 'deploy at 6', replaces: p1 });
      const fix = await waitFor(() => dave.tagged.find((l) => l.message.endsWith('> s/5/6/')));
      expect(fix.tags['+draft/reply']).toBe(p1msgid);

      // IRC → web: a reply and a reaction to the post.
      dave.client.raw(`@+draft/reply=${p1msgid} PRIVMSG #dev :fine by me`);
      const reply = await alice.waitFor((f): f is Message => isMessage(f) && f.text === 'fine by me');
      expect(reply).toMatchObject({ from: 'im:dave@irc.test', replyTo: p1 });
      dave.client.raw(`@+draft/react=🚀;+draft/reply=${p1msgid} TAGMSG #dev`);
      const react = await alice.waitFor((f): f is Message => isMessage(f) && f.reaction !== undefined);
      expect(react).toMatchObject({
        from: 'im:dave@irc.test',
        reaction: { op: 'add', target: p1, key: '🚀' },
      });

      // Web → IRC: a reply and a reaction to dave's line, as tags naming its msgid.
      const daveMsgid = (await waitFor(() => dave.tagged.find((l) => l.message === 'fine by me'))).tags[
        'msgid'
      ];
      await post(alice, { text: 'great', replyTo: reply.id });
      const back = await waitFor(() => dave.tagged.find((l) => l.message.endsWith('> great')));
      expect(back.tags['+draft/reply']).toBe(daveMsgid);
      await post(alice, { reaction: { op: 'add', target: reply.id, key: '👍' } });
      const tagmsg = await waitFor(() =>
        dave.tagged.find((l) => l.command === 'TAGMSG' && l.nick === 'gwbot'),
      );
      expect(tagmsg.tags).toMatchObject({ '+draft/react': '👍', '+draft/reply': daveMsgid });

      // Restart on the same store: dave's reply to the post from before still names it.
      alice.close();
      await gw.stop();
      const gw2 = await irc.gateway(webAndIrc({ config: storage }));
      const alice2 = await aliceOn(gw2);
      await waitFor(() => gw2.gateway.adapters.every((a) => a.status === 'online') || undefined);
      dave.client.raw(`@+draft/reply=${p1msgid} PRIVMSG #dev :still on for 6?`);
      const late = await alice2.waitFor(
        (f): f is Message => isMessage(f) && f.text === 'still on for 6?',
        5000,
      );
      expect(late).toMatchObject({ replyTo: p1 });
      // And an edit after the restart is corrected against the text kept from before it.
      await post(alice2, { text: 'deploy at 7', replaces: p1 });
      const fix2 = await waitFor(() => dave.tagged.find((l) => l.message.endsWith('> s/6/7/')));
      expect(fix2.tags['+draft/reply']).toBe(p1msgid);
      // A deletion: InspIRCd 3.15 has no REDACT; the post stays on IRC and nothing is written.
      const before = dave.tagged.length;
      await post(alice2, { retracts: p1 });
      await post(alice2, { text: 'bye' });
      await waitFor(() => dave.tagged.find((l) => l.message.endsWith('> bye')));
      const after = dave.tagged.slice(before).filter((l) => l.nick === 'gwbot');
      expect(after.map((l) => l.message.replace(/^<[^>]+> /, ''))).toEqual(['bye']);
    });
  },
);

describe('web ↔ plain IRC (ngircd): the fallbacks', () => {
  const irc = useIrcServer();

  it('a reply as `Dave: `, an edit as `s/old/new/`, a reaction and a deletion as lines', async () => {
    const gw = await irc.gateway(
      webAndIrc({ irc: { deletions: 'text', reactions: { plain: 'text', mergeMs: 200 } } }),
    );
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const alice = await aliceOn(gw);

    const p1 = await post(alice, { text: 'deploy at 5' });
    await waitFor(() => dave.lines.find((l) => l.message.endsWith('> deploy at 5')));
    dave.client.say('#dev', 'sounds good');
    const d1 = await alice.waitFor((f): f is Message => isMessage(f) && f.text === 'sounds good');
    await post(alice, { text: 'on it', replyTo: d1.id });
    await post(alice, { text: 'deploy at 6', replaces: p1 });
    await post(alice, { reaction: { op: 'add', target: d1.id, key: '👍' } });
    await waitFor(() => dave.lines.find((l) => l.message.includes('reacted 👍')));
    await post(alice, { retracts: p1 });
    await waitFor(() => dave.lines.find((l) => l.message.endsWith('deleted a message')));
    const name = /^<([^>]+)> deploy at 5$/.exec(dave.lines[0]!.message)![1]!;
    expect(dave.lines.map((l) => l.message)).toEqual([
      `<${name}> deploy at 5`,
      `<${name}> Dave: on it`,
      `<${name}> s/5/6/`,
      `* ${name} reacted 👍 to Dave: "sounds good"`,
      `* ${name} deleted a message`,
    ]);
  });
});

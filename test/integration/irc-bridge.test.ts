/**
 * The IRC adapter through a real gateway against a real ngircd: private messages both ways, a
 * channel bridged into a room, long multi-line messages, a burst of 500, and no echoes. Files
 * (issue 17): irc-files.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseCpim, type Relations } from '../../src/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { TestGateway } from '../support/gateway.js';
import { useIrcServer } from '../support/irc.js';
import { sleep, waitFor } from '../support/net.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import type { IrcAdapter } from '../../adapters/irc/irc-adapter.js';
import type { IrcRelations } from '../../adapters/irc/relations.js';
import { hookedIrcAdapter } from '../support/irc-relations.js';
import { NO_CAPS } from '../../adapters/irc/caps.js';
import { sendRelation } from '../support/relation-cpim.js';

function cpimText(c: CommandFrame): { from: string | undefined; text: string } {
  const r = parseCpim(c.payload!, { startsWith: 'cpim-headers' });
  if (r.result === 'reject') throw new Error(r.reason);
  return { from: r.message.semantics.from?.uri, text: Buffer.from(r.message.body).toString('utf8') };
}

describe('IRC adapter bridging a real ngircd', () => {
  const irc = useIrcServer();
  let gw: TestGateway | undefined;

  async function setup() {
    gw = await irc.gateway({
      // The burst test aims 500 sends at IRC flood control, not at the per-sender rate.
      config: { limits: { perSender: { messagesPerSecond: 1000, burst: 1000 } } },
    });
    return irc.user('Dave');
  }

  const listener = (user: string) => listenAs(gw!, user);

  it('carries private messages both ways between a hub client and an IRC user', async () => {
    const dave = await setup();
    const got = await listener('bob');
    const bob = await gw!.client('bob');
    const r = await sendText(bob, 'im:bob@gw.test', 'im:dave@irc.test', 'hello dave');
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Unreliable')).toBe('irc.test');
    const line = await waitFor(() => dave.lines.find((l) => l.kind === 'privmsg'));
    expect(line.nick).toBe('gwbot');
    expect(line.message).toBe('<bob> hello dave');

    // A reply without an address goes to the last correspondent; a named one to that user.
    dave.client.say('gwbot', 'hi \x02bob\x02');
    const first = await waitFor(() => got[0]);
    expect(h(first.headers, 'Sender')).toBe('im:dave@irc.test');
    expect(h(first.headers, 'Content-Type')).toBe('message/cpim');
    const body = Buffer.from(first.payload!).toString('utf8');
    expect(body).toContain('From: <im:dave@irc.test>');
    expect(body).toContain('multipart/alternative');
    expect(body).toContain('hi <b>bob</b>');
    dave.client.say('gwbot', 'bob@gw.test: plain text');
    const second = await waitFor(() => got[1]);
    expect(cpimText(second).text).toBe('plain text');

    // An unknown nick is target-not-found.
    const none = await sendText(bob, 'im:bob@gw.test', 'im:nobody@irc.test', 'x');
    expect(h(none.headers, 'Error-Type')).toBe('target-not-found');
  });

  it('bridges a channel in a room both ways and never relays its own lines back', async () => {
    const dave = await setup();
    await dave.join('#dev');
    const got = await listener('carol');
    const carol = await gw!.client('carol');
    const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'hello channel');
    expect(r.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.target === '#dev'));
    expect(line.message).toBe('<carol> hello channel');

    dave.client.say('#dev', 'hello room');
    dave.client.action('#dev', 'waves');
    await waitFor(() => got.length >= 2 && got);
    const [a, b] = got;
    expect(h(a!.headers, 'Sender')).toBe('im:dev@gw.test');
    expect(h(a!.headers, 'Orig-Sender')).toBe('im:dave@irc.test');
    expect(cpimText(a!)).toEqual({ from: 'im:dave@irc.test', text: 'hello room' });
    expect(cpimText(b!).text).toBe('/me waves');
    // Nothing else reached carol: her own line did not come back from the channel.
    await new Promise((res) => setTimeout(res, 200));
    expect(got).toHaveLength(2);
    expect(dave.lines.filter((l) => l.target === '#dev')).toHaveLength(1);
  });

  it('splits a 2,000-byte multi-line message within the line budget, reassembling to the original', async () => {
    const dave = await setup();
    await dave.join('#dev');
    await listener('carol');
    const carol = await gw!.client('carol');
    const text = [
      'ä€😀x'.repeat(60), // 10 octets a round
      'word '.repeat(100).trimEnd(),
      'z'.repeat(500),
      'short',
      'ü'.repeat(200),
    ].join('\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(2000);
    const r = await carol.command(
      'send',
      [
        ['Sender', 'im:carol@gw.test'],
        ['Inbox', 'im:dev@gw.test'],
        ['Content-Type', 'text/plain; charset=UTF-8'],
      ],
      Buffer.from(text),
    );
    expect(r.status).toBe('ok');
    const originals = text.split('\n');
    const total = originals.join('').length;
    const pieces = await waitFor(() => {
      const ps = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
      return ps.map((p) => p.slice('<carol> '.length)).join('').length >= total && ps;
    });
    // Each piece fits in 512 octets as the server relays it to others.
    for (const p of pieces) {
      expect(p.startsWith('<carol> ')).toBe(true);
      expect(p).not.toContain('\uFFFD');
      expect(Buffer.byteLength(`:gwbot!~cpimgw@127.0.0.1 PRIVMSG #dev :${p}\r\n`)).toBeLessThanOrEqual(512);
    }
    // Greedy reassembly: consecutive pieces make up each original line exactly.
    const rest = pieces.map((p) => p.slice('<carol> '.length));
    for (const original of originals) {
      let acc = '';
      while (acc.length < original.length) acc += rest.shift() ?? '\0';
      expect(acc).toBe(original);
    }
    expect(rest).toEqual([]);
    expect(pieces.length).toBeGreaterThan(originals.length);
  });

  it('delivers a burst of 500 messages in order without a flood kick', async () => {
    const dave = await setup();
    await dave.join('#dev');
    await listener('carol');
    const carol = await gw!.client('carol');
    const started = Date.now();
    for (let i = 0; i < 500; i += 100) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', `msg ${i + k}`),
        ),
      );
      expect(answers.every((a) => a.status === 'ok')).toBe(true);
    }
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= 500, 10_000, '500 lines');
    expect(Date.now() - started).toBeLessThan(10_000);
    const got = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => `<carol> msg ${i}`));
    expect(gw!.gateway.adapters[0]!.status).toBe('online');
  });

  it('never splits a grapheme cluster across two lines, and sends no blank line (issue 20)', async () => {
    const dave = await setup();
    const bob = await gw!.client('bob');
    const family = '👩\u200d👩\u200d👧'; // one grapheme cluster of 18 octets
    const r = await sendText(bob, 'im:bob@gw.test', 'im:dave@irc.test', family.repeat(40));
    expect(r.status).toBe('ok');
    const lines = await waitFor(() => {
      const ls = dave.lines.filter((l) => l.kind === 'privmsg').map((l) => l.message);
      return ls.map((l) => l.slice('<bob> '.length)).join('').length >= family.length * 40 && ls;
    });
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^<bob> (?:👩\u200d👩\u200d👧)+$/u);

    // A post of white space only is refused with a reason, and nothing reaches IRC.
    const blank = await sendText(bob, 'im:bob@gw.test', 'im:dave@irc.test', ' \n\t ');
    expect(h(blank.headers, 'Error-Type')).toBe('malformed');
    expect(h(blank.headers, 'Error-Description')).toBe('the message has no text IRC can carry');
    const marker = await sendText(bob, 'im:bob@gw.test', 'im:dave@irc.test', 'after the blank');
    expect(marker.status).toBe('ok');
    await waitFor(() => dave.lines.some((l) => l.message === '<bob> after the blank'));
    expect(
      dave.lines
        .filter((l) => l.kind === 'privmsg')
        .slice(lines.length)
        .map((l) => l.message),
    ).toEqual(['<bob> after the blank']);
  });

  it('publishes the old nick of a nick change offline only after the debounce (issue 20)', async () => {
    gw = await irc.gateway({ irc: { presence: { debounceMs: 60_000, pollMs: 200 } } });
    const dave = await irc.user('dave');
    await dave.join('#dev');
    const ivan = await irc.user('ivan');
    const ask = async (who: string) => {
      const from = ivan.lines.length;
      ivan.client.say('gwbot', `!presence ${who}`);
      const told = await waitFor(() => ivan.lines.slice(from).find((l) => l.kind === 'notice'));
      return told.message;
    };
    const until = async (who: string, said: string) => {
      for (let i = 0; i < 100 && (await ask(who)) !== said; i++) await sleep(50);
    };
    await until('pres:dave@irc.test', 'pres:dave@irc.test is online');
    dave.client.changeNick('dave_');
    await until('pres:dave_@irc.test', 'pres:dave_@irc.test is online');
    // The old nick is still online: its leave waits for the debounce (a change back cancels it).
    expect(await ask('pres:dave@irc.test')).toBe('pres:dave@irc.test is online');
  });

  // Issue 17 on plain IRC (ngircd offers only multi-prefix): no caps, no tags on our lines, a
  // reply as the `nick: ` prefix (message-semantics §1.2), a reaction dropped. The same on
  // InspIRCd with the caps: irc-ircv3.test.ts.
  it('without IRCv3 caps: lines as before, replies as a nick prefix (and quote), reactions dropped', async () => {
    const seen: IrcRelations[] = [];
    const adapters: IrcAdapter[] = [];
    gw = await irc.gateway({ adapterDefinitions: [hookedIrcAdapter(seen, adapters)] });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const raw: string[] = [];
    dave.client.on('raw', (e: { line: string; from_server: boolean }) => e.from_server && raw.push(e.line));
    expect(adapters[0]!.negotiated()[0]!.caps).toEqual(NO_CAPS);
    const got = await listener('carol');
    const carol = await gw.client('carol');
    expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'plain one')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> plain one'));
    dave.client.say('#dev', 'from dave');
    const line = await waitFor(() => got.find((c) => cpimText(c).text === 'from dave'));
    const daveId = h(line.headers, 'Message-ID')!;
    const reply = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'answer', [
      ['Test-Relation', `reply ${daveId}`],
    ]);
    expect(reply.status).toBe('ok');
    const react = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'x', [
      ['Test-Relation', `react ${daveId} 👍`],
    ]);
    expect(react.status).toBe('ok');
    // A reply to an older line than Dave's latest quotes its start first (config `replies`).
    dave.client.say('#dev', 'later from dave');
    await waitFor(() => got.find((c) => cpimText(c).text === 'later from dave'));
    const older = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'about that', [
      ['Test-Relation', `reply ${daveId}`],
    ]);
    expect(older.status).toBe('ok');
    expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'last')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> last'));
    expect(dave.lines.map((l) => l.message)).toEqual([
      '<carol> plain one',
      '<carol> Dave: answer',
      '<carol> > Dave: from dave',
      '<carol> Dave: about that',
      '<carol> last',
    ]);
    expect(raw.filter((l) => l.startsWith('@'))).toEqual([]);
    expect(seen).toEqual([]);
  });

  // Issue 17 on plain IRC through the shipped codec: an edit as one correction line, a deletion and
  // reactions as the opt-in text lines (config `deletions: text`, `reactions.plain: text`).
  it('edit → s/old/new/, the appended text, nothing or `* text`; deletion and merged reactions as lines', async () => {
    const gw = await irc.gateway({
      irc: { deletions: 'text', reactions: { plain: 'text', mergeMs: 300 } },
    });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const got = await listenAs(gw, 'carol');
    const carol = await gw.client('carol');
    const send = (body: string, r: Relations, id: string) =>
      sendRelation(carol, 'im:carol@gw.test', 'im:dev@gw.test', body, r, id);
    const edit = (text: string, of: string, id: string) =>
      send(`* ${text}`, { replaces: of, fallback: [{ start: 0, end: 2 }] }, id);

    expect((await send('the meeting is on tuesday at noon', {}, 'c-1')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message.endsWith('tuesday at noon')));
    expect((await edit('the meeting is on wednesday at noon', 'c-1', 'c-2')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> s/tuesday/wednesday/'));
    expect((await edit('the meeting is on wednesday at noon in room B', 'c-1', 'c-3')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> in room B'));
    // An edit naming an edit (c-3) finds the original and its latest text: nothing changed.
    const same = await edit('the meeting is on wednesday at noon in room B', 'c-3', 'c-4');
    expect(same.status).toBe('ok');
    expect(h(same.headers, 'Irc-Clipped')).toMatch(/did not change/);
    expect((await edit('cancelled, sorry all', 'c-1', 'c-5')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> * cancelled, sorry all'));
    // A silent deletion: the opt-in line, in the gateway's voice.
    expect((await send('', { retracts: 'c-1' }, 'c-6')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '* carol deleted a message'));

    // Two reactions within the merge window: one line, with the start of Dave's line.
    dave.client.say('#dev', 'ship it on friday?');
    const line = await waitFor(() => got.find((c) => cpimText(c).text === 'ship it on friday?'));
    const daveId = h(line.headers, 'Message-ID')!;
    for (const [key, id] of [
      ['👍', 'c-7'],
      ['🎉', 'c-8'],
    ] as const)
      expect((await send('', { reaction: { op: 'add', target: daveId, key } }, id)).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message.startsWith('* carol reacted')));
    expect(dave.lines.map((l) => l.message)).toEqual([
      '<carol> the meeting is on tuesday at noon',
      '<carol> s/tuesday/wednesday/',
      '<carol> in room B',
      '<carol> * cancelled, sorry all',
      '* carol deleted a message',
      '* carol reacted 👍 🎉 to Dave: "ship it on friday?"',
    ]);
  });

  it('a channel set to `edits: drop` gets no edit, and the sender is told', async () => {
    const gw = await irc.gateway({
      irc: { channels: [{ name: '#dev', room: 'im:dev@gw.test', edits: 'drop' }] },
    });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const carol = await gw.client('carol');
    const send = (body: string, r: Relations, id: string) =>
      sendRelation(carol, 'im:carol@gw.test', 'im:dev@gw.test', body, r, id);
    expect((await send('first try', {}, 'k-1')).status).toBe('ok');
    const edit = await send('* second try', { replaces: 'k-1', fallback: [{ start: 0, end: 2 }] }, 'k-2');
    expect(edit.status).toBe('ok');
    expect(h(edit.headers, 'Irc-Clipped')).toMatch(/edits are not sent/);
    expect((await send('after', {}, 'k-3')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> after'));
    expect(dave.lines.map((l) => l.message)).toEqual(['<carol> first try', '<carol> after']);
  });
});

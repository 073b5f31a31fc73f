/**
 * The IRC adapter through a real gateway against a real ngircd: private messages both ways, a
 * channel bridged into a room, long multi-line messages, a burst of 500, and no echoes.
 */
import { describe, expect, it } from 'vitest';
import { parseCpim } from '../../src/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { TestGateway } from '../support/gateway.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';

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
});

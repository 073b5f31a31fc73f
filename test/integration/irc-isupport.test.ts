/**
 * Issue 20, IRC identity: the server's ISUPPORT (005) values against a real ngircd 26 configured
 * with NICKLEN=30 (its CASEMAPPING is always `ascii`). They arrive after RPL_WELCOME (001), and
 * are read when they arrive: puppet nicks use the real NICKLEN, `[dup]` and `{dup}` are two
 * people with two URIs, and a reconnect to a server with another NICKLEN applies that one.
 * The `rfc1459` mapping, which ngircd cannot produce, is tested against recorded server lines in
 * irc-casemapping.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseCpim } from '../../src/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { startNgircd } from '../support/ngircd.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';

const text = (c: CommandFrame): string => {
  const r = parseCpim(c.payload!, { startsWith: 'cpim-headers' });
  if (r.result === 'reject') throw new Error(r.reason);
  return Buffer.from(r.message.body).toString('utf8');
};

/** The test gateway's hub section with these users' accounts (password = user name). */
const hub = (users: readonly string[]) => ({
  hub: {
    imtp: { host: '127.0.0.1', port: 0 },
    pitp: { host: '127.0.0.1', port: 0 },
    sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
    accounts: users.map((u) => ({ user: u, password: u, identities: [`im:${u}@gw.test`] })),
  },
});

describe('IRC ISUPPORT on ngircd with NICKLEN=30 and CASEMAPPING=ascii', () => {
  const irc = useIrcServer({ nickLength: 30 });

  it('gives puppets nicks of the server’s NICKLEN, and two users two puppets', async () => {
    const users = ['abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz0123zz', 'Bob', 'bob'];
    const gw = await irc.gateway({ irc: { mode: 'puppet' }, config: hub(users) });
    const dave = await irc.user('dave');
    const inboxes = await Promise.all(users.map((u) => listenAs(gw, u)));
    for (const u of users) {
      const c = await gw.client(u);
      const r = await sendText(c, `im:${u}@gw.test`, 'im:dave@irc.test', `hi from ${u}`);
      expect(r.status).toBe('ok');
    }
    await waitFor(() => dave.lines.length >= 4 && dave.lines, 5000, 'four lines');
    // 30 - "[gw]".length = 26 characters of the name; the second collides and gets a digit.
    // Bob and bob are two hub users; their nicks fold alike on IRC, so the second gets a digit.
    expect(dave.lines.map((l) => [l.nick, l.message])).toEqual([
      ['abcdefghijklmnopqrstuvwxyz[gw]', 'hi from abcdefghijklmnopqrstuvwxyz012345'],
      ['abcdefghijklmnopqrstuvwxy1[gw]', 'hi from abcdefghijklmnopqrstuvwxyz0123zz'],
      ['Bob[gw]', 'hi from Bob'],
      ['bob1[gw]', 'hi from bob'],
    ]);
    // A private message to each puppet reaches its own user, never the other.
    for (const l of dave.lines) dave.client.say(l.nick, `reply to ${l.nick}`);
    await waitFor(() => inboxes.every((got) => got.length >= 1), 5000, 'four replies');
    await new Promise((r) => setTimeout(r, 200));
    expect(inboxes.map((got) => got.map(text))).toEqual(
      dave.lines.map((l) => [`reply to ${l.nick}`]).slice(0, 4),
    );
  });

  it('maps [dup] and {dup} to two URIs on an ascii server, and a reply reaches only the one addressed', async () => {
    const gw = await irc.gateway();
    const got = await listenAs(gw, 'bob');
    const square = await irc.user('[dup]');
    const curly = await irc.user('{dup}');
    square.client.say('gwbot', 'bob@gw.test: I am square');
    await waitFor(() => got[0], 5000, 'first line');
    curly.client.say('gwbot', 'bob@gw.test: I am curly');
    await waitFor(() => got[1], 5000, 'second line');
    expect(got.map((c) => [h(c.headers, 'Sender'), text(c)])).toEqual([
      ['im:%22%5Bdup%5D%22@irc.test', 'I am square'],
      ['im:%7Bdup%7D@irc.test', 'I am curly'],
    ]);
    const bob = await gw.client('bob');
    const r = await sendText(bob, 'im:bob@gw.test', h(got[0]!.headers, 'Sender')!, 'for square only');
    expect(r.status).toBe('ok');
    await waitFor(() => square.lines.find((l) => l.kind === 'privmsg'), 5000, 'line to [dup]');
    await new Promise((res) => setTimeout(res, 200));
    expect(square.lines.filter((l) => l.kind === 'privmsg').map((l) => l.message)).toEqual([
      '<bob> for square only',
    ]);
    expect(curly.lines.filter((l) => l.kind === 'privmsg')).toEqual([]);
  });

  // Last in the file: it replaces the suite's server with another one on the same port.
  it('applies the ISUPPORT of the server it reconnects to', async () => {
    const u = 'abcdefghijklmnop';
    const gw = await irc.gateway({ irc: { mode: 'puppet' }, config: hub([u]) });
    const port = irc.server.port;
    await irc.server.kill();
    const other = await startNgircd({ port, nickLength: 12 });
    try {
      await waitFor(
        () => gw.gateway.adapters[0]!.status === 'online',
        10_000,
        'the gateway back on the other server',
      );
      const dave = await irc.user('dave');
      const c = await gw.client(u);
      const r = await sendText(c, `im:${u}@gw.test`, 'im:dave@irc.test', 'after the reconnect');
      expect(r.status).toBe('ok');
      const line = await waitFor(() => dave.lines[0], 5000, 'the puppet line');
      // 12 - "[gw]".length = 8 characters of the name.
      expect(line.nick).toBe('abcdefgh[gw]');
      await gw.stop();
      await dave.quit();
    } finally {
      await other.stop();
    }
  });
});

/** Puppet mode against a real ngircd: hub users appear as IRC nicks of their own. */
import { describe, expect, it } from 'vitest';
import { parseCpim } from '../../src/index.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';

describe('IRC adapter in puppet mode', () => {
  const irc = useIrcServer();

  it('shows two hub users as two IRC nicks, and a private message to a puppet reaches its user', async () => {
    const gw = await irc.gateway({ irc: { mode: 'puppet' } });
    const dave = await irc.user('dave');
    await dave.join('#dev');

    const fromBob = await listenAs(gw, 'bob');
    const bob = await gw.client('bob');
    const alice = await gw.client('alice');
    for (const [client, user] of [
      [bob, 'bob'],
      [alice, 'alice'],
    ] as const) {
      const r = await sendText(client, `im:${user}@gw.test`, 'im:dave@irc.test', `hi from ${user}`);
      expect(r.status).toBe('ok');
      expect(h(r.headers, 'Unreliable')).toBe('irc.test');
    }
    await waitFor(() => dave.lines.length >= 2 && dave.lines);
    // ngircd's default NICKLEN is 9: "alice[gw]" just fits.
    expect(dave.lines.map((l) => [l.nick, l.message])).toEqual([
      ['bob[gw]', 'hi from bob'],
      ['alice[gw]', 'hi from alice'],
    ]);

    dave.client.say('bob[gw]', 'hello bob');
    const got = await waitFor(() => fromBob[0]);
    expect(h(got.headers, 'Sender')).toBe('im:dave@irc.test');
    expect(h(got.headers, 'Inbox')).toBe('im:bob@gw.test');
    const r = parseCpim(got.payload!, { startsWith: 'cpim-headers' });
    expect(r.result === 'reject' ? r.reason : Buffer.from(r.message.body).toString()).toBe('hello bob');

    // A room member's puppet joins the channel to speak; the main connection does not relay it back.
    const carolGot = await listenAs(gw, 'carol');
    const carol = await gw.client('carol');
    const sent = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'carol in the channel');
    expect(sent.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.target === '#dev'));
    expect([line.nick, line.message]).toEqual(['carol[gw]', 'carol in the channel']);
    await new Promise((res) => setTimeout(res, 200));
    expect(carolGot).toHaveLength(0);
  });
});

/**
 * Issue 13 defect 3 against a real ngircd in puppet mode: a room post with someone else's
 * Orig-Sender is refused and never reaches the channel; a message whose inner CPIM From names
 * someone else comes from the real sender's puppet, the claim leading the text.
 */
import { describe, expect, it } from 'vitest';
import { buildCpim } from '../../src/index.js';
import { DEV_ROOM, useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { h, sendText } from '../support/hub-calls.js';

/** Alice sends dave a direct message whose inner Message/CPIM From claims to be Bob. */
function sendAsBob(alice: Parameters<typeof sendText>[0]) {
  const cpim = buildCpim({
    startsWith: 'cpim-headers',
    from: { formalName: 'Bob', uri: 'im:bob@gw.test' },
    to: [{ uri: 'im:dave@irc.test' }],
    dateTime: new Date(),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: 'op me please',
  });
  return sendText(alice, 'im:alice@gw.test', 'im:dave@irc.test', cpim, [['Content-Type', 'message/cpim']]);
}

describe('identity on IRC (issue 13 defect 3)', () => {
  const irc = useIrcServer();

  it('refuses a forged Orig-Sender and shows a forged inner From as the real sender', async () => {
    // alice is a member of the room too, so only the Orig-Sender rule can refuse her forged post.
    const room = { ...DEV_ROOM, members: [...DEV_ROOM.members, 'im:alice@gw.test'] };
    const gw = await irc.gateway({ irc: { mode: 'puppet' }, rooms: [room] });
    const dave = await irc.user('dave');
    await dave.join('#dev');
    const alice = await gw.client('alice');

    const forged = await sendText(alice, 'im:alice@gw.test', 'im:dev@gw.test', 'carol says hi', [
      ['Orig-Sender', 'im:carol@gw.test'],
    ]);
    expect(h(forged.headers, 'Error-Type')).toBe('source-authorization');

    const r = await sendAsBob(alice);
    expect(r.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.target !== '#dev'));
    expect([line.nick, line.message]).toEqual(['alice[gw]', '(as "Bob") op me please']);
    // Her own room post reaches the channel as hers, and it is the only channel line.
    expect((await sendText(alice, 'im:alice@gw.test', 'im:dev@gw.test', 'alice says hi')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.target === '#dev'));
    await new Promise((res) => setTimeout(res, 200));
    expect(dave.lines.filter((l) => l.target === '#dev').map((l) => [l.nick, l.message])).toEqual([
      ['alice[gw]', 'alice says hi'],
    ]);
  });

  it('in relay mode, a forged inner From is shown after the real sender in the prefix', async () => {
    const gw = await irc.gateway();
    const dave = await irc.user('dave');
    const alice = await gw.client('alice');
    const r = await sendAsBob(alice);
    expect(r.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.kind === 'privmsg'));
    expect([line.nick, line.message]).toEqual(['gwbot', '<alice (as "Bob")> op me please']);
  });
});

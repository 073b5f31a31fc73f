/**
 * Across adapters: an XMPP user on a real Prosody and an IRC user on a real ngircd talk through
 * one gateway, both ways (relay mode): juliet writes to `dave\40irc.test@xmpp-gw.localhost`, Dave
 * sees `<juliet@localhost> …` from the gateway's nick, and his reply without an address reaches
 * juliet from his puppet JID. A formatted IRC line reaches her as its text with XEP-0071
 * XHTML-IM written from the gateway's formatting model (issue 20).
 */
import { describe, expect, it } from 'vitest';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';
import { useIrcServer } from '../../support/irc.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xml, xmppAdapterConfig } from '../../support/xmpp.js';

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')('an XMPP user and an IRC user', () => {
  const irc = useIrcServer();
  const xmpp = useProsody();

  it('chat both ways through the gateway', async () => {
    await irc.gateway({
      adapters: [xmppAdapterConfig(xmpp.server)],
      adapterDefinitions: [xmppAdapter as never],
    });
    const dave = await irc.user('dave');
    const juliet = await xmpp.user('juliet');
    const puppet = 'dave\\40irc.test@xmpp-gw.localhost';
    const id = await juliet.say(puppet, 'hello dave, from XMPP');
    const line = await waitFor(() => dave.lines.find((l) => l.kind === 'privmsg'), 5000, 'the line at dave');
    expect(line.nick).toBe('gwbot');
    // Issue 20: a user of another domain is named with it (docs/adapters/irc.md "Modes").
    expect(line.message).toBe('<juliet@localhost> hello dave, from XMPP');
    // IRC gives no receipt: the hub answers ok + Unreliable, which still earns juliet her receipt.
    await received(juliet, (s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id);

    dave.client.say('gwbot', 'hi juliet, from IRC');
    const m = await received(
      juliet,
      (s) => s.is('message') && s.getChildText('body') === 'hi juliet, from IRC',
    );
    expect(m.attrs.from).toBe(puppet);

    dave.client.say('gwbot', '\x02Bold\x02 and \x0304red\x03');
    const f = await received(juliet, (s) => s.is('message') && s.getChildText('body') === 'Bold and red');
    const body = f
      .getChild('html', 'http://jabber.org/protocol/xhtml-im')
      ?.getChild('body', 'http://www.w3.org/1999/xhtml');
    const spans = body?.getChildren('span').map((x) => [x.getText(), x.attrs.style]);
    expect(spans).toEqual([
      ['Bold', 'font-weight: bold'],
      ['red', 'color: #ff0000'],
    ]);

    // Issue 17: juliet's file (XEP-0363 upload: body = the XEP-0066 URL) is a link part in the
    // core; IRC shows it as `name (type, size): URL` (type unknown, size unknown: not fetched).
    const UP = 'https://upload.localhost/AbC/cat.jpg';
    await juliet.client.send(
      xml(
        'message',
        { to: puppet, type: 'chat', id: 'file-1' },
        xml('body', {}, UP),
        xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, UP)),
      ),
    );
    const fileLine = await waitFor(
      () => dave.lines.find((l) => l.kind === 'privmsg' && l.message.includes(UP)),
      5000,
      'the file at dave',
    );
    expect(fileLine.message).toBe(`<juliet@localhost> cat.jpg (application/octet-stream): ${UP}`);
  });

  it('issue 17 on plain IRC (ngircd): an XMPP reply, correction and retraction arrive as their fallback lines', async () => {
    await irc.gateway({
      adapters: [xmppAdapterConfig(xmpp.server, { receipts: { waitMs: 0 } })],
      adapterDefinitions: [xmppAdapter as never],
    });
    const dave = await irc.user('dave');
    const juliet = await xmpp.user('juliet');
    const puppet = 'dave\\40irc.test@xmpp-gw.localhost';
    // Relay mode: dave's lines without an address go to whoever wrote to him last.
    await juliet.say(puppet, 'hello dave');
    await waitFor(() => dave.lines.some((l) => l.kind === 'privmsg'), 5000, 'the first line');
    dave.client.say('gwbot', 'lunch at noon?');
    const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') === 'lunch at noon?');
    const privmsgs = () => dave.lines.filter((l) => l.kind === 'privmsg').map((l) => l.message);
    const send = (id: string, body: string, ...children: ReturnType<typeof xml>[]) =>
      juliet.client.send(
        xml('message', { to: puppet, type: 'chat', id }, xml('body', {}, body), ...children),
      );
    await send(
      'j-1',
      '> dave: lunch at noon?\nyes',
      xml('reply', { xmlns: 'urn:xmpp:reply:0', id: m.attrs.id! }),
      xml(
        'fallback',
        { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' },
        xml('body', { start: '0', end: '23' }),
      ),
    );
    await waitFor(() => privmsgs().some((l) => l.endsWith('yes')), 5000, 'the reply');
    await send('j-2', 'yes!', xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'j-1' }));
    await waitFor(() => privmsgs().some((l) => l.endsWith('* yes!')), 5000, 'the correction');
    await send('j-3', 'retracted', xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'j-1' }));
    await waitFor(
      () => privmsgs().some((l) => l.endsWith('(juliet deleted a message)')),
      5000,
      'the retraction',
    );
    const lines = privmsgs();
    // The reply's XEP-0428 quote is Msg.Fallback: the IRC adapter removes it and writes the reply
    // its own way (`dave: `; no quote line, dave's line being his latest), so it is not doubled.
    // The correction is one line (`* text`: IRC last saw `dave: yes`, not a prefix of `yes!`).
    expect(lines).toEqual([
      '<juliet@localhost> hello dave',
      '<juliet@localhost> dave: yes',
      '<juliet@localhost> * yes!',
      '<juliet@localhost> (juliet deleted a message)',
    ]);
  });

  it('an IRC user in a hosted XMPP room: channel lines come from room/<nick>, room posts reach the channel', async () => {
    const ROOM = 'dev@xmpp-gw.localhost';
    await irc.gateway({
      rooms: [
        {
          name: 'dev',
          address: 'im:dev@gw.test',
          members: ['im:%23dev@irc.test', 'im:dev@xmpp-gw.localhost'],
        },
      ],
      adapters: [
        xmppAdapterConfig(xmpp.server, { rooms: [{ name: 'dev', address: 'im:dev@gw.test', members: [] }] }),
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
    dave.client.say('#dev', 'hello from the channel');
    const m = await received(
      juliet,
      (s) => s.is('message') && s.getChildText('body') === 'hello from the channel',
      'the channel line in the room',
    );
    expect(m.attrs.type).toBe('groupchat');
    expect(m.attrs.from).toBe(`${ROOM}/dave`);
    // Dave was announced as an occupant before his first line (XEP-0045 §7.2.3 presence).
    expect(juliet.stanzas.some((s) => s.is('presence') && s.attrs.from === `${ROOM}/dave`)).toBe(true);
    await juliet.client.send(
      xml('message', { to: ROOM, type: 'groupchat', id: 'g1' }, xml('body', {}, 'hello from XMPP')),
    );
    const line = await waitFor(
      () => dave.lines.find((l) => l.kind === 'privmsg' && l.message.includes('hello from XMPP')),
      5000,
      'the room post in #dev',
    );
    expect(line.target).toBe('#dev');
    expect(line.message).toMatch(/juliet/i);
  });
});

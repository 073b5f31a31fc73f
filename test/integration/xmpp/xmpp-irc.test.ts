/**
 * Across adapters: an XMPP user on a real Prosody and an IRC user on a real ngircd talk through
 * one gateway, both ways (relay mode): juliet writes to `dave\40irc.test@xmpp-gw.localhost`, Dave
 * sees `<juliet> …` from the gateway's nick, and his reply without an address reaches
 * juliet from his puppet JID. A formatted IRC line reaches her as its text with XEP-0071
 * XHTML-IM written from the gateway's formatting model (issue 20).
 */
import { describe, expect, it } from 'vitest';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';
import { useIrcServer } from '../../support/irc.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xmppAdapterConfig } from '../../support/xmpp.js';

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
    expect(line.message).toBe('<juliet> hello dave, from XMPP');
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
  });
});

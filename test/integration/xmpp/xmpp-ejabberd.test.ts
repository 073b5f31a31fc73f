/**
 * The basic chat and presence paths against ejabberd from Debian (23.01) instead of Prosody
 * (issue 16: "at least the basic chat and presence path also against ejabberd"): the component
 * handshake on an `ejabberd_service` listener, chat both ways with receipts and an unknown user's
 * error, and presence both ways.
 */
import { describe, expect, it } from 'vitest';
import { ejabberdInstalled } from '../../support/ejabberd.js';
import { h, listenAs, sendText } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { PIDF, pidf } from '../../support/presence-documents.js';
import { publish } from '../../support/presence.js';
import { answerReceipts, received, useEjabberd, xml } from '../../support/xmpp.js';

const PUPPET_CAROL = 'carol\\40gw.test@xmpp-gw.localhost';

describe.skipIf(!ejabberdInstalled() && process.env['CI'] !== 'true')('XMPP adapter against ejabberd', () => {
  const xmpp = useEjabberd();

  it('chat both ways: XMPP → hub with a receipt, hub → XMPP confirmed by the client, unknown user refused', async () => {
    const gw = await xmpp.gateway();
    const got = await listenAs(gw, 'carol');
    const juliet = await xmpp.user('juliet');
    const id = await juliet.say(PUPPET_CAROL, 'hello from ejabberd');
    const cmd = await waitFor(() => got[0], 5000, 'the send at carol');
    expect(h(cmd.headers, 'Sender')).toBe('im:juliet@localhost');
    expect(
      Buffer.from(cmd.payload ?? [])
        .toString()
        .endsWith('hello from ejabberd'),
    ).toBe(true);
    await received(juliet, (s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id);

    answerReceipts(juliet);
    const carol = await gw.client('carol');
    const r = await sendText(carol, 'im:carol@gw.test', 'im:juliet@localhost', 'hi juliet');
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Unreliable')).toBeUndefined();
    const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') === 'hi juliet');
    expect(m.attrs.from).toBe(PUPPET_CAROL);

    const bad = await sendText(carol, 'im:carol@gw.test', 'im:nosuchuser@localhost', 'hello?');
    expect(bad.status).toBe('error');
    expect(h(bad.headers, 'Error-Type')).toBe('no-listeners');
  });

  it('presence both ways: published from XMPP, subscribed to a puppet from XMPP', async () => {
    const gw = await xmpp.gateway();
    const carol = await gw.client('carol', 'pitp');
    await publish(carol, 'pres:carol@gw.test', pidf('pres:carol@gw.test', 'open'), PIDF, true);
    const juliet = await xmpp.user('juliet');
    await juliet.client.send(xml('presence', { to: PUPPET_CAROL }, xml('status', {}, 'on ejabberd')));
    let text = '';
    for (const end = Date.now() + 5000; Date.now() < end && !text.includes('on ejabberd');) {
      const a = await carol.command('fetch', [
        ['Watcher', 'pres:carol@gw.test'],
        ['Presentity', 'pres:juliet@localhost'],
      ]);
      text = a.status === 'ok' ? Buffer.from(a.payload ?? []).toString() : '';
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(text).toMatch(/<basic>open<\/basic>/);
    expect(text).toContain('on ejabberd');

    await juliet.client.send(xml('presence', { to: PUPPET_CAROL, type: 'subscribe' }));
    await received(juliet, (s) => s.is('presence') && s.attrs.type === 'subscribed');
    await received(
      juliet,
      (s) => s.is('presence') && s.attrs.type === undefined && (s.attrs.from ?? '').startsWith(PUPPET_CAROL),
    );
  });
});

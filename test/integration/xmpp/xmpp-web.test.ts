/**
 * Across adapters: a web chat user (the WebSocket adapter, a `ws` client speaking the page's
 * protocol) and an XMPP user on a real Prosody talk through one gateway, both ways: the web
 * user writes to `im:juliet@localhost`, juliet sees it from the web user's puppet JID and answers
 * it; the web user sees her answer from `im:juliet@localhost`.
 */
import { describe, expect, it } from 'vitest';
import { websocketAdapter } from '../../../adapters/websocket/index.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { signIn, TOKENS, webAdapterEntry, wsUrlOf } from '../../support/websocket.js';
import { answerReceipts, received, useProsody, xml } from '../../support/xmpp.js';

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')('a web user and an XMPP user', () => {
  const xmpp = useProsody();

  it('chat both ways through the gateway, with a receipt confirming the web send', async () => {
    const gw = await xmpp.gateway({
      adapters: [webAdapterEntry('web.test')],
      adapterDefinitions: [websocketAdapter as never],
    });
    const alice = await signIn(wsUrlOf(gw), TOKENS.alice);
    const juliet = await xmpp.user('juliet');
    answerReceipts(juliet);
    const r = await alice.request({ type: 'send', to: 'im:juliet@localhost', text: 'hello juliet ✓' }, 5000);
    expect(r).toMatchObject({ type: 'result', status: 'ok' });
    expect(r).not.toHaveProperty('unreliable');
    const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') !== null);
    expect(m.attrs.from).toBe('alice\\40web.test@xmpp-gw.localhost');
    expect(m.getChildText('body')).toBe('hello juliet ✓');

    await juliet.say(m.attrs.from!, 'hello alice, from XMPP');
    const back = await alice.waitFor((f) => f.type === 'message', 5000);
    expect(back).toMatchObject({ from: 'im:juliet@localhost', text: 'hello alice, from XMPP' });

    // Issue 17: juliet's file (XEP-0363 upload: body = the XEP-0066 URL) reaches the page as a
    // file with its foreign link (no preview: the page previews only the gateway store's files).
    const UP = 'https://upload.localhost/AbC/cat.jpg';
    await juliet.client.send(
      xml(
        'message',
        { to: m.attrs.from!, type: 'chat', id: 'file-1' },
        xml('body', {}, UP),
        xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, UP)),
      ),
    );
    const file = await alice.waitFor((f) => f.type === 'message' && f !== back, 5000);
    expect(file).toMatchObject({
      from: 'im:juliet@localhost',
      text: '',
      attachments: [{ name: 'cat.jpg', type: 'application/octet-stream', url: UP }],
    });
  });
});

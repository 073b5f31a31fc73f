/**
 * Issue 13 defect 3 through a real gateway and the web adapter: nobody speaks for someone else.
 * (a) a hub client posting to a room with someone else's Orig-Sender is refused and no web user
 * sees the post; (b) a direct message whose inner CPIM From names someone else shows the real
 * sender, with the claim after it.
 */
import { describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { TOKENS, signIn, useWebGateways } from '../support/websocket.js';
import { h, sendText } from '../support/hub-calls.js';

describe('identity on the web (issue 13 defect 3)', () => {
  const startWeb = useWebGateways();

  it("(a) a hub client's room post with another author's Orig-Sender is refused; nobody sees it", async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    const bob = await signIn(web.ws, TOKENS.bob);
    expect(await alice.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(await bob.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    const hubCarol = await web.gw.client('carol', 'imtp', (_cmd: CommandFrame) => ({
      status: 'ok',
      headers: [],
    }));
    expect((await hubCarol.command('listen', [['Inbox', 'im:carol@gw.test']])).status).toBe('ok');

    const forged = await sendText(hubCarol, 'im:carol@gw.test', 'im:lobby@gw.test', 'I am alice', [
      ['Orig-Sender', 'im:alice@web.test'],
    ]);
    expect(forged.status).toBe('error');
    expect(h(forged.headers, 'Error-Type')).toBe('source-authorization');
    expect(h(forged.headers, 'Error-Description')).toContain('im:alice@web.test');

    // Her own post arrives, as hers: and it is the first message bob sees.
    expect((await sendText(hubCarol, 'im:carol@gw.test', 'im:lobby@gw.test', 'I am carol')).status).toBe(
      'ok',
    );
    const seen = await bob.waitFor((f) => f.type === 'message');
    expect(seen).toMatchObject({ room: 'lobby', from: 'im:carol@gw.test', text: 'I am carol' });
    // Alice, whom the forged header named, was not skipped either.
    expect(await alice.waitFor((f) => f.type === 'message')).toMatchObject({ from: 'im:carol@gw.test' });
    await hubCarol.close();
  });

  it('(b) a direct message whose inner From names someone else shows the real sender', async () => {
    const web = await startWeb();
    const alice = await signIn(web.ws, TOKENS.alice);
    const hubCarol = await web.gw.client('carol', 'imtp', (_cmd: CommandFrame) => ({
      status: 'ok',
      headers: [],
    }));
    const cpim = Buffer.from(
      'From: Bob <im:bob@gw.test>\r\nTo: <im:alice@web.test>\r\n\r\n' +
        'Content-Type: text/plain; charset=UTF-8\r\n\r\nplease reset my password',
    );
    const a = await sendText(hubCarol, 'im:carol@gw.test', 'im:alice@web.test', cpim, [
      ['Content-Type', 'message/cpim'],
    ]);
    expect(a.status).toBe('ok');
    expect(await alice.waitFor((f) => f.type === 'message')).toMatchObject({
      from: 'im:carol@gw.test',
      text: '(as "Bob") please reset my password',
    });
    await hubCarol.close();
  });
});

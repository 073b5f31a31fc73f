/**
 * The web chat page in a real browser (docs/architecture.md part 10): Debian's chromium driven by
 * playwright-core against a real gateway. Two browser users chat in a room and see each other's
 * presence; a browser user and a hub (IMTP) client talk, also across a dropped connection; a
 * message to an unknown user shows as failed with the reason. Screenshots go to test-results/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { say, useBrowser } from '../support/browser.js';
import { TOKENS, useWebGateways } from '../support/websocket.js';
import { sendText } from '../support/hub-calls.js';

/** The last own message with `text`, once its status is `status`. */
function ownMessage(page: Page, text: string, status: string) {
  return page.locator(`li.message.own[data-status="${status}"]`, { hasText: text });
}

describe('web chat page in chromium', () => {
  const startWeb = useWebGateways();
  const browser = useBrowser();
  const signedIn = (url: string, token: string) => browser.signedIn(url, token);
  const start = async () => ({ web: await startWeb({ deliveryTimeoutMs: 2000 }) });

  it('two browser users chat in a room and see each other’s presence', async () => {
    const { web } = await start();
    const alice = await signedIn(web.http, TOKENS.alice);
    const bob = await signedIn(web.http, TOKENS.bob);
    await alice.click('li[data-key="room:lobby"]');
    await bob.click('li[data-key="room:lobby"]');
    // Each sees the other in the room's member list, online.
    await alice.waitForSelector('#members li[data-member="im:bob@web.test"] .dot[data-state="online"]');
    await bob.waitForSelector('#members li[data-member="im:alice@web.test"] .dot[data-state="online"]');

    await say(alice, 'Hello lobby, this is Alice');
    await bob.locator('li.message', { hasText: 'Hello lobby, this is Alice' }).waitFor();
    await ownMessage(alice, 'Hello lobby, this is Alice', 'delivered').waitFor();
    await say(bob, 'Hi Alice! Bob here.');
    await alice.locator('li.message', { hasText: 'Hi Alice! Bob here.' }).waitFor();
    const meta = await alice.locator('li.message:not(.own) .meta').last().innerText();
    expect(meta).toMatch(/bob\s+web\.test\s+\d{1,2}:\d{2}/);

    await bob.selectOption('#my-state', 'away');
    await bob.fill('#my-note', 'in a meeting');
    await bob.press('#my-note', 'Enter');
    await bob.locator('#my-note').blur();
    await alice.waitForSelector('#members li[data-member="im:bob@web.test"] .dot[data-state="away"]');
    await alice.locator('#members li[data-member="im:bob@web.test"]', { hasText: 'in a meeting' }).waitFor();
    await browser.screenshot(alice, 'websocket-room');

    await bob.context().close();
    await alice.locator('#members li[data-member="im:bob@web.test"]').waitFor({ state: 'detached' });
  });

  it('a browser user and a hub client talk, also after the connection drops', async () => {
    const { web } = await start();
    const got: CommandFrame[] = [];
    const hubBob = await web.gw.client('bob', 'imtp', (c) => {
      got.push(c);
      return { status: 'ok', headers: [] };
    });
    await hubBob.command('listen', [['Inbox', 'im:bob@gw.test']]);
    const alice = await signedIn(web.http, TOKENS.alice);
    await alice.fill('#new-direct-to', 'im:bob@gw.test');
    await alice.press('#new-direct-to', 'Enter');
    await say(alice, 'Hi hub Bob, from the browser');
    await ownMessage(alice, 'Hi hub Bob, from the browser', 'delivered').waitFor();
    expect(Buffer.from(got[0]!.payload!).toString()).toContain('Hi hub Bob, from the browser');

    const answer = await sendText(
      hubBob,
      'im:bob@gw.test',
      'im:alice@web.test',
      'Hello browser, hub Bob here',
    );
    expect(answer.status).toBe('ok');
    const reply = alice.locator('li.message', { hasText: 'Hello browser, hub Bob here' });
    await reply.waitFor();
    expect(await reply.locator('.network').innerText()).toBe('gw.test');

    // The gateway drops every web connection: the page reconnects by itself and carries on.
    for (const s of web.adapter.chat.sessions) s.close(1012, 'service restart');
    await alice.waitForSelector('#conn[data-state="reconnecting"]');
    await alice.waitForSelector('#conn[data-state="online"]', { timeout: 8000 });
    await say(alice, 'Still here after the drop');
    await ownMessage(alice, 'Still here after the drop', 'delivered').waitFor();
    expect(got.map((c) => Buffer.from(c.payload!).toString()).join('\n')).toContain(
      'Still here after the drop',
    );
    await browser.screenshot(alice, 'websocket-hub');
  });

  it('a message to an unknown user shows as failed with the reason', async () => {
    const { web } = await start();
    const alice = await signedIn(web.http, TOKENS.alice);
    await alice.fill('#new-direct-to', 'nobody');
    await alice.press('#new-direct-to', 'Enter');
    await say(alice, 'Is anyone there?');
    const failed = ownMessage(alice, 'Is anyone there?', 'failed');
    await failed.waitFor();
    expect(await failed.locator('.status').innerText()).toBe('failed: target-not-found (no web user nobody)');
    await browser.screenshot(alice, 'websocket-failed');
  });
});

/**
 * Issue 15 on the web chat page, in Chromium (test/support/browser.ts) against a real gateway and
 * its SQLite store: a room's history and the direct conversations come back after a reload,
 * scrolling up loads older messages, a tab whose socket the gateway closed catches up with what
 * came meanwhile (each message once, in order), a message to a web user who is away shows as
 * stored and reaches them once when they sign in, and an expiry report marks the message.
 *
 * Rooms' history is written by the router as posts pass through it (another part of issue 15);
 * here the test writes those records into the store itself, as the router does.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildMessage } from '../../adapters/websocket/translate.js';
import { makeAddress } from '../../src/model/index.js';
import type { Store } from '../../src/store/types.js';
import { say, useBrowser } from '../support/browser.js';
import { listenAs, sendText } from '../support/hub-calls.js';
import { TOKENS, useWebGateways, type WebGateway } from '../support/websocket.js';

const TEXT = [['Content-Type', 'text/plain; charset=UTF-8']] as const;

async function seedLobby(store: Store, from: number, n: number): Promise<void> {
  const carol = makeAddress('im', 'carol', 'gw.test');
  const lobby = makeAddress('im', 'lobby', 'gw.test');
  for (let i = from; i < from + n; i++)
    await store.appendHistory({
      id: `lobby-${i}`,
      conversation: lobby.uri,
      time: Date.now(),
      source: carol.uri,
      destination: lobby.uri,
      contentType: 'message/cpim',
      payload: buildMessage(carol, lobby, `m${i}`, new Date()),
    });
}

/** The texts of the messages the open conversation shows, in order. */
const shown = (page: Page) => page.locator('#messages li.message .text').allInnerTexts();

async function openDirect(page: Page, who: string): Promise<void> {
  await page.fill('#new-direct-to', who);
  await page.press('#new-direct-to', 'Enter');
}

describe('web chat history on the page', () => {
  const startWeb = useWebGateways();
  const browser = useBrowser();
  const start = (gateway: Record<string, unknown> = {}): Promise<WebGateway> =>
    startWeb({ deliveryTimeoutMs: 2000 }, gateway);

  it('shows a room’s history and the direct conversations again after a reload, older on scrolling up', async () => {
    const web = await start();
    await seedLobby(web.gw.gateway.store!, 0, 120);
    await listenAs(web.gw, 'bob');
    const bob = await web.gw.client('bob');
    const alice = await browser.signedIn(web.http, TOKENS.alice);
    await alice.click('li[data-key="room:lobby"]');
    await alice.locator('#messages li.message', { hasText: 'm119' }).waitFor();
    expect(await shown(alice)).toEqual(Array.from({ length: 50 }, (_, i) => `m${70 + i}`));

    await openDirect(alice, 'im:bob@gw.test');
    await say(alice, 'hello hub bob');
    await alice.locator('li.message.own[data-status="delivered"]', { hasText: 'hello hub bob' }).waitFor();
    expect(
      (await sendText(bob, 'im:bob@gw.test', 'im:alice@web.test', 'hi browser alice', TEXT)).status,
    ).toBe('ok');
    await alice.locator('li.message', { hasText: 'hi browser alice' }).waitFor();

    await alice.reload();
    await alice.waitForSelector('#conn[data-state="online"]');
    await alice.click('li[data-key="direct:im:bob@gw.test"]');
    await alice.locator('li.message', { hasText: 'hi browser alice' }).waitFor();
    expect(await shown(alice)).toEqual(['hello hub bob', 'hi browser alice']);
    await alice.click('li[data-key="room:lobby"]');
    await alice.locator('#messages li.message', { hasText: 'm119' }).waitFor();
    // Scrolling to the top loads the messages before, until the first one.
    for (let i = 0; i < 10 && !(await shown(alice)).includes('m0'); i++) {
      const count = (await shown(alice)).length;
      await alice.locator('#messages').evaluate((e) => e.scrollTo(0, 0));
      await expect.poll(async () => (await shown(alice)).length).toBeGreaterThan(count);
    }
    expect(await shown(alice)).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));
    await alice.locator('#load-older').waitFor({ state: 'detached' });
    await browser.screenshot(alice, 'web-history-room');
  });

  it('catches a tab whose socket the gateway closed up with what came meanwhile, each once', async () => {
    const web = await start();
    const store = web.gw.gateway.store!;
    await seedLobby(store, 0, 3);
    const bob = await web.gw.client('bob');
    const alice = await browser.signedIn(web.http, TOKENS.alice);
    await alice.click('li[data-key="room:lobby"]');
    await alice.locator('#messages li.message', { hasText: 'm2' }).waitFor();
    await openDirect(alice, 'im:bob@gw.test');
    await sendText(bob, 'im:bob@gw.test', 'im:alice@web.test', 'r1', TEXT);
    await alice.locator('li.message', { hasText: 'r1' }).waitFor();

    // The page cannot reconnect while offline: what comes meanwhile it must catch up with.
    await alice.context().setOffline(true);
    for (const s of web.adapter.chat.sessions) s.close(1012, 'service restart');
    await alice.waitForSelector('#conn[data-state="reconnecting"]');
    for (const t of ['r2', 'r3'])
      expect((await sendText(bob, 'im:bob@gw.test', 'im:alice@web.test', t, TEXT)).status).toBe('ok');
    await seedLobby(store, 3, 2);
    await alice.context().setOffline(false);
    await alice.waitForSelector('#conn[data-state="online"]', { timeout: 20_000 });

    await alice.locator('li.message', { hasText: 'r3' }).waitFor();
    expect(await shown(alice)).toEqual(['r1', 'r2', 'r3']);
    await alice.click('li[data-key="room:lobby"]');
    await alice.locator('#messages li.message', { hasText: 'm4' }).waitFor();
    expect(await shown(alice)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await browser.screenshot(alice, 'web-history-catch-up');
  });

  it('shows a message to a web user who is away as stored; they get it once when they sign in', async () => {
    const web = await start();
    const alice = await browser.signedIn(web.http, TOKENS.alice);
    await openDirect(alice, 'dave');
    await say(alice, 'see you later, dave');
    const stored = alice.locator('li.message.own[data-status="stored"]', { hasText: 'see you later, dave' });
    await stored.waitFor();
    expect(await stored.locator('.status').innerText()).toBe('stored, will be delivered when dave is back');
    await browser.screenshot(alice, 'web-history-stored');

    const dave = await browser.signedIn(web.http, TOKENS.dave);
    await dave.click('li[data-key="direct:im:alice@web.test"]');
    await dave.locator('li.message', { hasText: 'see you later, dave' }).waitFor();
    expect(await shown(dave)).toEqual(['see you later, dave']);
    await dave.reload();
    await dave.waitForSelector('#conn[data-state="online"]');
    await dave.click('li[data-key="direct:im:alice@web.test"]');
    await dave.locator('li.message', { hasText: 'see you later, dave' }).waitFor();
    expect(await shown(dave)).toEqual(['see you later, dave']);
    expect(await web.gw.gateway.store!.countOffline('im:dave@web.test')).toBe(0);
  });

  it('marks a message that expired unread with the report', async () => {
    const web = await start();
    const alice = await browser.signedIn(web.http, TOKENS.alice);
    await openDirect(alice, 'dave');
    await say(alice, 'this will expire');
    await alice.locator('li.message.own[data-status="stored"]').waitFor();
    // What the router's expiry timer sends when it expires (src/router/offline-expiry.ts).
    const [kept] = await web.gw.gateway.store!.readOffline('im:dave@web.test', 1);
    const postmaster = makeAddress('im', 'postmaster', 'web.test');
    const answer = await web.adapter.chat.ctx.hub.send({
      sender: postmaster.uri,
      inbox: 'im:alice@web.test',
      payload: buildMessage(postmaster, makeAddress('im', 'alice', 'web.test'), 'expired', new Date()),
      contentType: 'message/cpim',
      headers: [
        ['Report', 'expired'],
        ['Report-For', kept!.id],
        ['Orig-Inbox', 'im:dave@web.test'],
      ],
    });
    expect(answer.status).toBe('ok');
    const expired = alice.locator('li.message.own[data-status="expired"]', { hasText: 'this will expire' });
    await expired.waitFor();
    expect(await expired.locator('.status').innerText()).toBe('not delivered: dave did not read it in time');
    await browser.screenshot(alice, 'web-history-expired');
  });
});

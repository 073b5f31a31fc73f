/**
 * Issue 15 in the web chat protocol (version 2), with `ws` clients against a real gateway and its
 * SQLite store: direct conversations kept both ways with their octets, `history` paging by cursor,
 * a room's last messages on `join` and catching up after a reconnect, who may read what, offline
 * delivery to web users (kept, `Stored: offline`, delivered once on the next sign-in, also after a
 * restart on the same file), expiry reports, and a store that cannot write answered `resources`.
 *
 * Rooms' history is written by the router as posts pass through it (another part of issue 15);
 * the room tests here write the same records into the store themselves, as the router does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../../adapters/websocket/translate.js';
import type { HistoryFrame, ServerFrame } from '../../adapters/websocket/protocol.js';
import { directConversation } from '../../src/store/conversation.js';
import type { Store } from '../../src/store/types.js';
import { makeAddress } from '../../src/model/index.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';
import { signIn, startWebGateway, TOKENS, useWebGateways, type WebGateway } from '../support/websocket.js';

const ALICE = 'im:alice@web.test';
const TEXT = [['Content-Type', 'text/plain; charset=UTF-8']] as const;

const v2 = (web: WebGateway, token: string, autoAck = true) => signIn(web.ws, token, autoAck, 2);

/** The report the router sends when a message kept for a web user expires, through the adapter's own port. */
function expiryReport(web: WebGateway, to: string, forId: string) {
  const postmaster = makeAddress('im', 'postmaster', 'web.test');
  const [local, domain] = to.slice(3).split('@') as [string, string];
  return web.adapter.chat.ctx.hub.send({
    sender: postmaster.uri,
    inbox: to,
    payload: buildMessage(postmaster, makeAddress('im', local, domain), 'expired unread', new Date()),
    contentType: 'message/cpim',
    headers: [
      ['Report', 'expired'],
      ['Report-For', forId],
      ['Orig-Inbox', 'im:dave@web.test'],
    ],
  });
}
const storeOf = (web: WebGateway): Store => web.gw.gateway.store!;
const isHistory = (f: ServerFrame): f is HistoryFrame => f.type === 'history';
const texts = (f: ServerFrame) => (f as HistoryFrame).messages.map((m) => m.text);

/** What the router keeps for a room post (conversation = the room's URI). */
async function seedRoom(store: Store, room: string, n: number, from = 0): Promise<void> {
  const carol = makeAddress('im', 'carol', 'gw.test');
  const to = makeAddress('im', room, 'gw.test');
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.appendHistory({
        id: `seed-${room}-${from + i}`,
        conversation: to.uri,
        time: Date.now(),
        source: carol.uri,
        destination: to.uri,
        contentType: 'message/cpim',
        payload: buildMessage(carol, to, `m${from + i}`, new Date()),
      }),
    ),
  );
}

describe('web chat history and offline delivery', () => {
  const startWeb = useWebGateways();

  it('keeps a direct conversation both ways with its octets, and pages back by cursor', async () => {
    const web = await startWeb();
    const got = await listenAs(web.gw, 'bob');
    const bob = await web.gw.client('bob');
    const alice = await v2(web, TOKENS.alice);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await alice.request({ type: 'send', to: 'im:bob@gw.test', text: `a${i}` });
      expect(r).toMatchObject({ status: 'ok', messageId: expect.any(String) });
      ids.push((r as { messageId: string }).messageId);
      expect(await sendText(bob, 'im:bob@gw.test', ALICE, `b${i}`, TEXT)).toMatchObject({ status: 'ok' });
    }
    // The id the adapter gave each send is the one the hub client got (Message-ID).
    expect(got.map((c) => h(c.headers, 'Message-ID'))).toEqual(ids);
    const live = alice.frames.filter((f) => f.type === 'message');
    expect(live.map((f) => f.type === 'message' && f.cursor !== undefined)).toEqual([true, true, true]);

    const page = await alice.request({ type: 'history', conversation: 'im:bob@gw.test', limit: 4 });
    expect(page).toMatchObject({ type: 'history', conversation: 'im:bob@gw.test', more: true });
    expect(texts(page)).toEqual(['a1', 'b1', 'a2', 'b2']);
    const first = (page as HistoryFrame).messages[0]!;
    expect(first).toMatchObject({ id: ids[1], own: true, from: ALICE, to: 'im:bob@gw.test' });
    const older = await alice.request({ type: 'history', conversation: 'bob@gw.test', before: first.cursor });
    expect(texts(older)).toEqual(['a0', 'b0']);
    expect(older).toMatchObject({ more: false });

    // The octets the hub client got are the ones kept (docs/cpim.md row 34).
    const kept = await storeOf(web).readHistory(directConversation(ALICE, 'im:bob@gw.test'), { limit: 10 });
    const sent = kept.filter((r) => r.source === ALICE);
    expect(sent.map((r) => Buffer.from(r.payload))).toEqual(got.map((c) => Buffer.from(c.payload!)));
    expect(sent.every((r) => r.contentType === 'message/cpim' && r.destination === 'im:bob@gw.test')).toBe(
      true,
    );
  });

  it('sends a room’s last messages on join, pages back, and catches up after a reconnect', async () => {
    const web = await startWeb({ history: { onJoin: 50, maxCatchUp: 100 } });
    await seedRoom(storeOf(web), 'lobby', 120);
    const alice = await v2(web, TOKENS.alice);
    expect(await alice.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    const joined = await alice.waitFor(isHistory);
    expect(joined).toMatchObject({ conversation: 'im:lobby@gw.test', room: 'lobby', more: true });
    expect(texts(joined)).toEqual(Array.from({ length: 50 }, (_, i) => `m${70 + i}`));
    let before = joined.messages[0]!.cursor;
    const seen = [...texts(joined)];
    for (;;) {
      const page = (await alice.request({
        type: 'history',
        conversation: 'im:lobby@gw.test',
        before,
      })) as HistoryFrame;
      seen.unshift(...texts(page));
      if (!page.more) break;
      before = page.messages[0]!.cursor;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));

    // A reconnecting page names the last cursor it saw: it gets what came since, once.
    const last = joined.messages.at(-1)!.cursor;
    alice.close();
    await seedRoom(storeOf(web), 'lobby', 3, 120);
    const again = await v2(web, TOKENS.alice);
    await again.request({ type: 'join', room: 'lobby', after: last });
    const caught = await again.waitFor(isHistory);
    expect(texts(caught)).toEqual(['m120', 'm121', 'm122']);
    expect(caught.reset).toBeUndefined();
    // Too far behind (more than maxCatchUp): the latest page instead, marked reset.
    const far = await v2(web, TOKENS.alice);
    await far.request({ type: 'join', room: 'lobby', after: '0' });
    const reset = await far.waitFor(isHistory);
    expect(reset).toMatchObject({ reset: true, more: true });
    expect(texts(reset).at(-1)).toBe('m122');

    // A version-1 page gets no history frame it did not ask for.
    const old = await signIn(web.ws, TOKENS.bob);
    expect(await old.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(await old.request({ type: 'leave', room: 'lobby' })).toMatchObject({ status: 'ok' });
    expect(old.frames.some((f) => f.type === 'history')).toBe(false);
  });

  it('reads only rooms the user may join and their own conversations', async () => {
    const web = await startWeb();
    await seedRoom(storeOf(web), 'staff', 2);
    const bob = await v2(web, TOKENS.bob);
    expect(await bob.request({ type: 'history', conversation: 'im:staff@gw.test' })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    expect(await bob.request({ type: 'join', room: 'staff' })).toMatchObject({
      errorType: 'target-authorization',
    });
    expect(bob.frames.some(isHistory)).toBe(false);
    const alice = await v2(web, TOKENS.alice);
    expect(texts(await alice.request({ type: 'history', conversation: 'im:staff@gw.test' }))).toEqual([
      'm0',
      'm1',
    ]);
    // bob's conversation with alice is his own key: he never reads alice's with someone else.
    await alice.request({ type: 'send', to: 'dave', text: 'for dave only' });
    expect(texts(await bob.request({ type: 'history', conversation: 'dave' }))).toEqual([]);
    expect(await bob.request({ type: 'history', conversation: 'mailto:x' })).toMatchObject({
      type: 'error',
      code: 'bad-frame',
    });
  });

  it('catches a tab that lost its socket up with what came meanwhile, no gap, no duplicate', async () => {
    const web = await startWeb();
    const bob = await web.gw.client('bob');
    const tabA = await v2(web, TOKENS.alice);
    const tabB = await v2(web, TOKENS.alice);
    await sendText(bob, 'im:bob@gw.test', ALICE, 'x1', TEXT);
    const x1 = await tabA.waitFor((f) => f.type === 'message' && f.text === 'x1');
    const cursor = x1.type === 'message' ? x1.cursor : undefined;
    expect(cursor).toBeDefined();
    // The gateway drops tab A; bob goes on writing, tab B is still there.
    const [sessionA] = [...web.adapter.chat.sessions];
    sessionA!.close(1012, 'service restart');
    await tabA.closed;
    for (const t of ['x2', 'x3'])
      expect((await sendText(bob, 'im:bob@gw.test', ALICE, t, TEXT)).status).toBe('ok');
    await tabB.waitFor((f) => f.type === 'message' && f.text === 'x3');
    const back = await v2(web, TOKENS.alice);
    const caught = await back.request({ type: 'history', conversation: 'im:bob@gw.test', after: cursor });
    expect(texts(caught)).toEqual(['x2', 'x3']);
  });

  it('keeps messages for a web user with no open tab and delivers them once, in order', async () => {
    const web = await startWeb();
    const alice = await v2(web, TOKENS.alice);
    const ids: string[] = [];
    for (const t of ['one', 'two', 'three']) {
      const r = await alice.request({ type: 'send', to: 'dave', text: t });
      expect(r).toMatchObject({ status: 'ok', stored: 'offline' });
      ids.push((r as { messageId: string }).messageId);
    }
    const hub = await web.gw.client('bob');
    const viaHub = await sendText(hub, 'im:bob@gw.test', 'im:dave@web.test', 'four', TEXT);
    expect(h(viaHub.headers, 'Stored')).toBe('offline');
    expect(await storeOf(web).countOffline('im:dave@web.test')).toBe(4);
    // Nobody by that name: still target-not-found, nothing kept.
    expect(await alice.request({ type: 'send', to: 'nobody', text: 'x' })).toMatchObject({
      errorType: 'target-not-found',
    });

    const dave = await v2(web, TOKENS.dave);
    const shown = async () => {
      await dave.waitFor((f) => f.type === 'message' && f.text === 'four');
      return dave.frames.filter((f) => f.type === 'message');
    };
    const frames = await shown();
    expect(frames.map((f) => (f.type === 'message' ? f.text : ''))).toEqual(['one', 'two', 'three', 'four']);
    expect(frames.slice(0, 3).map((f) => (f.type === 'message' ? f.id : ''))).toEqual(ids);
    for (let i = 0; i < 50 && (await storeOf(web).countOffline('im:dave@web.test')) > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await storeOf(web).countOffline('im:dave@web.test')).toBe(0);
    dave.close();
    await dave.closed;
    const daveAgain = await v2(web, TOKENS.dave);
    await daveAgain.request({ type: 'presence', state: 'online' });
    expect(daveAgain.frames.filter((f) => f.type === 'message')).toEqual([]);
    // The conversation is in dave's history too.
    expect(texts(await daveAgain.request({ type: 'history', conversation: 'alice' }))).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(await storeOf(web).getMapping('web:websocket:seen', 'dave')).toBeDefined();
  });

  it('honours the switches and the bound per inbox, and answers resources when the store fails', async () => {
    const web = await startWeb(
      { offline: { exclude: ['dave'] } },
      { storage: { path: ':memory:', offline: { maxPerInbox: 2 } } },
    );
    const alice = await v2(web, TOKENS.alice);
    expect(await alice.request({ type: 'send', to: 'dave', text: 'x' })).toMatchObject({
      errorType: 'no-listeners',
    });
    for (let i = 0; i < 2; i++)
      expect(await alice.request({ type: 'send', to: 'bob', text: `k${i}` })).toMatchObject({
        stored: 'offline',
      });
    expect(await alice.request({ type: 'send', to: 'bob', text: 'k2' })).toMatchObject({
      errorType: 'quota',
    });

    const none = await startWeb({}, { storage: { backend: 'none' } });
    const a2 = await v2(none, TOKENS.alice);
    expect(await a2.request({ type: 'send', to: 'bob', text: 'x' })).toMatchObject({
      errorType: 'no-listeners',
    });
    expect(await a2.request({ type: 'history', conversation: 'bob' })).toMatchObject({ code: 'unavailable' });

    await storeOf(web).close();
    const failed = await alice.request({ type: 'send', to: 'bob', text: 'not kept' });
    expect(failed).toMatchObject({ status: 'error', errorType: 'resources' });
    expect(
      web.gw.logs().some((l) => l.msg === 'message for an offline web user not kept' && l.level === 40),
    ).toBe(true);
  });

  it('shows an expiry report on the page; never keeps one; a user cannot forge one', async () => {
    const web = await startWeb();
    const alice = await v2(web, TOKENS.alice);
    const old = await signIn(web.ws, TOKENS.alice);
    const r = await alice.request({ type: 'send', to: 'dave', text: 'too late' });
    expect(r).toMatchObject({ stored: 'offline' });
    const [kept] = await storeOf(web).readOffline('im:dave@web.test', 1);
    expect(kept!.id).toBe((r as { messageId: string }).messageId);
    // What the router's expiry timer sends for it (src/router/offline-expiry.ts).
    const answer = await expiryReport(web, ALICE, kept!.id);
    expect(answer).toMatchObject({ status: 'ok' });
    expect(h(answer.headers, 'Unreliable')).toBe('web.test');
    expect(await alice.waitFor((f) => f.type === 'report')).toMatchObject({
      report: 'expired',
      for: kept!.id,
      inbox: 'im:dave@web.test',
      from: 'im:postmaster@web.test',
      text: 'expired unread',
    });
    // A version-1 page gets it as a message.
    expect(
      await old.waitFor((f) => f.type === 'message' && f.from.startsWith('im:postmaster@')),
    ).toMatchObject({
      from: 'im:postmaster@web.test',
      text: 'expired unread',
    });
    // Not kept for a user who is away.
    expect(h((await expiryReport(web, 'im:erin@web.test', 'x')).headers, 'Error-Type')).toBe(
      'target-not-found',
    );
    expect(h((await expiryReport(web, 'im:bob@web.test', 'x')).headers, 'Error-Type')).toBe('no-listeners');
    expect(await storeOf(web).countOffline('im:bob@web.test')).toBe(0);
    // A hub user's send with a Report header is refused by the router (docs/hub-protocol.md
    // part 4 row 34): nobody can make the page show a forged report.
    const bob = await web.gw.client('bob');
    const forged = await sendText(bob, 'im:bob@gw.test', ALICE, 'not a report', [
      ...TEXT,
      ['Report', 'expired'],
    ]);
    expect(h(forged.headers, 'Error-Type')).toBe('source-authorization');
    await sendText(bob, 'im:bob@gw.test', ALICE, 'plain', [...TEXT]);
    expect(await alice.waitFor((f) => f.type === 'message' && f.text === 'plain')).toMatchObject({
      from: 'im:bob@gw.test',
    });
    expect(alice.frames.filter((f) => f.type === 'message' && f.text === 'not a report')).toHaveLength(0);
    expect(alice.frames.filter((f) => f.type === 'report')).toHaveLength(1);
  });
});

describe('offline delivery to web users across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-offline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers what was kept before the gateway stopped', async () => {
    const storage = { storage: { backend: 'sqlite', path: join(dir, 'gw.sqlite') } };
    const first = await startWebGateway({}, storage);
    try {
      const alice = await v2(first, TOKENS.alice);
      expect(await alice.request({ type: 'send', to: 'dave', text: 'kept across' })).toMatchObject({
        stored: 'offline',
      });
    } finally {
      await first.stop();
    }
    const second = await startWebGateway({}, storage);
    try {
      const dave = await v2(second, TOKENS.dave);
      expect(await dave.waitFor((f) => f.type === 'message')).toMatchObject({
        text: 'kept across',
        from: ALICE,
      });
    } finally {
      await second.stop();
    }
  });
});

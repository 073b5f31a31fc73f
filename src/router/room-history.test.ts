/**
 * Room history with a real SQLite store (issue 15; docs/gateway.md "Room history";
 * docs/hub-protocol.md part 4 row 33): every post is in the room's history before the answer; a
 * post no member takes as it comes is `ok` + `Stored: history`; hub members nobody listens for
 * get their copy kept offline, with the post's Message-ID.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseImUri } from '../model/index.js';
import { FakeEndpoint, client } from '../../test/support/router-fakes.js';
import { dec, err, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { failingWrites, useStoreWorlds } from '../../test/support/router-store.js';
import type { RoomConfig, Router } from './index.js';

const ALICE = 'im:alice@a.example';
const BOB = 'im:bob@a.example';
const CAROL = 'im:carol@a.example';
const LOBBY = 'im:lobby@a.example';
const lobby: RoomConfig = {
  name: 'lobby',
  address: parseImUri(LOBBY),
  members: [ALICE, BOB, CAROL].map((m) => parseImUri(m)),
};
const alice = client([ALICE]);

async function listen(router: Router, inbox: string, ep: FakeEndpoint) {
  expect((await router.handle(op('imtp', 'listen', [['Inbox', inbox]]), client([inbox], ep))).status).toBe(
    'ok',
  );
}

describe('room history (docs/gateway.md, part 4 row 33)', () => {
  const world = useStoreWorlds();

  it('part 4 row 33: a post nobody takes is kept in the history: ok + Unreliable + Stored: history', async () => {
    const { router, store } = await world({ rooms: [lobby] });
    const body = new TextEncoder().encode('anyone here?\r\n');
    const a = await router.handle(send(ALICE, LOBBY, body, [['Content-Type', 'message/cpim']]), alice);
    expect(a.status).toBe('ok');
    expect(headerOf(a, 'Stored')).toBe('history');
    expect(headerOf(a, 'Unreliable')).toBe('a.example');
    const [h] = await store.readHistory(LOBBY, { limit: 10 });
    expect(h).toMatchObject({
      conversation: LOBBY,
      source: ALICE,
      destination: LOBBY,
      contentType: 'message/cpim',
    });
    expect(Buffer.from(h!.payload).equals(Buffer.from(body))).toBe(true);
    // Bob and carol, hub users nobody listens for, get their copies kept, with the post's id.
    expect(await store.countOffline(BOB)).toBe(1);
    const bob = new FakeEndpoint('bob');
    await listen(router, BOB, bob);
    await vi.waitFor(() => expect(bob.of('send')).toHaveLength(1));
    const copy = bob.last('send')!;
    expect(headerOf(copy, 'Message-ID')).toBe(h!.id);
    expect(headerOf(copy, 'Sender')).toBe(LOBBY);
    expect(headerOf(copy, 'Orig-Sender')).toBe(ALICE);
    expect(headersOf(copy, 'Orig-Inbox')).toEqual([LOBBY]);
    expect(dec(copy.payload)).toBe('anyone here?\r\n');
  });

  it('a post a member takes live is answered as before, and is in the history too', async () => {
    const { router, store } = await world({ rooms: [lobby] });
    const bob = new FakeEndpoint('bob');
    await listen(router, BOB, bob);
    const a = await router.handle(send(ALICE, LOBBY, 'hello', [['Message-ID', 'post-1']]), alice);
    expect(a.status).toBe('ok');
    expect(headerOf(a, 'Stored')).toBeUndefined();
    expect(headerOf(bob.last('send'), 'Message-ID')).toBe('post-1');
    expect((await store.readHistory(LOBBY, { limit: 10 })).map((r) => [r.id, dec(r.payload)])).toEqual([
      ['post-1', 'hello'],
    ]);
  });

  it('absent members are listed in Room-Failed beside Stored: history; a broken delivery stays an error', async () => {
    const { router, store } = await world({ rooms: [lobby], offline: { enabled: false } });
    const a = await router.handle(send(ALICE, LOBBY, 'x'), alice);
    expect(headerOf(a, 'Stored')).toBe('history');
    expect(headersOf(a, 'Room-Failed').sort()).toEqual([`${BOB} no-listeners`, `${CAROL} no-listeners`]);
    const bob = new FakeEndpoint('bob', () => err('resources'));
    await listen(router, BOB, bob);
    const b = await router.handle(send(ALICE, LOBBY, 'y'), alice);
    expect(headerOf(b, 'Error-Type')).toBe('resources');
    expect(headersOf(b, 'Room-Failed').sort()).toEqual([`${BOB} resources`, `${CAROL} no-listeners`]);
    expect((await store.readHistory(LOBBY, { limit: 10 })).map((r) => dec(r.payload))).toEqual(['x', 'y']);
  });

  it('a room with no other member: ok + Stored: history with a store, no-listeners without history', async () => {
    const solo: RoomConfig = {
      name: 'solo',
      address: parseImUri('im:solo@a.example'),
      members: [parseImUri(ALICE)],
    };
    const on = await world({ rooms: [solo] });
    expect(headerOf(await on.router.handle(send(ALICE, 'im:solo@a.example'), alice), 'Stored')).toBe(
      'history',
    );
    const off = await world({ rooms: [solo], history: { enabled: false } });
    const a = await off.router.handle(send(ALICE, 'im:solo@a.example'), alice);
    expect(headerOf(a, 'Error-Type')).toBe('no-listeners');
    expect(await off.store.readHistory('im:solo@a.example', { limit: 1 })).toEqual([]);
  });

  it('a history write that fails answers the sender resources; a listening member has the post, with its Message-ID', async () => {
    const { router, store, logs } = await world({ rooms: [lobby], wrap: failingWrites(['appendHistory']) });
    const bob = new FakeEndpoint('bob');
    await listen(router, BOB, bob);
    const a = await router.handle(send(ALICE, LOBBY, 'x'), alice);
    expect(headerOf(a, 'Error-Type')).toBe('resources');
    // The copy went out while the write ran (rooms.ts); a resend carries the same id.
    expect(bob.of('send')).toHaveLength(1);
    expect(headersOf(bob.last('send'), 'Message-ID')).toHaveLength(1);
    expect(await store.readHistory(LOBBY, { limit: 5 })).toEqual([]);
    expect(logs.find('room post not written to the history, answered resources')).toMatchObject({
      level: 40,
    });
  });
});

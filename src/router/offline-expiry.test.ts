/**
 * Expiry of kept messages with a real SQLite store (issue 15; docs/hub-protocol.md part 4 row
 * 34): the sender gets a report from im:postmaster@<inbox domain>, the record goes, and a
 * report nobody takes is dropped, never kept or reported in turn.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseCpim } from '../codec/cpim/index.js';
import { parseImUri } from '../model/index.js';
import { FakeEndpoint, client } from '../../test/support/router-fakes.js';
import { dec, headerOf, headersOf, op, send } from '../../test/support/router-ops.js';
import { useStoreWorlds } from '../../test/support/router-store.js';
import { expiryInterval } from './offline-expiry.js';

const ALICE = 'im:alice@a.example';
const BOB = 'im:bob@a.example';
const DAY = 24 * 3600 * 1000;

describe('expiry of kept messages (docs/hub-protocol.md part 4 row 34)', () => {
  const world = useStoreWorlds();

  it('part 4 row 34: an expired message is reported to its sender with Report, Report-For and Orig-Inbox, then deleted', async () => {
    const { router, store } = await world();
    const aliceEp = new FakeEndpoint('alice');
    const aliceOrigin = client([ALICE], aliceEp);
    expect((await router.handle(op('imtp', 'listen', [['Inbox', ALICE]]), aliceOrigin)).status).toBe('ok');
    const a = await router.handle(send(ALICE, BOB, 'are you there?'), aliceOrigin);
    expect(headerOf(a, 'Stored')).toBe('offline');
    const [kept] = await store.readOffline(BOB, 1);

    // Not yet expired: nothing happens.
    expect(await router.expireKept(kept!.expires - 1)).toBe(0);
    expect(await store.countOffline(BOB)).toBe(1);

    expect(await router.expireKept(kept!.expires)).toBe(1);
    await vi.waitFor(() => expect(aliceEp.of('send')).toHaveLength(1));
    const report = aliceEp.last('send')!;
    expect(headerOf(report, 'Sender')).toBe('im:postmaster@a.example');
    expect(headerOf(report, 'Inbox')).toBe(ALICE);
    expect(headerOf(report, 'Report')).toBe('expired');
    expect(headerOf(report, 'Report-For')).toBe(kept!.id);
    expect(headersOf(report, 'Orig-Inbox')).toEqual([BOB]);
    expect(headerOf(report, 'Content-Type')).toBe('message/cpim');
    expect(headerOf(report, 'Message-ID')).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect(headerOf(report, 'Message-ID')).not.toBe(kept!.id);
    const cpim = parseCpim(report.payload!, { startsWith: 'cpim-headers', mode: 'strict', role: 'endpoint' });
    expect(cpim.result).not.toBe('reject');
    if (cpim.result === 'reject') return;
    expect(cpim.message.semantics.from?.uri).toBe('im:postmaster@a.example');
    const text = dec(cpim.message.body);
    expect(text).toContain(BOB);
    expect(text).toContain(kept!.id);
    expect(text).toContain('expired unread');

    // Gone: bob's next listen gets nothing.
    expect(await store.countOffline(BOB)).toBe(0);
    const bob = new FakeEndpoint('bob');
    await router.handle(op('imtp', 'listen', [['Inbox', BOB]]), client([BOB], bob));
    await router.settle();
    expect(bob.received).toHaveLength(0);
  });

  it('a room copy is reported to its author, not to the room', async () => {
    const room = {
      name: 'lobby',
      address: parseImUri('im:lobby@a.example'),
      members: [ALICE, BOB].map((m) => parseImUri(m)),
    };
    const { router, store } = await world({ rooms: [room], history: { enabled: false } });
    const aliceEp = new FakeEndpoint('alice');
    const aliceOrigin = client([ALICE], aliceEp);
    await router.handle(op('imtp', 'listen', [['Inbox', ALICE]]), aliceOrigin);
    await router.handle(send(ALICE, 'im:lobby@a.example', 'hi all'), aliceOrigin);
    const [kept] = await store.readOffline(BOB, 1);
    expect(kept!.sender).toBe(ALICE);
    await router.expireKept(kept!.expires);
    await vi.waitFor(() => expect(aliceEp.of('send')).toHaveLength(1));
    expect(headerOf(aliceEp.last('send'), 'Report-For')).toBe(kept!.id);
  });

  it('a report nobody takes is logged and dropped: never kept, never reported in turn', async () => {
    const { router, store, logs } = await world();
    // Carol is not listening: her own report finds nobody.
    await router.handle(send('im:carol@a.example', BOB, 'x'), client(['im:carol@a.example']));
    const [kept] = await store.readOffline(BOB, 1);
    expect(await router.expireKept(kept!.expires)).toBe(1);
    const line = logs.find('kept message expired; the report to its sender was not delivered and is dropped');
    expect(line).toMatchObject({ level: 40, errorType: 'no-listeners', sender: 'im:carol@a.example' });
    expect(await store.countOffline('im:carol@a.example')).toBe(0);
    expect(await store.countOffline(BOB)).toBe(0);
    expect(await router.expireKept(kept!.expires + DAY)).toBe(0);
  });

  it('looks for expired messages every tenth of their lifetime, between a second and a minute', () => {
    expect(expiryInterval(7 * DAY)).toBe(60_000);
    expect(expiryInterval(100_000)).toBe(10_000);
    expect(expiryInterval(50)).toBe(1_000);
  });
});

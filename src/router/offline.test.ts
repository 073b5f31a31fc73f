/**
 * Offline delivery with a real SQLite store (issue 15; docs/hub-protocol.md part 4 rows 23, 33):
 * a send nobody listens for is kept and answered `ok` + `Unreliable` + `Stored: offline`; the
 * next listen gets what was kept, in order, once; a failed write is `resources`, a full inbox
 * `quota`.
 */
import { describe, expect, it, vi } from 'vitest';
import { Deferred, FakeEndpoint, client } from '../../test/support/router-fakes.js';
import { OK, dec, err, headerOf, op, send } from '../../test/support/router-ops.js';
import { failingWrites, useStoreWorlds } from '../../test/support/router-store.js';
import type { Answer } from '../protocol/index.js';
import { offlineBy } from '../hub-router.js';
import { DRAIN_BATCH } from './offline.js';
import { Router } from './index.js';
import type { Store } from '../store/types.js';

const ALICE = 'im:alice@a.example';
const BOB = 'im:bob@a.example';
const CAROL = 'im:carol@a.example';
const HISTORY_OFF = { enabled: false };
const alice = client([ALICE]);

const texts = (ep: FakeEndpoint) => ep.of('send').map((o) => dec(o.payload));

async function listen(router: Router, inbox: string, ep: FakeEndpoint, extra: [string, string][] = []) {
  const a = await router.handle(op('imtp', 'listen', [['Inbox', inbox], ...extra]), client([inbox], ep));
  expect(a.status).toBe('ok');
}

async function keep(router: Router, n: number, prefix = 'm'): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 1; i <= n; i++) answers.push(await router.handle(send(ALICE, BOB, `${prefix}${i}`), alice));
  return answers;
}

describe('offline delivery (docs/hub-protocol.md part 4 rows 23, 33)', () => {
  const world = useStoreWorlds();

  it('part 4 row 33: a send nobody listens for is kept and answered ok + Unreliable + Stored: offline', async () => {
    const { router, store } = await world();
    const [a] = await keep(router, 1);
    expect(a!.status).toBe('ok');
    expect(headerOf(a, 'Stored')).toBe('offline');
    expect(headerOf(a, 'Unreliable')).toBe('a.example');
    const [kept] = await store.readOffline(BOB, 10);
    expect(kept).toMatchObject({ inbox: BOB, sender: ALICE });
    expect(dec(kept!.payload)).toBe('m1');
    expect(kept!.id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect(kept!.expires - kept!.time).toBe(7 * 24 * 3600 * 1000);
  });

  it('part 4 row 23: the next listen gets every kept message in order, once, as a live send', async () => {
    const { router, store } = await world();
    const answers = await keep(router, 3);
    const ids = (await store.readOffline(BOB, 10)).map((r) => r.id);
    const bob = new FakeEndpoint('bob');
    await listen(router, BOB, bob);
    await vi.waitFor(() => expect(texts(bob)).toEqual(['m1', 'm2', 'm3']));
    await router.settle();
    expect(bob.of('send').map((o) => headerOf(o, 'Message-ID'))).toEqual(ids);
    expect(headerOf(bob.last('send'), 'Sender')).toBe(ALICE);
    expect(headerOf(bob.last('send'), 'Visited')).toBe('a.example');
    expect(await store.countOffline(BOB)).toBe(0);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    // A later listen, on another connection, finds nothing left.
    const again = new FakeEndpoint('bob-2');
    await listen(router, BOB, again);
    await router.settle();
    expect(again.received).toHaveLength(0);
    expect(texts(bob)).toEqual(['m1', 'm2', 'm3']);
  });

  it('two connections listening at the same moment each get every kept message once', async () => {
    const { router, store } = await world();
    await keep(router, 5);
    const one = new FakeEndpoint('one');
    const two = new FakeEndpoint('two');
    await Promise.all([listen(router, BOB, one), listen(router, BOB, two)]);
    await vi.waitFor(() => expect(texts(two)).toHaveLength(5));
    await router.settle();
    expect(texts(one)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(texts(two)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(await store.countOffline(BOB)).toBe(0);
  });

  it('a live send waits for the drain and never overtakes what was kept before it', async () => {
    const { router } = await world();
    await keep(router, DRAIN_BATCH + 2);
    const gate = new Deferred<Answer>();
    const bob = new FakeEndpoint('bob', (o) => (dec(o.payload) === 'm1' ? gate.promise : OK));
    await listen(router, BOB, bob);
    await vi.waitFor(() => expect(texts(bob)).toHaveLength(DRAIN_BATCH));
    const live = router.handle(send(ALICE, BOB, 'live'), alice);
    // The second batch waits for the first's answers, and the live send for the drain.
    await new Promise((r) => setTimeout(r, 20));
    expect(texts(bob)).toHaveLength(DRAIN_BATCH);
    gate.resolve(OK);
    const answer = await live;
    expect(answer.status).toBe('ok');
    expect(headerOf(answer, 'Stored')).toBeUndefined();
    const got = texts(bob);
    expect(got).toHaveLength(DRAIN_BATCH + 3);
    expect(got.slice(-3)).toEqual([`m${DRAIN_BATCH + 1}`, `m${DRAIN_BATCH + 2}`, 'live']);
  });

  it('a kept message the listener refuses stays kept (warn) and comes again at the next listen', async () => {
    const { router, store, logs } = await world();
    await keep(router, 2);
    const bob = new FakeEndpoint('bob', (o) => (dec(o.payload) === 'm1' ? err('resources') : OK));
    await listen(router, BOB, bob);
    await vi.waitFor(() => expect(texts(bob)).toHaveLength(2));
    await router.settle();
    expect(logs.find('kept message refused by the listener, kept for a later listen')).toBeDefined();
    expect((await store.readOffline(BOB, 10)).map((r) => dec(r.payload))).toEqual(['m1']);
    const later = new FakeEndpoint('bob-later');
    await listen(router, BOB, later);
    await vi.waitFor(() => expect(texts(later)).toEqual(['m1']));
    await router.settle();
    expect(await store.countOffline(BOB)).toBe(0);
  });

  it('a delete that fails after delivery stops the drain (warn); the rest and that batch come at the next listen', async () => {
    let failDeletes = true;
    const flaky = (store: Store): Store =>
      new Proxy(store, {
        get(target, name, receiver) {
          const value: unknown = Reflect.get(target, name, receiver);
          if (typeof value !== 'function') return value;
          if (name === 'deleteOffline' && failDeletes)
            return failingWrites(['deleteOffline'])(target).deleteOffline;
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    const { router, store, logs } = await world({ wrap: flaky });
    await keep(router, DRAIN_BATCH + 2);
    const bob = new FakeEndpoint('bob');
    await listen(router, BOB, bob);
    await vi.waitFor(() => expect(logs.find('offline delivery stopped, the rest stays kept')).toBeDefined());
    await router.settle();
    // The first batch went out, its delete failed: the next batch was not read past it.
    expect(texts(bob)).toHaveLength(DRAIN_BATCH);
    expect(await store.countOffline(BOB)).toBe(DRAIN_BATCH + 2);
    failDeletes = false;
    const later = new FakeEndpoint('bob-later');
    await listen(router, BOB, later);
    await vi.waitFor(() => expect(texts(later)).toHaveLength(DRAIN_BATCH + 2));
    await router.settle();
    expect(texts(later)).toEqual(Array.from({ length: DRAIN_BATCH + 2 }, (_, i) => `m${i + 1}`));
    expect(await store.countOffline(BOB)).toBe(0);
  });

  it('more than storage.offline.maxPerInbox kept is quota, even for concurrent sends', async () => {
    const { router, store } = await world({ offline: { maxPerInbox: 2 } });
    const [a, b, c] = await keep(router, 3);
    expect([a!.status, b!.status]).toEqual(['ok', 'ok']);
    expect(headerOf(c, 'Error-Type')).toBe('quota');
    expect(await store.countOffline(BOB)).toBe(2);
    // Concurrent sends cannot all slip under the limit.
    const burst = await Promise.all(
      [1, 2, 3].map((i) => router.handle(send(ALICE, 'im:carol@a.example', `c${i}`), alice)),
    );
    expect(burst.filter((x) => x.status === 'ok')).toHaveLength(2);
    expect(await store.countOffline('im:carol@a.example')).toBe(2);
  });

  it('the kept count is read once per inbox: a burst of sends is one put each, no read per send', async () => {
    const calls: string[] = [];
    const counting = (store: Store): Store =>
      new Proxy(store, {
        get(target, name, receiver) {
          const value: unknown = Reflect.get(target, name, receiver);
          if (typeof value !== 'function') return value;
          return (...a: unknown[]) => {
            calls.push(String(name));
            return (value as (...b: unknown[]) => unknown).apply(target, a);
          };
        },
      });
    const { router, store } = await world({ wrap: counting, offline: { maxPerInbox: 25 } });
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => router.handle(send(ALICE, BOB, `b${i}`), alice)),
    );
    expect(burst.filter((a) => a.status === 'ok')).toHaveLength(25);
    expect(burst.slice(25).every((a) => headerOf(a, 'Error-Type') === 'quota')).toBe(true);
    await keep(router, 3, 'later');
    // One read to learn the count, one to make sure before the first refusal; a put per keep.
    expect(calls.filter((c) => c === 'countOffline')).toHaveLength(2);
    expect(calls.filter((c) => c === 'putOffline')).toHaveLength(25);
    expect((await store.readOffline(BOB, 100)).map((r) => dec(r.payload))).toEqual(
      Array.from({ length: 25 }, (_, i) => `b${i}`),
    );
  });

  it('the quota stays exact after an expiry, over a store kept before, and for an id kept twice', async () => {
    const { router, store } = await world({ offline: { maxPerInbox: 2 } });
    await keep(router, 2);
    expect(await router.expireKept(Date.now() + 8 * 24 * 3600 * 1000)).toBe(2);
    const again = await keep(router, 3, 'n');
    expect(again.map((a) => a.status)).toEqual(['ok', 'ok', 'error']);

    // Another router over the same store (a restart) learns the 2 kept from the store.
    const restarted = new Router({
      domains: ['a.example'],
      rooms: [],
      storage: { offline: { enabled: true, maxAgeMs: 60_000, maxPerInbox: 3 }, history: HISTORY_OFF },
    });
    restarted.setStore(store);
    const after = await keep(restarted, 2, 'r');
    expect(after.map((a) => a.status)).toEqual(['ok', 'error']);
    await restarted.settle();
    restarted.setStore(null);

    // The same Message-ID again is kept once; the count held is checked against the store
    // before it refuses, so the next send still fits.
    const dup = send(ALICE, CAROL, 'd', [['Message-ID', 'same-id-0000000000000']]);
    expect((await router.handle(dup, alice)).status).toBe('ok');
    expect((await router.handle(dup, alice)).status).toBe('ok');
    expect(await store.countOffline(CAROL)).toBe(1);
    expect((await router.handle(send(ALICE, CAROL, 'e'), alice)).status).toBe('ok');
    expect(headerOf(await router.handle(send(ALICE, CAROL, 'f'), alice), 'Error-Type')).toBe('quota');
    expect(await store.countOffline(CAROL)).toBe(2);
  });

  it('a write the store cannot commit is answered resources, never ok, and logged at warn', async () => {
    const { router, store, logs } = await world({ wrap: failingWrites(['putOffline']) });
    const a = await router.handle(send(ALICE, BOB, 'lost?'), alice);
    expect(a.status).toBe('error');
    expect(headerOf(a, 'Error-Type')).toBe('resources');
    expect(await store.countOffline(BOB)).toBe(0);
    const line = logs.find('message for an inbox nobody listens on not stored, answered resources');
    expect(line).toMatchObject({ level: 40, inbox: BOB });
  });

  it('a closed store is resources too', async () => {
    const { router, store } = await world();
    await store.close();
    const a = await router.handle(send(ALICE, BOB, 'x'), alice);
    expect(headerOf(a, 'Error-Type')).toBe('resources');
  });

  it('is not kept when off: globally, per account, for a listener that filters the sender out, for a report', async () => {
    const off = await world({ offline: { enabled: false } });
    expect(headerOf(await off.router.handle(send(ALICE, BOB), alice), 'Error-Type')).toBe('no-listeners');
    const accounts = [
      { user: 'bob', identities: [BOB], offline: false },
      { user: 'carol', identities: ['im:carol@a.example'] },
    ];
    const perAccount = await world({ keepsOffline: offlineBy(accounts) });
    expect(headerOf(await perAccount.router.handle(send(ALICE, BOB), alice), 'Error-Type')).toBe(
      'no-listeners',
    );
    const carol = await perAccount.router.handle(send(ALICE, 'im:carol@a.example'), alice);
    expect(headerOf(carol, 'Stored')).toBe('offline');

    // A reload with other accounts (docs/operations-reload.md) changes it in place.
    perAccount.router.reconfigure({ keepsOffline: offlineBy([{ user: 'bob', identities: [BOB] }]) });
    expect(headerOf(await perAccount.router.handle(send(ALICE, BOB), alice), 'Stored')).toBe('offline');

    const { router, store } = await world();
    await listen(router, BOB, new FakeEndpoint('bob'), [['Except', ALICE]]);
    expect(headerOf(await router.handle(send(ALICE, BOB), alice), 'Error-Type')).toBe('no-listeners');
    const report = send('im:postmaster@a.example', 'im:dave@a.example', 'r', [['Report', 'expired']]);
    const postmaster = client(['im:postmaster@a.example']);
    expect(headerOf(await router.handle(report, postmaster), 'Error-Type')).toBe('no-listeners');
    expect(await store.countOffline('im:dave@a.example')).toBe(0);
  });
});

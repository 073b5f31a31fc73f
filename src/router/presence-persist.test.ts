/**
 * Presence across a restart (issue 15, presence-persist.ts; docs/hub-protocol.md part 4 row 35):
 * two routers, one after the other, on the same SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubPort } from '../adapter.js';
import { storageSchema } from '../config/storage-schema.js';
import { getHeader, type Header } from '../protocol/index.js';
import { openStore, type Store } from '../store/index.js';
import { FakeEndpoint, basicPidf, client, peer, publishingAdapter } from '../../test/support/router-fakes.js';
import { dec, enc, op } from '../../test/support/router-ops.js';
import { Router } from './index.js';
import { RELAYED_NS, STORE_NS, SUB_NS } from './presence-persist.js';

const A = 'a.example';
const ALICE = `presence:alice@${A}`;
const PIDF = 'application/pidf+xml';
const WEB = 'web.test';
const log = pino({ level: 'silent' });

let dir: string;
let stores: Store[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'presence-persist-'));
  stores = [];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openFile(): Promise<Store> {
  const s = (await openStore(storageSchema.parse({ backend: 'sqlite', path: join(dir, 'gw.sqlite') }), {
    log,
  }))!;
  stores.push(s);
  return s;
}

/** One run of the gateway's router: a.example, a web adapter publishing, a peer route to b.example. */
async function boot(store: Store): Promise<{ router: Router; peerB: FakeEndpoint; web: HubPort }> {
  const peerB = new FakeEndpoint('peer-b', undefined, 'b.example');
  const router = new Router({ domains: [A], routes: (d) => (d === 'b.example' ? peerB : null) });
  const web = publishingAdapter(router, WEB);
  await router.restorePresence(store);
  return { router, peerB, web };
}

const owner = client([`im:alice@${A}`], new FakeEndpoint('alice'));

function pitp(method: string, headers: Header[], payload?: string) {
  return op('pitp', method, headers, payload === undefined ? undefined : enc(payload));
}

const doc = (note: string) =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

describe('presence kept across a restart', () => {
  it("restores the last published document, adapters' and peers' subscriptions, and notifies them again", async () => {
    const first = await boot(await openFile());
    const r = first.router;
    const ins = await r.handle(
      pitp(
        'insert-mapping',
        [
          ['Presentity', ALICE],
          ['Mapping', '1'],
          ['Wpattern', '*'],
          ['Content-Type', PIDF],
        ],
        doc('first'),
      ),
      owner,
    );
    expect(ins.status).toBe('ok');
    const fromPeer = peer('b.example');
    const subPeer = await r.handle(
      pitp('subscribe', [
        ['Subscription', 'T1/presence:bob@b.example'],
        ['Presentity', ALICE],
      ]),
      fromPeer,
    );
    expect(subPeer.status).toBe('ok');
    const subWeb = await first.web.request(
      pitp('subscribe', [
        ['Subscription', 'w7/presence:dora@web.test'],
        ['Presentity', ALICE],
      ]),
    );
    expect(subWeb.status).toBe('ok');
    const carol = client([`im:carol@${A}`], new FakeEndpoint('carol'));
    const subClient = await r.handle(
      pitp('subscribe', [
        ['Subscription', '/presence:carol@a.example'],
        ['Presentity', ALICE],
      ]),
      carol,
    );
    expect(subClient.status).toBe('ok');
    const changed = await r.handle(
      pitp(
        'change',
        [
          ['Presentity', ALICE],
          ['Mapping', '1'],
          ['Content-Type', PIDF],
        ],
        doc('second'),
      ),
      owner,
    );
    expect(changed.status).toBe('ok');
    await r.settle();
    await stores[0]!.close();

    // The restart: a new router on the same file.
    const second = await boot(await openFile());
    expect(second.router.storeCount).toBe(1);
    const fetched = await second.router.handle(
      pitp('fetch', [
        ['Watcher', 'presence:erin@a.example'],
        ['Presentity', ALICE],
      ]),
      client([`im:erin@${A}`]),
    );
    expect(fetched.status).toBe('ok');
    expect(dec(fetched.payload)).toBe(doc('second'));
    expect(getHeader(fetched.headers, 'Content-Type')).toBe(PIDF);

    expect(second.router.renotifyRestored()).toBe(2);
    await second.router.settle();
    const toPeer = second.peerB.of('change-notify');
    expect(toPeer).toHaveLength(1);
    expect(getHeader(toPeer[0]!.headers, 'Subscription')).toBe('T1/presence:bob@b.example');
    expect(dec(toPeer[0]!.payload)).toBe(doc('second'));
    // The client's subscription ended with its connection (part 4 row 15): only two are kept.
    expect((await stores[1]!.listMappings(SUB_NS)).map(([k]) => k)).toEqual([
      `pres:alice@${A} T1/pres:bob@b.example`,
      `pres:alice@${A} w7/pres:dora@web.test`,
    ]);
  });

  it('a kept subscription the watcher forgot is purged when it answers not-subscribed', async () => {
    const first = await boot(await openFile());
    await first.router.handle(
      pitp(
        'insert-mapping',
        [
          ['Presentity', ALICE],
          ['Mapping', '1'],
          ['Wpattern', '*'],
          ['Content-Type', PIDF],
        ],
        doc('x'),
      ),
      owner,
    );
    await first.web.request(
      pitp('subscribe', [
        ['Subscription', 'w1/presence:dora@web.test'],
        ['Presentity', ALICE],
      ]),
    );
    await stores[0]!.close();
    const peerB = new FakeEndpoint('peer-b', undefined, 'b.example');
    const router = new Router({ domains: [A], routes: (d) => (d === 'b.example' ? peerB : null) });
    const webEndpoint = new FakeEndpoint(`adapter:${WEB}`, () => ({
      status: 'error',
      headers: [['Error-Type', 'not-subscribed']],
    }));
    router.registerDomain(WEB, webEndpoint, { presence: 'publish' });
    const store = await openFile();
    expect((await router.restorePresence(store)).subscriptions).toBe(1);
    router.renotifyRestored();
    await router.settle();
    expect(webEndpoint.of('change-notify')).toHaveLength(1);
    await store.getMapping('x', 'y');
    expect(await store.listMappings(SUB_NS)).toEqual([]);
  });

  it("brings back an adapter user's closed document but not an open one (the adapter publishes it again)", async () => {
    const first = await boot(await openFile());
    expect(
      (await first.web.publishPresence('pres:dora@web.test', basicPidf('pres:dora@web.test', 'closed')))
        .status,
    ).toBe('ok');
    expect(
      (await first.web.publishPresence('pres:eve@web.test', basicPidf('pres:eve@web.test', 'open'))).status,
    ).toBe('ok');
    await stores[0]!.close();
    const second = await boot(await openFile());
    expect(second.router.storeCount).toBe(1);
    const fetch = (who: string) =>
      second.router.handle(
        pitp('fetch', [
          ['Watcher', 'presence:erin@a.example'],
          ['Presentity', who],
        ]),
        client([`im:erin@${A}`]),
      );
    expect((await fetch('presence:dora@web.test')).status).toBe('ok');
    expect(getHeader((await fetch('presence:eve@web.test')).headers, 'Error-Type')).toBe('target-not-found');
    expect((await stores[1]!.listMappings(STORE_NS)).map(([k]) => k)).toEqual(['pres:dora@web.test']);
  });

  it('a restored watcher of an adapter user not published again hears terminate-notify', async () => {
    const first = await boot(await openFile());
    const eve = 'pres:eve@web.test';
    await first.web.publishPresence(eve, basicPidf(eve, 'open'));
    const fromPeer = peer('b.example');
    const sub = await first.router.handle(
      pitp('subscribe', [
        ['Subscription', 'T9/presence:bob@b.example'],
        ['Presentity', 'presence:eve@web.test'],
      ]),
      fromPeer,
    );
    expect(sub.status).toBe('ok');
    await stores[0]!.close();
    const second = await boot(await openFile());
    second.router.renotifyRestored();
    await second.router.settle();
    expect(second.peerB.methods()).toEqual(['terminate-notify']);
    await stores[1]!.getMapping('x', 'y');
    expect(await stores[1]!.listMappings(SUB_NS)).toEqual([]);
  });

  it('past limits.maxIdlePresentities at restore, the dropped stores leave no row', async () => {
    const first = await boot(await openFile());
    for (const u of ['u1', 'u2', 'u3', 'u4', 'u5'])
      await first.web.publishPresence(`pres:${u}@web.test`, basicPidf(`pres:${u}@web.test`, 'closed'));
    expect((await stores[0]!.listMappings(STORE_NS)).length).toBe(5);
    await stores[0]!.close();
    const router = new Router({ domains: [A], limits: { maxIdlePresentities: 2 } });
    publishingAdapter(router, WEB);
    const store = await openFile();
    await router.restorePresence(store);
    expect(router.storeCount).toBe(2);
    await store.getMapping('x', 'y');
    expect((await store.listMappings(STORE_NS)).map(([k]) => k)).toEqual([
      'pres:u4@web.test',
      'pres:u5@web.test',
    ]);
  });

  it('a withdrawn presentity leaves no row, and a change the store cannot commit is answered resources', async () => {
    const first = await boot(await openFile());
    const headers: Header[] = [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ];
    await first.router.handle(pitp('insert-mapping', [...headers, ['Wpattern', '*']], doc('a')), owner);
    expect((await stores[0]!.listMappings(STORE_NS)).length).toBe(1);
    expect((await first.router.handle(pitp('delete-mapping', headers), owner)).status).toBe('ok');
    expect(await stores[0]!.listMappings(STORE_NS)).toEqual([]);
    await first.router.handle(pitp('insert-mapping', [...headers, ['Wpattern', '*']], doc('b')), owner);
    await stores[0]!.close();
    const refused = await first.router.handle(pitp('change', headers, doc('c')), owner);
    expect(refused.status).toBe('error');
    expect(getHeader(refused.headers, 'Error-Type')).toBe('resources');
  });

  it('keeps relayed subscriptions of adapters to foreign presentities', async () => {
    const first = await boot(await openFile());
    first.peerB.respond = () => ({ status: 'ok', headers: [['Content-Type', PIDF]], payload: enc(doc('b')) });
    const a = await first.web.request(
      pitp('subscribe', [
        ['Subscription', 'w2/presence:dora@web.test'],
        ['Presentity', 'presence:zed@b.example'],
      ]),
    );
    expect(a.status).toBe('ok');
    await stores[0]!.close();
    const second = await boot(await openFile());
    expect((await stores[1]!.listMappings(RELAYED_NS)).length).toBe(1);
    // The presentity's server notifies after our restart: the kept record finds the watcher.
    const notify = await second.router.handle(
      op(
        'pitp',
        'change-notify',
        [
          ['Presentity', 'presence:zed@b.example'],
          ['Subscription', 'w2/presence:dora@web.test'],
          ['Content-Type', PIDF],
        ],
        enc(doc('c')),
      ),
      peer('b.example'),
    );
    expect(notify.status).toBe('ok');
  });
});

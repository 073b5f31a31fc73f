import { describe, expect, it } from 'vitest';
import { basicPidf, client, publishingAdapter } from '../../test/support/router-fakes.js';
import { dec, headerOf, op } from '../../test/support/router-ops.js';
import type { HubPort } from '../adapter.js';
import { Router } from './index.js';

/** An adapter domain publishing into the router (presence: 'publish'), as adapter-host.ts wires it. */
const D = 'web.example';
const HOME = 'gw.example';
const W = `pres:w@${HOME}`;

function setup(maxIdlePresentities: number): { router: Router; port: HubPort } {
  const router = new Router({ domains: [HOME], limits: { maxIdlePresentities } });
  return { router, port: publishingAdapter(router, D) };
}

const pidf = basicPidf;
const user = (i: number) => `pres:u${i}@${D}`;

/** A user signs in (open) and out (closed), as the web adapter publishes it; the store stays. */
async function signInAndOut(port: HubPort, p: string): Promise<void> {
  expect((await port.publishPresence(p, pidf(p, 'open'))).status).toBe('ok');
  expect((await port.publishPresence(p, pidf(p, 'closed'))).status).toBe('ok');
}

const watcher = client([W]);
const fetch = (router: Router, p: string) =>
  router.handle(
    op('pitp', 'fetch', [
      ['Watcher', W],
      ['Presentity', p],
    ]),
    watcher,
  );
const subscription = (method: 'subscribe' | 'unsubscribe', p: string) =>
  op('pitp', method, [
    ['Subscription', `/${W}`],
    ['Presentity', p],
  ]);

describe('idle presence stores of adapter users who left are bounded (issue 12, limits.maxIdlePresentities)', () => {
  it('10,000 users signing in and out leave at most the bound of stores; the newest stay readable', async () => {
    const { router, port } = setup(100);
    let peak = 0;
    for (let i = 0; i < 10_000; i++) {
      await signInAndOut(port, user(i));
      peak = Math.max(peak, router.storeCount);
    }
    // While one user is online the others are idle: at most 100 idle + that one.
    expect(peak).toBeLessThanOrEqual(101);
    expect(router.storeCount).toBe(100);
    // The 100 least recently changed are the ones kept: the newest answer "closed".
    const kept = await fetch(router, user(9_999));
    expect(kept.status).toBe('ok');
    expect(dec(kept.payload)).toContain('<basic>closed</basic>');
    expect((await fetch(router, user(9_900))).status).toBe('ok');
    // A dropped store answers exactly as a presentity never published.
    const dropped = await fetch(router, user(9_899));
    const never = await fetch(router, `pres:nobody@${D}`);
    expect(headerOf(dropped, 'Error-Type')).toBe('target-not-found');
    expect(dropped).toEqual(never);
    // Publishing again creates the store anew.
    expect((await port.publishPresence(user(0), pidf(user(0), 'open'))).status).toBe('ok');
    expect(dec((await fetch(router, user(0))).payload)).toContain('<basic>open</basic>');
  });

  it('a watched closed store is never dropped; once unwatched it is idle again', async () => {
    const { router, port } = setup(100);
    const kept = user(-1);
    await signInAndOut(port, kept);
    expect((await router.handle(subscription('subscribe', kept), watcher)).status).toBe('ok');
    for (let i = 0; i < 10_000; i++) await signInAndOut(port, user(i));
    expect(router.storeCount).toBe(101);
    const seen = await fetch(router, kept);
    expect(seen.status).toBe('ok');
    expect(dec(seen.payload)).toContain('<basic>closed</basic>');
    // Unwatched, it is the most recently changed idle store: 100 more leavers push it out.
    expect((await router.handle(subscription('unsubscribe', kept), watcher)).status).toBe('ok');
    expect(router.storeCount).toBe(100);
    for (let i = 10_000; i < 10_099; i++) await signInAndOut(port, user(i));
    expect((await fetch(router, kept)).status).toBe('ok');
    await signInAndOut(port, user(10_099));
    expect(headerOf(await fetch(router, kept), 'Error-Type')).toBe('target-not-found');
  });

  it('a watcher whose connection closes leaves an idle store behind', async () => {
    const { router, port } = setup(2);
    const w = client([W]);
    await signInAndOut(port, user(0));
    expect((await router.handle(subscription('subscribe', user(0)), w)).status).toBe('ok');
    for (let i = 1; i <= 4; i++) await signInAndOut(port, user(i));
    expect(router.storeCount).toBe(3);
    router.connectionClosed(w.connectionId);
    expect(router.storeCount).toBe(2);
    expect(headerOf(await fetch(router, user(3)), 'Error-Type')).toBe('target-not-found');
    expect((await fetch(router, user(0))).status).toBe('ok');
  });

  it('stores with an open status are never dropped, and a user coming back is no longer idle', async () => {
    const { router, port } = setup(10);
    for (let i = 0; i < 50; i++)
      expect((await port.publishPresence(user(i), pidf(user(i), 'open'))).status).toBe('ok');
    expect(router.storeCount).toBe(50);
    await signInAndOut(port, user(100));
    for (let i = 0; i < 9; i++) await signInAndOut(port, user(200 + i));
    // user(100) is the oldest of 10 idle stores; it comes back online, so it is not idle.
    expect((await port.publishPresence(user(100), pidf(user(100), 'open'))).status).toBe('ok');
    for (let i = 0; i < 20; i++) await signInAndOut(port, user(300 + i));
    expect(router.storeCount).toBe(50 + 1 + 10);
    expect(dec((await fetch(router, user(100))).payload)).toContain('<basic>open</basic>');
    for (let i = 0; i < 50; i++) expect((await fetch(router, user(i))).status).toBe('ok');
  });

  it('stores of the gateway own domain are not the adapters’ churn: closed ones stay', async () => {
    const router = new Router({ domains: [HOME], limits: { maxIdlePresentities: 1 } });
    for (let i = 0; i < 5; i++) {
      const p = `pres:h${i}@${HOME}`;
      const a = await router.handle(
        op(
          'pitp',
          'insert-mapping',
          [
            ['Presentity', p],
            ['Mapping', '1'],
            ['Wpattern', '*'],
            ['Content-Type', 'application/pidf+xml'],
          ],
          pidf(p, 'closed'),
        ),
        client([`pres:h${i}@${HOME}`]),
      );
      expect(a.status).toBe('ok');
    }
    expect(router.storeCount).toBe(5);
  });
});

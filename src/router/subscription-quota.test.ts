/**
 * Issue 19: subscription bounds (subscription-quota.ts). The per-peer bounds and the start-wi
 * cap are proven between two real gateways (test/integration/federation-limits.test.ts); here,
 * a client's subscriptions to presentities of other domains count toward its connection's bound.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { headerOf } from '../../test/support/router-ops.js';
import { A, ALICE, BOB } from '../../test/support/router-pitp-names.js';
import { FakeEndpoint } from '../../test/support/router-fakes.js';
import {
  insert,
  peerB,
  reset,
  router,
  run,
  setRouter,
  subscribe,
  watcher,
} from '../../test/support/router-pitp.js';
import { Router } from './index.js';
import type { Origin } from './operation.js';

beforeEach(reset);

describe('subscription bounds (issue 19)', () => {
  it("a client's subscriptions at other domains count toward maxSubscriptionsPerConnection", async () => {
    setRouter(
      new Router({
        domains: [A],
        routes: (d) => (d === 'b.example' ? peerB : null),
        limits: { maxSubscriptionsPerConnection: 3 },
      }),
    );
    await insert(1, [BOB], '<presence/>');
    const bob = watcher('bob');
    for (const far of ['zed', 'yan'])
      expect((await subscribe(bob, BOB, `presence:${far}@b.example`)).status).toBe('ok');
    // A refresh of one it holds is no new subscription.
    expect((await subscribe(bob, BOB, 'presence:zed@b.example')).status).toBe('ok');
    expect((await subscribe(bob, BOB)).status).toBe('ok'); // the third: alice@a.example, local
    const over = await subscribe(bob, BOB, 'presence:xi@b.example');
    expect(headerOf(over, 'Error-Type')).toBe('quota');
    expect(peerB.of('subscribe')).toHaveLength(3);
  });

  it("an adapter's users share its one connection: the bound applies to each watcher behind it", async () => {
    setRouter(new Router({ domains: [A], limits: { maxSubscriptionsPerConnection: 2 } }));
    const web = new FakeEndpoint('web');
    router.registerDomain('web.example', web, { presence: 'publish' });
    const origin: Origin = {
      kind: 'adapter',
      connectionId: 'adapter:web',
      strength: 'strong',
      endpoint: web,
    };
    await insert(1, ['*'], '<presence/>');
    const sub = (who: string, token: string) =>
      run(
        'subscribe',
        [
          ['Subscription', `${token}/presence:${who}@web.example`],
          ['Presentity', ALICE],
        ],
        origin,
      );
    // Five web users watch alice: five subscriptions on the adapter's one connection.
    for (const who of ['u1', 'u2', 'u3', 'u4', 'u5']) expect((await sub(who, 't1')).status).toBe('ok');
    // One user from three sessions (three tokens): the third is over that user's bound.
    expect((await sub('u1', 't2')).status).toBe('ok');
    expect(headerOf(await sub('u1', 't3'), 'Error-Type')).toBe('quota');
  });
});

/**
 * Issue 19: subscription bounds (subscription-quota.ts). The per-peer bounds and the start-wi
 * cap are proven between two real gateways (test/integration/federation-limits.test.ts); here,
 * a client's subscriptions to presentities of other domains count toward its connection's bound.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { headerOf } from '../../test/support/router-ops.js';
import { A, BOB } from '../../test/support/router-pitp-names.js';
import { insert, peerB, reset, setRouter, subscribe, watcher } from '../../test/support/router-pitp.js';
import { Router } from './index.js';

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
});

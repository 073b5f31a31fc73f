/**
 * Subscription bounds (issue 12, issue 19; docs/hub-protocol.md part 4 row 26, draft §12 `quota`):
 * - a client connection holds at most `maxSubscriptionsPerConnection`, counting its
 *   subscriptions to presentities of other domains (relayed upstream) too; each watcher behind an
 *   adapter (all of an adapter's users share its one connection) holds as many;
 * - a peer multiplexes many watchers on few connections, so it is bounded per peer domain
 *   instead: `limits.peers.maxSubscriptions` in all, `limits.peers.maxSubscriptionsPerPresentity`
 *   to any one presentity (so one partner cannot make a local user's watcher information huge).
 * A refresh of an existing subscription is never refused.
 */
import type { RouterContext } from './context.js';
import type { Origin } from './operation.js';

/**
 * Throws `quota` when `origin` may not add a subscription of `watcher` to `presentity` (a local
 * one). An adapter is one connection for all its users, so its bound applies to each watcher.
 */
export function checkLocalSubscriptionQuota(
  ctx: RouterContext,
  origin: Origin,
  presentity: string,
  watcher: string,
): void {
  const l = ctx.limits;
  if (origin.kind === 'adapter') {
    if (
      ctx.subscriptions.countOfAdapterWatcher(origin.connectionId, watcher) >= l.maxSubscriptionsPerConnection
    )
      ctx.refuseQuota(`at most ${l.maxSubscriptionsPerConnection} subscriptions per watcher`, {
        connection: origin.connectionId,
        watcher,
      });
    return;
  }
  if (origin.kind === 'peer') {
    // authorizeSource already held the watcher to the peer's domain (draft §8.1).
    const peer = (origin.peerDomain ?? '').toLowerCase();
    if (ctx.subscriptions.countOfPeer(peer) >= l.maxPeerSubscriptions)
      ctx.refuseQuota(`at most ${l.maxPeerSubscriptions} subscriptions per peer`, {
        peer,
        limit: 'limits.peers.maxSubscriptions',
      });
    if (ctx.subscriptions.countOfPeerAt(peer, presentity) >= l.maxPeerSubscriptionsPerPresentity)
      ctx.refuseQuota(
        `at most ${l.maxPeerSubscriptionsPerPresentity} subscriptions per peer to one presentity`,
        {
          peer,
          presentity,
          limit: 'limits.peers.maxSubscriptionsPerPresentity',
        },
      );
    return;
  }
  checkConnectionQuota(ctx, origin);
}

/** Throws `quota` when a client or adapter connection already holds its bound. */
export function checkConnectionQuota(ctx: RouterContext, origin: Origin): void {
  if (origin.kind === 'peer') return;
  const held =
    ctx.subscriptions.countOfConnection(origin.connectionId) +
    (origin.kind === 'client' ? ctx.relayed.countOfConnection(origin.connectionId) : 0);
  if (held >= ctx.limits.maxSubscriptionsPerConnection)
    ctx.refuseQuota(`at most ${ctx.limits.maxSubscriptionsPerConnection} subscriptions per connection`, {
      connection: origin.connectionId,
    });
}

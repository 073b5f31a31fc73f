/**
 * What a presentity's home server sends on its own: change-notify / terminate-notify to watchers
 * (draft §15.2, §15.14; part 3 rows 38, 42; part 4 row 17) and watcher-information events to
 * start-wi connections (§15.6, §15.12, §15.16; rows 45-46).
 *
 * These go out in the background: the command that caused them (a change, a subscribe) is
 * answered without waiting for watchers (a slow watcher must not hold up its presentity; docs/cpim.md
 * row 44: no response is awaited for a notify). `Router.settle()` waits for them.
 */
import type { RouterContext } from './context.js';
import type { Endpoint, Operation } from './operation.js';
import { type Answer, type Header, errorTypeOf } from '../protocol/index.js';
import { presentTo, withPiType } from './pitp-read.js';
import type { PresenceInfo, PresenceStore } from './presence-store.js';
import type { Subscription } from './subscriptions.js';

/** `token/watcher` as a subscriber of this kind may see it (§11.7: blank toward a client, row 44). */
export function subscriptionValue(sub: Subscription, forWatcher: boolean): string {
  return (forWatcher && sub.blank ? '' : sub.token) + '/' + sub.watcherText;
}

/**
 * Where a watcher's notifies go: its own endpoint (client, adapter), else the route to its domain
 * (a foreign watcher; part 4 row 13: inter-domain commands go on connections we initiate).
 */
function notifyEndpoint(ctx: RouterContext, sub: Subscription): Endpoint | null {
  if (sub.endpoint !== null) return sub.endpoint;
  const dest = ctx.resolve(sub.watcher.domain);
  return dest === null || dest.kind === 'local' ? null : dest.endpoint;
}

/** Sends `method` to every WI connection of `presentity` (§15.10). */
export function wiEvent(ctx: RouterContext, presentity: string, method: string, headers: Header[]): void {
  const endpoints = ctx.watcherInfo.endpoints(presentity);
  for (const e of endpoints) ctx.track(e.deliver({ protocol: 'pitp', method, headers }));
}

/** subscribe-notify / unsubscribe-notify for `sub` (§15.12, §15.16; row 45). */
export function wiSubscription(ctx: RouterContext, sub: Subscription, method: string): void {
  wiEvent(ctx, sub.presentity, method, [
    ['Subscription', subscriptionValue(sub, false)],
    ['Presentity', sub.presentityText],
  ]);
}

/** Ends `sub` here and tells watcher information (an ended subscription is an unsubscribe). */
export function dropSubscription(ctx: RouterContext, sub: Subscription): void {
  if (ctx.subscriptions.remove(sub)) wiSubscription(ctx, sub, 'unsubscribe-notify');
}

/**
 * A watcher that misses a notify misses a presence change, with no sender to answer: warn, with
 * the reason. Throttled (config `limits.warnIntervalMs`): a watcher whose route is gone repeats
 * it on every change of every presentity it watches.
 */
function warnDropped(ctx: RouterContext, sub: Subscription, method: string, reason: string): void {
  const suppressed = ctx.notifyDrops.allow();
  if (suppressed >= 0)
    ctx.log?.warn(
      { watcher: sub.watcher.uri, presentity: sub.presentityText, method, reason, suppressed },
      'notify dropped; the watcher misses a presence change',
    );
}

/**
 * Part 4 row 15: a watcher answering `not-subscribed` has forgotten the subscription (its client
 * left without unsubscribing): purge it. Any other failure drops this notify only.
 */
async function deliverNotify(
  ctx: RouterContext,
  sub: Subscription,
  e: Endpoint,
  op: Operation,
): Promise<void> {
  let answer: Answer;
  try {
    answer = await e.deliver(op);
  } catch (err: unknown) {
    warnDropped(ctx, sub, op.method, err instanceof Error ? err.message : String(err));
    return;
  }
  const type = errorTypeOf(answer);
  if (type === 'not-subscribed') dropSubscription(ctx, sub);
  else if (answer.status === 'error') warnDropped(ctx, sub, op.method, `watcher answered ${type ?? 'error'}`);
}

/** change-notify carrying `pi` (row 42 MUST) or terminate-notify (no payload). */
export function notifyWatcher(
  ctx: RouterContext,
  sub: Subscription,
  method: 'change-notify' | 'terminate-notify',
  pi: PresenceInfo | null,
): void {
  const e = notifyEndpoint(ctx, sub);
  if (e === null) {
    warnDropped(ctx, sub, method, `no route to ${sub.watcher.domain}`);
    return;
  }
  const headers: Header[] = [
    ['Presentity', sub.presentityText],
    ['Subscription', subscriptionValue(sub, true)],
  ];
  let op: Operation;
  if (pi === null) op = { protocol: 'pitp', method, headers };
  else {
    const shown = presentTo(ctx, pi, sub.accept, sub.presentityText);
    op = { protocol: 'pitp', method, headers: withPiType(headers, shown), payload: shown.bytes };
  }
  ctx.track(deliverNotify(ctx, sub, e, op));
}

/**
 * After any change to `store` (rows 38, 42; §15.1, .3, .8, .9): every watcher whose view changed
 * gets change-notify with its new PI; one whose view became "denied" gets terminate-notify and
 * its subscription ends (part 4 row 17), which watcher information hears as unsubscribe-notify.
 * "Changed" is by PI identity: a `change` always makes a new PI, so its watchers hear of it even
 * when the octets are the same; a set-class that leaves a watcher on the same PI does not.
 */
export function notifyAffected(ctx: RouterContext, store: PresenceStore): void {
  const subs = ctx.subscriptions.of(store.presentity.uri);
  for (const sub of subs) {
    const view = store.view(sub.watcher);
    if (view === sub.view) continue;
    if (view === null) {
      dropSubscription(ctx, sub);
      notifyWatcher(ctx, sub, 'terminate-notify', null);
    } else {
      sub.view = view;
      notifyWatcher(ctx, sub, 'change-notify', view);
    }
  }
}

/**
 * Issue 19: peer `domain` has had no PITP connection here for `limits.peers.dropSubscriptionsAfterMs`
 * (peer-linger.ts): each of its subscriptions ends as a terminate would (§15.13, part 4 row 17),
 * so its watchers hear terminate-notify over our link to it, if that link works.
 */
export function endPeerSubscriptions(ctx: RouterContext, domain: string): void {
  const subs = ctx.subscriptions.ofPeer(domain);
  if (subs.length === 0) return;
  ctx.log?.info(
    { peer: domain, subscriptions: subs.length },
    'peer gone longer than limits.peers.dropSubscriptionsAfterMs; its subscriptions end',
  );
  for (const sub of subs) {
    dropSubscription(ctx, sub);
    notifyWatcher(ctx, sub, 'terminate-notify', null);
  }
}

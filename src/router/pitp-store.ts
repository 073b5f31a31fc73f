/**
 * PITP store management and presentity-side commands at the presentity's home server
 * (draft §15.1, .3, .5, .7-.10, .13; part 3 rows 34-40, 45-46): change, insert-mapping,
 * delete-mapping, set-class, get-class, fetch-for-update, start-wi, terminate.
 *
 * The Presentity is the source (§12): the requester must act for it, authenticated
 * (part 4 row 28: store management, start-wi and terminate need authentication), and this router
 * must be its presence home; otherwise `source-authorization`. terminate is never inter-domain
 * (§15.13), which the same check enforces.
 */
import { HubError } from '../errors.js';
import { okAnswer, type Answer, type Header } from '../protocol/index.js';
import { formatPattern, parsePattern, type Pattern } from '../model/index.js';
import type { RouterContext } from './context.js';
import type { Operation, Origin } from './operation.js';
import {
  dropSubscription,
  notifyAffected,
  notifyWatcher,
  subscriptionValue,
  wiEvent,
} from './pitp-notify.js';
import {
  mappingOf,
  piOf,
  presentityOf,
  subscriptionOf,
  withPiType,
  type PresentityHeader,
} from './pitp-read.js';
import { keepStore } from './presence-persist.js';
import { PresenceStore } from './presence-store.js';
import { authorizeSource } from './source-auth.js';

function ownPresentity(ctx: RouterContext, op: Operation, origin: Origin): PresentityHeader {
  const p = presentityOf(op.headers);
  if (!ctx.isPresenceHome(p.address.domain))
    throw new HubError('source-authorization', `presentities of ${p.address.domain} are not kept here`);
  authorizeSource(ctx, origin, p.address, true);
  return p;
}

/**
 * The presentity's store. Decision: a store comes into being with its first successful
 * insert-mapping; before that every index is out of range (count 0) and watchers get
 * `target-not-found`. It goes again with its last mapping (delete-mapping), so `ctx.stores`
 * holds only presentities that publish something (issue 12: no store of a user who left). An
 * adapter's user who left keeps a closed store, dropped past `limits.maxIdlePresentities`
 * (idle-stores.ts); a fetch then answers as here, for a presentity never published.
 */
function storeOf(ctx: RouterContext, p: PresentityHeader, method: string, index: number): PresenceStore {
  const s = ctx.stores.get(p.address.uri);
  if (s !== undefined) return s;
  if (method === 'insert-mapping' && index === 1) return new PresenceStore(p.address);
  throw new HubError('mapping-range', `mapping ${index} of 0`);
}

/**
 * After a command changed `store`: its watchers hear of it (rows 38, 42), then the store may have
 * become idle or stopped being so (issue 12, idle-stores.ts). In that order: a watcher a change
 * denies is dropped first, and an idle store is never one somebody still watches.
 */
function changed(ctx: RouterContext, store: PresenceStore): Answer | Promise<Answer> {
  notifyAffected(ctx, store);
  ctx.storeChanged(store.presentity.uri);
  // Issue 15 (presence-persist.ts): when presence is kept, the answer waits for the commit, and a
  // change the store refused is answered `resources`, not `ok` (docs/architecture.md part 8).
  const kept = keepStore(ctx, store);
  return kept === undefined ? okAnswer() : kept.then(() => okAnswer());
}

function wpatterns(op: Operation): Pattern[] {
  const out: Pattern[] = [];
  for (const [name, value] of op.headers) if (name === 'Wpattern') out.push(parsePattern(value));
  return out;
}

function guardKey(presentity: string, index: number): string {
  return presentity + ' ' + index;
}

/** The store-management method `op.method` on the presentity's store. */
export function handleStoreCommand(
  ctx: RouterContext,
  op: Operation,
  origin: Origin,
): Answer | Promise<Answer> {
  const p = ownPresentity(ctx, op, origin);
  const index = mappingOf(op.headers);
  const store = storeOf(ctx, p, op.method, index);
  switch (op.method) {
    // §15.1, rows 37, 38, 40.
    case 'change': {
      const pi = piOf(ctx, op);
      const m = store.at(index);
      const guards = ctx.guards.get(origin.connectionId);
      const key = guardKey(store.presentity.uri, index);
      const mark = guards?.get(key);
      if (mark !== undefined) {
        // §15.5: the next change of that mapping on this connection; consumed either way.
        guards!.delete(key);
        if (mark.id !== m.id || mark.version !== m.version)
          throw new HubError('update-race', 'the mapping changed since fetch-for-update');
      }
      store.change(index, pi);
      return changed(ctx, store);
    }
    // §15.8, rows 35, 36, 39.
    case 'insert-mapping': {
      if (store.count >= ctx.limits.maxMappings)
        throw new HubError('quota', `at most ${ctx.limits.maxMappings} mappings`);
      const patterns = wpatterns(op);
      const pi = piOf(ctx, op);
      store.insert(index, patterns, pi);
      if (store.count === 1) ctx.stores.set(store.presentity.uri, store);
      return changed(ctx, store);
    }
    // §15.3, rows 36, 39.
    case 'delete-mapping':
      store.delete(index);
      // A store with no mapping is the same as none (storeOf: count 0, watchers get
      // target-not-found), so it goes: a presentity that withdrew leaves nothing behind (issue 12).
      if (store.count === 0) ctx.stores.delete(store.presentity.uri);
      return changed(ctx, store);
    // §15.9, row 38: set-class ⇒ change-notify to affected watchers.
    case 'set-class': {
      const patterns = wpatterns(op);
      store.setClass(index, patterns);
      return changed(ctx, store);
    }
    // §15.7: zero or more Wpattern headers.
    case 'get-class': {
      const headers: Header[] = [];
      for (const pat of store.at(index).patterns)
        headers.push(['Wpattern', formatPattern(pat, { hudson: true })]);
      return okAnswer(headers);
    }
    // §15.5; part 4 row 19: no PI ⇒ ok without payload.
    case 'fetch-for-update': {
      const m = store.at(index);
      let guards = ctx.guards.get(origin.connectionId);
      if (guards === undefined) ctx.guards.set(origin.connectionId, (guards = new Map()));
      guards.set(guardKey(store.presentity.uri, index), { id: m.id, version: m.version });
      return m.pi === null ? okAnswer() : okAnswer(withPiType([], m.pi), m.pi.bytes);
    }
    default:
      throw new HubError('unknown-method', `unknown method ${op.method}`);
  }
}

/** Issue 19: how many subscriptions a start-wi answer left out (docs/hub-protocol.md part 4). */
export const WI_OMITTED_HEADER = 'Wi-Omitted';

/**
 * §15.10 start-wi (row 45): the ok lists the current subscribers as Subscription headers; this
 * connection then gets fetch-notify / subscribe-notify / unsubscribe-notify events until it closes
 * (there is no stop-wi, part 4 row 18).
 */
export function handleStartWi(ctx: RouterContext, op: Operation, origin: Origin): Answer {
  const p = ownPresentity(ctx, op, origin);
  ctx.watcherInfo.add(p.address.uri, origin.connectionId, origin.endpoint);
  const headers: Header[] = [];
  // Issue 19: the answer stays within the frame limits however many watch (docs/hub-protocol.md
  // part 4: `Wi-Omitted` counts the subscriptions not listed; later events still name each).
  const subs = ctx.subscriptions.of(p.address.uri);
  const listed = Math.min(subs.length, ctx.limits.maxWatcherInfoListed);
  for (let i = 0; i < listed; i++) headers.push(['Subscription', subscriptionValue(subs[i]!, false)]);
  if (listed < subs.length) headers.push([WI_OMITTED_HEADER, String(subs.length - listed)]);
  return okAnswer(headers);
}

/**
 * §15.13 terminate (row 46): the subscription ends; the watcher gets terminate-notify (part 4 row
 * 17) and every WI connection, the requester's included, gets unsubscribe-notify.
 */
export function handleTerminate(ctx: RouterContext, op: Operation, origin: Origin): Answer {
  const p = ownPresentity(ctx, op, origin);
  const s = subscriptionOf(op.headers);
  const sub = ctx.subscriptions.get(p.address.uri, s.token, s.watcher.uri);
  if (sub === undefined) throw new HubError('not-subscribed', 'no such subscription');
  dropSubscription(ctx, sub);
  notifyWatcher(ctx, sub, 'terminate-notify', null);
  return okAnswer();
}

/** §15.6: fetch-notify to WI connections after a successful fetch (part 4 row 20). */
export function wiFetch(
  ctx: RouterContext,
  presentity: string,
  presentityText: string,
  watcherText: string,
): void {
  wiEvent(ctx, presentity, 'fetch-notify', [
    ['Watcher', watcherText],
    ['Presentity', presentityText],
  ]);
}

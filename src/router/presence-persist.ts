/**
 * Presence that survives a restart (issue 15; docs/hub-protocol.md part 4 row 35): the presence
 * stores this router is home for, the subscriptions of adapters and peer gateways, and the
 * subscriptions adapters and peers hold through this router at foreign presentity servers. Kept
 * in the store's mappings table (src/store/types.ts), one JSON row per thing:
 *
 * | namespace | key | value |
 * |---|---|---|
 * | `presence:store` | presentity URI | `{"m":[{"p":[Wpattern…],"t":Content-Type?,"b":base64 PI?}…]}` |
 * | `presence:sub` | `<presentity> <token>/<watcher URI>` | `{"pt","wt","k","c","a"?}` |
 * | `presence:relayed` | `<presentity> <token>/<watcher URI>` | `{"pt","wt","k","c","a"?,"s"}` |
 *
 * Written on every change, behind the command that made it: the answer waits for the commit, so
 * a change the store refused is answered `resources` (docs/architecture.md part 8), never `ok`.
 * Nothing here runs while no store is attached (`storage.backend: none`): the hot paths then only
 * test one WeakMap lookup.
 *
 * What is not kept, and why (draft §11.7, part 4 row 15): a hub client's subscriptions end with
 * its connection, and after a restart every connection is gone; watcher information (start-wi)
 * and fetch-for-update marks are per connection too.
 */
import { HubError } from '../errors.js';
import { formatPattern, parsePattern, type Pattern } from '../model/index.js';
import type { Strength } from '../protocol/index.js';
import type { Store } from '../store/types.js';
import type { RouterContext } from './context.js';
import type { Origin } from './operation.js';
import { dropSubscription, notifyWatcher } from './pitp-notify.js';
import { readPresentity } from './pitp-read.js';
import { saysOpen } from './presence-open.js';
import { PresenceStore, type PresenceInfo } from './presence-store.js';
import type { RelayedSubscription, Subscription } from './subscriptions.js';

export const STORE_NS = 'presence:store';
export const SUB_NS = 'presence:sub';
export const RELAYED_NS = 'presence:relayed';

/** The store each router context writes to, once its presence was restored from it. */
const attached = new WeakMap<RouterContext, Store>();

/**
 * The view of a restored subscription whose presentity has no store yet (an adapter's user the
 * adapter has not published again): never a PI anyone sees, so the first publish notifies.
 */
export const AWAITING_PUBLISH: PresenceInfo = Object.freeze({ bytes: new Uint8Array(0) });

interface StoreRow {
  readonly m: { readonly p: string[]; readonly t?: string; readonly b?: string }[];
}

interface SubRow {
  /** Presentity as written. */
  readonly pt: string;
  /** Watcher as written. */
  readonly wt: string;
  readonly k: 'adapter' | 'peer';
  /** The connection id: `adapter:<id>` for an adapter (stable across restarts), '' for a peer. */
  readonly c: string;
  readonly a?: readonly string[];
  /** Relayed only: the strength the subscribe went upstream with. */
  readonly s?: Strength;
}

function subKey(presentity: string, token: string, watcher: string): string {
  return presentity + ' ' + token + '/' + watcher;
}

function kept(kind: Origin['kind']): kind is 'adapter' | 'peer' {
  return kind === 'adapter' || kind === 'peer';
}

function storeRow(store: PresenceStore): string {
  const row: StoreRow = {
    m: store.list().map((m) => ({
      p: m.patterns.map((p) => formatPattern(p, { hudson: true })),
      ...(m.pi?.contentType === undefined ? {} : { t: m.pi.contentType }),
      ...(m.pi === null ? {} : { b: Buffer.from(m.pi.bytes).toString('base64') }),
    })),
  };
  return JSON.stringify(row);
}

function warnFailed(ctx: RouterContext, what: string, key: string, err: unknown): void {
  ctx.log?.warn({ err, key }, `${what} could not be stored; it may be lost at restart`);
}

/**
 * Writes `store` as it is now (or deletes its row when the router no longer holds it). Undefined
 * when nothing is kept; otherwise resolves once committed and rejects with `resources`.
 */
export function keepStore(ctx: RouterContext, store: PresenceStore): Promise<void> | undefined {
  const db = attached.get(ctx);
  if (db === undefined) return undefined;
  const uri = store.presentity.uri;
  const write =
    ctx.stores.get(uri) === store && store.count > 0
      ? db.setMapping(STORE_NS, uri, storeRow(store))
      : db.deleteMapping(STORE_NS, uri);
  return write.catch((err: unknown) => {
    warnFailed(ctx, 'a presence change', uri, err);
    throw new HubError('resources', 'the presence change could not be stored');
  });
}

/** Hooks for `Subscriptions` and `Relayed` (subscriptions.ts) writing their kept rows. */
function subscriptionHooks(ctx: RouterContext, db: Store): void {
  ctx.subscriptions.hooks = {
    put: (sub: Subscription) => {
      if (!kept(sub.kind)) return undefined;
      const key = subKey(sub.presentity, sub.token, sub.watcher.uri);
      const row: SubRow = {
        pt: sub.presentityText,
        wt: sub.watcherText,
        k: sub.kind,
        c: sub.connectionId,
        ...(sub.accept === undefined ? {} : { a: sub.accept }),
      };
      return db.setMapping(SUB_NS, key, JSON.stringify(row)).catch((err: unknown) => {
        warnFailed(ctx, 'a subscription', key, err);
        throw new HubError('resources', 'the subscription could not be stored');
      });
    },
    remove: (sub: Subscription) => {
      if (!kept(sub.kind)) return;
      const key = subKey(sub.presentity, sub.token, sub.watcher.uri);
      db.deleteMapping(SUB_NS, key).catch((err: unknown) => warnFailed(ctx, 'an unsubscribe', key, err));
    },
  };
  ctx.relayed.hooks = {
    put: (r: RelayedSubscription) => {
      // A client's relayed subscription is blank toward it (row 44); a peer's has no connection.
      if (r.blank) return;
      const kind = r.connectionId === '' ? 'peer' : 'adapter';
      const key = subKey(r.presentity, r.token, r.watcher.uri);
      const row: SubRow = {
        pt: r.presentityText,
        wt: r.watcherText,
        k: kind,
        c: r.connectionId,
        s: r.strength,
        ...(r.accept === undefined ? {} : { a: r.accept }),
      };
      db.setMapping(RELAYED_NS, key, JSON.stringify(row)).catch((err: unknown) =>
        warnFailed(ctx, 'a relayed subscription', key, err),
      );
    },
    remove: (r: RelayedSubscription) => {
      const key = subKey(r.presentity, r.token, r.watcher.uri);
      db.deleteMapping(RELAYED_NS, key).catch((err: unknown) =>
        warnFailed(ctx, 'a relayed unsubscribe', key, err),
      );
    },
  };
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** A kept store, or null when it cannot be read or is no longer ours to serve. */
function readStore(ctx: RouterContext, uri: string, text: string): PresenceStore | null {
  const row = parseJson<StoreRow>(text);
  if (row === null || !Array.isArray(row.m) || row.m.length === 0) return null;
  try {
    const address = readPresentity(uri);
    if (!ctx.isPresenceHome(address.domain)) return null;
    const store = new PresenceStore(address);
    for (const m of row.m) {
      const patterns: Pattern[] = m.p.map((p) => parsePattern(p));
      const pi: PresenceInfo | null =
        m.b === undefined
          ? null
          : {
              ...(m.t === undefined ? {} : { contentType: m.t }),
              bytes: new Uint8Array(Buffer.from(m.b, 'base64')),
            };
      store.insert(store.count + 1, patterns, pi);
    }
    // Decision (docs/hub-protocol.md part 4 row 35): an adapter's user is published by the
    // adapter from what its network says now; a kept "open" would show someone online who may
    // have left while the gateway was down, so only closed stores of adapters' users come back.
    if (ctx.capabilities(address.domain)?.presence === 'publish')
      for (const m of store.list()) if (m.pi !== null && saysOpen(m.pi)) return null;
    return store;
  } catch {
    return null;
  }
}

export interface RestoredPresence {
  readonly stores: number;
  readonly subscriptions: number;
  readonly relayed: number;
  /** Rows that were unreadable or no longer apply (their adapter or domain is gone), deleted. */
  readonly dropped: number;
}

/**
 * At start, before adapters publish and before the listeners open (docs/storage.md): reads the
 * kept presence into the router and attaches `db`, so every later change is written. The read is
 * bounded by what the router held at the crash (idle stores by `limits.maxIdlePresentities`,
 * subscriptions by the per-connection and per-peer bounds), as every row mirrors a live entry.
 * Adapters must be registered (their domains decide what is ours and whose subscription it is).
 */
export async function restorePresence(ctx: RouterContext, db: Store): Promise<RestoredPresence> {
  let dropped = 0;
  const drop = (ns: string, key: string): void => {
    dropped++;
    db.deleteMapping(ns, key).catch((err: unknown) => warnFailed(ctx, 'an unreadable row', key, err));
  };
  // Before the stores come back: restoring them may already pass the idle bound, and a store
  // dropped for it must leave no row (src/policy/BOUNDS.md).
  ctx.idleStores.dropped = (presentity) => {
    if (!ctx.stores.has(presentity))
      db.deleteMapping(STORE_NS, presentity).catch((err: unknown) =>
        warnFailed(ctx, 'a dropped presence store', presentity, err),
      );
  };
  let stores = 0;
  for (const [uri, text] of await db.listMappings(STORE_NS)) {
    const store = readStore(ctx, uri, text);
    if (store === null) drop(STORE_NS, uri);
    else {
      ctx.stores.set(uri, store);
      ctx.storeChanged(uri);
      stores++;
    }
  }
  let subscriptions = 0;
  for (const [key, text] of await db.listMappings(SUB_NS)) {
    const sub = readSubscription(ctx, key, text);
    if (sub === null) drop(SUB_NS, key);
    else {
      ctx.subscriptions.put(sub);
      subscriptions++;
    }
  }
  let relayed = 0;
  for (const [key, text] of await db.listMappings(RELAYED_NS)) {
    const r = readRelayed(ctx, key, text);
    if (r === null) drop(RELAYED_NS, key);
    else {
      ctx.relayed.put(r.sub);
      relayed++;
    }
  }
  // Attached last: the restored entries above are already in the store and need no write.
  attached.set(ctx, db);
  restoredSubs.set(ctx, ctx.subscriptions.all());
  subscriptionHooks(ctx, db);
  return { stores, subscriptions, relayed, dropped };
}

/** The subscriptions restored at start, until `renotifyRestored` has told their watchers. */
const restoredSubs = new WeakMap<RouterContext, Subscription[]>();

/**
 * "Watchers are notified again" (issue 15; part 4 row 35): once the adapters and the federation
 * are up, every restored watcher gets change-notify with the PI it sees now, as on a change
 * (draft §15.2), since it may have missed changes while the gateway was down; one whose view is
 * now denied gets terminate-notify (part 4 row 17). A watcher that forgot the subscription
 * answers `not-subscribed` and it is purged (part 4 row 15). In the background, like every notify.
 */
export function renotifyRestored(ctx: RouterContext): number {
  const subs = restoredSubs.get(ctx) ?? [];
  restoredSubs.delete(ctx);
  let sent = 0;
  for (const sub of subs) {
    if (ctx.subscriptions.get(sub.presentity, sub.token, sub.watcher.uri) !== sub) continue;
    // No store: an adapter's user the adapter has not published again (readStore). The watcher
    // learns that the subscription ended, as when a change denies it (part 4 row 17), rather
    // than keeping one that may never hear anything.
    const view = ctx.stores.get(sub.presentity)?.view(sub.watcher) ?? null;
    if (view === null) {
      dropSubscription(ctx, sub);
      notifyWatcher(ctx, sub, 'terminate-notify', null);
    } else {
      sub.view = view;
      notifyWatcher(ctx, sub, 'change-notify', view);
    }
    sent++;
  }
  return sent;
}

/** The subscriber's connection id is still meaningful: its adapter exists, or it is a peer. */
function subscriberExists(ctx: RouterContext, row: SubRow): boolean {
  // A peer's subscription is not tied to the connection it came on (part 4 row 15).
  if (row.k === 'peer') return true;
  return row.k === 'adapter' && ctx.adapterDomains(row.c) !== undefined;
}

function readSubscription(ctx: RouterContext, key: string, text: string): Subscription | null {
  const row = parseJson<SubRow>(text);
  if (row === null || !subscriberExists(ctx, row)) return null;
  try {
    const presentity = readPresentity(row.pt);
    const watcher = readPresentity(row.wt);
    const token = key.slice(key.indexOf(' ') + 1, key.lastIndexOf('/'));
    if (!ctx.isPresenceHome(presentity.domain) || key !== subKey(presentity.uri, token, watcher.uri))
      return null;
    const store = ctx.stores.get(presentity.uri);
    const view = store === undefined ? AWAITING_PUBLISH : store.view(watcher);
    if (view === null) return null;
    return {
      presentity: presentity.uri,
      presentityText: row.pt,
      watcher,
      watcherText: row.wt,
      token,
      kind: row.k,
      connectionId: row.c,
      // Notifies go over the route to the watcher's domain: the adapter that serves it, or the
      // peer gateway (part 4 row 13); the endpoint objects of the last run are gone.
      endpoint: null,
      blank: false,
      accept: row.a,
      view,
    };
  } catch {
    return null;
  }
}

function readRelayed(ctx: RouterContext, key: string, text: string): { sub: RelayedSubscription } | null {
  const row = parseJson<SubRow>(text);
  if (row === null || !subscriberExists(ctx, row)) return null;
  try {
    const presentity = readPresentity(row.pt);
    const watcher = readPresentity(row.wt);
    const token = key.slice(key.indexOf(' ') + 1, key.lastIndexOf('/'));
    const upstream = ctx.resolve(presentity.domain);
    const local = ctx.resolve(watcher.domain);
    if (upstream === null || upstream.kind === 'local' || local === null || local.kind === 'local')
      return null;
    return {
      sub: {
        presentity: presentity.uri,
        presentityText: row.pt,
        watcher,
        watcherText: row.wt,
        token,
        connectionId: row.c,
        endpoint: local.endpoint,
        blank: false,
        accept: row.a,
        upstream: upstream.endpoint,
        strength: row.s ?? 'none',
      },
    };
  } catch {
    return null;
  }
}

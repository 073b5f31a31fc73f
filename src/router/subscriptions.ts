/**
 * PITP subscription state (draft §11.7, §15.10-15.16; docs/hub-protocol.md part 2.10):
 * - `Subscriptions`: watchers of presentities this router is home for, keyed by
 *   (connection-id token, watcher URL, presentity) (§11.7);
 * - `Relayed`: subscriptions of local clients/adapters to foreign presentities, so that the
 *   presentity server's change-notify/terminate-notify find their way back (§11.7, part 3 row 44);
 * - `TokenMint`: the per-connection token a watcher's server mints (row 44);
 * - `WatcherInfo`: connections that asked for watcher information (start-wi, row 45);
 * - `UpdateGuards`: fetch-for-update marks per connection (§15.5, row 40).
 */
import type { PresAddress } from '../model/index.js';
import type { Endpoint, Origin } from './operation.js';
import type { PresenceInfo } from './presence-store.js';

export interface Subscription {
  /** Canonical presentity URI (the key). */
  readonly presentity: string;
  /** The Presentity header as the subscriber wrote it, echoed in notifies. */
  readonly presentityText: string;
  readonly watcher: PresAddress;
  /** The watcher URL as written in the Subscription header. */
  readonly watcherText: string;
  /** The connection-id part of the Subscription header (minted by us for a client, row 44). */
  readonly token: string;
  readonly kind: Origin['kind'];
  readonly connectionId: string;
  /**
   * Where notifies go; null for a peer: part 4 row 13 says inter-domain commands go on
   * connections we initiate, so notifies to a foreign watcher use the route to its domain.
   */
  readonly endpoint: Endpoint | null;
  /** A client's notifies carry an empty connection-id (§11.7 MUST, row 44). */
  readonly blank: boolean;
  readonly accept: readonly string[] | undefined;
  /** The PI last sent to this watcher (subscribe ok or change-notify); never null while subscribed. */
  view: PresenceInfo;
}

function keyOf(token: string, watcher: string): string {
  return token + '/' + watcher;
}

/**
 * Issue 15 (presence-persist.ts): what keeps subscriptions across a restart hears each one put
 * and removed; `put` may return the write, which the subscribe's answer waits for.
 */
export interface SubscriptionHooks {
  put(sub: Subscription): Promise<void> | undefined;
  remove(sub: Subscription): void;
}

export class Subscriptions {
  /** Set once presence is kept (presence-persist.ts); absent when nothing is kept. */
  hooks: SubscriptionHooks | undefined;
  private readonly byPresentity = new Map<string, Map<string, Subscription>>();
  private readonly byConnection = new Map<string, Set<Subscription>>();
  /**
   * Issue 19: subscriptions of each peer domain, and of (peer domain, presentity), for the
   * per-peer bounds (`limits.peers`). A peer may only speak for watchers of its own domain
   * (draft §8.1), so the watcher's domain names the peer.
   */
  private readonly byPeer = new Map<string, number>();
  private readonly byPeerAt = new Map<string, number>();
  /**
   * Subscriptions of each watcher behind an adapter: an adapter is one connection for all its
   * users (`adapter:<id>`), so its bound is per watcher, not per connection.
   */
  private readonly byAdapterWatcher = new Map<string, number>();

  /**
   * `watchedChanged` hears a presentity's first subscriber arrive and its last one leave (after
   * the change): an unwatched store may be idle (idle-stores.ts).
   */
  constructor(private readonly watchedChanged?: (presentity: string) => void) {}

  /** Does anyone subscribe to `presentity`? */
  has(presentity: string): boolean {
    return this.byPresentity.has(presentity);
  }

  get(presentity: string, token: string, watcher: string): Subscription | undefined {
    return this.byPresentity.get(presentity)?.get(keyOf(token, watcher));
  }

  /**
   * Adds `sub`, replacing one with the same key (a refresh). Returns the write that keeps it
   * (issue 15), when presence is kept and `sub` is one that outlives its connection.
   */
  put(sub: Subscription): Promise<void> | undefined {
    let m = this.byPresentity.get(sub.presentity);
    const first = m === undefined;
    if (m === undefined) this.byPresentity.set(sub.presentity, (m = new Map()));
    const old = m.get(keyOf(sub.token, sub.watcher.uri));
    if (old !== undefined) {
      this.byConnection.get(old.connectionId)?.delete(old);
      this.countPeer(old, -1);
    }
    m.set(keyOf(sub.token, sub.watcher.uri), sub);
    this.countPeer(sub, 1);
    let s = this.byConnection.get(sub.connectionId);
    if (s === undefined) this.byConnection.set(sub.connectionId, (s = new Set()));
    s.add(sub);
    if (first) this.watchedChanged?.(sub.presentity);
    return this.hooks?.put(sub);
  }

  /** Removes `sub`; false when it was no longer there. */
  remove(sub: Subscription): boolean {
    const m = this.byPresentity.get(sub.presentity);
    const key = keyOf(sub.token, sub.watcher.uri);
    if (m === undefined || m.get(key) !== sub) return false;
    m.delete(key);
    this.countPeer(sub, -1);
    const s = this.byConnection.get(sub.connectionId);
    s?.delete(sub);
    if (s?.size === 0) this.byConnection.delete(sub.connectionId);
    if (m.size === 0) {
      this.byPresentity.delete(sub.presentity);
      this.watchedChanged?.(sub.presentity);
    }
    this.hooks?.remove(sub);
    return true;
  }

  /** Every subscription (a copy), for the restart (presence-persist.ts). */
  all(): Subscription[] {
    const out: Subscription[] = [];
    for (const m of this.byPresentity.values()) for (const sub of m.values()) out.push(sub);
    return out;
  }

  /** The subscriptions to `presentity`, in subscription order (a copy: callers may remove). */
  of(presentity: string): Subscription[] {
    const m = this.byPresentity.get(presentity);
    return m === undefined ? [] : [...m.values()];
  }

  ofConnection(connectionId: string): Subscription[] {
    const s = this.byConnection.get(connectionId);
    return s === undefined ? [] : [...s];
  }

  countOfConnection(connectionId: string): number {
    return this.byConnection.get(connectionId)?.size ?? 0;
  }

  /** Subscriptions `watcher` holds here through the adapter connection `connectionId`. */
  countOfAdapterWatcher(connectionId: string, watcher: string): number {
    return this.byAdapterWatcher.get(connectionId + ' ' + watcher) ?? 0;
  }

  /** Subscriptions peer `domain` holds here (issue 19). */
  countOfPeer(domain: string): number {
    return this.byPeer.get(domain) ?? 0;
  }

  /** Subscriptions peer `domain` holds to `presentity` (issue 19). */
  countOfPeerAt(domain: string, presentity: string): number {
    return this.byPeerAt.get(domain + ' ' + presentity) ?? 0;
  }

  /** Every subscription of peer `domain` (a scan: only when its link has been gone long). */
  ofPeer(domain: string): Subscription[] {
    if (!this.byPeer.has(domain)) return [];
    return this.all().filter((s) => s.kind === 'peer' && s.watcher.domain === domain);
  }

  private countPeer(sub: Subscription, delta: 1 | -1): void {
    if (sub.kind === 'adapter') bump(this.byAdapterWatcher, sub.connectionId + ' ' + sub.watcher.uri, delta);
    if (sub.kind !== 'peer') return;
    const d = sub.watcher.domain;
    bump(this.byPeer, d, delta);
    bump(this.byPeerAt, d + ' ' + sub.presentity, delta);
  }
}

function bump(m: Map<string, number>, key: string, delta: number): void {
  const n = (m.get(key) ?? 0) + delta;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}

/** A subscription a local client or adapter holds at a foreign presentity server. */
export interface RelayedSubscription {
  readonly presentity: string;
  readonly presentityText: string;
  readonly watcher: PresAddress;
  readonly watcherText: string;
  /** The token sent upstream (minted for a client, the adapter's own otherwise). */
  readonly token: string;
  readonly connectionId: string;
  /** The local subscriber: notifies go here. */
  readonly endpoint: Endpoint;
  readonly blank: boolean;
  readonly accept: readonly string[] | undefined;
  /** Where the subscribe went; an unsubscribe on connection close goes there too. */
  readonly upstream: Endpoint;
  readonly strength: Origin['strength'];
}

/** Issue 15 (presence-persist.ts): what keeps relayed subscriptions across a restart. */
export interface RelayedHooks {
  put(r: RelayedSubscription): void;
  remove(r: RelayedSubscription): void;
}

export class Relayed {
  /** Set once presence is kept (presence-persist.ts). */
  hooks: RelayedHooks | undefined;
  private readonly byKey = new Map<string, RelayedSubscription>();
  private readonly byConnection = new Map<string, Set<string>>();

  private static key(presentity: string, token: string, watcher: string): string {
    return presentity + ' ' + token + '/' + watcher;
  }

  get(presentity: string, token: string, watcher: string): RelayedSubscription | undefined {
    return this.byKey.get(Relayed.key(presentity, token, watcher));
  }

  put(r: RelayedSubscription): void {
    const k = Relayed.key(r.presentity, r.token, r.watcher.uri);
    this.take(k);
    this.byKey.set(k, r);
    let s = this.byConnection.get(r.connectionId);
    if (s === undefined) this.byConnection.set(r.connectionId, (s = new Set()));
    s.add(k);
    this.hooks?.put(r);
  }

  delete(presentity: string, token: string, watcher: string): void {
    const r = this.take(Relayed.key(presentity, token, watcher));
    if (r !== undefined) this.hooks?.remove(r);
  }

  private take(k: string): RelayedSubscription | undefined {
    const r = this.byKey.get(k);
    if (r === undefined) return undefined;
    this.byKey.delete(k);
    const s = this.byConnection.get(r.connectionId);
    s?.delete(k);
    if (s?.size === 0) this.byConnection.delete(r.connectionId);
    return r;
  }

  /** Relayed subscriptions a connection holds (issue 19: they count toward its bound). */
  countOfConnection(connectionId: string): number {
    return this.byConnection.get(connectionId)?.size ?? 0;
  }

  /** Removes and returns every relayed subscription of a connection. */
  takeConnection(connectionId: string): RelayedSubscription[] {
    const s = this.byConnection.get(connectionId);
    if (s === undefined) return [];
    this.byConnection.delete(connectionId);
    const out: RelayedSubscription[] = [];
    for (const k of s) {
      const r = this.byKey.get(k);
      if (r !== undefined) {
        out.push(r);
        this.hooks?.remove(r);
      }
      this.byKey.delete(k);
    }
    return out;
  }
}

/**
 * Row 44 (§11.7 SHOULD): one alphanumeric token per client connection, used when forwarding its
 * subscribes, reused for its unsubscribes (MUST) and shown in watcher information.
 */
export class TokenMint {
  private readonly tokens = new Map<string, string>();
  private next = 1;

  tokenFor(connectionId: string): string {
    let t = this.tokens.get(connectionId);
    if (t === undefined) this.tokens.set(connectionId, (t = 'c' + (this.next++).toString(36)));
    return t;
  }

  forget(connectionId: string): void {
    this.tokens.delete(connectionId);
  }
}

/** start-wi registrations (§15.10): presentity → connection → endpoint. */
export class WatcherInfo {
  private readonly byPresentity = new Map<string, Map<string, Endpoint>>();
  private readonly byConnection = new Map<string, Set<string>>();

  add(presentity: string, connectionId: string, endpoint: Endpoint): void {
    let m = this.byPresentity.get(presentity);
    if (m === undefined) this.byPresentity.set(presentity, (m = new Map()));
    m.set(connectionId, endpoint);
    let s = this.byConnection.get(connectionId);
    if (s === undefined) this.byConnection.set(connectionId, (s = new Set()));
    s.add(presentity);
  }

  endpoints(presentity: string): Endpoint[] {
    const m = this.byPresentity.get(presentity);
    return m === undefined ? [] : [...m.values()];
  }

  dropConnection(connectionId: string): void {
    const s = this.byConnection.get(connectionId);
    if (s === undefined) return;
    this.byConnection.delete(connectionId);
    for (const p of s) {
      const m = this.byPresentity.get(p);
      m?.delete(connectionId);
      if (m?.size === 0) this.byPresentity.delete(p);
    }
  }
}

/** fetch-for-update marks: connection → "presentity index" → the mapping seen then. */
export type UpdateGuards = Map<string, Map<string, { readonly id: number; readonly version: number }>>;

/**
 * The router's configuration and shared state: served domains, adapter registrations, routes,
 * limits and the tables the IMTP and PITP handlers use. No I/O (docs/architecture.md part 4).
 */
import { HubError } from '../errors.js';
import { strengthRank, type Strength } from '../protocol/index.js';
import type { ImAddress } from '../model/index.js';
import { DEFAULT_MISMATCHED_FROM, type MismatchedFromPolicy } from '../codec/cpim/index.js';
import type { Logger } from '../log.js';
import { LogThrottle } from '../policy/index.js';
import { Listeners } from './listeners.js';
import type { Endpoint } from './operation.js';
import type { PresenceInfo, PresenceStore } from './presence-store.js';
import { IdleStores } from './idle-stores.js';
import { OfflineState } from './offline.js';
import { ExpiryTimer } from './offline-expiry.js';
import { DEFAULT_SENDER_RATE, SenderRates, type SenderRateOptions } from './sender-rate.js';
import { createPresenceTranslator } from './presence-translate.js';
import type { Authority } from './source-auth.js';
import { Relayed, Subscriptions, TokenMint, WatcherInfo, type UpdateGuards } from './subscriptions.js';
import { DEFAULT_MAX_VISITED } from './visited.js';
import { RouterStats } from './stats.js';
import type { Store } from '../store/types.js';

export { DEFAULT_LIMITS, type Capabilities, type RouterLimits } from './capabilities.js';
import { DEFAULT_LIMITS, type Capabilities, type RouterLimits } from './capabilities.js';

/** A room (docs/architecture.md part 7): a configured set of member inboxes behind the room's own inbox. */
export interface RoomConfig {
  readonly name: string;
  /** The room's inbox; must be in a served domain. */
  readonly address: ImAddress;
  readonly members: readonly ImAddress[];
  /** Accept sends from non-members too (default false: only members may post, else `target-authorization`). */
  readonly open?: boolean;
}

/** Where static peers, DNS SRV and the like plug in: a next hop for a foreign domain. */
export type RouteFn = (domain: string) => Endpoint | 'local' | null;

export interface RouterOptions {
  /** Domains this gateway is home for (IMTP listeners, presence stores). */
  readonly domains: readonly string[];
  /** This relay's Visited token (draft §16.2); default the first domain. Must be unique among operators. */
  readonly visitedToken?: string;
  /** Part 4 row 16: more Visited tokens than this ⇒ `loop`. Default 16. */
  readonly maxVisited?: number;
  readonly limits?: Partial<RouterLimits>;
  readonly routes?: RouteFn;
  readonly rooms?: readonly RoomConfig[];
  /**
   * Per-route minimum Astrength (draft §11.4 MAY, part 3 row 29): a command to `domain` whose
   * strength is lower is refused with `source-authorization`. Answers are never refused.
   */
  readonly minStrength?: (domain: string) => Strength | undefined;
  /**
   * The seam for presence-format translation at the edge (docs/hub-protocol.md part 5.4): asked when a
   * PI goes to an origin whose `accept` list lacks the PI's type; null = send it as it is.
   * Leaving signed or encrypted bodies alone (part 5.4) is the hook's business: return null.
   * Default: the core's translator (presence-translate.ts), application/presence ↔ PIDF.
   */
  readonly translate?: (pi: PresenceInfo, acceptType: string, presentity?: string) => PresenceInfo | null;
  /** The per-sender message rate of every IMTP send (config `limits.perSender`, sender-rate.ts). */
  readonly senderRate?: Partial<SenderRateOptions>;
  /** At most one warn line per this interval for dropped notifies (config `limits.warnIntervalMs`). */
  readonly warnIntervalMs?: number;
  /**
   * Whether some account may listen for an inbox of a home domain (draft §8.1: listening needs
   * an identity that covers the inbox; src/hub-router.ts builds it from `hub.accounts`). An
   * inbox nobody may ever listen for does not exist: a send to it is `target-not-found`, not
   * `no-listeners`. Absent: every inbox may have a listener.
   */
  readonly listenable?: (inbox: ImAddress) => boolean;
  /**
   * An inner Message/CPIM `From` naming someone other than the verified author (identity.ts):
   * `show` passes it on (adapters show `alice (as "Bob")`), `refuse` answers
   * `source-authorization` (config `identity.mismatchedFrom`). Default `show`.
   */
  readonly mismatchedFrom?: MismatchedFromPolicy;
  /**
   * Issue 15: offline delivery and room history (config `storage`, offline.ts, room-history.ts),
   * in effect once a store is set (Router.setStore). Default: the config's defaults.
   */
  readonly storage?: StoragePolicy;
  /**
   * Issue 15: whether a message for a home inbox nobody listens on is kept (hub accounts'
   * `offline`, src/hub-router.ts). Absent: every inbox that may be listened for.
   */
  readonly keepsOffline?: (inbox: ImAddress) => boolean;
  readonly log?: Logger;
}

/** The part of the `storage` config the router applies (src/config/storage-schema.ts). */
export interface StoragePolicy {
  readonly offline: { readonly enabled: boolean; readonly maxAgeMs: number; readonly maxPerInbox: number };
  readonly history: { readonly enabled: boolean };
}

export const DEFAULT_STORAGE_POLICY: StoragePolicy = Object.freeze({
  offline: Object.freeze({ enabled: true, maxAgeMs: 7 * 24 * 60 * 60 * 1000, maxPerInbox: 1000 }),
  history: Object.freeze({ enabled: true }),
});

export type Destination =
  | { readonly kind: 'local' }
  | { readonly kind: 'adapter'; readonly endpoint: Endpoint; readonly capabilities: Capabilities }
  | { readonly kind: 'remote'; readonly endpoint: Endpoint };

const LOCAL: Destination = Object.freeze({ kind: 'local' });

interface AdapterEntry {
  readonly endpoint: Endpoint;
  readonly capabilities: Capabilities;
  readonly destination: Destination;
}

export class RouterContext implements Authority {
  readonly domains: ReadonlySet<string>;
  readonly token: string;
  readonly maxVisited: number;
  /** Replaced whole by a reload (Router.reconfigure); read at each use. */
  limits: RouterLimits;
  readonly listeners = new Listeners();
  readonly stores = new Map<string, PresenceStore>();
  /** A presentity's first subscriber or last one leaving may change whether its store is idle. */
  readonly subscriptions = new Subscriptions((presentity) => this.storeChanged(presentity));
  readonly idleStores: IdleStores;
  readonly relayed = new Relayed();
  readonly tokens = new TokenMint();
  readonly watcherInfo = new WatcherInfo();
  readonly guards: UpdateGuards = new Map();
  /** Issue 15: what is kept, for how long (config `storage`); used once a store is set. */
  readonly storage: StoragePolicy;
  /** Issue 15: drains and writes in progress (offline.ts), and the expiry timer (offline-expiry.ts). */
  readonly offline = new OfflineState();
  readonly expiry = new ExpiryTimer();
  private keepsOfflineFor: RouterOptions['keepsOffline'];
  readonly log: Logger | undefined;
  readonly translate: RouterOptions['translate'];
  readonly senderRates: SenderRates;
  refuseMismatchedFrom: boolean;
  /** Throttles the warn line of a dropped notify: a dead watcher route repeats it per change. */
  readonly notifyDrops: LogThrottle;
  /** Counts for the operations endpoint (stats.ts), read when scraped. */
  readonly stats = new RouterStats();
  /**
   * The durable store (issue 15, docs/storage.md): set by the gateway once it is open
   * (Router.setStore), before adapters and listeners start; null until then and when
   * `storage.backend` is `none`.
   */
  store: Store | null = null;
  private readonly routes: RouteFn | undefined;
  private readonly minStrengthOf: RouterOptions['minStrength'];
  private listenable: RouterOptions['listenable'];
  private readonly adapters = new Map<string, AdapterEntry>();
  private readonly adapterDomainsById = new Map<string, Set<string>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly quotaWarnings: LogThrottle;

  constructor(options: RouterOptions) {
    if (options.domains.length === 0) throw new Error('a router needs at least one domain');
    this.domains = new Set(options.domains.map((d) => d.toLowerCase()));
    this.token = (options.visitedToken ?? options.domains[0]!).toLowerCase();
    this.maxVisited = options.maxVisited ?? DEFAULT_MAX_VISITED;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.routes = options.routes;
    this.minStrengthOf = options.minStrength;
    this.listenable = options.listenable;
    this.storage = options.storage ?? DEFAULT_STORAGE_POLICY;
    this.keepsOfflineFor = options.keepsOffline;
    // Issue 12: presence is translated in the core unless the embedder brings its own hook.
    this.translate = options.translate ?? createPresenceTranslator(options.log);
    this.log = options.log;
    this.refuseMismatchedFrom = (options.mismatchedFrom ?? DEFAULT_MISMATCHED_FROM) === 'refuse';
    const senderRate = { ...DEFAULT_SENDER_RATE, ...options.senderRate };
    this.senderRates = new SenderRates(senderRate, options.log);
    this.quotaWarnings = new LogThrottle(senderRate.warnIntervalMs, senderRate.clock);
    this.notifyDrops = new LogThrottle(options.warnIntervalMs ?? senderRate.warnIntervalMs);
    this.idleStores = new IdleStores({
      max: this.limits.maxIdlePresentities,
      candidate: (store) =>
        this.adapters.get(store.presentity.domain)?.capabilities.presence === 'publish' &&
        !this.subscriptions.has(store.presentity.uri),
      drop: (store) => {
        const uri = store.presentity.uri;
        if (this.stores.get(uri) !== store) return;
        this.stores.delete(uri);
        this.log?.debug({ presentity: uri }, 'idle presence store dropped (limits.maxIdlePresentities)');
      },
    });
  }

  /**
   * After a store command, or a subscriber arriving or leaving: the store of `presentity` may
   * have become idle or stopped being idle (idle-stores.ts, issue 12).
   */
  storeChanged(presentity: string): void {
    this.idleStores.update(presentity, this.stores.get(presentity));
  }

  // --- Authority (source-auth.ts) ---

  isServed(domain: string): boolean {
    return this.domains.has(domain) || this.adapters.has(domain);
  }

  /** Every domain served here: the gateway's own and every adapter's (issue 13, email identity). */
  servedDomains(): string[] {
    return [...this.domains, ...this.adapters.keys()];
  }

  adapterDomains(endpointId: string): ReadonlySet<string> | undefined {
    return this.adapterDomainsById.get(endpointId);
  }

  /** A domain whose IMTP inboxes listen here (not one an adapter took over). */
  isHome(domain: string): boolean {
    return this.domains.has(domain) && !this.adapters.has(domain);
  }

  /** A reload with other accounts (docs/operations-reload.md): who may listen from now on. */
  setListenable(listenable: RouterOptions['listenable']): void {
    this.listenable = listenable;
  }

  /** May anyone ever listen for `inbox` (a home inbox)? See RouterOptions.listenable. */
  mayListen(inbox: ImAddress): boolean {
    return this.listenable === undefined || this.listenable(inbox);
  }

  /** A reload with other accounts: whose messages are kept while nobody listens. */
  setKeepsOffline(keepsOffline: RouterOptions['keepsOffline']): void {
    this.keepsOfflineFor = keepsOffline;
  }

  /** Are messages for `inbox` (a home inbox) kept while nobody listens? See RouterOptions.keepsOffline. */
  keepsOffline(inbox: ImAddress): boolean {
    return this.keepsOfflineFor === undefined || this.keepsOfflineFor(inbox);
  }

  /** Is this router the presence home (store) for presentities of `domain`? */
  isPresenceHome(domain: string): boolean {
    const a = this.adapters.get(domain);
    return a === undefined ? this.domains.has(domain) : a.capabilities.presence === 'publish';
  }

  // --- Adapters ---

  registerDomain(domain: string, endpoint: Endpoint, capabilities: Capabilities): () => void {
    const d = domain.toLowerCase();
    if (this.adapters.has(d)) throw new Error(`domain ${d} is already registered`);
    this.adapters.set(d, {
      endpoint,
      capabilities,
      destination: { kind: 'adapter', endpoint, capabilities },
    });
    let set = this.adapterDomainsById.get(endpoint.id);
    if (set === undefined) this.adapterDomainsById.set(endpoint.id, (set = new Set()));
    set.add(d);
    this.senderRates.setDomainRate(d, capabilities.senderRate);
    return () => this.unregisterDomain(d);
  }

  unregisterDomain(domain: string): void {
    const d = domain.toLowerCase();
    const entry = this.adapters.get(d);
    if (entry === undefined) return;
    this.adapters.delete(d);
    this.senderRates.setDomainRate(d, undefined);
    const set = this.adapterDomainsById.get(entry.endpoint.id);
    set?.delete(d);
    if (set?.size === 0) this.adapterDomainsById.delete(entry.endpoint.id);
  }

  capabilities(domain: string): Capabilities | undefined {
    return this.adapters.get(domain.toLowerCase())?.capabilities;
  }

  // --- Routing ---

  /**
   * The destination for `domain` (docs/architecture.md part 2): an adapter serving it, this router, or
   * the route table (static peers, later DNS SRV); null when nothing resolves it
   * (RFC 3860 §3.4.1 check 2 → `target-not-found`, docs/cpim.md row 29).
   */
  resolve(domain: string): Destination | null {
    const a = this.adapters.get(domain);
    if (a !== undefined) return a.destination;
    if (this.domains.has(domain)) return LOCAL;
    const r = this.routes?.(domain) ?? null;
    if (r === null) return null;
    return r === 'local' ? LOCAL : { kind: 'remote', endpoint: r };
  }

  /**
   * Draft §11.4 MAY (part 3 row 29): refuse a command below the route's minimum strength with
   * `source-authorization`. Only ever called for commands, never for answers.
   */
  checkStrength(domain: string, strength: Strength): void {
    if (this.minStrengthOf === undefined) return;
    const min = this.minStrengthOf(domain);
    if (min !== undefined && strengthRank(strength) < strengthRank(min))
      throw new HubError('source-authorization', `authentication too weak for ${domain}`);
  }

  /**
   * Refuses a command over a per-connection limit (docs/architecture.md part 8): logged at warn
   * with the reason, at most once per `limits.warnIntervalMs` (a flood of refusals is not a flood
   * of lines), and answered `quota` with the reason as Error-Description (draft §12).
   */
  refuseQuota(reason: string, fields: Record<string, unknown>): never {
    const suppressed = this.quotaWarnings.allow();
    if (suppressed >= 0) this.log?.warn({ ...fields, reason, suppressed }, 'over a limit, answered quota');
    throw new HubError('quota', reason);
  }

  // --- Background work (notifies, WI events, upstream unsubscribes) ---

  /**
   * Background deliveries never reject: a failure is logged at warn (a watcher missed a notify)
   * and otherwise dropped; there is no sender to answer.
   */
  track(p: Promise<unknown>): void {
    const q: Promise<unknown> = p
      .catch((err: unknown) => this.log?.warn({ err }, 'background delivery failed'))
      .finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  /** Background deliveries in flight (a queue depth on the operations endpoint). */
  get backgroundDeliveries(): number {
    return this.pending.size;
  }

  /** Resolves when no background delivery is outstanding. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

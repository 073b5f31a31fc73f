/**
 * The router (docs/architecture.md parts 2, 4): takes IMTP/PITP operations from clients, peer gateways and
 * adapters, checks them and hands them to the right endpoint, and answers once the next hop has.
 * Pure of I/O: endpoints do the delivering; the router never touches sockets or adapters.
 *
 *   const router = new Router({ domains: ['example.com'], routes: (d) => peers.get(d) ?? null });
 *   const off = router.registerDomain('irc.example.org', ircEndpoint, { presence: 'publish' });
 *   const answer = await router.handle(op, origin);
 *   router.connectionClosed(connectionId);
 */
import { HubError } from '../errors.js';
import type { ImAddress } from '../model/index.js';
import { answerFromError, type Answer } from '../protocol/index.js';
import { RouterContext, type Capabilities, type RouterOptions } from './context.js';
import { handleListen, handleSend } from './imtp.js';
import type { AnswerSink, Endpoint, Operation, Origin } from './operation.js';
import { dropSubscription, endPeerSubscriptions } from './pitp-notify.js';
import { PeerLinger } from './peer-linger.js';
import { handleStartWi, handleStoreCommand, handleTerminate } from './pitp-store.js';
import { handleFetch, handleSubscribe, handleUnsubscribe, handleWatcherNotify } from './pitp-watch.js';
import type { Room } from './rooms.js';
import { buildRooms } from './room-table.js';
import type { RouterReload } from './reload.js';
import { relayHeaders } from './visited.js';
import type { RouterStats } from './stats.js';
import { renotifyRestored, restorePresence, type RestoredPresence } from './presence-persist.js';
import type { Store } from '../store/types.js';
import { expireOffline } from './offline-expiry.js';

export type { Capabilities, RoomConfig, RouterLimits, RouterOptions, RouteFn } from './context.js';

const STORE_METHODS: ReadonlySet<string> = new Set([
  'change',
  'insert-mapping',
  'delete-mapping',
  'set-class',
  'get-class',
  'fetch-for-update',
]);

export class Router {
  private readonly ctx: RouterContext;
  /** Replaced whole by a reload; every send reads the table of its moment. */
  private rooms: Map<string, Room>;

  /** Issue 19: when a peer's subscriptions end after its links are gone (peer-linger.ts). */
  private readonly peerLinger: PeerLinger;

  constructor(options: RouterOptions) {
    const ctx = (this.ctx = new RouterContext(options));
    this.rooms = buildRooms(options.domains, options.rooms ?? []);
    this.peerLinger = new PeerLinger(
      () => ctx.limits.peerSubscriptionsLingerMs,
      (domain) => endPeerSubscriptions(ctx, domain),
    );
  }

  /** This relay's Visited token. */
  get visitedToken(): string {
    return this.ctx.token;
  }

  /** The durable store, once the gateway opened it (null: nothing is kept; docs/storage.md). */
  setStore(store: Store | null): void {
    this.ctx.store = store;
    // Issue 15: kept messages expire while a store is set (offline-expiry.ts).
    if (store === null) this.ctx.expiry.stop();
    else this.ctx.expiry.start(this.ctx);
  }

  /**
   * Reports and deletes the kept messages expired at `now` (offline-expiry.ts); the timer calls
   * the same once a store is set. Resolves to how many went (0 without a store).
   */
  expireKept(now = Date.now()): Promise<number> {
    const store = this.ctx.store;
    return store === null ? Promise.resolve(0) : expireOffline(this.ctx, store, now);
  }

  get store(): Store | null {
    return this.ctx.store;
  }

  /**
   * Lets an adapter (or any in-process endpoint) serve `domain`: IMTP sends to inboxes there and,
   * per `capabilities.presence`, PITP fetch/subscribe go to it, and it may act as the source for
   * identifiers there (draft §8.1). Returns the function that undoes the registration.
   */
  registerDomain(domain: string, endpoint: Endpoint, capabilities: Capabilities): () => void {
    return this.ctx.registerDomain(domain, endpoint, capabilities);
  }

  unregisterDomain(domain: string): void {
    this.ctx.unregisterDomain(domain);
  }

  /**
   * Answers one operation. Never rejects: every failure becomes an error answer (draft §12).
   * Not `async`: a handler's promise is passed on as it is (docs/architecture.md part 11, fewer microtask
   * turns per send); only a failure costs an extra step.
   */
  handle(op: Operation, origin: Origin): Promise<Answer> {
    if (op.method === 'send' && op.protocol === 'imtp') {
      // Hot path: handleSend's promise never rejects, so it needs no `.then` guard (one microtask
      // turn less per send); its own refusals are thrown synchronously.
      try {
        return handleSend(this.ctx, this.rooms, op, origin);
      } catch (e) {
        const answer = this.failed(op, e);
        // Issue 14: a send refused here, before any next hop (checks, rate limit, no route).
        this.ctx.stats.refused.answer(answer);
        return Promise.resolve(answer);
      }
    }
    let result: Answer | Promise<Answer>;
    try {
      result = this.dispatch(op, origin);
    } catch (e) {
      return Promise.resolve(this.failed(op, e));
    }
    if (!(result instanceof Promise)) return Promise.resolve(result);
    return result.then(undefined, (e: unknown) => this.failed(op, e));
  }

  /**
   * Issue 18, the relay path: an IMTP `send` answered through `sink` (exactly once) instead of
   * a promise; the same checks, answers and counts as `handle`.
   */
  relaySend(op: Operation, origin: Origin, sink: AnswerSink): void {
    try {
      handleSend(this.ctx, this.rooms, op, origin, sink);
    } catch (e) {
      const answer = this.failed(op, e);
      this.ctx.stats.refused.answer(answer);
      sink.answered(answer);
    }
  }

  private failed(op: Operation, e: unknown): Answer {
    if (!(e instanceof HubError)) this.ctx.log?.warn({ err: e, method: op.method }, 'operation failed');
    return answerFromError(e);
  }

  private dispatch(op: Operation, origin: Origin): Answer | Promise<Answer> {
    const ctx = this.ctx;
    if (origin.kind === 'peer' && op.protocol === 'pitp')
      this.peerLinger.seen((origin.peerDomain ?? '').toLowerCase(), origin.connectionId);
    if (op.protocol === 'imtp') {
      if (op.method === 'send') return handleSend(ctx, this.rooms, op, origin);
      if (op.method === 'listen') return handleListen(ctx, op, origin);
    } else {
      if (STORE_METHODS.has(op.method)) return handleStoreCommand(ctx, op, origin);
      switch (op.method) {
        case 'fetch':
          return handleFetch(ctx, op, origin);
        case 'subscribe':
          return handleSubscribe(ctx, op, origin);
        case 'unsubscribe':
          return handleUnsubscribe(ctx, op, origin);
        case 'start-wi':
          return handleStartWi(ctx, op, origin);
        case 'terminate':
          return handleTerminate(ctx, op, origin);
        case 'change-notify':
        case 'terminate-notify':
          return handleWatcherNotify(ctx, op, origin);
        // fetch-/subscribe-/unsubscribe-notify go to WI clients, never to a server: answered
        // `unknown-method` as §14.2 has a server answer a client-only `shutdown`.
      }
    }
    // draft §10 (part 3 row 13); auth/shutdown belong to the wire layer.
    throw new HubError('unknown-method', `${op.method} is not handled here`);
  }

  /**
   * A connection (or adapter link) is gone (part 4 row 15, part 3 row 47): its listens, watcher
   * information and fetch-for-update marks end; its subscriptions to presentities here end (watcher
   * information hears unsubscribe-notify); its subscriptions at foreign servers are torn down
   * with an unsubscribe carrying the same token (§11.7 MUST, row 44). A peer's subscriptions
   * outlive the connection they came on (inter-domain ones last until unsubscribe/terminate), but
   * not the peer: they end once it has had no PITP connection for a while (peer-linger.ts).
   */
  connectionClosed(connectionId: string): void {
    const ctx = this.ctx;
    this.peerLinger.closed(connectionId);
    ctx.listeners.dropConnection(connectionId);
    ctx.watcherInfo.dropConnection(connectionId);
    ctx.guards.delete(connectionId);
    for (const sub of ctx.subscriptions.ofConnection(connectionId))
      if (sub.kind !== 'peer') dropSubscription(ctx, sub);
    for (const r of ctx.relayed.takeConnection(connectionId)) {
      const headers = relayHeaders(
        [
          ['Subscription', r.token + '/' + r.watcherText],
          ['Presentity', r.presentityText],
        ],
        null,
        r.strength,
      );
      ctx.track(r.upstream.deliver({ protocol: 'pitp', method: 'unsubscribe', headers }));
    }
    ctx.tokens.forget(connectionId);
  }

  /**
   * A check that delivers nothing (the email adapter asks it at RCPT): false only for an inbox
   * of a home domain that is no room and that no account may listen for, which a send would
   * answer `target-not-found`. Adapters' and peers' users are theirs to answer at send time.
   */
  inboxExists(inbox: ImAddress): boolean {
    if (!this.ctx.isHome(inbox.domain) || this.rooms.has(inbox.uri)) return true;
    return this.ctx.mayListen(inbox);
  }

  /**
   * Every domain this gateway serves (its own and every adapter's), read when asked so a domain
   * registered later counts: the email adapter protects them all from spoofed mail (issue 13).
   */
  servedDomains(): string[] {
    return this.ctx.servedDomains();
  }

  /**
   * Applies a reloaded configuration in place (docs/operations-reload.md): rooms, limits, the
   * per-sender rate, who may listen, the mismatched-From policy. Checks everything first and
   * throws before changing anything; sends in flight finish under the rules they started with.
   */
  reconfigure(change: RouterReload): void {
    const rooms = change.rooms === undefined ? undefined : buildRooms([...this.ctx.domains], change.rooms);
    const ctx = this.ctx;
    if (rooms !== undefined) this.rooms = rooms;
    if (change.limits !== undefined) {
      ctx.limits = { ...ctx.limits, ...change.limits };
      ctx.idleStores.setMax(ctx.limits.maxIdlePresentities);
    }
    if (change.senderRate !== undefined) ctx.senderRates.setGeneralRate(change.senderRate);
    if (change.listenable !== undefined) ctx.setListenable(change.listenable);
    if (change.keepsOffline !== undefined) ctx.setKeepsOffline(change.keepsOffline);
    if (change.mismatchedFrom !== undefined) ctx.refuseMismatchedFrom = change.mismatchedFrom === 'refuse';
  }

  /**
   * Issue 15 (presence-persist.ts, docs/hub-protocol.md part 4 row 35): reads the kept presence
   * stores and adapters' and peers' subscriptions, and keeps every later change in `store`.
   * Once, at start: after adapters are registered, before they start and before the listeners.
   */
  restorePresence(store: Store): Promise<RestoredPresence> {
    return restorePresence(this.ctx, store).then((r) => {
      // Issue 19: a restored peer's subscriptions end too if it never comes back.
      for (const sub of this.ctx.subscriptions.all())
        if (sub.kind === 'peer') this.peerLinger.absent(sub.watcher.domain);
      return r;
    });
  }

  /** After adapters and the federation started: each restored watcher hears the PI it sees now. */
  renotifyRestored(): number {
    return renotifyRestored(this.ctx);
  }

  /** Resolves once every background delivery (notifies, WI events, teardown) has settled. */
  settle(): Promise<void> {
    return this.ctx.settle();
  }

  /** Presence stores held now (one per presentity with at least one mapping). */
  get storeCount(): number {
    return this.ctx.stores.size;
  }

  /** Counts for the operations endpoint (docs/operations.md), read when scraped. */
  get stats(): RouterStats {
    return this.ctx.stats;
  }

  /** Sends refused for their sender's rate (`limits.perSender`) since start. */
  get rateLimited(): number {
    return this.ctx.senderRates.refused;
  }

  /** Background deliveries (notifies, watcher information, upstream unsubscribes) in flight. */
  get backgroundDeliveries(): number {
    return this.ctx.backgroundDeliveries;
  }

  /** Senders the per-sender rate limit tracks now (bounded by `limits.perSender.maxSenders`). */
  get trackedSenders(): number {
    return this.ctx.senderRates.size;
  }

  /** The connection-id token minted for a client connection (row 44); for tests and diagnostics. */
  tokenFor(connectionId: string): string {
    return this.ctx.tokens.tokenFor(connectionId);
  }
}

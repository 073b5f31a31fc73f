/**
 * What the router asks of a destination and the bounds it keeps (docs/architecture.md part 4):
 * an adapter's capabilities, and the router's limits with their defaults.
 */
import { DEFAULT_PAYLOAD_LIMITS, type RateSpec } from '../policy/index.js';

/**
 * What a destination can do (docs/architecture.md part 4: the router asks, never branches on a name).
 * presence: 'serve' = the adapter answers fetch/subscribe itself as the remote gateway and sends
 * change-notify back; 'publish' = it publishes PI into this router's presence store (store
 * management via PITP) and the router serves watchers; 'none' = no presence: fetch/subscribe of
 * its presentities fail with `target-not-found` (docs/cpim.md part 4: "answer subscribes to its users
 * with failure (target not a valid/resolvable presentity)").
 */
export interface Capabilities {
  readonly presence: 'none' | 'publish' | 'serve';
  /** Largest `send` payload it takes; larger ones are answered `quota` (part 4 row 26). */
  readonly maxMessageSize?: number;
  /**
   * The message rate of each user of this domain, enforced by the router in place of the
   * gateway-wide `limits.perSender` (sender-rate.ts); absent = the gateway's rate.
   */
  readonly senderRate?: RateSpec;
  /** Informational for now (adapters translate content themselves); not enforced by the router. */
  readonly contentTypes?: readonly string[];
  /**
   * With presence 'publish': the foreign network decides who may watch its users (XMPP rosters,
   * RFC 3922 §6.2). A subscribe the router's store would refuse (no such presentity, or no
   * mapping for the watcher) is first passed to the adapter as a PITP `subscribe`, which asks the
   * user; `ok` means the adapter has since published a mapping for that watcher, and the router
   * then serves the subscription from its store as usual. Absent = the store alone decides.
   */
  readonly asksWatchers?: boolean;
  /** Informational for now: whether the network has group chats of its own. */
  readonly groups?: boolean;
}

export interface RouterLimits {
  /** Largest IMTP payload (part 4 row 26: e.g. 64 KiB), answered `quota`. */
  readonly maxMessageBytes: number;
  /** Largest PI (part 4 row 26: e.g. 16 KiB), answered `quota`. */
  readonly maxPresenceBytes: number;
  /** Mappings per presentity, answered `quota`. */
  readonly maxMappings: number;
  /** Subscriptions per client connection, answered `quota`. */
  readonly maxSubscriptionsPerConnection: number;
  /** Inboxes one connection listens on (IMTP listen), answered `quota`. */
  readonly maxListensPerConnection: number;
  /**
   * Idle presence stores kept (idle-stores.ts: an adapter's presentity, all closed, unwatched);
   * past it the least recently changed one is dropped.
   */
  readonly maxIdlePresentities: number;
  /** Issue 19: subscriptions one peer domain holds at presentities here, answered `quota`. */
  readonly maxPeerSubscriptions: number;
  /** Issue 19: subscriptions one peer domain holds to one presentity, answered `quota`. */
  readonly maxPeerSubscriptionsPerPresentity: number;
  /** Issue 19: a peer's subscriptions end once it has had no PITP connection here this long. */
  readonly peerSubscriptionsLingerMs: number;
  /** Issue 19: Subscription headers listed in one start-wi answer (the rest counted in Wi-Omitted). */
  readonly maxWatcherInfoListed: number;
}

export const DEFAULT_LIMITS: RouterLimits = Object.freeze({
  ...DEFAULT_PAYLOAD_LIMITS,
  maxMappings: 256,
  maxSubscriptionsPerConnection: 1024,
  maxListensPerConnection: 1024,
  maxIdlePresentities: 100_000,
  maxPeerSubscriptions: 10_000,
  maxPeerSubscriptionsPerPresentity: 256,
  peerSubscriptionsLingerMs: 86_400_000,
  maxWatcherInfoListed: 512,
});

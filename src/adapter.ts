/**
 * The adapter contract (docs/architecture.md part 5). An adapter serves one or more domains: the router
 * hands it every operation aimed there (an IMTP `send` to an inbox there, a PITP
 * `subscribe`/`fetch` of a presentity there when it serves presence itself) through `deliver`,
 * and it answers as the draft's *remote gateway* does: `ok`, `ok` + `Unreliable` where the
 * foreign network gives no receipt, or an error. It reaches the router through its `HubPort`,
 * shaped like the wire protocol, so an adapter could equally run out of process as a hub client.
 */
import type { Registry } from 'prom-client';
import type { Logger } from './log.js';
import type { Answer, Header } from './protocol/index.js';
import type { Capabilities, Operation } from './router/index.js';
import type { Store } from './store/types.js';
import type { StorageConfig } from './config/storage-schema.js';
import type { FileStorePort } from './files/types.js';

export type AdapterStatus = 'connecting' | 'online' | 'degraded' | 'offline';

/** The router, as an adapter sees it: IMTP and PITP operations, in process. */
export interface HubPort {
  /**
   * Issues one IMTP/PITP command as this adapter. The source identifier must be in one of the
   * adapter's domains (draft §8.1). Never rejects: failures come back as error answers.
   */
  request(op: Operation): Promise<Answer>;
  /** IMTP `send` (draft §16.2), the common case spelled out. */
  send(message: {
    readonly sender: string;
    readonly inbox: string;
    readonly payload: Uint8Array;
    readonly contentType?: string;
    readonly headers?: readonly Header[];
  }): Promise<Answer>;
  /**
   * Publishes the presence information of a presentity in one of the adapter's domains (for
   * adapters with `presence: 'publish'`): the PIDF document becomes what every watcher sees,
   * and watchers are notified (draft §15.1). `null` withdraws it. `watchers` (pres: URIs or
   * patterns) limits who sees it when it is first published; absent = everyone who may ask.
   */
  publishPresence(presentity: string, pidf: Uint8Array | null, watchers?: readonly string[]): Promise<Answer>;
  /**
   * Delivers nothing: false when an IMTP send to `inbox` (an im: URI) would certainly be
   * answered `target-not-found` because no such inbox exists here (the email adapter's RCPT
   * check); true when it may exist, including every inbox of an adapter or a peer.
   */
  inboxExists(inbox: string): boolean;
  /**
   * Every domain the gateway serves now (its own and every adapter's, lower-case), so an adapter
   * can protect them all: the email adapter refuses unauthenticated mail from any of them.
   */
  servedDomains(): readonly string[];
}

/** One hosted adapter's state, as `/health` shows it (docs/bridge-requirements.md row 11). */
export interface AdapterHealth {
  readonly id: string;
  readonly type: string;
  readonly status: AdapterStatus;
  readonly cause?: string;
}

/** The gateway's `limits` an adapter applies to the listeners it runs (issue 13). */
export interface AdapterListenerLimits {
  /** Open connections per remote address (IPv4 address, IPv6 /64; policy/address-key.ts). */
  readonly connectionsPerAddress: number;
  /** At most one warn line per this interval per kind of refusal. */
  readonly warnIntervalMs: number;
}

/**
 * Authentication attempts on one listener, counted across connections, listeners and adapters
 * (`limits.authFailures`, issue 13 defect 5; the rule: src/policy/auth-failures.ts). Address is
 * the socket's remote address; account is the name the attempt claims (checked or not).
 */
export interface AuthAttempts {
  /**
   * Milliseconds the attempt must still wait. Above 0 the caller answers it as refused for now,
   * without checking the credential (this call counts and logs it as throttled).
   */
  throttle(address: string, account?: string): number;
  /** A credential checked and found wrong: counted, logged; returns the wait now imposed. */
  failed(address: string, account?: string, reason?: string): number;
  /** A credential accepted for `account` from `address`. */
  succeeded(address: string, account?: string): void;
}

export interface AdapterContext {
  /** "irc-libera", from config. */
  readonly id: string;
  /** A pino child bound to { adapter: id }. */
  readonly log: Logger;
  /** Aborted when the gateway stops. */
  readonly signal: AbortSignal;
  readonly hub: HubPort;
  setStatus(status: AdapterStatus, cause?: Error): void;
  /** Per-address connection limits for the adapter's listeners; absent = not enforced. */
  readonly limits?: AdapterListenerLimits;
  /** The attempts of the adapter's listener named `listener` (`web`, `smtp`); absent = not tracked. */
  readonly authAttempts?: (listener: string) => AuthAttempts;
  /**
   * The gateway's one Prometheus registry (served on the operations port, docs/operations.md):
   * an adapter registers its own metrics here, with an `adapter` label, and may serve it too.
   */
  readonly metrics?: Registry;
  /** Read-only: the state of every adapter of this gateway, for health and metrics endpoints. */
  readonly health?: () => readonly AdapterHealth[];
  /**
   * The gateway's durable store (issue 15, docs/storage.md): puppet nicks, threads, message-id
   * maps, outbound queues. Call it in `start()` or later, never in `create` (the store opens
   * when the gateway starts); null when `storage.backend` is `none`: keep nothing.
   */
  readonly storage?: () => Store | null;
  /**
   * The gateway's `storage:` section (issue 15): its global switches and bounds
   * (`history.enabled`, `offline.enabled`, `offline.maxAgeMs`, `offline.maxPerInbox`) apply to
   * what an adapter keeps for its own users too.
   */
  readonly storageConfig?: StorageConfig;
  /**
   * The gateway's file store (issue 17, src/files/types.ts): where an adapter keeps an attachment
   * too large to travel inside a message, or a text too long for its network, and gets a link.
   * Call it in `start()` or later; null when the store is off (`files.enabled: false`).
   */
  readonly files?: () => FileStorePort | null;
}

/**
 * What an adapter reports for the operations endpoint (docs/operations.md), read when scraped:
 * never computed per message.
 */
export interface AdapterStats {
  /** Open connections: web users' WebSockets, registered IRC links (main and puppets). */
  readonly connections?: number;
  /** Lines or messages waiting to go out (the IRC output queue). */
  readonly queued?: number;
}

export interface Adapter {
  /** The domains this adapter serves, and what it can do there. */
  readonly domains: readonly string[];
  readonly capabilities: Capabilities;
  /** An operation the router routed to one of the adapter's domains. Must settle. */
  deliver(op: Operation): Promise<Answer>;
  /** Rejects only for what a retry cannot fix (bad credentials, a port in use). */
  start(): Promise<void>;
  /** Idempotent; flush, then close, within `deadlineMs`. */
  stop(deadlineMs: number): Promise<void>;
  /** Figures for `/metrics` (connections, queue depth); absent = none to report. */
  stats?(): AdapterStats;
  /**
   * Optional: a reload changed this adapter's section (`section` is what its definition's
   * parseConfig returned). True when the adapter applied it in place, keeping its users
   * connected; false (or absent) and the gateway restarts it alone (docs/operations-reload.md).
   */
  reconfigure?(section: unknown): boolean;
}

export interface AdapterDefinition<C = unknown> {
  /** `type:` in gateway.config.yaml. */
  readonly type: string;
  /** Checks this adapter's section; throws a ConfigError listing every problem with its path. */
  parseConfig(raw: unknown): C;
  /** No I/O until start(). */
  create(config: C, ctx: AdapterContext): Adapter;
}

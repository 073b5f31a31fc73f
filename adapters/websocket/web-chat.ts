/**
 * The adapter's state (I/O through sessions and the HubPort only): web users and their open
 * sessions, web rooms, presence publishing, and delivery into browsers with end receipts.
 *
 * Delivery answers (draft §16.2): a message handed to the browser waits for the page's `ack`;
 * with one it is `ok` (an end receipt), without one by `deliveryTimeoutMs` it is `ok` +
 * `Unreliable: <domain>` (handed on, not confirmed); if every receiving connection closes first
 * it is `communications`. A known user with no open tab gets the message kept for them, `ok` +
 * `Stored: offline` (issue 15, offline.ts), or `no-listeners` when nothing is kept (no store,
 * offline delivery off for them); a name that is no web user at all gets `target-not-found`.
 */
import {
  BoundedCache,
  errorAnswer,
  okAnswer,
  parseImUri,
  type AdapterContext,
  type Answer,
  type FileStorePort,
  type ImAddress,
  type PresAddress,
} from '../../src/index.js';
import { KnownFiles } from './attachments.js';
import { DeadlineSweep } from './deadlines.js';
import { frameKey } from './history.js';
import type { WebMetrics } from './metrics.js';
import { WebOffline } from './offline.js';
import { WebStorage } from './storage.js';
import { KnownMessages } from './relations.js';
import type { WebRoomConfig, WebSocketConfig } from './config.js';
import type { MessageFrame, PresenceState } from './protocol.js';
import { CLOSE, type Session } from './session.js';
import { buildPresence, presentityOf, readPresence, roomInbox, userInbox } from './translate.js';

export interface WebUser {
  readonly name: string;
  readonly inbox: ImAddress;
  readonly presentity: PresAddress;
  readonly sessions: Set<Session>;
  note: string;
  /** A presence store exists for this user (draft §15: published at least once). */
  published: boolean;
  /** Publishes run one after another, each with the state current when it runs. */
  publishing: Promise<void>;
  /** RFC 3863 4.1.7: successive timestamps differ. */
  lastStamp: number;
}

export interface WebRoom {
  readonly name: string;
  readonly title: string;
  /** The gateway room. */
  readonly address: ImAddress;
  /** Our member inbox in it. */
  readonly bridge: ImAddress;
  readonly members: ReadonlySet<string> | null;
  readonly sessions: Set<Session>;
}

type Outcome = 'ack' | 'closed' | 'timeout';

interface PendingDelivery {
  /** The sessions the frame reached; usually one. */
  readonly targets: Session[];
  /** When it times out (performance.now() ms). */
  readonly deadline: number;
  readonly resolve: (outcome: Outcome) => void;
}

const STATE_RANK: Record<string, number> = { online: 3, idle: 2, away: 1 };

export class WebChat {
  readonly domain: string;
  /** Users with an open tab, or whose leaving is still being published (forgetIfGone). */
  readonly users = new Map<string, WebUser>();
  /** Users who published and then left: name → last PIDF timestamp (RFC 3863 4.1.7). */
  readonly offline: BoundedCache<string, number>;
  /** Users with a fixed token (bounded by the configuration). */
  private configured: ReadonlySet<string>;
  readonly rooms = new Map<string, WebRoom>();
  readonly sessions = new Set<Session>();
  readonly byToken = new Map<string, Session>();
  /** Watches of web users who have no presence store yet, by presentity URI. */
  readonly waiting = new Map<string, Set<Session>>();
  /**
   * Deliveries waiting for an ack, in the order they were sent. Every delivery waits the same
   * `deliveryTimeoutMs`, so deadlines grow in this order and one timer, armed for the oldest
   * waiting delivery, times them all out (no timer per message, docs/architecture.md part 11).
   */
  private readonly pending = new Map<string, PendingDelivery>();
  private expiry: NodeJS.Timeout | null = null;
  private seq = 0;
  /** What the adapter keeps in the gateway's store, and whether it may (issue 15). */
  readonly storage: WebStorage;
  /** Messages kept for web users with no open tab. */
  readonly offlineDelivery: WebOffline;
  /** Issue 17: who wrote which message (the author check of edits and deletions), read at start. */
  known: KnownMessages;
  /** Issue 17: links of the gateway's file store this adapter has seen (attachments.ts). */
  readonly files: KnownFiles;
  /**
   * Issue 18: the sign-in deadline of every connection and the expiry of every signed token, each
   * on one timer (deadlines.ts) instead of one per connection.
   */
  readonly signInDeadlines = new DeadlineSweep((s) => {
    if (s.user === null) s.close(CLOSE.authTimeout, 'authentication timeout');
  });
  readonly expiries = new DeadlineSweep((s) => s.close(CLOSE.tokenExpired, 'the token has expired'));

  constructor(
    readonly config: WebSocketConfig,
    readonly ctx: AdapterContext,
    readonly metrics: WebMetrics,
  ) {
    this.domain = config.domain;
    this.configured = new Set(config.auth.tokens.map((t) => t.user));
    this.offline = new BoundedCache({
      maxEntries: config.limits.maxOfflineUsers,
      maxAgeMs: config.limits.offlineUserMs,
    });
    for (const r of config.rooms) this.rooms.set(r.name, this.makeRoom(r));
    this.storage = new WebStorage(ctx, () => this.config);
    this.offlineDelivery = new WebOffline(this);
    this.known = new KnownMessages(null, this.knownNamespace, config.limits.maxKnownMessages);
    this.files = new KnownFiles(config.uploads.maxKnownFiles);
  }

  /** The gateway's file store (issue 17, src/files/types.ts); null when it is off. */
  fileStore(): FileStorePort | null {
    return this.ctx.files?.() ?? null;
  }

  private get knownNamespace(): string {
    return `web:${this.ctx.id}:msgs`;
  }

  /** Reads the record of known messages from the store (at start, once the store exists). */
  async loadKnown(): Promise<void> {
    const known = new KnownMessages(
      this.storage.store(),
      this.knownNamespace,
      this.config.limits.maxKnownMessages,
      this.ctx.log,
    );
    await known.load();
    this.known = known;
  }

  /** A reload's fixed-token users (ws-adapter.ts reconfigure). */
  setConfiguredUsers(users: readonly string[]): void {
    this.configured = new Set(users);
  }

  private makeRoom(r: WebRoomConfig): WebRoom {
    return {
      name: r.name,
      title: r.title ?? r.name,
      address: parseImUri(r.address),
      bridge: roomInbox(r.name, this.domain),
      members: r.members ? new Set(r.members) : null,
      sessions: new Set(),
    };
  }

  nextId(prefix: string): string {
    return `${prefix}${(++this.seq).toString(36)}`;
  }

  user(name: string): WebUser {
    let u = this.users.get(name);
    if (u === undefined) {
      const inbox = userInbox(name, this.domain);
      u = {
        name,
        inbox,
        presentity: presentityOf(inbox),
        sessions: new Set(),
        note: '',
        // A remembered user has a presence store already (it holds their offline document).
        published: this.offline.has(name),
        publishing: Promise.resolve(),
        lastStamp: this.offline.peek(name) ?? 0,
      };
      this.offline.delete(name);
      this.users.set(name, u);
    }
    return u;
  }

  /**
   * Called once a user's leaving is published: with no tab open again meanwhile, the entry
   * goes and the name is remembered in `offline` (bounded), so `users` holds only users online.
   */
  forgetIfGone(u: WebUser): void {
    if (u.sessions.size > 0 || this.users.get(u.name) !== u) return;
    this.users.delete(u.name);
    if (u.published) this.offline.set(u.name, u.lastStamp);
  }

  /** A web user known here: configured, online, or offline and remembered. */
  isKnown(name: string): boolean {
    return this.users.has(name) || this.configured.has(name) || this.offline.has(name);
  }

  // --- Presence ------------------------------------------------------------------------------

  /** The user's presence from their tabs: connected if any is open, the most available state. */
  publish(u: WebUser): Promise<void> {
    const run = async (): Promise<void> => {
      let best = 0;
      for (const s of u.sessions) best = Math.max(best, STATE_RANK[s.state] ?? 0);
      const state = best === 3 ? 'online' : best === 2 ? 'idle' : 'away';
      const stamp = Math.max(Date.now(), u.lastStamp + 1);
      u.lastStamp = stamp;
      const doc = buildPresence(
        u.presentity,
        { connected: u.sessions.size > 0, state, note: u.note },
        new Date(stamp),
      );
      const answer = await this.ctx.hub.publishPresence(u.presentity.uri, Buffer.from(doc));
      if (answer.status === 'error') {
        this.ctx.log.warn({ user: u.name, answer: answer.headers }, 'presence publish failed');
        return;
      }
      if (!u.published) {
        u.published = true;
        this.releaseWaiting(u.presentity.uri);
      }
    };
    u.publishing = u.publishing.then(run, run);
    return u.publishing;
  }

  /** Subscriptions that waited for this user's first publish (see handlers.ts `watch`). */
  onFirstPublish: (presentity: string, sessions: Session[]) => void = () => undefined;

  private releaseWaiting(presentity: string): void {
    const sessions = this.waiting.get(presentity);
    if (sessions === undefined) return;
    this.waiting.delete(presentity);
    this.onFirstPublish(presentity, [...sessions]);
  }

  /**
   * `s` no longer waits for `presentity`; the entry goes with its last session, so `waiting` is
   * bounded by open sessions × `maxWatchesPerConnection` (issue 12).
   */
  stopWaiting(presentity: string, s: Session): void {
    const set = this.waiting.get(presentity);
    if (set === undefined) return;
    set.delete(s);
    if (set.size === 0) this.waiting.delete(presentity);
  }

  /** Pushes a presence frame to every session watching `presentity`. */
  pushPresence(s: Session, presentity: string, state: PresenceState, note?: string): void {
    s.send({ type: 'presence', who: presentity, state, ...(note ? { note } : {}) });
  }

  pushPresenceDoc(s: Session, presentity: string, payload: Uint8Array, contentType?: string): void {
    const p = readPresence(payload, contentType);
    this.pushPresence(s, presentity, p.state, p.note);
  }

  // --- Rooms ---------------------------------------------------------------------------------

  /** Tells everyone in the room who is there now. */
  roster(room: WebRoom): void {
    const members = [...new Set([...room.sessions].map((s) => this.user(s.user!).inbox.uri))].sort();
    for (const s of room.sessions) s.send({ type: 'room', room: room.name, members });
  }

  // --- Delivery into browsers ----------------------------------------------------------------

  /**
   * Sends a message frame to `targets` and answers once one acknowledges, or after the timeout
   * (ok + Unreliable), or when all closed (communications). Nobody to send to: no-listeners.
   */
  deliverToSessions(
    targets: readonly Session[],
    frame: Omit<MessageFrame, 'delivery' | 'type'>,
  ): Promise<Answer> {
    const delivery = this.nextId('d');
    const reached: Session[] = [];
    const full: MessageFrame = { type: 'message', delivery, ...frame };
    // Through the session's holds: a page reading this conversation's history gets it after.
    const key = frameKey(full);
    for (const s of targets) if (s.sendIn(key, full)) reached.push(s);
    if (reached.length === 0)
      return Promise.resolve(errorAnswer('no-listeners', 'the user has no open page'));
    const deadline = performance.now() + this.config.deliveryTimeoutMs;
    return new Promise<Outcome>((resolve) => {
      this.pending.set(delivery, { targets: reached, deadline, resolve });
      if (this.expiry === null) this.armExpiry(deadline);
    }).then(this.answerOf);
  }

  private readonly answerOf = (outcome: Outcome): Answer => {
    this.metrics.delivered.inc({
      status: outcome === 'ack' ? 'ok' : outcome === 'timeout' ? 'unreliable' : 'communications',
    });
    return outcome === 'ack'
      ? okAnswer()
      : outcome === 'timeout'
        ? okAnswer([['Unreliable', this.domain]])
        : errorAnswer('communications', 'the page closed before confirming the message');
  };

  private armExpiry(at: number): void {
    this.expiry = setTimeout(this.expire, Math.max(0, Math.ceil(at - performance.now())));
  }

  /** Times out every delivery whose deadline has passed, then waits for the next one. */
  private readonly expire = (): void => {
    this.expiry = null;
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (p.deadline > now) {
        this.armExpiry(p.deadline);
        return;
      }
      this.settle(id, p, 'timeout');
    }
  };

  private settle(id: string, p: PendingDelivery, outcome: Outcome): void {
    this.pending.delete(id);
    p.resolve(outcome);
    if (this.pending.size === 0 && this.expiry !== null) {
      clearTimeout(this.expiry);
      this.expiry = null;
    }
  }

  /** An `ack` from `s`; unknown or foreign deliveries are ignored (they may have timed out). */
  ack(s: Session, delivery: string): void {
    const p = this.pending.get(delivery);
    if (p !== undefined && p.targets.includes(s)) this.settle(delivery, p, 'ack');
  }

  /** A session is gone: deliveries that only it could confirm fail now. */
  dropDeliveries(s: Session): void {
    for (const [id, p] of [...this.pending]) {
      const i = p.targets.indexOf(s);
      if (i < 0) continue;
      p.targets.splice(i, 1);
      if (p.targets.length === 0) this.settle(id, p, 'closed');
    }
  }

  /** Every delivery still waiting ends (adapter stop). */
  endDeliveries(): void {
    for (const [id, p] of [...this.pending]) this.settle(id, p, 'closed');
  }
}

/**
 * The adapter's state (I/O through sessions and the HubPort only): web users and their open
 * sessions, web rooms, presence publishing, and delivery into browsers with end receipts.
 *
 * Delivery answers (draft §16.2): a message handed to the browser waits for the page's `ack`;
 * with one it is `ok` (an end receipt), without one by `deliveryTimeoutMs` it is `ok` +
 * `Unreliable: <domain>` (handed on, not confirmed); if every receiving connection closes first
 * it is `communications`. A user with no open tab gets `no-listeners` (IMTP has no offline
 * storage, hub-protocol.md 2.11); a name that is no web user at all gets `target-not-found`.
 */
import {
  errorAnswer,
  okAnswer,
  parseImUri,
  type AdapterContext,
  type Answer,
  type ImAddress,
  type PresAddress,
} from '../../src/index.js';
import type { WebMetrics } from './metrics.js';
import type { WebRoomConfig, WebSocketConfig } from './config.js';
import type { MessageFrame, PresenceState } from './protocol.js';
import type { Session } from './session.js';
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

interface PendingDelivery {
  readonly targets: Set<Session>;
  readonly resolve: (outcome: 'ack' | 'closed') => void;
}

const STATE_RANK: Record<string, number> = { online: 3, idle: 2, away: 1 };

export class WebChat {
  readonly domain: string;
  readonly users = new Map<string, WebUser>();
  readonly rooms = new Map<string, WebRoom>();
  readonly sessions = new Set<Session>();
  readonly byToken = new Map<string, Session>();
  /** Watches of web users who have no presence store yet, by presentity URI. */
  readonly waiting = new Map<string, Set<Session>>();
  private readonly pending = new Map<string, PendingDelivery>();
  private seq = 0;

  constructor(
    readonly config: WebSocketConfig,
    readonly ctx: AdapterContext,
    readonly metrics: WebMetrics,
  ) {
    this.domain = config.domain;
    for (const r of config.rooms) this.rooms.set(r.name, this.makeRoom(r));
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
        published: false,
        publishing: Promise.resolve(),
        lastStamp: 0,
      };
      this.users.set(name, u);
    }
    return u;
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
  async deliverToSessions(
    targets: readonly Session[],
    frame: Omit<MessageFrame, 'delivery' | 'type'>,
  ): Promise<Answer> {
    const delivery = this.nextId('d');
    const reached = new Set<Session>();
    for (const s of targets) if (s.send({ type: 'message', delivery, ...frame })) reached.add(s);
    if (reached.size === 0) return errorAnswer('no-listeners', 'the user has no open page');
    const outcome = await new Promise<'ack' | 'closed' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), this.config.deliveryTimeoutMs);
      this.pending.set(delivery, {
        targets: reached,
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      });
    });
    this.pending.delete(delivery);
    const answer =
      outcome === 'ack'
        ? okAnswer()
        : outcome === 'timeout'
          ? okAnswer([['Unreliable', this.domain]])
          : errorAnswer('communications', 'the page closed before confirming the message');
    this.metrics.delivered.inc({
      status: outcome === 'ack' ? 'ok' : outcome === 'timeout' ? 'unreliable' : 'communications',
    });
    return answer;
  }

  /** An `ack` from `s`; unknown or foreign deliveries are ignored (they may have timed out). */
  ack(s: Session, delivery: string): void {
    const p = this.pending.get(delivery);
    if (p !== undefined && p.targets.has(s)) p.resolve('ack');
  }

  /** A session is gone: deliveries that only it could confirm fail now. */
  dropDeliveries(s: Session): void {
    for (const p of this.pending.values()) {
      if (!p.targets.delete(s)) continue;
      if (p.targets.size === 0) p.resolve('closed');
    }
  }

  /** Every delivery still waiting ends (adapter stop). */
  endDeliveries(): void {
    for (const p of [...this.pending.values()]) p.resolve('closed');
  }
}

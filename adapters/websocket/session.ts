/**
 * One browser connection: its socket, who it is once authenticated, its rooms, watches and
 * limits (docs/architecture.md part 8: per-connection limits, past a limit a clear answer). Output goes
 * through `send`, which closes a client that has stopped reading once its queued output passes
 * `maxBufferedBytes` (close code 4008) instead of letting it grow without bound.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { monotonicClock } from '../../src/index.js';
import type { MessageFrame, PageState, ServerFrame } from './protocol.js';
import type { Deadline } from './deadlines.js';
import type { SessionHost } from './session-socket.js';

/** Close codes (RFC 6455 7.4.2: 4000-4999 are for applications). README.md lists them. */
export const CLOSE = {
  goingAway: 1001,
  tooBig: 1009,
  authTimeout: 4001,
  tokenExpired: 4002,
  authFailures: 4003,
  tooManyConnections: 4004,
  slowConsumer: 4008,
} as const;

/** ws sends a Buffer as a binary frame unless told it is text (RFC 6455 5.6). */
const TEXT_FRAME = { binary: false } as const;

function uncork(s: Session, socket: Duplex): void {
  s.uncorked();
  socket.uncork();
}

export interface Watch {
  readonly presentity: string;
  /** The Presentity header text as sent (echoed in notifies). */
  readonly presentityText: string;
  /** False while the web user has never published (adapter-local wait, see ws-adapter.ts). */
  subscribed: boolean;
}

/** What is read of a session's rooms and watches (Session.rooms, Session.watches). */
export type RoomsView = ReadonlySet<string> & Pick<Set<string>, 'delete'>;
export type WatchesView = ReadonlyMap<string, Watch> & Pick<Map<string, Watch>, 'delete' | 'clear'>;
// Never written to: only reads, deletes and clears reach them (see Session.rooms).
const NO_ROOMS: RoomsView = new Set<string>();
const NO_WATCHES: WatchesView = new Map<string, Watch>();

export interface SessionLimits {
  readonly maxBufferedBytes: number;
  readonly framesPerSecond: number;
  readonly frameBurst: number;
}

export class Session {
  /** Set by `auth`. */
  user: string | null = null;
  /** The protocol version the client named in `auth` (protocol.ts SUPPORTED_VERSIONS). */
  version = 1;
  /** Answered the last ping (heartbeat). */
  alive = true;
  authFailures = 0;
  state: PageState = 'online';
  note = '';
  /**
   * The rooms joined and the watches (by presentity URI). Most tabs have neither, so the Set and
   * the Map are made at the first `join`/`watch` (`joinedRooms()`, `watchMap()`); until then a
   * shared empty one answers reads (a delete or clear of it is a no-op).
   */
  private joined: Set<string> | null = null;
  private watched: Map<string, Watch> | null = null;
  get rooms(): RoomsView {
    return this.joined ?? NO_ROOMS;
  }
  get watches(): WatchesView {
    return this.watched ?? NO_WATCHES;
  }
  joinedRooms(): Set<string> {
    return (this.joined ??= new Set());
  }
  watchMap(): Map<string, Watch> {
    return (this.watched ??= new Map());
  }
  /**
   * Frames of any kind per connection (`takeFrame`): guards this process against one socket's
   * flood (the per-user message rate is the router's, src/router/sender-rate.ts). A token bucket
   * kept in two small integers on the session, thousandths of a frame and whole milliseconds
   * (issue 18: a TokenBucket, its spec and its state were three objects and two boxed numbers,
   * ~160 B per connection; integers stay unboxed).
   */
  private frameMillis: number;
  private frameAt: number;
  /**
   * Timers that die with the session; null until the first (issue 18: an idle signed-in
   * connection keeps no array, no Map and no timer it does not need: ≤ 6 KB each at 10,000).
   */
  private timers: NodeJS.Timeout[] | null = null;
  /**
   * The sign-in deadline until `signedIn` (ws-adapter.ts), then the token's expiry if it has one
   * (handlers.ts): an entry of the adapter's DeadlineSweep, not a timer of its own (deadlines.ts).
   */
  deadline: Deadline | null = null;
  private closed = false;
  private corked = false;
  /** The code this side closed with, if it did (the peer may never answer the close). */
  closeCode: number | null = null;

  /** The peer's address, as its TCP connection shows it; '' when unknown. */
  get remoteAddress(): string {
    return (this.socket as { remoteAddress?: string } | null)?.remoteAddress ?? '';
  }

  constructor(
    readonly ws: WebSocket,
    /** Alphanumeric: the connection-id of this session's PITP subscriptions (draft §11.7). */
    readonly token: string,
    private readonly limits: SessionLimits,
    /**
     * The connection's socket: `req.socket` of the HTTP upgrade (Node's public API), the one ws
     * writes to; null when unknown (writes are then not batched).
     */
    private readonly socket: Duplex | null = null,
    /** Where the session's events and overflow go (the adapter; null in tests of the session alone). */
    readonly host: SessionHost | null = null,
  ) {
    if (!(limits.framesPerSecond > 0) || !(limits.frameBurst >= 1))
      throw new RangeError('framesPerSecond must be positive and frameBurst at least 1');
    this.frameMillis = limits.frameBurst * 1000;
    this.frameAt = Math.floor(monotonicClock());
  }

  /**
   * Takes one frame from the connection's bucket (up to `frameBurst` at once, refilled at
   * `framesPerSecond`: the arithmetic of src/policy/token-bucket.ts); false when none is left.
   */
  takeFrame(): boolean {
    const now = Math.floor(monotonicClock());
    const elapsed = now - this.frameAt;
    if (elapsed > 0) {
      const full = this.limits.frameBurst * 1000;
      const t = this.frameMillis + elapsed * this.limits.framesPerSecond;
      this.frameMillis = t > full ? full : t;
      this.frameAt = now;
    }
    if (this.frameMillis < 1000) return false;
    this.frameMillis -= 1000;
    return true;
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** Queues a frame; false when the session is closed or was just closed for not reading. */
  send(frame: ServerFrame): boolean {
    return this.write(frame, undefined);
  }

  /**
   * Queues a frame and resolves once the socket has taken it (ws's send callback without an
   * error): true then, false when it could not be written. Offline delivery deletes a kept
   * message only after this (issue 15).
   */
  sendConfirmed(frame: ServerFrame): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.write(frame, (err) => resolve(err == null))) resolve(false);
    });
  }

  private write(frame: ServerFrame, done: ((err?: Error | null) => void) | undefined): boolean {
    if (!this.isOpen) return false;
    const bytes = Buffer.from(JSON.stringify(frame), 'utf8');
    if (this.ws.bufferedAmount + this.heldBytes + bytes.length > this.limits.maxBufferedBytes) {
      this.overflow();
      return false;
    }
    this.cork();
    this.ws.send(bytes, TEXT_FRAME, done);
    return true;
  }

  private overflow(): void {
    this.host?.overflowed(this);
    this.close(CLOSE.slowConsumer, 'output buffer full: the client is not reading');
    // The close frame waits behind unread output: a client that never reads never sees it.
    this.later(() => this.ws.terminate(), 1000);
  }

  // --- Holding live frames while history is read (history-handlers.ts) ---------------------

  /**
   * Conversations whose live frames wait while a history answer for them is read, so that the
   * page gets the history first and then what came meanwhile, each message once (no gap: the
   * session receives live frames from before the read starts). Held output counts against
   * `maxBufferedBytes` like queued output.
   */
  private holds: Map<string, { count: number; frames: MessageFrame[] }> | null = null;
  private heldBytes = 0;

  hold(key: string): void {
    this.holds ??= new Map();
    const h = this.holds.get(key);
    if (h === undefined) this.holds.set(key, { count: 1, frames: [] });
    else h.count++;
  }

  /** A message frame of conversation `key` (conversationKey): sent now, or held. */
  sendIn(key: string, frame: MessageFrame): boolean {
    const h = this.holds?.get(key);
    if (h === undefined) return this.send(frame);
    if (!this.isOpen) return false;
    const size = JSON.stringify(frame).length;
    if (this.ws.bufferedAmount + this.heldBytes + size > this.limits.maxBufferedBytes) {
      this.overflow();
      return false;
    }
    this.heldBytes += size;
    h.frames.push(frame);
    return true;
  }

  /**
   * The history for `key` is sent: the held frames follow, except the ones it listed that wait
   * for no `ack` (a frame with a delivery goes anyway: the page acknowledges it and shows it once,
   * by its id).
   */
  release(key: string, listed: ReadonlySet<string>): void {
    const h = this.holds?.get(key);
    if (h === undefined || --h.count > 0) return;
    this.holds!.delete(key);
    for (const f of h.frames) {
      this.heldBytes -= JSON.stringify(f).length;
      if (f.delivery === '' && f.id !== undefined && listed.has(f.id)) continue;
      this.send(f);
    }
  }

  /**
   * Holds the socket's writes until the end of this event-loop turn, so every frame sent in one
   * turn (a burst of IRC lines, say) leaves in one write (docs/architecture.md part 11: batch socket writes).
   */
  private cork(): void {
    const socket = this.socket;
    if (this.corked || socket === null) return;
    socket.cork();
    this.corked = true;
    process.nextTick(uncork, this, socket);
  }

  /** @internal */
  uncorked(): void {
    this.corked = false;
  }

  /** The payload of the most recent ping not answered yet (null: none waiting). */
  private pendingPing: Buffer | null = null;

  /**
   * RFC 6455 5.5.2/5.5.3: a ping is answered with a pong carrying its payload, but an endpoint
   * MAY answer only the most recent of the pings it has not answered yet. So the pings of one
   * event-loop turn get one pong, after it: a ping flood costs one small write per turn, and a
   * client that sends pings but does not read is closed like any other (4008). (ws's own
   * auto-pong would cut such a client without a close code or a reason.)
   */
  answerPing(data: Buffer): void {
    const first = this.pendingPing === null;
    this.pendingPing = data;
    if (first)
      setImmediate(() => {
        const payload = this.pendingPing;
        this.pendingPing = null;
        if (payload === null || !this.isOpen) return;
        if (this.ws.bufferedAmount + payload.length > this.limits.maxBufferedBytes) {
          this.host?.overflowed(this);
          this.close(CLOSE.slowConsumer, 'output buffer full: the client is not reading');
          this.later(() => this.ws.terminate(), 1000);
          return;
        }
        this.ws.pong(payload);
      });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.ws.close(code, reason);
  }

  /** A timer that dies with the session. */
  later(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(fn, ms);
    t.unref();
    (this.timers ??= []).push(t);
    return t;
  }

  /** Signed in: the sign-in deadline is gone (and at `dispose`, the token's expiry). */
  signedIn(): void {
    this.deadline?.cancel();
    this.deadline = null;
  }

  dispose(): void {
    this.closed = true;
    this.holds = null;
    this.heldBytes = 0;
    this.signedIn();
    if (this.timers !== null) for (const t of this.timers.splice(0)) clearTimeout(t);
  }
}

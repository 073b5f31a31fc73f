/**
 * One IMTP/PITP connection: a socket, a Session (the pure state machine) and the timers the
 * draft leaves out (docs/hub-protocol.md part 4 row 14). Used by server.ts (acceptor) and client.ts
 * (initiator); the only other place besides them that touches a socket.
 *
 * - Reading never stops while output is pending (draft §7, part 3 row 4); a peer that lets more
 *   than `maxBufferedOutputBytes` pile up is closed ("peer not reading") instead of growing memory.
 * - All output of one input chunk goes out in one `socket.write` (Session batches it); output
 *   made outside a chunk (async answers, our commands, keepalives) is batched until the I/O
 *   callbacks of the event-loop turn are done (setImmediate; docs/architecture.md part 11).
 * - Commands we send time out after `commandTimeoutMs` as a synthetic `communications` answer
 *   (part 4 row 14), tracked in insertion order with one timer per connection.
 */
import type { Socket } from 'node:net';
import type { HubLimits } from '../config/schema.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Answer, Header, Protocol, Strength } from '../protocol/index.js';
import {
  frameLimits,
  syntheticAnswer,
  type CloseReason,
  type ConnectionEvents,
  type ConnectionOptions,
  type HubCloseCode,
  type HubConnection,
} from './connection-types.js';
import type { CommandFrame, ResponseFrame } from './frame/index.js';
import { CLOSED, isThenable, logClosed, Reply, TOO_MANY, TOO_MANY_OUT } from './connection-reply.js';
import { PendingCommands, type PendingCommand, type ResponseSink } from './pending-commands.js';
import type { RawHeaders, RawRewrite } from './frame/raw.js';
import { Session, type AuthInfo, type CloseReason as SessionCloseReason, type Notice } from './session.js';
import { WireTrace } from './wire-trace.js';
import type { HubStats } from './stats.js';

export * from './connection-types.js';

export class Connection implements HubConnection {
  readonly id: string;
  readonly protocol: Protocol;
  readonly remote: string;
  readonly tls: boolean;
  readonly log: Logger;
  readonly session: Session<PendingCommand>;
  /** Initiator: set by the client (the acceptor does not tell us). */
  localIdentity: string | null = null;
  localStrength: Strength = 'none';
  readonly done: Promise<CloseReason>;

  private readonly socket: Socket;
  private readonly events: ConnectionEvents;
  private readonly limits: HubLimits;
  private readonly trace: WireTrace | null;
  private readonly stats: HubStats | undefined;
  private readonly pending: PendingCommands;
  private inReceive = false;
  private flushQueued = false;
  private writes = 0;
  private writesSeen = -1;
  private commandsIn = 0;
  private refused = 0;
  private reason: CloseReason | null = null;
  private hard = false;
  private keepalive: NodeJS.Timeout | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (r: CloseReason) => void;

  constructor(o: ConnectionOptions) {
    this.id = o.id;
    this.protocol = o.protocol;
    this.socket = o.socket;
    this.tls = o.tls;
    this.events = o.events;
    this.limits = o.limits;
    this.stats = o.stats;
    const s = o.socket;
    this.remote =
      s.remoteFamily === 'IPv6'
        ? `[${s.remoteAddress}]:${s.remotePort}`
        : `${s.remoteAddress}:${s.remotePort}`;
    this.log = o.log.child({ conn: o.id, remote: this.remote });
    this.done = new Promise((r) => (this.resolveDone = r));
    this.pending = new PendingCommands(o.limits.commandTimeoutMs, this.log);
    const limits = frameLimits(o.limits, o.protocol);
    this.trace = this.log.isLevelEnabled('trace') ? new WireTrace(this.log, limits) : null;
    this.session = new Session<PendingCommand>(
      {
        role: o.role,
        protocol: o.protocol,
        limits,
        ...(o.sasl === undefined ? {} : { sasl: o.sasl }),
        ...(o.allowUnauthenticated === undefined ? {} : { allowUnauthenticated: o.allowUnauthenticated }),
        maxAuthFailures: o.limits.maxAuthFailures,
        autoFlush: false,
      },
      {
        write: (bytes) => this.write(bytes),
        command: (c, raw) => this.onCommand(c, raw),
        response: (r, p) => this.pending.settle(p, r),
        plainOk: (id, method, p) => this.pending.settleOk(p, id, method),
        close: (r) => this.finish(r),
        notice: (n) => this.onNotice(n),
        mech: (list) => this.events.mech?.(this, list),
        authenticated: (a) => this.onAuthenticated(a),
        authFailed: (why, n) => this.onAuthFailed(why, n),
        // Counted like any other command and answer (docs/operations.md).
        refused: (method, error) => {
          this.stats?.command(method);
          this.stats?.failure(error);
        },
        shutdown: (id) =>
          this.onCommand({ kind: 'command', id, method: 'shutdown', headers: [], payload: undefined }),
      },
    );
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.receive(chunk));
    s.on('end', () => {
      this.trace?.end();
      this.session.end();
    });
    s.on('error', (e: NodeJS.ErrnoException) => this.closeWith('socket-error', e.code ?? e.message, true));
    s.on('close', () => this.closeWith('socket-error', 'socket closed', true));
    // part 4 row 14: idle keepalive. A tick with no write since the last one sends =nop.
    this.keepalive = setInterval(() => this.idleTick(), o.limits.keepaliveMs).unref();
    if (o.role === 'acceptor') this.armAuthTimer();
    this.log.info({ protocol: o.protocol, tls: o.tls, role: o.role }, 'hub connection opened');
    this.session.start();
    this.session.flush();
  }

  get identity(): string | null {
    return this.session.role === 'acceptor'
      ? (this.session.authenticated?.identity ?? null)
      : this.localIdentity;
  }

  get strength(): Strength {
    return this.session.role === 'acceptor' ? this.session.linkStrength : this.localStrength;
  }

  get closed(): boolean {
    return this.session.closed;
  }

  get bufferedOutput(): number {
    return this.socket.writableLength;
  }

  command(
    method: string,
    headers: readonly Header[] = [],
    payload: Uint8Array | null = null,
  ): Promise<ResponseFrame> {
    const p = this.pending.create(method);
    this.issue(p, method, headers, payload, undefined, undefined);
    return p.answer;
  }

  /**
   * Sends a command whose answer goes to `sink` (issue 18: the relay path, one object per
   * command instead of a promise and its reactions); never fails, like `command`. With `raw`
   * and `rewrite` (an IMTP send with a payload) the command is written from the received header block with
   * the relay's rewrites spliced in (frame/raw.ts), and `headers` are unused.
   */
  relay(
    method: string,
    headers: readonly Header[],
    payload: Uint8Array | null,
    sink: ResponseSink,
    raw?: RawHeaders,
    rewrite?: RawRewrite,
  ): void {
    this.issue(this.pending.relayed(method, sink), method, headers, payload, raw, rewrite);
  }

  /** A closed link, too many unanswered commands or a refused command: `p` answered at once. */
  private issue(
    p: PendingCommand,
    method: string,
    headers: readonly Header[],
    payload: Uint8Array | null,
    raw: RawHeaders | undefined,
    rewrite: RawRewrite | undefined,
  ): void {
    let problem: unknown = null;
    if (this.session.closed) problem = CLOSED;
    // part 4 row 26: bounded unanswered commands in this direction too.
    else if (this.session.outstanding >= this.limits.maxOutstandingCommands) problem = TOO_MANY_OUT;
    else
      try {
        p.id =
          raw === undefined || rewrite === undefined || payload === null
            ? this.session.sendCommand(method, headers, payload, p)
            : this.session.sendRelayed(raw, rewrite, payload, p);
      } catch (e) {
        problem = e;
      }
    if (problem !== null) {
      p.resolve(syntheticAnswer('', method, problem));
      return;
    }
    this.pending.add(p);
    this.scheduleFlush();
  }

  /** The handle that answers the received command `id` later (`ConnectionEvents.command` returning null). */
  replyTo(id: string): Reply {
    return new Reply(this, id);
  }

  /** Answers the received command `id` (once); what a `Reply` calls. */
  reply(id: string, a: Answer): void {
    this.answer(id, a);
  }

  async shutdown(): Promise<void> {
    if (this.session.role === 'initiator' || this.session.closed) {
      this.close('shutdown');
      return;
    }
    await this.command('shutdown');
  }

  close(reason = 'closed locally'): void {
    this.closeWith('local', reason, false);
  }

  /** Ends the connection with our own reason (kept over the session's); `hard` discards queued output. */
  closeWith(code: HubCloseCode, message: string, hard: boolean): void {
    if (this.session.closed) return;
    this.reason ??= { code, message };
    this.hard ||= hard;
    this.session.close(message);
  }

  private receive(chunk: Buffer): void {
    this.trace?.in(chunk);
    this.inReceive = true;
    try {
      this.session.receive(chunk);
    } finally {
      this.inReceive = false;
    }
  }

  private write(bytes: Buffer): void {
    this.writes++;
    this.trace?.out(bytes);
    if (this.socket.destroyed) return;
    // draft §7: keep reading while output is pending, but never grow without bound.
    if (!this.socket.write(bytes) && this.socket.writableLength > this.limits.maxBufferedOutputBytes) {
      const queued = this.socket.writableLength;
      this.log.warn(
        { queued, limit: this.limits.maxBufferedOutputBytes },
        'hub peer not reading, connection closed',
      );
      this.hard = true;
      this.closeWith('peer-not-reading', `peer not reading: ${queued} octets queued`, true);
    }
  }

  /**
   * Output made outside this connection's own `receive` (answers that came back through the
   * router, commands the router relays to us) waits until the I/O callbacks of this event-loop
   * turn have run: with many senders, each read of each sender adds to it, and it leaves as one
   * write in the check phase (setImmediate) instead of one write per sender read (nextTick).
   */
  private scheduleFlush(): void {
    if (this.inReceive || this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(this.flushNow);
  }

  private readonly flushNow = (): void => {
    this.flushQueued = false;
    this.session.flush();
  };

  private onCommand(c: CommandFrame, raw?: RawHeaders): void {
    this.commandsIn++;
    this.stats?.command(c.method);
    // part 4 row 26: at most maxOutstandingCommands unanswered; beyond that, `resources`.
    if (this.session.unanswered > this.limits.maxOutstandingCommands) {
      if (this.refused++ === 0)
        this.log.warn(
          { limit: this.limits.maxOutstandingCommands },
          'hub too many unanswered commands, refusing',
        );
      this.session.respondError(c.id, TOO_MANY);
      this.stats?.failure(TOO_MANY);
      return;
    }
    let answer: Answer | PromiseLike<Answer> | null;
    try {
      answer = this.events.command(this, c, raw);
    } catch (e) {
      this.failed(c.id, e);
      return;
    }
    // null: the application took `replyTo(c.id)` and answers through it.
    if (answer === null) return;
    if (isThenable(answer)) {
      const id = c.id;
      answer.then(
        (a) => this.answer(id, a),
        (e: unknown) => this.failed(id, e),
      );
    } else this.answer(c.id, answer);
  }

  private answer(id: string, a: Answer): void {
    if (this.session.closed) return;
    try {
      this.session.respond(id, a.status, a.headers, a.payload ?? null);
      this.stats?.answer(a);
    } catch (e) {
      this.log.error({ err: e, id }, 'hub application answer could not be sent');
      this.failed(id, new Error('invalid answer'));
      return;
    }
    this.scheduleFlush();
  }

  /** A thrown or rejected application error, answered through replies.ts (never its internals). */
  private failed(id: string, e: unknown): void {
    if (this.session.closed) return;
    if (!(e instanceof HubError)) this.log.error({ err: e, id }, 'hub application failed on a command');
    try {
      this.session.respondError(id, e);
      this.stats?.failure(e);
    } catch {
      // Already answered: nothing more to say.
    }
    this.scheduleFlush();
  }

  private idleTick(): void {
    if (this.writes === this.writesSeen) {
      this.session.sendNop();
      this.session.flush();
    }
    this.writesSeen = this.writes;
  }

  /** authTimeoutMs: an unauthenticated connection that sent no command for that long is closed. */
  private armAuthTimer(): void {
    const seen = this.commandsIn;
    this.authTimer = setTimeout(() => {
      this.authTimer = null;
      if (this.session.authenticated !== null || this.session.closed) return;
      if (this.commandsIn !== seen) {
        this.armAuthTimer();
        return;
      }
      this.log.warn(
        { timeoutMs: this.limits.authTimeoutMs },
        'hub authentication timeout, connection closed',
      );
      this.closeWith('auth-timeout', `not authenticated within ${this.limits.authTimeoutMs} ms`, false);
    }, this.limits.authTimeoutMs).unref();
  }

  private onAuthenticated(a: AuthInfo): void {
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.authTimer = null;
    if (this.session.role === 'acceptor')
      this.log.info(
        { mechanism: a.mechanism, identity: a.identity, strength: a.strength },
        'hub connection authenticated',
      );
    this.events.authenticated?.(this, a);
  }

  private onAuthFailed(why: string, failures: number): void {
    const logged = this.events.authFailed?.(this, why, failures) === true;
    if (this.session.role === 'acceptor')
      this.log[logged ? 'debug' : 'warn']({ problem: why, failures }, 'hub authentication failed');
  }

  private onNotice(n: Notice): void {
    this.log.debug({ notice: n.code, problem: n.message, id: n.id }, 'hub protocol notice');
  }

  private finish(s: SessionCloseReason): void {
    const reason: CloseReason = this.reason ?? s;
    for (const t of [this.keepalive, this.authTimer]) if (t !== null) clearTimeout(t);
    this.keepalive = this.authTimer = null;
    this.pending.stop();
    const sock = this.socket;
    if (this.hard || sock.destroyed) sock.destroy();
    else {
      sock.end();
      // A peer that never takes the rest: drop it after a grace period.
      setTimeout(() => sock.destroy(), Math.min(5000, this.limits.commandTimeoutMs)).unref();
    }
    logClosed(this.log, s, reason, this.refused);
    this.events.closed?.(this, reason);
    this.resolveDone(reason);
  }
}

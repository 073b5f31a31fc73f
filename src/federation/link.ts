/**
 * One pooled outbound link to a peer gateway for one protocol (IMTP or PITP): created on first
 * use, reused for every command, closed when idle, reconnected after failure.
 *
 * - Part 4 row 13: inter-domain commands go only on connections we initiated and authenticated;
 *   the far side's commands on this link are refused (outbound-commands.ts), except `shutdown`
 *   (§14.2): answered `ok`, after which no new command uses the connection and it is closed once
 *   our outstanding commands are answered.
 * - Part 4 row 14: a command for a link that is down is answered `communications` at once; a
 *   lost connection or a hop timeout answers the commands on it `communications` (the hub
 *   connection does that).
 * - Draft §7 (part 3 row 55): we close an idle link only when none of our commands on it is
 *   outstanding; commands the peer left unanswered when it closed may be assumed unprocessed, so
 *   each is retried once on a fresh connection before `communications` is answered.
 * - Reconnecting: a failed connection attempt starts an exponential backoff with jitter (delay
 *   d = min(max, initial·2^(n−1)), waited as d/2 + random·d/2). Commands arriving meanwhile are
 *   answered `communications`; when the wait ends, the link reconnects at once if anything
 *   was asked of it meanwhile, else on the next command. Losing an established connection is
 *   not a failed attempt: the next command reconnects at once.
 */
import type { HubClient } from '../hub/client.js';
import type { CommandFrame, ResponseFrame } from '../hub/frame/index.js';
import type { RawHeaders } from '../hub/frame/raw.js';
import type { Logger } from '../log.js';
import { methodSpec, type Answer, type Protocol } from '../protocol/index.js';
import type { AnswerSink, Operation } from '../router/index.js';
import { plainOperation, RelayedSend } from '../router/visited.js';
import { LinkShare, sourceOf } from './link-share.js';
import { LinkCommand, type Conn } from './link-command.js';
import { refuseOnOutbound } from './outbound-commands.js';

/** Why a connection attempt failed: the domain has no server at all, or none could be reached. */
export class DialError extends Error {
  override readonly name = 'DialError';
  constructor(
    readonly kind: 'no-server' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

/** Opens and authenticates one connection; throws DialError. */
export type Dial = (onCommand: (command: CommandFrame) => Answer) => Promise<HubClient>;

export interface PeerLinkOptions {
  readonly protocol: Protocol;
  /** The peer's name (its first domain), for logs and messages. */
  readonly peer: string;
  /** Our own domain: Error-Originator of the answers the link makes up (see `ownError`). */
  readonly ownDomain: string;
  readonly dial: Dial;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly idleCloseMs: number;
  readonly log: Logger;
  readonly random?: () => number;
  /** Issue 19: unanswered commands one source may have on the link (link-share.ts); default no bound. */
  readonly perSourceOutstanding?: () => number;
  /** Sources exempt from that share (this gateway's rooms, link-share.ts). */
  readonly shareExempt?: (source: string) => boolean;
}

export type LinkState = 'idle' | 'connecting' | 'up' | 'down' | 'stopped';

export class PeerLink {
  private current: Conn | null = null;
  private connecting: Promise<Conn | Answer> | null = null;
  private failures = 0;
  private downUntil = 0;
  private wanted = false;
  private lastUsed = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly random: () => number;
  private readonly share: LinkShare;

  constructor(private readonly o: PeerLinkOptions) {
    this.random = o.random ?? Math.random;
    this.share = new LinkShare(o.perSourceOutstanding ?? (() => Infinity), o.shareExempt);
  }

  get state(): LinkState {
    if (this.stopped) return 'stopped';
    if (this.current !== null && !this.current.draining) return 'up';
    if (this.connecting !== null) return 'connecting';
    return Date.now() < this.downUntil ? 'down' : 'idle';
  }

  /** Connection attempts failed since the last one that succeeded (readiness, docs/operations.md). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Commands of ours on the current connection that await their answer. */
  get outstanding(): number {
    return this.current?.inflight ?? 0;
  }

  /**
   * Sends `op` to the peer and resolves with its answer; never rejects. A source over its share
   * of the link (link-share.ts) is answered `resources` without using the link.
   *
   * Hot path (issue 18, bench/README.md "Federation"): with the link up, one reaction on the
   * command's answer and no async frame (an `async` function with two awaits cost the
   * federation benchmark two extra microtask turns and its promises per message); connecting,
   * reconnecting and the one retry after a cut connection take the async path below.
   */
  deliver(op: Operation): Promise<Answer> {
    const source = sourceOf(op);
    if (!this.share.take(source)) return Promise.resolve(this.ownError('resources', this.overShare(source)));
    const c = this.current;
    if (this.stopped || c === null || c.draining || c.client === null)
      return this.deliverAsync(op, source, 0);
    this.lastUsed = Date.now();
    const seq = ++c.issued;
    c.inflight++;
    return c.client.command(op.method, op.headers, op.payload ?? null).then((r) => {
      this.landed(c);
      // draft §7: unanswered when the peer closed ⇒ unprocessed ⇒ safe to retry, once.
      if (seq > c.cutUpTo || this.stopped) {
        this.share.give(source);
        return r;
      }
      this.retrying(op);
      return this.deliverAsync(op, source, 1);
    });
  }

  /**
   * `deliver` with the answer going to `sink` (issue 18, the router's relay path): with the link
   * up and its connection able to `relay`, one LinkCommand per command and no promise; a send
   * that arrived on a hub connection is written from its received header block with the relay's
   * rewrites spliced in (src/hub/frame/raw.ts), so no header list is built. The share, the
   * retry rule and every answer are `deliver`'s; anything else takes `deliver`.
   */
  relay(op: Operation, sink: AnswerSink): void {
    const c = this.current;
    const conn = c === null || c.client === null ? undefined : c.client.connection;
    if (this.stopped || c === null || c.draining || conn?.relay === undefined) {
      void this.deliver(plainOperation(op)).then((a) => sink.answered(a));
      return;
    }
    // The relay leaves the source header as received: read there, no relayed header list made.
    const source = sourceOf(op instanceof RelayedSend ? op.received : op);
    if (!this.share.take(source)) {
      sink.answered(this.ownError('resources', this.overShare(source)));
      return;
    }
    this.lastUsed = Date.now();
    const cmd = new LinkCommand(this, c, ++c.issued, source, op, sink);
    c.inflight++;
    const raw =
      op instanceof RelayedSend && this.o.protocol === 'imtp'
        ? (op.received.raw as RawHeaders | undefined)
        : undefined;
    if (raw === undefined) conn.relay(op.method, op.headers, op.payload ?? null, cmd);
    else conn.relay(op.method, NO_HEADERS, op.payload ?? null, cmd, raw, op as RelayedSend);
  }

  /**
   * The answer to a LinkCommand. Draft §7: a command issued before the close was seen is retried
   * once. The sink hears a closing connection's synthetic answers in the turn of the close,
   * before `closed`'s reaction: the close is seen here then, so the retry (and every command
   * after) takes a new connection, as after `deliver`'s reaction.
   */
  commandAnswered(cmd: LinkCommand, r: ResponseFrame): void {
    const c = cmd.conn;
    this.landed(c);
    if (!c.closeSeen && c.client!.connection.closed) this.sawClose(c);
    const cut = cmd.seq <= c.cutUpTo;
    if (!cut || this.stopped) {
      this.share.give(cmd.source);
      cmd.sink.answered(r);
      return;
    }
    this.retrying(cmd.op);
    void this.deliverAsync(plainOperation(cmd.op), cmd.source, 1).then((a) => cmd.sink.answered(a));
  }

  /** The close of `c` is seen: the commands issued on it so far are cut; no new ones go there. */
  private sawClose(c: Conn): void {
    if (c.closeSeen) return;
    c.closeSeen = true;
    c.cutUpTo = c.issued;
    if (this.current === c) this.current = null;
  }

  private overShare(source: string): string {
    return `too many unanswered commands from ${source} on the link to ${this.o.peer} (federation.perSourceOutstanding)`;
  }

  /** A command of ours on `c` is answered (really or synthetically). */
  private landed(c: Conn): void {
    c.inflight--;
    if (c.draining && c.inflight === 0) void c.client!.close();
  }

  private retrying(op: Operation): void {
    this.o.log.info(
      { peer: this.o.peer, method: op.method },
      'peer closed with our command unanswered; retrying',
    );
  }

  /** `deliver` when the link is not up, or for the retry (`first` = 1); gives the source's share back. */
  private async deliverAsync(op: Operation, source: string, first: number): Promise<Answer> {
    try {
      this.lastUsed = Date.now();
      for (let attempt = first; ; attempt++) {
        const c = await this.acquire(op);
        if (!isConn(c)) return c;
        const seq = ++c.issued;
        c.inflight++;
        let r;
        try {
          r = await c.client!.command(op.method, op.headers, op.payload ?? null);
        } finally {
          this.landed(c);
        }
        // The response frame is an Answer (src/protocol): passed on as it is.
        if (seq > c.cutUpTo || attempt > 0 || this.stopped) return r;
        this.retrying(op);
      }
    } finally {
      this.share.give(source);
    }
  }

  /** Stops the link: waits up to `deadlineMs` for outstanding answers (row 55), then closes. */
  async close(deadlineMs: number): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.idleTimer !== null) clearInterval(this.idleTimer);
    this.retryTimer = this.idleTimer = null;
    const until = Date.now() + deadlineMs;
    if (this.connecting !== null) await Promise.race([this.connecting, sleep(deadlineMs)]);
    const c = this.current;
    if (c === null || c.client === null) return;
    while (c.inflight > 0 && Date.now() < until) await sleep(20);
    this.current = null;
    await c.client.close();
  }

  private acquire(op: Operation): Conn | Answer | Promise<Conn | Answer> {
    if (this.stopped) return this.ownError('communications', 'the gateway is stopping');
    const c = this.current;
    if (c !== null && !c.draining) return c;
    if (this.connecting !== null) return this.connecting;
    const wait = this.downUntil - Date.now();
    if (wait > 0) {
      this.wanted = true;
      return this.ownError('communications', `no link to ${this.o.peer}; next attempt in ${wait} ms`);
    }
    return this.connect(op);
  }

  private connect(op: Operation | null): Promise<Conn | Answer> {
    const holder: Conn = {
      client: null,
      inflight: 0,
      issued: 0,
      cutUpTo: 0,
      closeSeen: false,
      draining: false,
    };
    const onCommand = (command: CommandFrame): Answer => {
      if (command.method === 'shutdown') {
        // §14.2: the peer asks us to move. No new commands here; close when ours are answered.
        holder.draining = true;
        if (this.current === holder) this.current = null;
        if (holder.inflight === 0) setImmediate(() => void holder.client?.close());
        this.o.log.info({ peer: this.o.peer, protocol: this.o.protocol }, 'peer asked us to move (shutdown)');
        return { status: 'ok', headers: [] };
      }
      this.o.log.warn(
        { peer: this.o.peer, protocol: this.o.protocol, method: command.method },
        'peer sent a command on our outbound link; refused (part 4 row 13)',
      );
      return refuseOnOutbound(command, this.o.protocol);
    };
    const attempt = (async (): Promise<Conn | Answer> => {
      try {
        holder.client = await this.o.dial(onCommand);
      } catch (e) {
        const err = e instanceof DialError ? e : new DialError('unreachable', String(e));
        this.failed(err);
        if (op === null) return this.ownError('communications', err.message);
        const noTarget = err.kind === 'no-server' && methodSpec(op.method, this.o.protocol)?.target != null;
        return this.ownError(noTarget ? 'target-not-found' : 'communications', err.message);
      } finally {
        this.connecting = null;
      }
      return this.opened(holder);
    })();
    this.connecting = attempt;
    return attempt;
  }

  private opened(holder: Conn): Conn {
    const client = holder.client!;
    if (this.stopped) {
      void client.close();
      holder.draining = true;
      return holder;
    }
    this.failures = 0;
    this.downUntil = 0;
    if (!holder.draining) this.current = holder;
    this.o.log.info({ peer: this.o.peer, protocol: this.o.protocol }, 'peer link up');
    void client.closed.then((reason) => {
      // Before the synthetic answers of the commands left on it are seen (same turn, earlier).
      this.sawClose(holder);
      if (!this.stopped)
        this.o.log.info(
          { peer: this.o.peer, protocol: this.o.protocol, reason: reason.message },
          'peer link closed',
        );
    });
    this.idleTimer ??= setInterval(
      () => this.closeIfIdle(),
      Math.max(50, Math.min(this.o.idleCloseMs / 2, 30000)),
    ).unref();
    return holder;
  }

  /** Draft §7, row 55: close only when idle long enough and nothing of ours is outstanding. */
  private closeIfIdle(): void {
    const c = this.current;
    if (c === null || c.inflight > 0 || Date.now() - this.lastUsed < this.o.idleCloseMs) return;
    this.current = null;
    this.o.log.info({ peer: this.o.peer, protocol: this.o.protocol }, 'peer link idle, closed');
    void c.client!.close();
  }

  private failed(err: DialError): void {
    this.failures++;
    const { initialDelayMs, maxDelayMs } = this.o.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.failures - 1, 30));
    const delay = Math.round(base / 2 + (this.random() * base) / 2);
    this.downUntil = Date.now() + delay;
    this.o.log.warn(
      {
        peer: this.o.peer,
        protocol: this.o.protocol,
        problem: err.message,
        failures: this.failures,
        retryMs: delay,
      },
      'peer link failed',
    );
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.wanted || this.stopped || this.connecting !== null || this.current !== null) return;
      this.wanted = false;
      void this.connect(null);
    }, delay).unref();
  }

  /**
   * An answer the link makes up. It names our domain as Error-Originator: without one the router
   * would add the peer's domain (draft §12: the first relay names the originator), blaming the
   * peer for an error it never saw.
   */
  private ownError(type: string, description: string): Answer {
    return {
      status: 'error',
      headers: [
        ['Error-Type', type],
        ['Error-Description', description],
        ['Error-Originator', this.o.ownDomain],
      ],
    };
  }
}

const NO_HEADERS: readonly [] = [];

function isConn(c: Conn | Answer): c is Conn {
  return 'inflight' in c;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * One IRC connection (the network's main connection, or a puppet): registration, SASL or
 * NickServ, channel joins, reconnects with backoff, and the paced output queue whose lines are
 * answered only once the server has seen them (docs/bridge-requirements.md rows 3, 5, 6, 8).
 *
 * Answers: after a batch of lines is written we send `PING :<token>`; the server processes a
 * client's lines in order (RFC 1459 2.3), so every error numeric about them arrives before the
 * PONG. Tickets with no error then answer `ok` + `Unreliable` (IRC gives no end receipt).
 */
import { Client } from 'irc-framework';
import { errorAnswer, type Answer } from '../../src/index.js';
import { SendQueue, Ticket, TokenBucket, expiryAnswer, lineItems, type IrcCommand } from './queue.js';
import { JOIN_FAILED, numericOf, refusalOf, welcomeMask } from './numerics.js';
import { connectOptions, type LinkOptions } from './link-options.js';
import { privmsgFilter } from './fast-privmsg.js';
import { refold, sameServerInfo } from './server-info.js';
import { capsOf, tagsNow, type IrcCaps } from './caps.js';

export type { LinkOptions } from './link-options.js';
import {
  DEFAULT_SERVER_INFO,
  foldCase,
  serverInfoFrom,
  textBudget,
  type Hostmask,
  type IrcServerInfo,
} from './translate.js';

export type LinkState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'stopped';

export class IrcLink {
  readonly client: Client;
  state: LinkState = 'idle';
  info: IrcServerInfo = DEFAULT_SERVER_INFO;
  /** Folded names of channels we are in, with their display names. */
  readonly joined = new Map<string, string>();
  readonly failedJoins = new Map<string, string>();
  readonly wanted = new Map<string, { name: string; key?: string }>();
  private readonly queue: SendQueue;
  private readonly bucket: TokenBucket;
  private readonly inFlight: Ticket[] = [];
  private readonly batches = new Map<string, Ticket[]>();
  private mask: { user?: string; host?: string } = {};
  private attempt = 0;
  private nickTry = 0;
  private pingSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly sweep: NodeJS.Timeout;
  private identified = true;
  private registeredOnce = false;
  /** Why the socket closed, when it closed with an error (TLS verification, refused, reset). */
  private socketError: (Error & { code?: string }) | null = null;
  lastActivity = Date.now();
  /** Called on every state change, with a reason: why it is degraded, or why the socket closed. */
  onState: (state: LinkState, degraded?: string) => void = () => undefined;
  /** Called once SASL fails: credentials a retry cannot fix. */
  onFatal: (err: Error) => void = () => undefined;

  constructor(private readonly o: LinkOptions) {
    this.client = new Client();
    for (const c of o.caps) this.client.requestCap(c);
    this.queue = new SendQueue(o.queue.maxLines, o.queue.maxAgeMs);
    this.bucket = new TokenBucket(o.flood.burst, o.flood.linesPerSecond, o.flood.enabled);
    for (const c of o.channels) this.wanted.set(foldCase(c.name, this.info.casemapping), c);
    this.sweep = setInterval(
      () => this.queue.expire(Date.now(), (t, ch) => this.whyExpired(t, ch)),
      Math.min(1000, o.queue.maxAgeMs / 4),
    );
    this.sweep.unref();
    this.wire();
  }

  get nick(): string {
    return this.client.user.nick;
  }

  /** The IRCv3 caps this connection negotiated (caps.ts); none before registration. */
  get caps(): IrcCaps {
    return capsOf(this.client.network.cap.enabled, this.client.network.cap.available);
  }

  get dropped(): number {
    return this.queue.dropped;
  }

  /** Lines waiting in the paced output queue (`cpim_adapter_queued`, docs/operations.md). */
  get queued(): number {
    return this.queue.length;
  }

  private wire(): void {
    const c = this.client;
    c.on('raw', (e: { line: string; from_server: boolean }) => {
      if (!e.from_server) return;
      const mask = welcomeMask(e.line);
      if (mask) this.mask = mask;
    });
    c.on('registered', () => this.registered());
    // RPL_ISUPPORT (005) comes after RPL_WELCOME (001): NICKLEN, CASEMAPPING and CHANTYPES are
    // known only from here on (draft-brocklesby-irc-isupport 3; issue 20).
    c.on('server options', () => this.setInfo(serverInfoFrom(this.client.network.options)));
    c.on('nick in use', () => this.nextNick());
    c.on('nick invalid', () => this.nextNick());
    c.on('sasl failed', (e: { reason: string }) => {
      const err = new Error(`SASL authentication failed (${e.reason})`);
      this.o.log.error({ reason: e.reason }, 'irc sasl failed');
      this.onFatal(err);
      this.stop('SASL failed');
    });
    c.on('notice', (e: { nick?: string; message: string }) => {
      const ns = this.o.nickserv;
      if (ns && !this.identified && e.nick && foldCase(e.nick, 'ascii') === foldCase(ns.service, 'ascii')) {
        if (new RegExp(ns.confirmPattern, 'i').test(e.message)) this.afterIdentify(true);
      }
    });
    c.on('join', (e: { nick: string; channel: string }) => {
      if (foldCase(e.nick, this.info.casemapping) !== foldCase(this.nick, this.info.casemapping)) return;
      const key = foldCase(e.channel, this.info.casemapping);
      this.joined.set(key, e.channel);
      this.failedJoins.delete(key);
      this.pump();
    });
    const left = (channel: string) => this.joined.delete(foldCase(channel, this.info.casemapping));
    c.on('part', (e: { nick: string; channel: string }) => {
      if (foldCase(e.nick, this.info.casemapping) === foldCase(this.nick, this.info.casemapping))
        left(e.channel);
    });
    c.on('kick', (e: { kicked: string; channel: string }) => {
      if (foldCase(e.kicked, this.info.casemapping) !== foldCase(this.nick, this.info.casemapping)) return;
      left(e.channel);
      const w = this.wanted.get(foldCase(e.channel, this.info.casemapping));
      if (w) setTimeout(() => this.state === 'ready' && this.client.join(w.name, w.key), 5000).unref();
    });
    // The server refused something we sent (a line to a channel we may not write to, a JOIN to a
    // full channel): lines were lost, so it is a warning with the server's reason.
    c.on('irc error', (e: { error: string; channel?: string; nick?: string; reason?: string }) =>
      this.o.log.warn({ error: e.error, channel: e.channel, nick: e.nick, reason: e.reason }, 'irc error'),
    );
    c.on('raw', (e: { line: string; from_server: boolean }) => {
      if (!e.from_server) return;
      const n = numericOf(e.line);
      if (n === null) return;
      const { code, subject, reason } = n;
      const folded = foldCase(subject, this.info.casemapping);
      const refused = refusalOf(code, reason);
      if (refused !== null) this.failTarget(folded, refused);
      if (JOIN_FAILED.has(code) && this.wanted.has(folded)) {
        this.failedJoins.set(folded, reason ?? code);
        this.onState(this.state, `cannot join ${subject}: ${reason ?? code}`);
        this.pump();
      }
    });
    c.on('pong', (e: { message?: string }) => {
      const batch = e.message === undefined ? undefined : this.batches.get(e.message);
      if (!batch) return;
      this.batches.delete(e.message!);
      for (const t of batch) {
        this.inFlight.splice(this.inFlight.indexOf(t), 1);
        t.settle();
      }
    });
    c.on('socket close', (err: (Error & { code?: string }) | false | undefined) => {
      this.socketError = err || null;
    });
    c.on('close', () => this.closed());
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  private connect(): void {
    this.state = 'connecting';
    this.onState('connecting');
    this.nickTry = 0;
    this.joined.clear();
    // A reconnect may reach a server with other values: until its 005, RFC 2812's defaults
    // (irc-framework keeps the last server's tokens across connections).
    const opts = this.client.network.options;
    for (const k of ['CASEMAPPING', 'NICKLEN', 'CHANTYPES']) delete opts[k];
    this.setInfo(DEFAULT_SERVER_INFO);
    this.client.connect(connectOptions(this.o, privmsgFilter(this.client)));
  }

  private nextNick(): void {
    if (this.state !== 'connecting') return;
    const alts = this.o.altNicks;
    const next =
      this.nickTry < alts.length
        ? alts[this.nickTry]!
        : `${this.o.nick.slice(0, this.info.nicklen - 2)}${this.nickTry - alts.length + 1}`;
    this.nickTry++;
    this.client.changeNick(next);
  }

  /** RPL_WELCOME (001): SASL, if asked for, has already succeeded (CAP END comes after it). */
  private registered(): void {
    this.attempt = 0;
    this.setInfo(serverInfoFrom(this.client.network.options));
    const ns = this.o.nickserv;
    if (ns) {
      this.identified = false;
      this.client.raw(`PRIVMSG ${ns.service} :IDENTIFY ${ns.password}`);
      this.timer = setTimeout(() => this.afterIdentify(false), ns.confirmTimeoutMs);
    } else this.afterIdentify(true);
  }

  private afterIdentify(confirmed: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state !== 'connecting') return;
    this.identified = true;
    this.registeredOnce = true;
    this.state = 'ready';
    this.lastActivity = Date.now();
    this.onState('ready', confirmed ? undefined : 'NickServ did not confirm identification');
    for (const c of this.wanted.values()) this.client.join(c.name, c.key);
    this.pump();
  }

  /** ISUPPORT values learnt (005) or reset (a new connection): server-info.ts. */
  private setInfo(info: IrcServerInfo): void {
    const was = this.info;
    if (sameServerInfo(was, info)) return;
    this.info = info;
    // Names cached by folding (inbound.ts IrcNames) check the CASEMAPPING they were made with.
    if (was.casemapping !== info.casemapping) refold(this, info.casemapping);
  }

  /** Joins (and keeps re-joining after reconnects) a channel. */
  want(name: string, key?: string): void {
    const folded = foldCase(name, this.info.casemapping);
    if (this.wanted.has(folded)) return;
    this.wanted.set(folded, key === undefined ? { name } : { name, key });
    if (this.state === 'ready') this.client.join(name, key);
  }

  /** Our hostmask as others see it; unknown parts assumed as long as they can be (RFC 2812 1.2.1). */
  hostmask(): Hostmask {
    return {
      nick: this.nick,
      user: this.mask.user ?? `~${this.o.username}`,
      host: this.mask.host ?? 'x'.repeat(63),
    };
  }

  budget(command: string, target: string, nick = this.nick): number {
    const mask = this.hostmask();
    // Another nick we may still get (the alt nicks) could be longer: plan for the longest.
    return textBudget({ ...mask, nick: nick.length < this.info.nicklen ? nick : mask.nick }, command, target);
  }

  /** The lines of one message; the promise answers once the server has seen them. */
  send(target: string, command: IrcCommand, texts: readonly string[], channel: boolean, tags?: string) {
    const t = this.queueLines(target, command, texts, channel, tags === undefined ? {} : { tags });
    return t instanceof Ticket ? t.promise : Promise.resolve(t);
  }

  /** Queues one message: its ticket, or `resources`; `held`, `enqueuedAt`: durable.ts; `tags`: queue.ts. */
  queueLines(
    target: string,
    command: IrcCommand,
    texts: readonly string[],
    channel: boolean,
    o: { held?: boolean; enqueuedAt?: number; tags?: string } = {},
  ): Ticket | Answer {
    const folded = foldCase(target, this.info.casemapping);
    const ticket = new Ticket(texts.length, folded, o.enqueuedAt ?? Date.now(), this.o.okHeaders);
    ticket.held = o.held ?? false;
    const items = lineItems(command, target, texts, ticket, channel ? folded : undefined, o.tags);
    if (!this.queue.push(items))
      return errorAnswer('resources', `the IRC output queue is full (${this.queue.length} lines waiting)`);
    this.lastActivity = Date.now();
    this.pump();
    return ticket;
  }

  /** Lines that would go out now (a new puppet's first ones too); else they wait (durable.ts). */
  canSendNow(lines: number, channel?: string): boolean {
    return (
      !this.registeredOnce ||
      (this.state === 'ready' &&
        this.queue.length === 0 &&
        this.pumpTimer === undefined &&
        (channel === undefined || this.joined.has(channel)) &&
        this.bucket.available() >= lines)
    );
  }

  /**
   * How long `lines` more would wait for the pacing bucket behind what is queued (issue 20: a
   * burst beyond the pace is refused `quota` at once rather than aged out; outbound.ts).
   */
  paceWaitMs(lines: number): number {
    return this.bucket.waitFor(this.queue.length + lines);
  }

  /** The answer of a send that aged out in the queue: why it did, as it stands now. */
  private whyExpired(t: Ticket, channel: string | undefined): Answer {
    const joined = channel === undefined || this.joined.has(channel);
    return expiryAnswer(t, this.state === 'ready', joined, this.o.queue.maxAgeMs);
  }

  /** Takes a ticket's remaining lines out of the queue (its durable write failed). */
  withdraw(ticket: Ticket): void {
    this.queue.drop(ticket);
  }

  failTarget(folded: string, a: Answer): void {
    for (const t of this.inFlight) if (t.target === folded) t.fail(a);
  }

  /** Writes queued lines while the connection is ready and the bucket has tokens. */
  pump(): void {
    if (this.pumpTimer) return;
    let wrote = false;
    while (this.state === 'ready') {
      const head = this.queue.peek();
      if (!head) break;
      if (head.ticket.done) {
        this.queue.shift();
        continue;
      }
      if (head.ticket.held) break; // released by durable.ts once the store committed it
      if (head.channel !== undefined && !this.joined.has(head.channel)) {
        const failed = this.failedJoins.get(head.channel);
        if (failed === undefined) break; // the join is under way; join() pumps again
        this.queue.drop(head.ticket);
        head.ticket.settleWith(errorAnswer('target-authorization', `the gateway cannot join: ${failed}`));
        continue;
      }
      if (!this.bucket.take()) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, this.bucket.wait());
        break;
      }
      this.queue.shift();
      // Tags as the connection's caps are now (queue.ts tagsNow; a new puppet, a reconnect).
      const tags = head.tags === undefined ? '' : tagsNow(head.tags, this.client.network.cap.enabled);
      this.client.raw(tags === '' ? head.line : `@${tags} ${head.line}`);
      wrote = true;
      const t = head.ticket;
      if (++t.written === t.lines) {
        this.inFlight.push(t);
        t.onWritten?.();
      }
    }
    if (wrote) this.flushBatch();
  }

  /** Tickets fully written and not yet in a batch get a PING marker. */
  private flushBatch(): void {
    const pending = this.inFlight.filter((t) => ![...this.batches.values()].some((b) => b.includes(t)));
    if (pending.length === 0) return;
    const token = `cpimgw-${++this.pingSeq}`;
    this.batches.set(token, pending);
    this.client.raw(`PING :${token}`);
  }

  private closed(): void {
    // Lines the server had: handed over, no receipt (ok + Unreliable); queued lines stay.
    for (const t of this.inFlight.splice(0)) t.settle();
    this.batches.clear();
    this.joined.clear();
    if (this.timer) clearTimeout(this.timer);
    if (this.state === 'stopped') return;
    this.state = 'waiting';
    const r = this.o.reconnect;
    const base = Math.min(r.maxDelayMs, r.minDelayMs * 2 ** this.attempt++);
    const delay = Math.round(base * (1 + r.jitter * (2 * Math.random() - 1)));
    const err = this.socketError;
    this.socketError = null;
    if (err)
      this.o.log.warn(
        { cause: err.message, code: err.code, host: this.o.host, port: this.o.port, delayMs: delay },
        'irc connection failed',
      );
    this.o.log.info({ delayMs: delay, queued: this.queue.length }, 'irc disconnected, reconnecting');
    this.onState('waiting', err?.message);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Sends QUIT and stops reconnecting; queued lines answer `communications`. */
  stop(reason = 'gateway stopping'): void {
    if (this.state === 'stopped') return;
    const wasConnected = this.state === 'ready' || this.state === 'connecting';
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    clearInterval(this.sweep);
    this.queue.clear(errorAnswer('communications', `the IRC connection was closed: ${reason}`));
    for (const t of this.inFlight.splice(0)) t.settle();
    if (wasConnected) this.client.quit(reason);
    this.onState('stopped');
  }
}

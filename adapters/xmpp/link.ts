/**
 * The component connection (XEP-0114 §3): @xmpp/component opens the stream to
 * the server's component port and answers the stream id with the SHA-1 handshake; this file
 * adds what the adapter needs around it:
 *
 * - the safe stream parser (stream-parser.ts) in place of ltx, bytes decoded across chunks, and
 *   stream errors that name the specific RFC 6120 §4.9.3 condition;
 * - reconnecting with exponential backoff and jitter (the library's own reconnect waits a fixed
 *   second forever): XEP-0114 has no resumption, so a drop loses what was in flight and the
 *   adapter answers sends made meanwhile `communications`;
 * - a handshake refused (`not-authorized`: wrong secret; `host-unknown`: no such Component entry)
 *   on the first attempt rejects start(), since no retry fixes it (docs/architecture.md part 5).
 */
import { component, xml, type Component, type Element } from '@xmpp/component';
import type { Logger } from '../../src/index.js';
import { StreamXmlError, XmppStreamParser } from './stream-parser.js';

export type LinkState = 'connecting' | 'online' | 'offline';

export interface LinkOptions {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly secret: string;
  readonly maxStanzaBytes: number;
  readonly reconnect: { readonly minDelayMs: number; readonly maxDelayMs: number; readonly jitter: number };
  /** XEP-0199 pings to `pingTo` (a server domain); intervalMs 0: none. */
  readonly keepalive: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly pingTo: string;
  readonly log: Logger;
}

/** Stream error conditions a retry cannot fix (RFC 6120 §4.9.3.7, §4.9.3.12; XEP-0114 §3). */
const FATAL = new Set(['not-authorized', 'host-unknown']);

export class ComponentLink {
  readonly entity: Component;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private everOnline = false;
  private pinger: NodeJS.Timeout | undefined;
  /** Called for each stanza (message, presence, iq) the server routes to the component. */
  onStanza: (el: Element) => void = () => undefined;
  onState: (s: LinkState, cause?: Error) => void = () => undefined;
  /** A handshake refusal before the first success: start() rejects with it. */
  onFatal: (err: Error) => void = () => undefined;

  constructor(private readonly o: LinkOptions) {
    const e = component({ service: `xmpp://${o.host}:${o.port}`, domain: o.domain, password: o.secret });
    // Our own backoff below replaces the library's fixed one-second reconnect.
    e.reconnect.stop();
    const limits = { maxStanzaBytes: o.maxStanzaBytes };
    e.Parser = class extends XmppStreamParser {
      constructor() {
        super(limits);
      }
    };
    // The library decodes each chunk alone (a character split across two chunks is lost);
    // the parser keeps a decoder per stream instead.
    e._onData = (data: Buffer) => e.parser?.write(data);
    e._onParserError = (error: Error) => {
      const condition = error instanceof StreamXmlError ? error.condition : 'bad-format';
      void e._streamError(condition).catch(() => undefined);
      e._detachParser();
      e.emit('error', error);
    };
    e.on('stanza', (el: Element) => this.onStanza(el));
    e.on('online', () => {
      this.attempt = 0;
      this.startPings();
      this.everOnline = true;
      o.log.info({ domain: o.domain }, 'xmpp component online');
      this.onState('online');
    });
    e.on('disconnect', () => {
      clearInterval(this.pinger);
      if (this.stopped) return;
      this.onState('connecting');
      this.schedule();
    });
    e.on('error', (err: Error & { condition?: string }) => {
      if (err.condition !== undefined && FATAL.has(err.condition) && !this.everOnline) {
        this.onFatal(err);
        return;
      }
      o.log.warn({ err, condition: err.condition }, 'xmpp component link error');
    });
    this.entity = e;
  }

  get online(): boolean {
    return this.entity.status === 'online';
  }

  start(): void {
    this.stopped = false;
    this.onState('connecting');
    void this.connectOnce();
  }

  async send(el: Element): Promise<void> {
    await this.entity.send(el);
  }

  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    const e = this.entity;
    if (e.status === 'offline' || e.status === 'disconnect') return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      e.stop().catch(() => undefined),
      new Promise((r) => (t = setTimeout(r, deadlineMs))),
    ]);
    clearTimeout(t);
    e.socket?.destroy();
    this.onState('offline');
  }

  /**
   * XEP-0199 §4.2 (the `keepalive` keys: ping the server every 60 s): a TCP link can die without a
   * FIN (a frozen server, a dropped route); an unanswered ping closes the socket, and the
   * `disconnect` that follows reconnects with backoff. An error answer still proves the link.
   */
  private startPings(): void {
    clearInterval(this.pinger);
    const k = this.o.keepalive;
    if (k.intervalMs === 0) return;
    let inFlight = false;
    this.pinger = setInterval(() => {
      if (inFlight || !this.online) return;
      inFlight = true;
      const e = this.entity;
      const socket = e.socket;
      e.iqCaller
        .request(
          xml('iq', { type: 'get', to: this.o.pingTo }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
          k.timeoutMs,
        )
        .catch((err: Error & { name?: string }) => {
          if (err.name !== 'TimeoutError' || this.stopped || e.socket !== socket) return;
          this.o.log.warn({ timeoutMs: k.timeoutMs }, 'xmpp server did not answer a ping; reconnecting');
          socket?.destroy();
        })
        .finally(() => (inFlight = false));
    }, k.intervalMs);
  }

  /** Exponential backoff with jitter, as the IRC adapter's link does. */
  private schedule(): void {
    clearTimeout(this.timer);
    const r = this.o.reconnect;
    const base = Math.min(r.maxDelayMs, r.minDelayMs * 2 ** Math.min(this.attempt, 30));
    const delay = Math.max(0, Math.round(base * (1 + r.jitter * (2 * Math.random() - 1))));
    this.attempt++;
    this.o.log.info({ delayMs: delay, attempt: this.attempt }, 'xmpp component reconnecting');
    this.timer = setTimeout(() => void this.connectOnce(), delay);
  }

  private async connectOnce(): Promise<void> {
    if (this.stopped) return;
    const e = this.entity;
    try {
      await e.connect(e.options.service);
      await e.open({ domain: e.options.domain });
    } catch (err) {
      if (this.stopped) return;
      this.o.log.debug({ err }, 'xmpp component connection attempt failed');
      // A socket that connected but never opened the stream is closed here, so that its
      // `disconnect` schedules the next attempt; a refused connection has closed already.
      if (e.socket !== null) e.socket.destroy();
    }
  }
}

/**
 * The IRC adapter (docs/architecture.md part 5): one network per instance, serving the network's domain.
 * It wires the main connection (and puppets) to the hub: inbound lines, outbound sends,
 * presence, and the adapter's status.
 */
import { readFile } from 'node:fs/promises';
import type {
  Adapter,
  AdapterContext,
  AdapterStats,
  Answer,
  Capabilities,
  ImAddress,
  Operation,
} from '../../src/index.js';
import { BoundedCache, MessageIds, errorAnswer, getHeader, makeAddress } from '../../src/index.js';
import type { IrcChannelConfig, IrcConfig } from './config.js';
import { InboundPayloadBuilder } from './body.js';
import {
  IrcNames,
  onMainLine,
  onMainTagmsg,
  onPuppetLine,
  type InboundContext,
  type IrcLineEvent,
} from './inbound.js';
import { Ircv3, type IrcRelationHooks } from './ircv3.js';
import { IrcLink, type LinkOptions, type LinkState } from './link.js';
import { DurableQueue } from './durable.js';
import { deliverSend, type OutboundContext } from './outbound.js';
import { IrcMetrics, linkStats } from './metrics.js';
import { PresenceTracker } from './presence.js';
import { puppetNickMap } from './puppet-nicks.js';
import { PuppetPool } from './puppets.js';
import { relayNaming, type RelayNaming } from './relay-names.js';
import { foldCase, isNetsplitQuit, tryInbox } from './translate.js';

const LINE_EVENTS = ['privmsg', 'notice', 'action'] as const;

export class IrcAdapter implements Adapter {
  readonly domains: readonly string[];
  readonly capabilities: Capabilities = {
    presence: 'publish',
    contentTypes: ['message/cpim', 'text/plain'],
    groups: true,
  };
  private main!: IrcLink;
  private puppets: PuppetPool | null = null;
  private presence: PresenceTracker | null = null;
  private poll: NodeJS.Timeout | undefined;
  private readonly lastCorrespondent: BoundedCache<string, ImAddress>;
  private readonly names: IrcNames;
  private readonly payloads = new InboundPayloadBuilder();
  private files: { ca?: string; cert?: string; key?: string } = {};
  /** IRCv3 msgid ↔ gateway Message-ID (issue 15); set in start, once the store is open. */
  private messageIds: MessageIds | undefined;
  private stopped = false;
  /** The output queue kept in the store (durable.ts); null without a store. */
  private durable: DurableQueue | null = null;
  private readonly metrics: IrcMetrics;
  private readonly naming: RelayNaming;
  /** Issue 17: caps, own msgids, relations (ircv3.ts); set in start, once the store is open. */
  private v3!: Ircv3;

  constructor(
    private readonly config: IrcConfig,
    private readonly ctx: AdapterContext,
    private readonly hooks: IrcRelationHooks = {},
  ) {
    this.domains = [config.domain];
    this.metrics = new IrcMetrics(ctx);
    const roomDomains = config.channels.flatMap((ch) => {
      const room = ch.room === undefined ? null : tryInbox(ch.room);
      return room === null ? [] : [room.domain];
    });
    // People of this IRC network relayed to another of its channels are known there by nick.
    this.naming = relayNaming(config.relayNames, [config.domain, ...roomDomains]);
    this.names = new IrcNames(config.domain, config.channels);
    this.lastCorrespondent = new BoundedCache({
      maxEntries: config.correspondents.maxEntries,
      maxAgeMs: config.correspondents.maxAgeMs,
    });
  }

  private channel = (folded: string): IrcChannelConfig | undefined =>
    this.config.channels.find((c) => foldCase(c.name, this.main.info.casemapping) === folded);

  private isOwn = (nick: string): boolean => {
    const info = this.main.info;
    return (
      this.names.get(nick, info).folded === this.names.get(this.main.nick, info).folded ||
      (this.puppets?.isPuppetNick(nick) ?? false)
    );
  };

  private linkOptions(nick: string, altNicks: readonly string[], main: boolean): LinkOptions {
    const c = this.config;
    const sasl =
      !main || !c.sasl
        ? undefined
        : c.sasl.mechanism === 'PLAIN'
          ? c.sasl
          : { mechanism: 'EXTERNAL' as const, cert: this.files.cert!, key: this.files.key! };
    return {
      host: c.server.host,
      port: c.server.port,
      tls: c.server.tls,
      rejectUnauthorized: c.server.rejectUnauthorized,
      ...(this.files.ca ? { ca: this.files.ca } : {}),
      ...(c.server.password ? { password: c.server.password } : {}),
      nick,
      altNicks,
      username: c.username,
      realname: c.realname,
      ...(sasl ? { sasl } : {}),
      ...(main && c.nickserv ? { nickserv: c.nickserv } : {}),
      reconnect: c.reconnect,
      flood: c.flood,
      queue: c.queue,
      channels: main
        ? c.channels.map((ch) => (ch.key ? { name: ch.name, key: ch.key } : { name: ch.name }))
        : [],
      caps: this.v3.caps(main),
      log: this.ctx.log,
      okHeaders: [['Unreliable', c.domain]],
    };
  }

  private inbound(): InboundContext {
    return {
      ctx: this.ctx,
      config: this.config,
      main: this.main,
      isOwn: this.isOwn,
      lastCorrespondent: this.lastCorrespondent,
      names: this.names,
      payloads: this.payloads,
      ...(this.messageIds === undefined ? {} : { messageIds: this.messageIds }),
      withRelations: this.hooks.withRelations,
      authors: this.v3.authors,
    };
  }

  async start(): Promise<void> {
    const c = this.config;
    if (c.server.ca) this.files.ca = await readFile(c.server.ca, 'utf8');
    if (c.sasl?.mechanism === 'EXTERNAL') {
      this.files.cert = await readFile(c.sasl.cert, 'utf8');
      this.files.key = await readFile(c.sasl.key, 'utf8');
    }
    // Issue 15 (docs/adapters/irc.md "What survives a restart"): the kept maps, read before the
    // first line comes in or the first puppet connects.
    const store = this.ctx.storage?.() ?? null;
    const nicks =
      c.mode === 'puppet' ? puppetNickMap(store, this.ctx.id, c.keep.nicks, this.ctx.log) : undefined;
    await nicks?.load();
    if (store !== null) {
      this.messageIds = new MessageIds(store, this.ctx.id, {
        maxPairs: c.keep.messageIds,
        log: this.ctx.log,
      });
      await this.messageIds.load();
    }
    this.v3 = new Ircv3(
      this.messageIds,
      this.hooks,
      c.queue.maxLines,
      c.correspondents,
      c.replies,
      this.ctx.log,
    );
    this.main = this.v3.watch(new IrcLink(this.linkOptions(c.nick, c.altNicks, true)));
    const ic = this.inbound();
    const inboundFailed = (err: unknown): void => this.ctx.log.warn({ err }, 'irc inbound failed');
    for (const kind of LINE_EVENTS)
      this.main.client.on(kind, (e: IrcLineEvent) => void onMainLine(ic, e, kind).catch(inboundFailed));
    this.main.client.on('tagmsg', (e: IrcLineEvent) => void onMainTagmsg(ic, e).catch(inboundFailed));
    // Cached names are a function of the name and CASEMAPPING (IrcNames checks the latter);
    // a nick that changed is dropped so the cache follows who is there.
    this.main.client.on('nick', (e: { nick: string }) => this.names.forget(e.nick));
    if (c.mode === 'puppet')
      this.puppets = new PuppetPool(
        c.puppets.max,
        c.puppets.idleMs,
        c.puppets.nickSuffix,
        () => this.main.info,
        (nick, alts) => this.v3.watch(new IrcLink(this.linkOptions(nick, alts, false))),
        (p) => {
          for (const kind of LINE_EVENTS)
            p.link.client.on(
              kind,
              (e: IrcLineEvent) =>
                void onPuppetLine(ic, p.link, p.owner, e, kind).catch((err: unknown) =>
                  this.ctx.log.warn({ err }, 'irc puppet inbound failed'),
                ),
            );
        },
        nicks,
      );
    if (c.presence.enabled) this.wirePresence();
    await this.resumeQueue();

    const first = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, c.startTimeoutMs);
      this.main.onFatal = (err) => {
        clearTimeout(timer);
        this.ctx.setStatus('offline', err);
        reject(err);
      };
      this.main.onState = (s, degraded) => {
        this.report(s, degraded);
        if (s === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    this.main.start();
    await first;
    this.main.onFatal = (err) => this.ctx.setStatus('offline', err);
  }

  /**
   * docs/adapters/irc.md "Queued messages and restarts": sends kept by the last run go out first,
   * in order, before any new send (the router reaches deliver() only once start() is done).
   */
  private async resumeQueue(): Promise<void> {
    const store = this.ctx.storage?.() ?? null;
    if (store === null) return;
    const durable = new DurableQueue(store, `irc:${this.ctx.id}`, this.config.domain, this.ctx.log, (r) => {
      this.metrics.reported(getHeader(r.headers, 'Report') === 'expired' ? 'expired' : 'failed');
      void this.ctx.hub
        .send(r)
        .then(
          (a) =>
            a.status === 'error' && this.ctx.log.warn({ to: r.inbox, answer: a.headers }, 'report not sent'),
        );
    });
    const entries = await durable.resume(this.config.queue.maxLines);
    this.durable = durable;
    for (const e of entries) {
      const a = await deliverSend(this.outbound(), e.op, e);
      if (a.status === 'ok') continue;
      durable.remove(e.id);
      durable.fail(e.op, e.id, 'failed', getHeader(a.headers, 'Error-Description') ?? 'refused');
    }
    if (entries.length > 0) this.ctx.log.info({ queued: entries.length }, 'irc queue resumed from the store');
  }

  private outbound(): OutboundContext {
    return {
      config: this.config,
      main: this.main,
      puppets: this.puppets,
      channel: this.channel,
      lastCorrespondent: this.lastCorrespondent,
      durable: this.durable,
      files: this.ctx.files?.() ?? null,
      naming: this.naming,
      messageIds: this.messageIds,
      ownIds: this.v3.ownIds,
      relationsOf: this.hooks.relationsOf,
      parentOf: (id) => this.v3.authors?.parent(id),
    };
  }

  /** The IRCv3 caps each connection negotiated, by nick: the main connection first, then puppets. */
  negotiated(): ReturnType<typeof Ircv3.negotiated> {
    return Ircv3.negotiated(this.links());
  }

  private report(s: LinkState, degraded?: string): void {
    if (this.stopped) return;
    if (s === 'ready')
      this.ctx.setStatus(degraded ? 'degraded' : 'online', degraded ? new Error(degraded) : undefined);
    else if (s === 'connecting') this.ctx.setStatus('connecting');
    else if (s === 'waiting') {
      this.ctx.setStatus(
        'offline',
        new Error(degraded ? `disconnected (${degraded}); reconnecting` : 'disconnected; reconnecting'),
      );
      this.presence?.leftChannel(null, this.config.presence.netsplitDelayMs);
    } else if (s === 'stopped') this.ctx.setStatus('offline');
  }

  /** Presence (docs/adapters/irc.md "Presence"): membership, quits, nick changes, away, watched nicks. */
  private wirePresence(): void {
    const c = this.config;
    const main = this.main;
    const fold = (n: string) => foldCase(n, main.info.casemapping);
    const tracker = new PresenceTracker(
      {
        presentity: (nick) => makeAddress('pres', fold(nick), c.domain).uri,
        publish: (presentity, pidf) =>
          void this.ctx.hub
            .publishPresence(presentity, pidf)
            .then((a) => a.status === 'error' && this.ctx.log.warn({ presentity }, 'presence not published')),
        fold,
        isOwn: this.isOwn,
      },
      c.presence.debounceMs,
      c.presence.netsplitDelayMs,
    );
    this.presence = tracker;
    const cl = main.client;
    const own = (n: string) => fold(n) === fold(main.nick);
    cl.on('join', (e: { nick: string; channel: string }) => !own(e.nick) && tracker.join(e.nick, e.channel));
    cl.on('userlist', (e: { channel: string; users: { nick: string }[] }) =>
      tracker.names(
        e.channel,
        e.users.map((u) => u.nick),
      ),
    );
    cl.on('part', (e: { nick: string; channel: string }) =>
      own(e.nick) ? tracker.leftChannel(e.channel, c.presence.debounceMs) : tracker.part(e.nick, e.channel),
    );
    cl.on('kick', (e: { kicked: string; channel: string }) =>
      own(e.kicked)
        ? tracker.leftChannel(e.channel, c.presence.debounceMs)
        : tracker.part(e.kicked, e.channel),
    );
    cl.on('quit', (e: { nick: string; message?: string }) => tracker.quit(e.nick, isNetsplitQuit(e.message)));
    cl.on('nick', (e: { nick: string; new_nick: string }) => tracker.nick(e.nick, e.new_nick));
    cl.on(
      'away',
      (e: { nick: string; message?: string; self?: boolean }) =>
        !own(e.nick) && tracker.away(e.nick, e.message ?? ''),
    );
    cl.on('back', (e: { nick: string }) => tracker.away(e.nick, null));
    cl.on('whois', (e: { nick: string; away?: string }) => e.away && tracker.away(e.nick, e.away));
    // WHO replies: away flags where the server has no away-notify (IRCv3 away-notify).
    cl.on('wholist', (e: { users: { nick: string; away?: boolean }[] }) => {
      for (const u of e.users) {
        const was = tracker.isAway(u.nick);
        if (u.away && was === false) main.client.raw(`WHOIS ${u.nick}`);
        else if (!u.away && was === true) tracker.away(u.nick, null);
      }
    });
    const watch = c.presence.watch;
    const monitor = () => main.client.network.options['MONITOR'] !== undefined;
    cl.on('users online', (e: { nicks: string[] }) => {
      const on = new Set(e.nicks.filter(Boolean).map(fold));
      for (const n of e.nicks.filter(Boolean)) tracker.watched(n, true);
      // ISON lists who is on; everyone else watched is off (RFC 2812 4.9).
      if (!monitor()) for (const n of watch) if (!on.has(fold(n))) tracker.watched(n, false);
    });
    cl.on('users offline', (e: { nicks: string[] }) =>
      e.nicks.filter(Boolean).forEach((n) => tracker.watched(n, false)),
    );
    // The end of the MOTD (376, or 422 without one) closes the registration burst, so the 005
    // lines that say whether MONITOR is offered have come (draft-brocklesby-irc-isupport 3).
    cl.on('motd', () => {
      // IRCv3 MONITOR where offered; else ISON polling below.
      if (watch.length > 0)
        main.client.raw(monitor() ? `MONITOR + ${watch.join(',')}` : `ISON ${watch.join(' ')}`);
    });
    this.poll = setInterval(() => {
      if (main.state !== 'ready') return;
      if (!main.client.network.cap.isEnabled('away-notify'))
        for (const name of main.joined.values()) main.client.raw(`WHO ${name}`);
      if (watch.length > 0 && !monitor()) main.client.raw(`ISON ${watch.join(' ')}`);
    }, c.presence.pollMs);
    this.poll.unref();
  }

  /** For the operations endpoint: registered connections and queued lines (metrics.ts linkStats). */
  stats(): AdapterStats {
    return linkStats(this.links());
  }

  /** The main connection (once started) and each puppet's. */
  private links(): IrcLink[] {
    return [
      ...(this.main === undefined ? [] : [this.main]),
      ...(this.puppets?.all() ?? []).map((p) => p.link),
    ];
  }

  async deliver(op: Operation): Promise<Answer> {
    if (op.protocol !== 'imtp' || op.method !== 'send')
      return errorAnswer('unknown-method', `the IRC adapter does not take ${op.method}`);
    if (this.stopped) return errorAnswer('communications', 'the IRC adapter is stopped');
    const a = await deliverSend(this.outbound(), op);
    this.metrics.answered(a);
    return a;
  }

  async stop(deadlineMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.durable) this.durable.stopped = true;
    if (this.poll) clearInterval(this.poll);
    this.presence?.stop();
    this.puppets?.stop();
    this.main?.stop();
    // QUIT is written; give the server a moment to read it before the process moves on.
    await new Promise((r) => setTimeout(r, Math.min(50, deadlineMs)));
  }
}

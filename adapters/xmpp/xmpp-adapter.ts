/**
 * The XMPP adapter (docs/architecture.md part 5; docs/adapters/xmpp.md): an external component
 * (XEP-0114) beside an XMPP server. It serves the server's user domains on the hub side
 * (`im:juliet@example.org`), and everyone else appears to XMPP users as a puppet JID under the
 * component domain. This file wires the link (link.ts), the stanzas the server routes to the
 * component (messages: inbound.ts; IQs: service discovery and ping; hosted rooms, XEP-0045:
 * muc-rooms.ts), the hub's sends (outbound.ts), the per-JID rate limit and the adapter's status.
 */
import type { Element, IqContext } from '@xmpp/component';
import {
  BoundedCache,
  KeyedRateLimiter,
  getHeader,
  KeptMap,
  MessageIds,
  errorAnswer,
  okAnswer,
  type Adapter,
  type AdapterContext,
  type AdapterStats,
  type Answer,
  type Capabilities,
  type Operation,
} from '../../src/index.js';
import { jidKind, type XmppAddressing } from './addresses.js';
import type { XmppConfig } from './config.js';
import {
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  NS_PING,
  NS_RECEIPTS,
  domainInfo,
  noItems,
  puppetInfo,
  roomInfo,
  roomItems,
} from './disco.js';
import { onMessage, type InboundContext } from './inbound.js';
import { XmppMappingError, bareJid, jidKey, parseJid, unescapeLocal } from './jid-escape.js';
import { ComponentLink } from './link.js';
import { MucRooms } from './muc-rooms.js';
import { deliverSend, type OutboundContext } from './outbound.js';
import { PresenceBridge } from './presence-io.js';
import { PendingReceipts } from './receipts.js';
import { XmppIds } from './relation-ids.js';
import { mayAnswerWithError, type StanzaError } from './stanza-errors.js';
import { errorChild, errorCondition, errorReply } from './stanzas.js';
import { oversized } from './stream-parser.js';

/** The store namespace of the puppet map (src/store/kept-map.ts): `xmpp:<adapter id>:puppet`. */
export const puppetNamespace = (adapterId: string): string => `xmpp:${adapterId}:puppet`;

export class XmppAdapter implements Adapter {
  readonly domains: readonly string[];
  readonly capabilities: Capabilities;
  private readonly addressing: XmppAddressing;
  private readonly receipts: PendingReceipts;
  private readonly rate: KeyedRateLimiter;
  private readonly unreliable: Answer;
  private readonly threads: BoundedCache<string, string>;
  private link: ComponentLink | null = null;
  private presence: PresenceBridge | null = null;
  private muc: MucRooms | null = null;
  private puppets: KeptMap;
  /** Issue 17: XMPP ids ↔ gateway ids (in the store from start on) and reaction sets. */
  private ids: XmppIds;
  private stopped = false;

  constructor(
    private readonly config: XmppConfig,
    private readonly ctx: AdapterContext,
  ) {
    // Hosted rooms (XEP-0045): their bridge inboxes `im:<room>@<component domain>` are ours too.
    this.domains =
      config.rooms.length > 0 ? [...config.userDomains, config.componentDomain] : config.userDomains;
    this.capabilities = {
      presence: 'publish',
      // RFC 3922 §6.2: the user's roster decides who may watch them (presence-watchers.ts).
      asksWatchers: config.presence.enabled,
      contentTypes: ['message/cpim', 'text/plain'],
      groups: false,
    };
    this.addressing = { componentDomain: config.componentDomain, userDomains: config.userDomains };
    this.receipts = new PendingReceipts(config.receipts.waitMs, config.receipts.maxPending);
    this.rate = new KeyedRateLimiter(config.limits.perJid);
    this.unreliable = okAnswer([['Unreliable', config.componentDomain]]);
    this.threads = new BoundedCache(config.threads);
    this.puppets = new KeptMap(null, puppetNamespace(ctx.id), { max: config.keep.puppets });
    this.ids = this.newIds(null);
  }

  private newIds(store: ReturnType<NonNullable<AdapterContext['storage']>> | null): XmppIds {
    const c = this.config;
    const ids = new MessageIds(store, this.ctx.id, { maxPairs: c.keep.messageIds, log: this.ctx.log });
    return new XmppIds(ids, c.limits.reactionSets);
  }

  async start(): Promise<void> {
    const c = this.config;
    this.stopped = false;
    // Issue 15: the exact foreign URI behind each puppet JID (servers case-fold localparts).
    this.puppets = new KeptMap(this.ctx.storage?.() ?? null, puppetNamespace(this.ctx.id), {
      max: c.keep.puppets,
      log: this.ctx.log,
    });
    await this.puppets.load();
    this.ids = this.newIds(this.ctx.storage?.() ?? null);
    await this.ids.ids.load();
    const link = new ComponentLink({
      host: c.server.host,
      port: c.server.port,
      domain: c.componentDomain,
      secret: c.server.secret,
      maxStanzaBytes: c.limits.maxStanzaBytes,
      reconnect: c.reconnect,
      keepalive: c.keepalive,
      pingTo: c.userDomains[0]!,
      log: this.ctx.log,
    });
    this.link = link;
    link.onStanza = (el) =>
      void this.onStanza(el).catch((err: unknown) =>
        this.ctx.log.warn({ err }, 'xmpp stanza handling failed'),
      );
    this.wireIqs(link);
    this.muc =
      c.rooms.length === 0
        ? null
        : new MucRooms(
            {
              ctx: this.ctx,
              addressing: this.addressing,
              send: (el) => link.send(el),
              historyMax: c.muc.historyMaxStanzas,
              maxOccupants: c.muc.maxOccupants,
              mime: c.mime,
              files: () => this.ctx.files?.() ?? null,
              unreliable: this.unreliable,
              ids: this.ids,
              maxReactions: c.limits.maxReactions,
            },
            c.rooms,
          );
    if (c.presence.enabled)
      this.presence = new PresenceBridge(
        this.ctx,
        this.addressing,
        (el) => link.send(el),
        c.presence.maxUsers,
        {
          maxPerUser: c.presence.maxWatchersPerUser,
          askWaitMs: c.presence.askWaitMs,
          maxCached: c.presence.maxUsers,
        },
      );
    const first = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, c.startTimeoutMs);
      link.onFatal = (err) => {
        clearTimeout(timer);
        this.ctx.setStatus('offline', err);
        void link.stop(0);
        reject(err);
      };
      link.onState = (s, cause) => {
        this.ctx.setStatus(s, cause);
        // XEP-0114 has no resumption: who is still in a room after a drop is unknown (a server
        // restart ended every session). Rooms start empty; clients find out by self-ping
        // (XEP-0410) and join again.
        if (s === 'online') this.muc?.clearOccupants();
        if (s === 'online') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    link.start();
    await first;
    link.onFatal = (err) => this.ctx.setStatus('offline', err);
  }

  async deliver(op: Operation): Promise<Answer> {
    if (op.protocol === 'pitp' && (op.method === 'change-notify' || op.method === 'terminate-notify')) {
      if (this.presence === null || this.stopped) return errorAnswer('not-subscribed', 'no presence here');
      return this.presence.deliverNotify(op);
    }
    // RFC 3922 §6.2: a hub watcher the store refused; the user is asked (asksWatchers).
    if (op.protocol === 'pitp' && op.method === 'subscribe') {
      if (this.presence === null || this.stopped || this.link?.online !== true)
        return errorAnswer('target-authorization', 'the XMPP user cannot be asked now');
      return this.presence.approvals.ask(op);
    }
    if (op.protocol !== 'imtp' || op.method !== 'send')
      return errorAnswer('unknown-method', `the XMPP adapter does not take ${op.method}`);
    if (this.stopped || this.link === null)
      return errorAnswer('communications', 'the XMPP adapter is stopped');
    const room = this.muc?.bridged(getHeader(op.headers, 'Inbox') ?? '');
    if (room !== undefined) {
      if (!this.link.online) return errorAnswer('communications', 'the XMPP server link is down');
      return this.muc!.deliver(op, room);
    }
    return deliverSend(this.outbound(this.link), op);
  }

  async stop(deadlineMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.receipts.clear({ kind: 'timeout' });
    this.presence?.approvals.clear();
    await this.link?.stop(deadlineMs);
  }

  stats(): AdapterStats {
    return { connections: this.link?.online === true ? 1 : 0, queued: this.receipts.size };
  }

  private outbound(link: ComponentLink): OutboundContext {
    return {
      addressing: this.addressing,
      online: () => link.online,
      send: (el) => link.send(el),
      receipts: this.receipts,
      puppets: this.puppets,
      maxMessageBytes: this.config.limits.maxMessageBytes,
      mime: this.config.mime,
      files: () => this.ctx.files?.() ?? null,
      unreliable: this.unreliable,
      threads: this.threads,
      ids: this.ids,
      maxReactions: this.config.limits.maxReactions,
      debug: (o, msg) => this.ctx.log.debug(o, msg),
    };
  }

  private inbound(link: ComponentLink): InboundContext {
    return {
      ctx: this.ctx,
      addressing: this.addressing,
      send: (el) => link.send(el),
      now: () => new Date(),
      threads: this.threads,
      puppetUri: (jid) => this.puppets.get(jidKey(parseJid(jid))),
      ids: this.ids,
      maxReactions: this.config.limits.maxReactions,
    };
  }

  /** A stanza error back to the sender, unless the stanza is itself an error (RFC 6120 §8.3.1). */
  private refuse(el: Element, e: StanzaError): Promise<void> {
    if (!mayAnswerWithError(el.attrs.type) || this.link === null) return Promise.resolve();
    return this.link.send(errorReply(el, e));
  }

  /** Per-sender rate (the adapter's `limits.perJid`), keyed by the bare JID. */
  private overRate(from: string | undefined): boolean {
    let key = from ?? '';
    try {
      key = bareJid(parseJid(key));
    } catch {
      // An unparsable sender still counts, under what it wrote.
    }
    return !this.rate.take(key);
  }

  private async onStanza(el: Element): Promise<void> {
    if (el.name === 'iq') return; // answered by the IQ routes (wireIqs)
    const room = this.muc?.room(el.attrs.to);
    if (el.attrs.type === 'error') {
      // An occupant's server refusing what the room sent: the occupant is gone (a ghost).
      if (room !== undefined) return this.muc!.drop(room, el.attrs.from ?? '');
      // The answer to a message we sent (RFC 6120 §8.3): it settles that send.
      if (el.name === 'message' && el.attrs.id !== undefined) {
        const { condition, text } = errorCondition(el);
        this.receipts.settle(el.attrs.id, this.bare(el.attrs.from), { kind: 'error', condition, text });
      }
      return;
    }
    const limits = this.config.limits;
    if (oversized.has(el))
      return this.refuse(el, {
        condition: 'policy-violation',
        type: 'modify',
        text: `stanza larger than ${limits.maxStanzaBytes} bytes`,
      });
    if (this.overRate(el.attrs.from)) {
      // A login broadcasts presence to every puppet contact at once: over the rate it is dropped
      // quietly (an error per presence helps no client); messages get the error.
      if (el.name === 'presence') return;
      return this.refuse(el, {
        condition: 'policy-violation',
        type: 'wait',
        text: 'too many stanzas; slow down',
      });
    }
    if (room !== undefined && el.name === 'presence') return this.muc!.onPresence(el, room);
    if (room !== undefined && el.name === 'message') return this.muc!.onMessage(el, room);
    if (el.name === 'presence') return this.presence?.onPresence(el);
    if (el.name !== 'message') return;
    const received = el.getChild('received', NS_RECEIPTS);
    if (received?.attrs.id !== undefined)
      this.receipts.settle(received.attrs.id, this.bare(el.attrs.from), { kind: 'received' });
    if (this.link !== null) await onMessage(this.inbound(this.link), el);
  }

  private bare(jid: string | undefined): string | undefined {
    try {
      return jid === undefined ? undefined : bareJid(parseJid(jid));
    } catch {
      return undefined;
    }
  }

  /**
   * IQs (RFC 6120 §8.2.3: every get/set is answered; unrouted ones `service-unavailable` by the
   * library): XEP-0030 disco#info and disco#items on the domain and on puppet JIDs, XEP-0199 ping.
   */
  private wireIqs(link: ComponentLink): void {
    const guard =
      (answer: (ctx: IqContext, to: string) => Element | true) =>
      (ctx: IqContext): Element | true => {
        if (this.overRate(ctx.stanza.attrs.from))
          return errorChild({ condition: 'policy-violation', type: 'wait' });
        return answer(ctx, ctx.stanza.attrs.to ?? this.config.componentDomain);
      };
    const node = (ctx: IqContext) => ctx.element.attrs.node;
    link.entity.iqCallee.get(
      NS_DISCO_INFO,
      'query',
      guard((ctx, to) => {
        const room = this.muc?.room(to);
        if (room !== undefined)
          return roomInfo(room.title, room.config.subject ?? room.title, room.nicks().size, node(ctx));
        const who = this.whoIs(to);
        if (who === 'domain') return domainInfo(this.config.name, node(ctx), this.muc !== null);
        if (who === null) return errorChild({ condition: 'item-not-found', type: 'cancel' });
        return puppetInfo(who, node(ctx));
      }),
    );
    link.entity.iqCallee.get(
      NS_DISCO_ITEMS,
      'query',
      guard((ctx, to) => {
        if (this.muc?.room(to) !== undefined) return noItems(node(ctx));
        const who = this.whoIs(to);
        if (who === null) return errorChild({ condition: 'item-not-found', type: 'cancel' });
        if (who === 'domain' && this.muc !== null)
          return roomItems(
            this.muc.rooms.map((r) => ({ jid: r.jid, name: r.title })),
            node(ctx),
          );
        return noItems(node(ctx));
      }),
    );
    link.entity.iqCallee.get(
      NS_PING,
      'ping',
      guard((ctx, to) => {
        const room = this.muc?.room(to);
        if (room !== undefined) {
          // XEP-0410 §3: a ping to one's own occupant JID says whether one is still joined.
          const nick = parseJid(to).resource;
          if (nick === '' || this.muc!.isOccupant(room, ctx.stanza.attrs.from ?? '', nick)) return true;
          return errorChild({ condition: 'not-acceptable', type: 'cancel', text: 'not in the room' });
        }
        return this.whoIs(to) === null ? errorChild({ condition: 'item-not-found', type: 'cancel' }) : true;
      }),
    );
  }

  /** 'domain' for the component itself, a puppet's display name, or null for no such JID. */
  private whoIs(jid: string): 'domain' | string | null {
    try {
      const j = parseJid(jid);
      if (j.local === '') return 'domain';
      if (jidKind(jid, this.addressing) !== 'puppet') return null;
      return unescapeLocal(j.local);
    } catch (e) {
      if (e instanceof XmppMappingError) return null;
      throw e;
    }
  }
}

/**
 * Presence through the component (RFC 3922 §5-6, docs/adapters/xmpp-mapping.md "Presence"), with the mapping
 * helper's presence-map.ts doing the PIDF side:
 *
 * - XMPP → hub: availability presence an XMPP user sends to a puppet (directed presence, or the
 *   server's broadcast to contacts the user shares presence with) becomes the user's published
 *   PIDF, one tuple per connected resource (§6.3.1); the last resource going unavailable
 *   publishes `closed` (never a zero-tuple PIDF, §6.3.2).
 * - Subscriptions (§6.1, §6.4): `subscribe` to a puppet becomes a PITP `subscribe` with the user
 *   as watcher (`Subscription: xmpp/pres:user@domain`); approval → `subscribed` then the current
 *   presence (MUST), refusal → `unsubscribed`; `unsubscribe` → PITP `unsubscribe`.
 * - hub → XMPP: `change-notify` → one presence stanza per tuple from the puppet to the watcher's
 *   bare JID; `terminate-notify` → `unavailable` and `unsubscribed`.
 * - `probe` (RFC 6121 §4.3: the server asks on the user's login): answered by a PITP `fetch`,
 *   and nothing when the hub has nothing (never invent `open`).
 */
import { xml, type Element } from '@xmpp/component';
import {
  errorAnswer,
  getHeader,
  okAnswer,
  parsePidf,
  type AdapterContext,
  type Answer,
  type Operation,
} from '../../src/index.js';
import { cpimToXmpp, xmppToCpim, type XmppAddressing } from './addresses.js';
import { XmppMappingError, bareJid, parseJid } from './jid-escape.js';
import {
  XMPP_SHOWS,
  pidfToPresences,
  presenceToTuple,
  resourcesToPidf,
  type ResourcePresence,
  type XmppPresence,
  type XmppShow,
} from './presence-map.js';
import { WatcherApprovals, type WatcherLimits } from './presence-watchers.js';
import { xmlSafe } from './xml-text.js';

const XML_LANG = 'xml:lang';
const NS_DELAY = 'urn:xmpp:delay';
/** The Subscription connection-id of the adapter's watchers (§11.7: alphanumeric). */
const TOKEN = 'xmpp';

/** An availability presence stanza as presence-map.ts reads it (RFC 6121 §4.7). */
export function readPresence(el: Element): XmppPresence {
  const show = el.getChildText('show')?.trim();
  const prio = Number.parseInt(el.getChildText('priority') ?? '', 10);
  const stamp = el.getChild('delay', NS_DELAY)?.attrs.stamp;
  const delay = stamp === undefined ? undefined : new Date(stamp);
  const status = el.getChildren('status').map((s) => {
    const lang = s.attrs[XML_LANG];
    return lang === undefined ? { text: s.getText() } : { text: s.getText(), lang };
  });
  return {
    from: el.attrs.from ?? '',
    to: el.attrs.to ?? '',
    ...(el.attrs.type === 'unavailable' ? { type: 'unavailable' as const } : {}),
    ...(show !== undefined && (XMPP_SHOWS as readonly string[]).includes(show)
      ? { show: show as XmppShow }
      : {}),
    ...(status.length === 0 ? {} : { status }),
    ...(Number.isNaN(prio) ? {} : { priority: Math.max(-128, Math.min(127, prio)) }),
    ...(delay === undefined || Number.isNaN(delay.getTime()) ? {} : { delay }),
  };
}

/** A presence stanza for presence-map.ts's object (library builders: escaped). */
export function presenceStanza(p: XmppPresence): Element {
  return xml(
    'presence',
    { from: p.from, to: p.to, type: p.type },
    p.show === undefined ? undefined : xml('show', {}, p.show),
    ...(p.status ?? []).map((s) => xml('status', { [XML_LANG]: s.lang }, xmlSafe(s.text))),
    p.priority === undefined ? undefined : xml('priority', {}, String(p.priority)),
  );
}

export class PresenceBridge {
  /** Bare JID → its connected resources' tuples, least recently changed user first. */
  private readonly users = new Map<string, Map<string, ResourcePresence>>();
  /** Who may watch each user (§6.2): the class of the user's published presence. */
  readonly approvals: WatcherApprovals;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly a: XmppAddressing,
    private readonly send: (el: Element) => Promise<void>,
    private readonly maxUsers: number,
    watchers: WatcherLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.approvals = new WatcherApprovals(ctx, a, send, watchers);
  }

  /** Users whose resources are tracked now (for tests and stats). */
  get size(): number {
    return this.users.size;
  }

  /** Any presence stanza from the server (not an error). */
  async onPresence(el: Element): Promise<void> {
    const type = el.attrs.type;
    try {
      if (type === undefined || type === 'unavailable') return await this.onAvailability(el);
      if (type === 'subscribe') return await this.onSubscribe(el);
      if (type === 'unsubscribe') return await this.onUnsubscribe(el);
      if (type === 'probe') return await this.onProbe(el);
      // §6.2: the user's answer to a subscription asked for a foreign watcher, or a later change.
      if (type === 'subscribed' || type === 'unsubscribed') return await this.approvals.onVerdict(el);
    } catch (e) {
      // A JID the adapter does not serve or cannot map: presence gets no error storm back.
      if (e instanceof XmppMappingError) return;
      throw e;
    }
  }

  private async onAvailability(el: Element): Promise<void> {
    const p = readPresence(el);
    const jid = parseJid(p.from);
    const key = bareJid(jid);
    const tuple = presenceToTuple(p, this.a, this.now());
    let resources = this.users.get(key);
    if (resources === undefined) {
      if (p.type === 'unavailable') return; // nothing known to withdraw
      if (this.users.size >= this.maxUsers) this.users.delete(this.users.keys().next().value!);
      resources = new Map();
    }
    this.users.delete(key);
    if (p.type === 'unavailable') resources.delete(jid.resource);
    else resources.set(jid.resource, tuple);
    if (resources.size > 0) this.users.set(key, resources);
    // Presence reaches a puppet only when the user shares it with that watcher (their server's
    // broadcast to approved contacts, or directed presence): that watcher may see it (§6.2).
    const watcher = p.type === 'unavailable' ? null : this.watcherOfPuppet(p.to);
    if (watcher !== null) await this.approvals.approve(tuple.entity.uri, watcher);
    const watchers = await this.approvals.classOf(tuple.entity.uri);
    // The last resource gone: publish its closed tuple (§6.3.2: never zero tuples).
    const pidf = resourcesToPidf(resources.size > 0 ? [...resources.values()] : [tuple])!;
    const a = await this.ctx.hub.publishPresence(tuple.entity.uri, new TextEncoder().encode(pidf), [
      ...watchers,
    ]);
    if (a.status !== 'ok')
      this.ctx.log.warn(
        { presentity: tuple.entity.uri, type: getHeader(a.headers, 'Error-Type') },
        'xmpp presence not published',
      );
  }

  /** The foreign watcher behind a puppet JID; null for the component domain itself. */
  private watcherOfPuppet(to: string): string | null {
    try {
      return parseJid(to).local === '' ? null : xmppToCpim(to, 'pres', this.a).uri;
    } catch (e) {
      if (e instanceof XmppMappingError) return null;
      throw e;
    }
  }

  private watcherOf(el: Element): { watcher: string; user: string; puppet: string; target: string } {
    const from = el.attrs.from ?? '';
    const to = el.attrs.to ?? '';
    return {
      watcher: xmppToCpim(from, 'pres', this.a).uri,
      user: bareJid(parseJid(from)),
      puppet: bareJid(parseJid(to)),
      target: xmppToCpim(to, 'pres', this.a).uri,
    };
  }

  private pitp(method: string, watcher: string, target: string): Promise<Answer> {
    return this.ctx.hub.request({
      protocol: 'pitp',
      method,
      headers: [
        ['Subscription', `${TOKEN}/${watcher}`],
        ['Presentity', target],
      ],
    });
  }

  /** RFC 3922 §6.1: approval → `subscribed` then the current presence; refusal → `unsubscribed`. */
  private async onSubscribe(el: Element): Promise<void> {
    const w = this.watcherOf(el);
    const a = await this.pitp('subscribe', w.watcher, w.target);
    if (a.status !== 'ok') {
      await this.send(xml('presence', { from: w.puppet, to: w.user, type: 'unsubscribed' }));
      return;
    }
    await this.send(xml('presence', { from: w.puppet, to: w.user, type: 'subscribed' }));
    if (a.payload !== undefined) await this.forward(a.payload, w.user);
  }

  /** RFC 3922 §6.4: unsubscribe (a duration-0 subscribe in the RFC; PITP has `unsubscribe`). */
  private async onUnsubscribe(el: Element): Promise<void> {
    const w = this.watcherOf(el);
    await this.pitp('unsubscribe', w.watcher, w.target);
    await this.send(xml('presence', { from: w.puppet, to: w.user, type: 'unsubscribed' }));
  }

  /** RFC 6121 §4.3: the current presence from the hub's store; nothing when it has none. */
  private async onProbe(el: Element): Promise<void> {
    const w = this.watcherOf(el);
    const a = await this.ctx.hub.request({
      protocol: 'pitp',
      method: 'fetch',
      headers: [
        ['Watcher', w.watcher],
        ['Presentity', w.target],
      ],
    });
    if (a.status === 'ok' && a.payload !== undefined) await this.forward(a.payload, w.user);
  }

  /** A PIDF document from the hub as presence stanzas to `to` (one per tuple, §6.3.1). */
  private async forward(pidf: Uint8Array, to: string): Promise<void> {
    const doc = parsePidf(pidf, { lenient: true }).document;
    for (const p of pidfToPresences(doc, to, this.a)) await this.send(presenceStanza(p));
  }

  /** PITP `change-notify` / `terminate-notify` for a watcher behind this adapter. */
  async deliverNotify(op: Operation): Promise<Answer> {
    const sub = getHeader(op.headers, 'Subscription') ?? '';
    const presentity = (getHeader(op.headers, 'Presentity') ?? '').trim();
    const watcher = sub.slice(sub.indexOf('/') + 1).trim();
    let to: string;
    let puppet: string;
    try {
      to = cpimToXmpp(watcher, this.a);
      puppet = cpimToXmpp(presentity, this.a);
    } catch (e) {
      if (e instanceof XmppMappingError) return errorAnswer('not-subscribed', e.message);
      throw e;
    }
    try {
      if (op.method === 'terminate-notify') {
        await this.send(xml('presence', { from: puppet, to, type: 'unavailable' }));
        await this.send(xml('presence', { from: puppet, to, type: 'unsubscribed' }));
      } else if (op.payload !== undefined) await this.forward(op.payload, to);
    } catch (e) {
      return errorAnswer('malformed', `presence not forwarded: ${(e as Error).message}`);
    }
    // XMPP presence has no receipt (RFC 6121 §4).
    return okAnswer([['Unreliable', this.a.componentDomain]]);
  }
}

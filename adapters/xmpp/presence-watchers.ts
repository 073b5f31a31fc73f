/**
 * Who may watch an XMPP user, as the user's roster says (RFC 3922 §6.2, RFC 6121 §3): the watcher
 * class of the user's published presence is the set of foreign watchers whose puppet the user
 * has approved (`subscribed`) or sent presence to. The router's presence store keeps that class
 * (mapping 1, §15.13 set-class) and serves watchers from it; this class only keeps it current.
 *
 * A hub watcher the store refuses is asked of the user (the router passes its `subscribe` here,
 * `asksWatchers`): a `subscribe` goes from the watcher's puppet to the user, and the user's
 * `subscribed` (or their server's automatic one, when they approved before: RFC 6121 §3.1.3)
 * answers it `ok`; `unsubscribed`, or nothing within `presence.askWaitMs`, answers
 * `target-authorization` (the request stays with the user: approving it later lets the next
 * subscribe through).
 */
import { xml, type Element } from '@xmpp/component';
import {
  errorAnswer,
  getHeader,
  okAnswer,
  type AdapterContext,
  type Answer,
  type Operation,
} from '../../src/index.js';
import { cpimToXmpp, xmppToCpim, type XmppAddressing } from './addresses.js';
import { XmppMappingError, bareJid, parseJid } from './jid-escape.js';
import { presenceToPidf } from './presence-map.js';

type Verdict = 'subscribed' | 'unsubscribed';
/** null: no answer from the user (the wait ended, or the adapter stopped). */
type Waiter = (v: Verdict | null) => void;

export interface WatcherLimits {
  /** Approved watchers kept per XMPP user; a further one is refused (logged). */
  readonly maxPerUser: number;
  /** How long a hub subscribe waits for the user's answer. */
  readonly askWaitMs: number;
  /** Users whose class is cached here (the router's store has them all). */
  readonly maxCached: number;
}

export class WatcherApprovals {
  /** pres: URI of the user → approved watchers (pres: URIs), least recently used first. */
  private readonly classes = new Map<string, Promise<Set<string>>>();
  /** `user bare JID|puppet bare JID` → who waits for the user's answer. */
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly a: XmppAddressing,
    private readonly send: (el: Element) => Promise<void>,
    private readonly limits: WatcherLimits,
  ) {}

  /**
   * The user's approved watchers, read once from the router's store (get-class, §15.12): it
   * outlives this process. A `*` from a store published before watcher classes is dropped.
   */
  classOf(user: string): Promise<Set<string>> {
    let c = this.classes.get(user);
    if (c !== undefined) {
      this.classes.delete(user);
      this.classes.set(user, c);
      return c;
    }
    c = this.ctx.hub
      .request({
        protocol: 'pitp',
        method: 'get-class',
        headers: [
          ['Presentity', user],
          ['Mapping', '1'],
        ],
      })
      .then((a) => {
        const patterns = a.status === 'ok' ? a.headers.filter(([n]) => n.toLowerCase() === 'wpattern') : [];
        return new Set(patterns.map(([, v]) => v.trim()).filter((v) => v !== '*' && v !== ''));
      });
    if (this.classes.size >= this.limits.maxCached) this.classes.delete(this.classes.keys().next().value!);
    this.classes.set(user, c);
    return c;
  }

  /**
   * Adds `watcher` to the user's class; true when the class changed. The store is told at once
   * (set-class); a store not created yet gets the class when the user's presence is first
   * published (`watchers` of publishPresence).
   */
  async approve(user: string, watcher: string): Promise<boolean> {
    const set = await this.classOf(user);
    if (set.has(watcher)) return false;
    if (set.size >= this.limits.maxPerUser) {
      this.ctx.log.warn(
        { presentity: user, watcher, max: this.limits.maxPerUser },
        'xmpp watcher not added: presence.maxWatchersPerUser reached',
      );
      return false;
    }
    set.add(watcher);
    await this.setClass(user, set);
    return true;
  }

  async revoke(user: string, watcher: string): Promise<void> {
    const set = await this.classOf(user);
    if (!set.delete(watcher)) return;
    await this.setClass(user, set);
  }

  /** True when the store had a mapping to change; false when the user has no store yet. */
  private async setClass(user: string, set: Set<string>): Promise<boolean> {
    const a = await this.ctx.hub.request({
      protocol: 'pitp',
      method: 'set-class',
      headers: [
        ['Presentity', user],
        ['Mapping', '1'],
        ...[...set].map((w): [string, string] => ['Wpattern', w]),
      ],
    });
    return a.status === 'ok';
  }

  /** `subscribed` / `unsubscribed` from a user to a puppet (RFC 6121 §3.1.5, §3.2). */
  async onVerdict(el: Element): Promise<void> {
    const verdict = el.attrs.type as Verdict;
    const from = parseJid(el.attrs.from ?? '');
    const puppet = bareJid(parseJid(el.attrs.to ?? ''));
    const user = xmppToCpim(el.attrs.from ?? '', 'pres', this.a).uri;
    const watcher = xmppToCpim(el.attrs.to ?? '', 'pres', this.a).uri;
    if (verdict === 'subscribed') await this.approve(user, watcher);
    else await this.revoke(user, watcher);
    const key = `${bareJid(from)}|${puppet}`;
    const waiters = this.waiting.get(key);
    this.waiting.delete(key);
    for (const w of waiters ?? []) w(verdict);
  }

  /** The router's `subscribe` for a watcher its store refused (RFC 3922 §6.2). */
  async ask(op: Operation): Promise<Answer> {
    const sub = getHeader(op.headers, 'Subscription') ?? '';
    const watcher = sub.slice(sub.indexOf('/') + 1).trim();
    const user = (getHeader(op.headers, 'Presentity') ?? '').trim();
    let userJid: string;
    let puppet: string;
    try {
      userJid = cpimToXmpp(user, this.a);
      puppet = cpimToXmpp(watcher, this.a);
    } catch (e) {
      if (e instanceof XmppMappingError) return errorAnswer('target-not-found', e.message);
      throw e;
    }
    const userUri = xmppToCpim(userJid, 'pres', this.a).uri;
    const verdict = await this.askUser(userJid, puppet);
    if (verdict === 'unsubscribed')
      return errorAnswer('target-authorization', `${userJid} refused the subscription`);
    if (verdict === null)
      return errorAnswer(
        'target-authorization',
        `${userJid} has not answered the subscription request (it stays pending with the user)`,
      );
    // The user may be offline: a store must exist for the router to serve the subscription.
    // Their current presence comes as the answer to the probe (RFC 6121 §4.3).
    const set = await this.classOf(userUri);
    if (!(await this.setClass(userUri, set))) {
      // RFC 3922 §6.3.2: a user with no resource known is `closed`, never zero tuples.
      const closed = presenceToPidf({ from: userJid, to: puppet, type: 'unavailable' }, this.a, new Date());
      const published = await this.ctx.hub.publishPresence(userUri, this.encoder.encode(closed), [...set]);
      if (published.status !== 'ok') return published;
    }
    await this.send(xml('presence', { from: puppet, to: userJid, type: 'probe' }));
    return okAnswer();
  }

  /** Sends `subscribe` from the puppet and waits for the verdict (shared by concurrent asks). */
  private askUser(userJid: string, puppet: string): Promise<Verdict | null> {
    const key = `${userJid}|${puppet}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const list = this.waiting.get(key) ?? [];
        const rest = list.filter((w) => w !== done);
        if (rest.length === 0) this.waiting.delete(key);
        else this.waiting.set(key, rest);
        resolve(null);
      }, this.limits.askWaitMs);
      const done: Waiter = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      const list = this.waiting.get(key);
      if (list !== undefined) list.push(done);
      else {
        this.waiting.set(key, [done]);
        this.send(xml('presence', { from: puppet, to: userJid, type: 'subscribe' })).catch(() =>
          done('unsubscribed'),
        );
      }
    });
  }

  /** Ends every wait (the adapter stops): each is answered as not answered. */
  clear(): void {
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const w of all) w(null);
  }
}

/**
 * Puppet mode (docs/bridge-requirements.md row 1): one IRC connection per active remote user, with a nick derived
 * from the user's URI, capped in number; a puppet idle for `idleMs` quits. A private message to a
 * puppet's nick goes to its user.
 */
import type { ImAddress, KeptMap } from '../../src/index.js';
import type { IrcLink } from './link.js';
import { nickCandidates } from './puppet-nicks.js';
import { foldCase, puppetNick, type IrcServerInfo } from './translate.js';

export interface Puppet {
  readonly owner: ImAddress;
  readonly link: IrcLink;
}

export class PuppetPool {
  private readonly byOwner = new Map<string, Puppet>();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
    private readonly suffix: string,
    private readonly info: () => IrcServerInfo,
    private readonly makeLink: (nick: string, altNicks: string[]) => IrcLink,
    private readonly onPrivate: (p: Puppet) => void,
    /** The nicks puppets got, kept across restarts (issue 15, puppet-nicks.ts); loaded already. */
    private readonly nicks?: KeptMap,
  ) {
    this.reaper = setInterval(() => this.reap(), Math.min(60_000, Math.max(100, idleMs / 4)));
    this.reaper.unref();
  }

  /** The puppet of `owner`, started if needed; null when the cap is reached. */
  get(owner: ImAddress): Puppet | null {
    const existing = this.byOwner.get(owner.uri);
    if (existing) return existing;
    if (this.byOwner.size >= this.max) return null;
    const info = this.info();
    const derived = [0, 1, 2, 3, 4, 5].map((n) => puppetNick(owner, this.suffix, info, n));
    const [nick, ...alts] = nickCandidates(this.nicks?.get(owner.uri), derived);
    const p: Puppet = { owner, link: this.makeLink(nick!, alts) };
    this.byOwner.set(owner.uri, p);
    // RPL_WELCOME: the nick the server gave us, after any collisions, is the one to come back to.
    const nicks = this.nicks;
    if (nicks !== undefined)
      // The event's nick: irc-framework updates `user.nick` only after its listeners ran.
      p.link.client.on('registered', (e: { nick: string }) => {
        if (nicks.get(owner.uri) !== e.nick) nicks.set(owner.uri, e.nick).catch(() => undefined);
      });
    this.onPrivate(p);
    p.link.start();
    return p;
  }

  /** The puppet currently using `nick`, if any. */
  byNick(nick: string): Puppet | undefined {
    const key = foldCase(nick, this.info().casemapping);
    for (const p of this.byOwner.values())
      if (foldCase(p.link.nick, this.info().casemapping) === key) return p;
    return undefined;
  }

  isPuppetNick(nick: string): boolean {
    return this.byNick(nick) !== undefined;
  }

  all(): Puppet[] {
    return [...this.byOwner.values()];
  }

  private reap(): void {
    const now = Date.now();
    for (const [uri, p] of this.byOwner) {
      if (now - p.link.lastActivity < this.idleMs) continue;
      this.byOwner.delete(uri);
      p.link.stop('idle');
    }
  }

  stop(): void {
    clearInterval(this.reaper);
    for (const p of this.byOwner.values()) p.link.stop();
    this.byOwner.clear();
  }
}

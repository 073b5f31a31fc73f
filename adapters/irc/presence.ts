/**
 * IRC users' presence as PIDF (RFC 3863; docs/bridge-requirements.md rows 10 and 15). A nick is `open` while it
 * shares one of our channels or a watch (MONITOR/ISON) reports it online, with its away message
 * as a note; `closed` otherwise. Leaving is published after a delay, longer for quits that look
 * like a netsplit, so a storm of quits and rejoins publishes nothing. Never invents "online":
 * a nick we have never seen is not published at all.
 */
import { buildPidf } from '../../src/index.js';

interface Seen {
  /** The folded nick this entry is kept under. */
  readonly key: string;
  nick: string;
  channels: Set<string>;
  watchedOnline: boolean;
  away: string | null;
  /** What was last published: "open", "open:<away>" or "closed". */
  published: string | null;
  timer?: NodeJS.Timeout;
}

export interface PresenceSink {
  /** The presentity URI of a nick (pres:nick@domain). */
  presentity(nick: string): string;
  /** Publishes a PIDF document for that presentity. */
  publish(presentity: string, pidf: Uint8Array): void;
  /** The case-folded key of a nick. */
  fold(nick: string): string;
  /** Our own nicks (the main connection and puppets) are not IRC users. */
  isOwn(nick: string): boolean;
}

export class PresenceTracker {
  private readonly users = new Map<string, Seen>();

  constructor(
    private readonly sink: PresenceSink,
    private readonly debounceMs: number,
    private readonly netsplitDelayMs: number,
  ) {}

  private get(nick: string): Seen | null {
    if (this.sink.isOwn(nick)) return null;
    const key = this.sink.fold(nick);
    let u = this.users.get(key);
    if (!u)
      this.users.set(
        key,
        (u = { key, nick, channels: new Set(), watchedOnline: false, away: null, published: null }),
      );
    return u;
  }

  private update(u: Seen, delayClosed = this.debounceMs): void {
    const open = u.channels.size > 0 || u.watchedOnline;
    const want = open ? `open${u.away === null ? '' : ':' + u.away}` : 'closed';
    if (u.timer) clearTimeout(u.timer);
    u.timer = undefined;
    if (want === u.published) return this.forgetClosed(u);
    const go = () => {
      u.timer = undefined;
      u.published = want;
      const entity = this.sink.presentity(u.nick);
      const notes = u.away === null ? [] : [{ lang: null, text: u.away === '' ? 'away' : u.away }];
      const pidf = buildPidf({ entity, tuples: [{ id: 'irc', basic: open ? 'open' : 'closed', notes }] });
      this.sink.publish(entity, new TextEncoder().encode(pidf));
      this.forgetClosed(u);
    };
    if (open || delayClosed === 0 || u.published === null) go();
    else u.timer = setTimeout(go, delayClosed);
  }

  /**
   * A user whose `closed` is published and who has nothing pending is dropped (issue 12): the
   * router's store keeps what watchers see, and an entry made again later starts from
   * `published: null`, which publishes its next state at once. So the table holds only users in
   * our channels, watched online, or with a leave pending: bounded by the IRC channels' members.
   */
  private forgetClosed(u: Seen): void {
    if (u.published === 'closed' && u.timer === undefined && this.users.get(u.key) === u)
      this.users.delete(u.key);
  }

  /** Users tracked now (for tests). */
  get size(): number {
    return this.users.size;
  }

  join(nick: string, channel: string): void {
    const u = this.get(nick);
    if (!u) return;
    u.nick = nick;
    u.channels.add(this.sink.fold(channel));
    this.update(u);
  }

  /** RPL_NAMREPLY (353): everyone in a channel we joined. */
  names(channel: string, nicks: readonly string[]): void {
    for (const n of nicks) this.join(n, channel);
  }

  part(nick: string, channel: string): void {
    const u = this.get(nick);
    if (!u) return;
    u.channels.delete(this.sink.fold(channel));
    this.update(u);
  }

  quit(nick: string, netsplit: boolean): void {
    const u = this.get(nick);
    if (!u) return;
    u.channels.clear();
    u.watchedOnline = false;
    u.away = null;
    this.update(u, netsplit ? this.netsplitDelayMs : this.debounceMs);
  }

  nick(oldNick: string, newNick: string): void {
    const u = this.get(oldNick);
    const v = this.get(newNick);
    if (!u || !v) return;
    for (const c of u.channels) v.channels.add(c);
    v.away = u.away;
    u.channels.clear();
    u.away = null;
    u.watchedOnline = false;
    // The old nick goes offline after the debounce like any leave (issue 20): a quick change
    // back publishes nothing.
    this.update(u);
    this.update(v);
  }

  away(nick: string, message: string | null): void {
    // Looked up, never created: an away note of a nick we do not track publishes nothing.
    const u = this.sink.isOwn(nick) ? undefined : this.users.get(this.sink.fold(nick));
    if (!u || u.published === null) return;
    u.away = message;
    this.update(u);
  }

  /** MONITOR/ISON results for watched nicks. */
  watched(nick: string, online: boolean): void {
    const u = this.get(nick);
    if (!u) return;
    u.watchedOnline = online;
    if (!online) u.away = null;
    this.update(u);
  }

  /** We left a channel (part, kick, disconnect): nobody is known to be there any more. */
  leftChannel(channel: string | null, delayMs: number): void {
    const key = channel === null ? null : this.sink.fold(channel);
    for (const u of this.users.values()) {
      if (key === null) u.channels.clear();
      else u.channels.delete(key);
      this.update(u, delayMs);
    }
  }

  /** Nicks currently believed to be in some channel, for WHO polling. */
  isAway(nick: string): boolean | null {
    const u = this.users.get(this.sink.fold(nick));
    return u === undefined ? null : u.away !== null;
  }

  stop(): void {
    for (const u of this.users.values()) if (u.timer) clearTimeout(u.timer);
  }
}

/**
 * Reactions as text on plain IRC (issue 17; config `reactions.plain: text`; the project's
 * message-semantics reference §1.2: "reactions as one configurable line or dropped"): one line
 * `* carol reacted 👍 to dave: "snippet"` in the gateway's voice. Reactions to one channel within
 * `reactions.mergeMs` become one line per message reacted to (`* carol reacted 👍 🎉, bob
 * reacted 👍 to dave: "…"`), and a channel gets at most `reactions.maxLinesPerMinute` such lines
 * (the rest are dropped, logged at debug): a reaction flood never floods the channel.
 */
import { KeyedRateLimiter, quoteSnippet, type Logger } from '../../src/index.js';

/** Where a line goes: opaque to this class, handed back to `write`. */
export interface ReactionDest {
  readonly key: string;
}

export interface ReactedMessage {
  readonly id: string;
  /** Who wrote it and its text, when the gateway knows (reply-quote.ts, sent-texts.ts). */
  readonly nick?: string | undefined;
  readonly text?: string | undefined;
}

interface Pending<D extends ReactionDest> {
  readonly dest: D;
  readonly timer: NodeJS.Timeout;
  readonly byMessage: Map<string, { msg: ReactedMessage; who: Map<string, string[]> }>;
  count: number;
}

/** Destinations with reactions waiting, at most (a flood over many private targets). */
const MAX_DESTS = 1000;
/** Characters of the reacted message quoted in the line. */
const SNIPPET_CHARS = 40;

export class ReactionLines<D extends ReactionDest> {
  private readonly pending = new Map<string, Pending<D>>();
  private readonly rate: KeyedRateLimiter;

  constructor(
    private readonly o: { mergeMs: number; maxLinesPerMinute: number; maxWaiting: number },
    private readonly write: (dest: D, text: string) => void,
    private readonly log: Logger,
  ) {
    this.rate = new KeyedRateLimiter({
      ratePerSecond: o.maxLinesPerMinute / 60,
      burst: o.maxLinesPerMinute,
      maxKeys: MAX_DESTS,
    });
  }

  /** A reaction to merge into the next line to `dest`; false when too many are waiting. */
  add(dest: D, reactor: string, key: string, msg: ReactedMessage): boolean {
    let p = this.pending.get(dest.key);
    if (p === undefined) {
      if (this.pending.size >= MAX_DESTS) return false;
      const timer = setTimeout(() => this.flush(dest.key), this.o.mergeMs);
      timer.unref();
      p = { dest, timer, byMessage: new Map(), count: 0 };
      this.pending.set(dest.key, p);
    }
    if (p.count >= this.o.maxWaiting) return false;
    p.count++;
    let m = p.byMessage.get(msg.id);
    if (m === undefined) p.byMessage.set(msg.id, (m = { msg, who: new Map() }));
    const keys = m.who.get(reactor) ?? [];
    if (!keys.includes(key)) keys.push(key);
    m.who.set(reactor, keys);
    return true;
  }

  /** The line for one message's reactions. */
  static line(msg: ReactedMessage, who: ReadonlyMap<string, readonly string[]>): string {
    const parts = [...who].map(([r, keys]) => `${r} reacted ${keys.join(' ')}`).join(', ');
    if (msg.nick === undefined) return `* ${parts}`;
    const snippet = msg.text === undefined ? '' : `: "${quoteSnippet(msg.text, SNIPPET_CHARS)}"`;
    return `* ${parts} to ${msg.nick}${snippet}`;
  }

  private flush(key: string): void {
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    for (const { msg, who } of p.byMessage.values()) {
      if (!this.rate.take(key)) {
        this.log.debug({ dest: key }, 'reaction line over reactions.maxLinesPerMinute: dropped');
        continue;
      }
      this.write(p.dest, ReactionLines.line(msg, who));
    }
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}

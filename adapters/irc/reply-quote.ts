/**
 * Replies on plain IRC (no message-tags; docs/message-semantics.md): who wrote
 * each recent line the gateway relayed, by its gateway id, so that a reply to it can start with
 * `nick: `, and, when it answers an older line than the author's latest, a first line quoting
 * the start of it (`> nick: start of it…`; config `replies`). Bounded like `correspondents`.
 */
import { BoundedCache } from '../../src/index.js';

export interface ReplyParent {
  readonly nick: string;
  /** The quote line, when the parent is not its author's latest line and quotes are on. */
  readonly quote?: string;
}

interface Author {
  readonly nick: string;
  readonly text: string;
}

export class ReplyAuthors {
  private readonly byId: BoundedCache<string, Author>;
  /** nick → the gateway id of its latest line. */
  private readonly latest: BoundedCache<string, string>;

  constructor(
    bounds: { maxEntries: number; maxAgeMs: number },
    private readonly o: { quote: 'older' | 'never'; quoteChars: number },
  ) {
    this.byId = new BoundedCache(bounds);
    this.latest = new BoundedCache(bounds);
  }

  /** A line the gateway relayed from IRC under `gatewayId`. */
  note(gatewayId: string, nick: string, text: string): void {
    // Only what a quote can show is kept.
    const max = this.o.quoteChars * 2;
    this.byId.set(gatewayId, { nick, text: text.length <= max ? text : [...text.slice(0, max)].join('') });
    this.latest.set(nick, gatewayId);
  }

  /** Who wrote `gatewayId` and the start of its text (a reaction line's snippet); {} when unknown. */
  about(gatewayId: string): { nick?: string; text?: string } {
    const a = this.byId.get(gatewayId);
    return a === undefined ? {} : { nick: a.nick, text: a.text };
  }

  /** The author of `gatewayId` and, for an older line, its quote; undefined when unknown. */
  parent(gatewayId: string): ReplyParent | undefined {
    const a = this.byId.get(gatewayId);
    if (a === undefined) return undefined;
    if (this.o.quote === 'never' || this.latest.get(a.nick) === gatewayId) return { nick: a.nick };
    return { nick: a.nick, quote: `> ${a.nick}: ${clip(a.text.replace(/\s+/g, ' '), this.o.quoteChars)}` };
  }
}

/** At most `n` code points, "…" when cut. */
function clip(text: string, n: number): string {
  const cps = [...text];
  return cps.length <= n ? text : cps.slice(0, n).join('') + '…';
}

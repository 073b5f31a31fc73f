/**
 * Replies on plain IRC (no message-tags; docs/message-semantics.md): who wrote
 * each recent line the gateway relayed, by its gateway id, so that a reply to it can start with
 * `nick: `, and, when it answers an older line than the author's latest, a first line quoting
 * the start of it (`> nick: start of it…`; config `replies`). Bounded like `correspondents`:
 * the latest `maxEntries` lines, each forgotten `maxAgeMs` after it was last used.
 *
 * Issue 18: one ring of the latest lines instead of two BoundedCache maps. Every relayed line
 * adds an entry, so the record is on the IRC hot path: the maps cost a slot object, a value
 * object and a clock read each per line, plus an LRU pass over a sixteenth of the entries when
 * full (4 % of the gateway's busy time, and objects for every scavenge to copy). Here a line
 * costs two Map writes of small integers and four array stores; nothing per line is an object
 * of its own. The order of forgetting is the order of arrival (a line someone replied to is not
 * kept longer than the lines after it: the ring keeps the latest `maxEntries` lines).
 */

export interface ReplyParent {
  readonly nick: string;
  /** The quote line, when the parent is not its author's latest line and quotes are on. */
  readonly quote?: string;
}

export class ReplyAuthors {
  private readonly max: number;
  private readonly maxAgeMs: number;
  // The ring, one array per field, slot i the same line in each; grown up to `max`, then reused.
  private readonly ids: (string | undefined)[] = [];
  private readonly nicks: string[] = [];
  private readonly texts: string[] = [];
  /** When the slot's line was noted or last read (performance.now, monotonic). */
  private readonly used: number[] = [];
  private next = 0;
  /** Gateway id → its slot. */
  private readonly slotOf = new Map<string, number>();
  /** Nick → the slot of its latest line. */
  private readonly latest = new Map<string, number>();

  constructor(
    bounds: { maxEntries: number; maxAgeMs: number },
    private readonly o: { quote: 'older' | 'never'; quoteChars: number },
  ) {
    this.max = bounds.maxEntries;
    this.maxAgeMs = bounds.maxAgeMs;
  }

  /** A line the gateway relayed from IRC under `gatewayId`. */
  note(gatewayId: string, nick: string, text: string): void {
    // Only what a quote can show is kept.
    const max = this.o.quoteChars * 2;
    const kept = text.length <= max ? text : [...text.slice(0, max)].join('');
    const known = this.slotOf.get(gatewayId);
    if (known !== undefined) this.forget(known);
    const i = this.next;
    if (i < this.ids.length) this.forget(i);
    this.ids[i] = gatewayId;
    this.nicks[i] = nick;
    this.texts[i] = kept;
    this.used[i] = performance.now();
    this.next = i + 1 === this.max ? 0 : i + 1;
    this.slotOf.set(gatewayId, i);
    this.latest.set(nick, i);
  }

  /** Who wrote `gatewayId` and the start of its text (a reaction line's snippet); {} when unknown. */
  about(gatewayId: string): { nick?: string; text?: string } {
    const i = this.find(gatewayId);
    return i < 0 ? {} : { nick: this.nicks[i]!, text: this.texts[i]! };
  }

  /** The author of `gatewayId` and, for an older line, its quote; undefined when unknown. */
  parent(gatewayId: string): ReplyParent | undefined {
    const i = this.find(gatewayId);
    if (i < 0) return undefined;
    const nick = this.nicks[i]!;
    if (this.o.quote === 'never' || this.latest.get(nick) === i) return { nick };
    return { nick, quote: `> ${nick}: ${clip(this.texts[i]!.replace(/\s+/g, ' '), this.o.quoteChars)}` };
  }

  /** The slot of a live `gatewayId` (its age restarted), or -1. */
  private find(gatewayId: string): number {
    const i = this.slotOf.get(gatewayId);
    if (i === undefined) return -1;
    const now = performance.now();
    if (now - this.used[i]! >= this.maxAgeMs) {
      this.forget(i);
      return -1;
    }
    this.used[i] = now;
    return i;
  }

  /** Empties slot `i` (its id and, when it was its nick's latest line, that nick's entry). */
  private forget(i: number): void {
    const id = this.ids[i];
    if (id === undefined) return;
    this.slotOf.delete(id);
    const nick = this.nicks[i]!;
    if (this.latest.get(nick) === i) this.latest.delete(nick);
    this.ids[i] = undefined;
  }
}

/** At most `n` code points, "…" when cut. */
function clip(text: string, n: number): string {
  const cps = [...text];
  return cps.length <= n ? text : cps.slice(0, n).join('') + '…';
}

/**
 * Issue 19: fair use of a peer link's command window (`hub.limits.maxOutstandingCommands`, part 4
 * row 26). Every command on the link belongs to a source: the header the §12 table names as the
 * method's source (draft §12), e.g. the `Sender` of a send (a room's copies name the room, so a
 * room is one source), the `Watcher` of a subscribe. One source may have at most
 * `federation.perSourceOutstanding` commands unanswered on one link; beyond that its commands are
 * answered `resources` at once, for it alone, so one client waiting on a silent listener on the
 * far side cannot take the whole window from everybody else. Each command still times out on
 * its own (`hub.limits.commandTimeoutMs`), which frees its place.
 */
import { methodSpec, type Protocol } from '../protocol/index.js';
import type { Operation } from '../router/index.js';

/** The last header text `sourceOf` normalised, and the result: a link sees the same Sender again and again. */
let lastText = '';
let lastSource = '';

/** The source of `op` as the §12 table names it; the method when it has none. */
export function sourceOf(op: Operation): string {
  const header = methodSpec(op.method, op.protocol as Protocol)?.source ?? null;
  if (header !== null)
    for (let i = 0; i < op.headers.length; i++) {
      const h = op.headers[i]!;
      if (h[0] !== header) continue;
      const text = h[1];
      // Issue 18: one string comparison instead of a trim and a lower-casing per command.
      if (text !== lastText) {
        lastSource = text.trim().toLowerCase();
        lastText = text;
      }
      return lastSource;
    }
  return op.method;
}

/** A source's unanswered commands; the object stays in the map while the count is above zero. */
interface Held {
  n: number;
}

/**
 * Unanswered commands per source on one link. Issue 18: a count lives in an object of its own,
 * so a command costs one map lookup (none when the source is the previous command's) instead of
 * a lookup and a store on each of take and give.
 */
export class LinkShare {
  private readonly held = new Map<string, Held>();
  /** The entry of the last source taken (null once its count fell to zero and it left the map). */
  private last: Held | null = null;
  private lastSource = '';

  constructor(
    private readonly share: () => number,
    /**
     * Sources never held to the share: this gateway's own rooms. A room's post goes to each of
     * its members on the peer at once (one command per member), so a share per room would refuse
     * the copies of any room with more remote members than the share; its authors are bounded by
     * the sender rate instead, and the link by its whole window.
     */
    private readonly exempt: (source: string) => boolean = () => false,
  ) {}

  private entry(source: string): Held | undefined {
    return this.last !== null && source === this.lastSource ? this.last : this.held.get(source);
  }

  /** Takes a place for `source`; false when it already holds its share. */
  take(source: string): boolean {
    let h = this.entry(source);
    if ((h?.n ?? 0) >= this.share() && !this.exempt(source)) return false;
    if (h === undefined) {
      h = { n: 0 };
      this.held.set(source, h);
    }
    h.n++;
    this.last = h;
    this.lastSource = source;
    return true;
  }

  give(source: string): void {
    const h = this.entry(source);
    if (h === undefined || --h.n > 0) return;
    this.held.delete(source);
    if (this.last === h) this.last = null;
  }

  /** Sources holding a place now. */
  get sources(): number {
    return this.held.size;
  }
}

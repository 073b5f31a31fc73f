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

/** The source of `op` as the §12 table names it; the method when it has none. */
export function sourceOf(op: Operation): string {
  const header = methodSpec(op.method, op.protocol as Protocol)?.source ?? null;
  if (header !== null)
    for (let i = 0; i < op.headers.length; i++) {
      const h = op.headers[i]!;
      if (h[0] === header) return h[1].trim().toLowerCase();
    }
  return op.method;
}

/** Unanswered commands per source on one link. */
export class LinkShare {
  private readonly held = new Map<string, number>();

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

  /** Takes a place for `source`; false when it already holds its share. */
  take(source: string): boolean {
    const n = this.held.get(source) ?? 0;
    if (n >= this.share() && !this.exempt(source)) return false;
    this.held.set(source, n + 1);
    return true;
  }

  give(source: string): void {
    const n = (this.held.get(source) ?? 1) - 1;
    if (n > 0) this.held.set(source, n);
    else this.held.delete(source);
  }

  /** Sources holding a place now. */
  get sources(): number {
    return this.held.size;
  }
}

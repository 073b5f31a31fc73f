/**
 * The presence store of one presentity this gateway is home for (draft §5, §15; docs/hub-protocol.md
 * part 2.10): an ordered, 1-based list of mappings, watcher class (identifier patterns) →
 * optional PI. Pure data: no notifies here (the PITP handlers compare views and notify).
 *
 * A PI is carried verbatim: its Content-Type as received (absent = the PITP default
 * `application/presence`, draft §10) and its octets, never parsed (PIDF bodies included,
 * docs/hub-protocol.md part 5.4, docs/cpim.md row 45).
 */
import { HubError } from '../errors.js';
import { matchPattern, type Address, type Pattern, type PresAddress } from '../model/index.js';

export interface PresenceInfo {
  /** The Content-Type header as received; undefined = none was sent (default applies). */
  readonly contentType?: string;
  readonly bytes: Uint8Array;
}

export interface Mapping {
  /** Stable for the mapping's life, whatever its index becomes. */
  readonly id: number;
  /** Watcher class: matches a watcher if any pattern does; an empty class matches nobody. */
  readonly patterns: readonly Pattern[];
  /** null = no PI: watchers matched here are denied (draft §5, part 3 row 34). */
  readonly pi: PresenceInfo | null;
  /** Bumped on every change of the PI (fetch-for-update / update-race, draft §15.5). */
  readonly version: number;
}

/** The PITP default content type of a PI (draft §10, part 3 row 9). */
export const DEFAULT_PI_TYPE = 'application/presence';

export function piType(pi: PresenceInfo): string {
  return pi.contentType ?? DEFAULT_PI_TYPE;
}

function classMatches(patterns: readonly Pattern[], watcher: Address): boolean {
  for (let i = 0; i < patterns.length; i++) if (matchPattern(patterns[i]!, watcher)) return true;
  return false;
}

export class PresenceStore {
  private mappings: Mapping[] = [];
  private nextId = 1;

  constructor(readonly presentity: PresAddress) {}

  get count(): number {
    return this.mappings.length;
  }

  /** The mapping at 1-based `index`; `mapping-range` beyond the count (part 3 row 36). */
  at(index: number): Mapping {
    const m = index >= 1 ? this.mappings[index - 1] : undefined;
    if (m === undefined) throw new HubError('mapping-range', `mapping ${index} of ${this.count}`);
    return m;
  }

  /** All mappings in order (a copy). */
  list(): readonly Mapping[] {
    return this.mappings.slice();
  }

  /**
   * §15.8: inserts at `index` (1..count+1, else `mapping-range`); entries at and after it move up
   * by one (part 3 row 39). Shadowed classes are accepted (draft §5 MUST, part 3 row 35).
   */
  insert(index: number, patterns: readonly Pattern[], pi: PresenceInfo | null): void {
    if (index < 1 || index > this.count + 1)
      throw new HubError('mapping-range', `insert at ${index} of ${this.count}`);
    this.mappings.splice(index - 1, 0, { id: this.nextId++, patterns, pi, version: 0 });
  }

  /** §15.3: deletes `index`; later entries move down by one (part 3 row 39). */
  delete(index: number): void {
    this.at(index);
    this.mappings.splice(index - 1, 1);
  }

  /** §15.9: replaces the watcher class of `index`. */
  setClass(index: number, patterns: readonly Pattern[]): void {
    const m = this.at(index);
    this.mappings[index - 1] = { ...m, patterns };
  }

  /** §15.1: replaces the PI of `index`; null clears it (no payload, part 3 row 37). */
  change(index: number, pi: PresenceInfo | null): void {
    const m = this.at(index);
    this.mappings[index - 1] = { id: m.id, patterns: m.patterns, pi, version: m.version + 1 };
  }

  /**
   * The PI `watcher` sees (draft §5, part 3 row 34): that of the first mapping whose class
   * matches; null (denied) when that mapping has no PI or nothing matches.
   */
  view(watcher: Address): PresenceInfo | null {
    for (let i = 0; i < this.mappings.length; i++) {
      const m = this.mappings[i]!;
      if (classMatches(m.patterns, watcher)) return m.pi;
    }
    return null;
  }
}

/**
 * A session's own commands awaiting an answer, by id (issue 18: looked up for every answer on
 * the relay path). Our ids are a counter written in base 36 (session.ts `issue`), so the table
 * is an array indexed by the counter modulo its size, in parallel arrays (no object and no Map
 * entry per command). A slot still held by an older command (a peer that never answers one) is
 * resolved by growing the array while the table is small, else by moving the older command to
 * a Map on the side: memory stays bounded by the commands actually pending.
 */

/** What `take` found: the command's method, context and whether the session sent it itself. */
export interface PendingEntry<C> {
  method: string;
  context: C | undefined;
  internal: boolean;
}

const FIRST = 16;
/** Largest array; beyond it, collisions go to the side Map. */
const MAX = 8192;

/**
 * The counter an id of ours stands for, or -1 when `id` cannot be one of ours: lower-case base
 * 36 without a leading zero, at most 10 digits (exact in a double).
 */
export function counterOf(id: string): number {
  const len = id.length;
  if (len === 0 || len > 10 || (len > 1 && id.charCodeAt(0) === 0x30)) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
    else return -1;
    n = n * 36 + d;
  }
  return n;
}

export class PendingTable<C> {
  private counters = new Float64Array(FIRST).fill(-1);
  private methods: string[] = new Array<string>(FIRST).fill('');
  private contexts: (C | undefined)[] = new Array<C | undefined>(FIRST).fill(undefined);
  private internals = new Uint8Array(FIRST);
  private mask = FIRST - 1;
  private side: Map<number, PendingEntry<C>> | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Records command `n` (the counter; ids only grow, so it is new). */
  add(n: number, method: string, context: C | undefined, internal: boolean): void {
    let slot = n & this.mask;
    const held = this.counters[slot]!;
    if (held !== -1) {
      if (this.mask + 1 < MAX) {
        this.grow();
        this.add(n, method, context, internal);
        return;
      }
      // A long-silent command: kept on the side, its slot goes to the new one.
      (this.side ??= new Map()).set(held, {
        method: this.methods[slot]!,
        context: this.contexts[slot],
        internal: this.internals[slot] === 1,
      });
      slot = n & this.mask;
    }
    this.counters[slot] = n;
    this.methods[slot] = method;
    this.contexts[slot] = context;
    this.internals[slot] = internal ? 1 : 0;
    this.count++;
  }

  /** Removes the command answered by `id` into `into`; false when no such command is pending. */
  take(id: string, into: PendingEntry<C>): boolean {
    const n = counterOf(id);
    if (n < 0) return false;
    const slot = n & this.mask;
    if (this.counters[slot] === n) {
      into.method = this.methods[slot]!;
      into.context = this.contexts[slot];
      into.internal = this.internals[slot] === 1;
      this.counters[slot] = -1;
      this.contexts[slot] = undefined;
      this.count--;
      return true;
    }
    const e = this.side?.get(n);
    if (e === undefined) return false;
    this.side!.delete(n);
    into.method = e.method;
    into.context = e.context;
    into.internal = e.internal;
    this.count--;
    return true;
  }

  /** Every pending command in the order sent (by counter), emptying the table. */
  drain(): [number, PendingEntry<C>][] {
    const out: [number, PendingEntry<C>][] = [];
    for (let slot = 0; slot <= this.mask; slot++) {
      const n = this.counters[slot]!;
      if (n === -1) continue;
      out.push([
        n,
        { method: this.methods[slot]!, context: this.contexts[slot], internal: this.internals[slot] === 1 },
      ]);
      this.counters[slot] = -1;
      this.contexts[slot] = undefined;
    }
    if (this.side !== null) for (const e of this.side) out.push(e);
    this.side = null;
    this.count = 0;
    return out.sort((a, b) => a[0] - b[0]);
  }

  private grow(): void {
    const old = {
      counters: this.counters,
      methods: this.methods,
      contexts: this.contexts,
      internals: this.internals,
    };
    const size = (this.mask + 1) * 2;
    this.counters = new Float64Array(size).fill(-1);
    this.methods = new Array<string>(size).fill('');
    this.contexts = new Array<C | undefined>(size).fill(undefined);
    this.internals = new Uint8Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let slot = 0; slot < old.counters.length; slot++) {
      const n = old.counters[slot]!;
      if (n !== -1) this.add(n, old.methods[slot]!, old.contexts[slot], old.internals[slot] === 1);
    }
  }
}

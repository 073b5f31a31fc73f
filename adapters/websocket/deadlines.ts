/**
 * Deadlines of many sessions on one timer (issue 18: no timer per connection). The sign-in
 * deadline and the expiry of a signed token were a `setTimeout` per connection, each a Timeout
 * with a closure over the session (~250 B for a signed-in tab whose token expires). Here the
 * deadlines sit in a binary min-heap; one timer is armed for the earliest, and when it fires every
 * deadline due runs, in order. A deadline can be cancelled in O(log n) (sign-in, close).
 */
import type { Session } from './session.js';

/** Node's timers take at most this (about 24.8 days); a later deadline is re-armed when reached. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Deadline {
  /** Its place in the heap; -1 once it ran or was cancelled. */
  index = -1;
  constructor(
    readonly sweep: DeadlineSweep,
    readonly session: Session,
    /** performance.now() milliseconds. */
    readonly at: number,
  ) {}

  cancel(): void {
    this.sweep.remove(this);
  }
}

export class DeadlineSweep {
  private readonly heap: Deadline[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (Infinity: none). */
  private armedFor = Infinity;

  constructor(
    /** What a due deadline does to its session. */
    private readonly due: (s: Session) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** `s`'s deadline `ms` from now. */
  add(s: Session, ms: number): Deadline {
    const d = new Deadline(this, s, performance.now() + ms);
    d.index = this.heap.length;
    this.heap.push(d);
    this.up(d.index);
    this.arm();
    return d;
  }

  remove(d: Deadline): void {
    const i = d.index;
    if (i < 0 || this.heap[i] !== d) return;
    d.index = -1;
    const last = this.heap.pop()!;
    if (last !== d) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    if (this.heap.length === 0) this.disarm();
  }

  /** Every deadline goes without running (the adapter stops). */
  stop(): void {
    for (const d of this.heap) d.index = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    const now = performance.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const d = this.heap[0]!;
      this.remove(d);
      this.due(d.session);
    }
    this.arm();
  };

  private arm(): void {
    const first = this.heap[0];
    if (first === undefined || first.at >= this.armedFor) return;
    this.disarm();
    this.armedFor = first.at;
    this.timer = setTimeout(
      this.fire,
      Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(first.at - performance.now()))),
    );
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private up(i: number): void {
    const h = this.heap;
    const d = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= d.at) break;
      h[i] = h[p]!;
      h[i]!.index = i;
      i = p;
    }
    h[i] = d;
    d.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const d = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1]!.at < h[c]!.at) c++;
      if (h[c]!.at >= d.at) break;
      h[i] = h[c]!;
      h[i]!.index = i;
      i = c;
    }
    h[i] = d;
    d.index = i;
  }
}

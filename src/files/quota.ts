/**
 * Octets each author may have kept per hour (`files.perOwnerBytesPerHour`, docs/files.md): a
 * fixed one-hour window per author, in a table bounded by `files.maxOwnersTracked` (the oldest
 * window goes first, src/policy/BOUNDS.md), so a stream of invented authors cannot grow it.
 */
const HOUR_MS = 60 * 60 * 1000;

interface Window {
  start: number;
  bytes: number;
}

export class OwnerQuota {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perHour: number,
    private readonly maxOwners: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True, and counted, when `owner` may keep `bytes` more now. */
  take(owner: string, bytes: number): boolean {
    const t = this.now();
    let w = this.windows.get(owner);
    if (w === undefined || t - w.start >= HOUR_MS) {
      this.windows.delete(owner);
      w = { start: t, bytes: 0 };
    }
    if (w.bytes + bytes > this.perHour) return false;
    w.bytes += bytes;
    this.windows.delete(owner);
    this.windows.set(owner, w);
    while (this.windows.size > this.maxOwners) this.windows.delete(this.windows.keys().next().value!);
    return true;
  }

  /** Gives back what `take` counted (the file was refused later, or could not be written). */
  giveBack(owner: string, bytes: number): void {
    const w = this.windows.get(owner);
    if (w !== undefined) w.bytes = Math.max(0, w.bytes - bytes);
  }

  get tracked(): number {
    return this.windows.size;
  }
}

/**
 * Connections per remote address (IPv4 address, IPv6 /64; address-key.ts), so one host cannot
 * take every connection slot of a listener (docs/architecture.md part 8). Entries exist only while their
 * count is above zero, so the table is bounded by the listener's open connections, which its
 * own `maxConnections` bounds.
 *
 *   const release = counter.acquire(socket.remoteAddress);
 *   if (release === null) refuse(); else socket.once('close', release);
 */
import { addressKey } from './address-key.js';

export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(public maxPerAddress: number) {
    if (!(maxPerAddress >= 1)) throw new RangeError('maxPerAddress must be at least 1');
  }

  /**
   * A reload's new limit (docs/operations-reload.md): applies to the next connection; open ones
   * above a lower limit stay open.
   */
  setMax(maxPerAddress: number): void {
    if (!(maxPerAddress >= 1)) throw new RangeError('maxPerAddress must be at least 1');
    this.maxPerAddress = maxPerAddress;
  }

  /** Counts one connection from `address`; null when that address is at its limit. */
  acquire(address: string): (() => void) | null {
    const key = addressKey(address);
    const n = this.counts.get(key) ?? 0;
    if (n >= this.maxPerAddress) return null;
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const m = (this.counts.get(key) ?? 1) - 1;
      if (m <= 0) this.counts.delete(key);
      else this.counts.set(key, m);
    };
  }

  /** Open connections counted for `address`'s key. */
  count(address: string): number {
    return this.counts.get(addressKey(address)) ?? 0;
  }

  /** Addresses with at least one connection. */
  get size(): number {
    return this.counts.size;
  }
}

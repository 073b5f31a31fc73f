/**
 * Connections per remote address (issue 13; IPv4 address, IPv6 /64 as src/policy/address-key.ts
 * keys them): the counting of the core's ConnectionCounter, released by one `close` listener
 * shared by every socket of the server. (ConnectionCounter hands out a release closure per
 * connection, which `socket.once` wraps in two more objects: ~270 B per idle connection,
 * issue 18.) Entries exist only while their count is above zero.
 */
import type { Socket } from 'node:net';
import { addressKey } from '../../src/index.js';

export class AddressSlots {
  private readonly counts = new Map<string, number>();
  /** The `close` listener of every counted socket (`this` is the socket). */
  private readonly onClose: (this: Socket) => void;

  constructor(readonly maxPerAddress: number) {
    if (!(maxPerAddress >= 1)) throw new RangeError('maxPerAddress must be at least 1');
    const counts = this.counts;
    // A socket keeps the address it was counted under: Node caches it at the first read
    // (`remoteAddress` in `take`), and `close` is emitted once.
    this.onClose = function (this: Socket): void {
      const key = addressKey(this.remoteAddress ?? '');
      const m = (counts.get(key) ?? 1) - 1;
      if (m <= 0) counts.delete(key);
      else counts.set(key, m);
    };
  }

  /** Counts `socket` until it closes; false (not counted) when its address is at the limit. */
  take(socket: Socket): boolean {
    const key = addressKey(socket.remoteAddress ?? '');
    const n = this.counts.get(key) ?? 0;
    if (n >= this.maxPerAddress) return false;
    this.counts.set(key, n + 1);
    socket.on('close', this.onClose);
    return true;
  }

  /** Open connections counted for `address`'s key. */
  count(address: string): number {
    return this.counts.get(addressKey(address)) ?? 0;
  }
}

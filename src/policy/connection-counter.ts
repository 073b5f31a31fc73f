/**
 * Connections per remote address (IPv4 address, IPv6 /64; address-key.ts), so one host cannot
 * take every connection slot of a listener (docs/architecture.md part 8). Entries exist only while their
 * count is above zero, so the table is bounded by the listener's open connections, which its
 * own `maxConnections` bounds.
 *
 *   const release = counter.acquire(socket.remoteAddress);
 *   if (release === null) refuse(); else socket.once('close', release);
 *
 * or, for listeners that keep many idle connections, `hold(socket)`: released by one `close`
 * listener shared by every socket (issue 18: `acquire`'s release closure, wrapped by
 * `socket.once`, costs ~270 B per idle connection).
 */
import { addressKey } from './address-key.js';

/** What `hold` needs of a socket (a net.Socket; policy primitives do no I/O themselves). */
export interface CountedSocket {
  readonly remoteAddress?: string | undefined;
  on(event: 'close', listener: (this: CountedSocket) => void): unknown;
}

function release(counts: Map<string, number>, key: string): void {
  const m = (counts.get(key) ?? 1) - 1;
  if (m <= 0) counts.delete(key);
  else counts.set(key, m);
}

export class ConnectionCounter {
  private readonly counts = new Map<string, number>();
  /** The `close` listener of every socket counted by `hold` (`this` is the socket). */
  private readonly releaseOnClose: (this: CountedSocket) => void;

  constructor(public maxPerAddress: number) {
    if (!(maxPerAddress >= 1)) throw new RangeError('maxPerAddress must be at least 1');
    const counts = this.counts;
    // A socket keeps the address it was counted under: Node caches it at the first read
    // (`remoteAddress` in `hold`), and `close` is emitted once.
    this.releaseOnClose = function (this: CountedSocket): void {
      release(counts, addressKey(this.remoteAddress ?? ''));
    };
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
      release(this.counts, key);
    };
  }

  /** Counts `socket` until it closes; false (not counted) when its address is at the limit. */
  hold(socket: CountedSocket): boolean {
    const key = addressKey(socket.remoteAddress ?? '');
    const n = this.counts.get(key) ?? 0;
    if (n >= this.maxPerAddress) return false;
    this.counts.set(key, n + 1);
    socket.on('close', this.releaseOnClose);
    return true;
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

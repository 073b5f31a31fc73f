/**
 * Authentication failures by remote address and by account, with exponential backoff: after the
 * n-th failure in a row, the next attempt for that address (or account) is refused for
 * min(maxDelayMs, baseDelayMs · 2^(n-1)). Both keys count because a guesser either tries many
 * accounts from one address or one account from many addresses. A success clears the account
 * and the address. Entries are forgotten `forgetAfterMs` after their last failure and the table
 * holds at most `maxKeys` keys (LRU), so neither a scan of addresses nor of account names grows
 * it without bound.
 */
import { addressKey } from './address-key.js';
import { BoundedCache } from './bounded-cache.js';
import { monotonicClock, type Clock } from './clock.js';

export interface AuthFailureOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A key with no failure for this long starts over. */
  readonly forgetAfterMs: number;
  readonly maxKeys: number;
  readonly clock?: Clock;
}

interface Record {
  failures: number;
  /** No attempt before this clock reading. */
  until: number;
}

export class AuthFailureTracker {
  private readonly table: BoundedCache<string, Record>;
  private readonly clock: Clock;

  constructor(private readonly options: AuthFailureOptions) {
    if (!(options.baseDelayMs > 0) || !(options.maxDelayMs >= options.baseDelayMs))
      throw new RangeError('need 0 < baseDelayMs <= maxDelayMs');
    this.clock = options.clock ?? monotonicClock;
    this.table = new BoundedCache({
      maxEntries: options.maxKeys,
      maxAgeMs: options.forgetAfterMs,
      clock: this.clock,
    });
  }

  /** Milliseconds the caller must still wait before trying (0 = may try now). */
  delayMs(address: string, account?: string): number {
    const now = this.clock();
    let wait = this.remaining(addrKey(address), now);
    if (account !== undefined) wait = Math.max(wait, this.remaining(acctKey(account), now));
    return wait;
  }

  /** Records a failed attempt; returns the delay now imposed. */
  failed(address: string, account?: string): number {
    const now = this.clock();
    let wait = this.bump(addrKey(address), now);
    if (account !== undefined) wait = Math.max(wait, this.bump(acctKey(account), now));
    return wait;
  }

  /** A success: the account and the address start over. */
  succeeded(address: string, account?: string): void {
    this.table.delete(addrKey(address));
    if (account !== undefined) this.table.delete(acctKey(account));
  }

  /** Failures in a row recorded for the key (for tests and diagnostics). */
  failures(address: string, account?: string): number {
    const a = this.table.peek(addrKey(address))?.failures ?? 0;
    const b = account === undefined ? 0 : (this.table.peek(acctKey(account))?.failures ?? 0);
    return Math.max(a, b);
  }

  get size(): number {
    return this.table.size;
  }

  private remaining(key: string, now: number): number {
    const r = this.table.peek(key);
    return r === undefined ? 0 : Math.max(0, Math.ceil(r.until - now));
  }

  private bump(key: string, now: number): number {
    let r = this.table.get(key);
    if (r === undefined) {
      r = { failures: 0, until: now };
      this.table.set(key, r);
    }
    r.failures += 1;
    // 2^30 already dwarfs any sensible cap; stop doubling there so the number stays finite.
    const delay = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * 2 ** Math.min(r.failures - 1, 30),
    );
    r.until = now + delay;
    return delay;
  }
}

function addrKey(address: string): string {
  return 'a ' + addressKey(address);
}

function acctKey(account: string): string {
  return 'u ' + account;
}

/**
 * Authentication failures across connections (issue 13 defect 5), in the manner of Dovecot's
 * auth_penalty and Prosody's mod_limit_auth, with OWASP's advice not to let a guesser lock the
 * real user out. Pure: no I/O, no timers; the listeners ask before checking a credential.
 *
 * The rule. Failures are counted under three keys, each with its own record of failures in a
 * row, forgotten `forgetAfterMs` after the key's last failure:
 *
 * - A, the address (IPv4 address, IPv6 /64: address-key.ts): every failure there;
 * - P, the pair (account, address): every failure there that named the account;
 * - U, the account across addresses: failures that named the account from an address that is
 *   not one of the account's *known addresses* (where it succeeded within `knownAddressMs`; at
 *   most `knownAddressesPerAccount` per account, the least recent forgotten first).
 *
 * A key with n failures imposes, after its last failure, a wait of 0 while n ≤ its free
 * allowance and min(maxDelayMs, baseDelayMs · 2^(n − free − 1)) after: A and P allow
 * `freeFailures` (a typo costs nothing), U allows `accountFreeFailures` (higher, since it
 * gathers every unknown address). An attempt for (address, account) must wait the largest of
 * A's, P's, and, unless the address is known for the account, U's wait. An attempt made while it
 * must wait is answered without checking and counts nowhere (so the wait a client is told stays
 * true; it cannot learn anything about the credential either).
 *
 * A success for (address, account) clears A and P and makes the address known for the account;
 * it does not clear U, so a guesser cannot wash the account-wide count by logging in to an
 * account of its own (nor can it wash P for its targets).
 *
 * What this gives: a guesser at one address backs off exponentially to the cap after
 * `freeFailures`; a guesser spread over many addresses against alice makes every address that is
 * not alice's wait after `accountFreeFailures`; alice from an address where she logged in before
 * is never delayed by that. From a fresh address during such an attack, alice waits like the
 * guesser (her attempt is checked whenever U's wait has run out, at most maxDelayMs apart, but
 * the guesser may take that turn first): the price of not letting the distributed guess go on.
 *
 * Memory: each key kind lives in its own LRU table of at most `maxKeys` entries (a scan of
 * addresses cannot evict the account records), and each known-address list holds at most
 * `knownAddressesPerAccount` entries: 4 · maxKeys records in all.
 */
import { addressKey } from './address-key.js';
import { BoundedCache } from './bounded-cache.js';
import { monotonicClock, type Clock } from './clock.js';

export interface AuthFailureOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A key with no failure for this long starts over. */
  readonly forgetAfterMs: number;
  /** Most records per table (addresses, pairs, accounts, known addresses). */
  readonly maxKeys: number;
  /** Failures in a row at an address, or for an account at an address, before any wait. Default 3. */
  readonly freeFailures?: number;
  /** Failures in a row for an account from unknown addresses before they wait. Default 10. */
  readonly accountFreeFailures?: number;
  /** Addresses remembered per account after a success there. Default 4. */
  readonly knownAddressesPerAccount?: number;
  /** How long such an address stays known. Default 7 days. */
  readonly knownAddressMs?: number;
  readonly clock?: Clock;
}

interface Record {
  failures: number;
  /** The clock reading of the last failure. */
  last: number;
}

const DEFAULTS = {
  freeFailures: 3,
  accountFreeFailures: 10,
  knownAddressesPerAccount: 4,
  knownAddressMs: 7 * 24 * 3600_000,
};

export class AuthFailureTracker {
  private readonly addresses: BoundedCache<string, Record>;
  private readonly pairs: BoundedCache<string, Record>;
  private readonly accounts: BoundedCache<string, Record>;
  /** Account → its known address keys, most recent last. */
  private readonly known: BoundedCache<string, string[]>;
  private readonly clock: Clock;
  private readonly free: number;
  private readonly accountFree: number;
  private readonly knownPerAccount: number;

  constructor(private readonly options: AuthFailureOptions) {
    if (!(options.baseDelayMs > 0) || !(options.maxDelayMs >= options.baseDelayMs))
      throw new RangeError('need 0 < baseDelayMs <= maxDelayMs');
    this.clock = options.clock ?? monotonicClock;
    this.free = options.freeFailures ?? DEFAULTS.freeFailures;
    this.accountFree = options.accountFreeFailures ?? DEFAULTS.accountFreeFailures;
    this.knownPerAccount = options.knownAddressesPerAccount ?? DEFAULTS.knownAddressesPerAccount;
    if (!(this.free >= 0) || !(this.accountFree >= 0) || !(this.knownPerAccount >= 0))
      throw new RangeError('free failures and known addresses cannot be negative');
    const table = <V>(maxAgeMs: number) =>
      new BoundedCache<string, V>({ maxEntries: options.maxKeys, maxAgeMs, clock: this.clock });
    this.addresses = table<Record>(options.forgetAfterMs);
    this.pairs = table<Record>(options.forgetAfterMs);
    this.accounts = table<Record>(options.forgetAfterMs);
    this.known = table<string[]>(options.knownAddressMs ?? DEFAULTS.knownAddressMs);
  }

  /** Milliseconds the attempt must still wait before it may be checked (0 = check it now). */
  delayMs(address: string, account?: string): number {
    const now = this.clock();
    const a = addressKey(address);
    let wait = this.remaining(this.addresses.peek(a), this.free, now);
    if (account === undefined) return wait;
    wait = Math.max(wait, this.remaining(this.pairs.peek(pairKey(account, a)), this.free, now));
    if (!this.isKnown(account, a))
      wait = Math.max(wait, this.remaining(this.accounts.peek(account), this.accountFree, now));
    return wait;
  }

  /** Records a failed check; returns the wait now imposed on the same (address, account). */
  failed(address: string, account?: string): number {
    const now = this.clock();
    const a = addressKey(address);
    bump(this.addresses, a, now);
    if (account !== undefined) {
      bump(this.pairs, pairKey(account, a), now);
      if (!this.isKnown(account, a)) bump(this.accounts, account, now);
    }
    return this.delayMs(address, account);
  }

  /** A success: the address and the pair start over, and the address is known for the account. */
  succeeded(address: string, account?: string): void {
    const a = addressKey(address);
    this.addresses.delete(a);
    if (account === undefined) return;
    this.pairs.delete(pairKey(account, a));
    if (this.knownPerAccount === 0) return;
    const list = (this.known.get(account) ?? []).filter((k) => k !== a);
    list.push(a);
    if (list.length > this.knownPerAccount) list.shift();
    this.known.set(account, list);
  }

  /** Failures in a row that count for the attempt (the largest of its keys; for tests). */
  failures(address: string, account?: string): number {
    const a = addressKey(address);
    let n = this.addresses.peek(a)?.failures ?? 0;
    if (account === undefined) return n;
    n = Math.max(n, this.pairs.peek(pairKey(account, a))?.failures ?? 0);
    if (!this.isKnown(account, a)) n = Math.max(n, this.accounts.peek(account)?.failures ?? 0);
    return n;
  }

  /** Records held in all tables (known-address lists count as one each). */
  get size(): number {
    return this.addresses.size + this.pairs.size + this.accounts.size + this.known.size;
  }

  private isKnown(account: string, a: string): boolean {
    return this.known.peek(account)?.includes(a) ?? false;
  }

  private remaining(r: Record | undefined, free: number, now: number): number {
    if (r === undefined || r.failures <= free) return 0;
    // 2^30 already dwarfs any sensible cap; stop doubling there so the number stays finite.
    const delay = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * 2 ** Math.min(r.failures - free - 1, 30),
    );
    return Math.max(0, Math.ceil(r.last + delay - now));
  }
}

function bump(table: BoundedCache<string, Record>, key: string, now: number): void {
  const r = table.get(key, now);
  if (r === undefined) table.set(key, { failures: 1, last: now });
  else {
    r.failures += 1;
    r.last = now;
  }
}

/** An address key never holds a newline, so the first one separates the two unambiguously. */
function pairKey(account: string, address: string): string {
  return `${address}\n${account}`;
}

/**
 * Who may authenticate on a hub listener (draft §14.1, `hub.accounts` in the configuration):
 * PLAIN credentials checked against the configured accounts in constant time, and the EXTERNAL
 * identity taken from a verified TLS client certificate (part 4 row 12). The identity a
 * connection then acts as is the account's `user`; which im:/pres: addresses that user may
 * speak for (draft §8.1) is the router's business.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccountConfig } from '../config/schema.js';
import type { PlainVerifier } from './sasl.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * RFC 4616 PLAIN against `accounts`: the password is compared as SHA-256 digests with
 * `timingSafeEqual` (equal lengths, constant time), and an unknown user costs the same as a
 * wrong password, so timing reveals neither. An authzid other than the user itself is refused.
 * Accounts without a password cannot use PLAIN.
 */
export function plainVerifier(accounts: readonly AccountConfig[]): PlainVerifier {
  const byUser = new Map<string, Buffer>();
  for (const a of accounts) {
    if (a.password !== undefined && !byUser.has(a.user)) byUser.set(a.user, digest(a.password));
  }
  const decoy = digest('\0no such account\0');
  return (authcid, password, authzid) => {
    const expected = byUser.get(authcid);
    const same = timingSafeEqual(digest(password), expected ?? decoy);
    if (expected === undefined || !same) return null;
    if (authzid !== undefined && authzid !== authcid) return null;
    return authcid;
  };
}

/**
 * EXTERNAL (RFC 4422 appendix A): the account whose `user` equals one of the names the verified
 * client certificate vouches for (`names`, subject CN first, then subjectAltName entries). With
 * an authzid, that account must be one of them; without, the first name that is an account wins.
 */
export function externalIdentity(
  accounts: readonly AccountConfig[],
  names: readonly string[],
): (authzid: string | undefined) => string | null {
  const users = new Set(accounts.map((a) => a.user));
  const matching = names.filter((n) => users.has(n));
  return (authzid) => {
    if (authzid !== undefined) return matching.includes(authzid) ? authzid : null;
    return matching[0] ?? null;
  };
}

/**
 * The inner Message/CPIM `From` (RFC 3862 §3.3.1) is what the author's software wrote, not who
 * the gateway authenticated. Identity (docs/architecture.md part 8): the author shown to anyone is
 * the authenticated source (the router's verified Sender or Orig-Sender); an inner `From` naming
 * another address is never shown as the author. Every adapter shows a mismatch the same way, the
 * real source first and the claim after it: `alice (as "Bob")`. Pure: no I/O.
 */
import { tryParseAddress } from '../../model/index.js';

/** The config values of `identity.mismatchedFrom`: show the claim after the real source, or refuse. */
export type MismatchedFromPolicy = 'show' | 'refuse';
export const DEFAULT_MISMATCHED_FROM: MismatchedFromPolicy = 'show';

function normalized(uri: string): string {
  const a = tryParseAddress(uri.trim(), { defaultScheme: 'im' });
  return a instanceof Error ? uri.trim() : a.uri;
}

/**
 * null when the inner `From` names the authenticated author (or there is none); otherwise the
 * note that follows the real author wherever it is shown: `(as "Bob")`, or `(as <im:bob@x>)` when
 * the claim has no display name. Addresses compare after normalization (case of the domain,
 * scheme-less ids), so `IM:alice@A` is no mismatch for `im:alice@a`.
 */
export function claimedAuthorNote(
  authorUri: string,
  fromUri: string | undefined,
  fromName?: string | null,
): string | null {
  if (fromUri === undefined || fromUri === '' || fromUri === authorUri) return null;
  const claimed = normalized(fromUri);
  if (claimed === normalized(authorUri)) return null;
  return fromName !== undefined && fromName !== null && fromName !== ''
    ? `(as ${JSON.stringify(fromName)})`
    : `(as <${claimed}>)`;
}

/** The author as shown: `name`, or `name (as "Bob")` when the inner From claimed someone else. */
export function shownAuthor(name: string, note: string | null): string {
  return note === null ? name : `${name} ${note}`;
}

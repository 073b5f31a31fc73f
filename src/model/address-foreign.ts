/**
 * Foreign addresses inside im: local parts (RFC 3860 App. B).
 *
 * B.1: mappings that put special information into the local part MUST use the RFC 2846
 * meta-syntax. RFC 2846 8 (collected ABNF) gives its shape:
 *   pstn-email = ["/"] pstn-address ["/"] "@" mta-I-pstn
 *   pstn-mbox  = service-selector "=" ...        service-selector = 1*( DIGIT / ALPHA / "-" )
 * and 3.1 says the whole MUST follow the e-mail quoting rules. B.2 shows the source-route form:
 * `pepp://example.com/fred` becomes `im:pepp=example.com/fred@relay-domain`.
 *
 * RFC 2846 defines nothing for mailboxes (no `user%host` form: that "percent hack" is sendmail
 * folklore, RFC 1123 5.2.16, not RFC 2846). So a mailbox is mapped like any other address: its
 * scheme is the service, the address follows "=", and since `@` is not atext the local part is
 * quoted (RFC 2822 3.2.5), e.g. dave@elsewhere.net under mail.example.org:
 *   local part "mailto=dave@elsewhere.net", URI im:%22mailto=dave%40elsewhere.net%22@mail.example.org
 * Qualifiers such as `/ATTN=...` (RFC 2846 3.1) stay part of the address string.
 */
import { CodecError } from '../errors.js';
import { makeAddress } from './address.js';
import type { Address, ImAddress } from './address.js';
import { normalizeDomain } from './address-syntax.js';

export interface ForeignAddress {
  /** RFC 2846 service-selector: for URLs, the foreign URI scheme (B.2's `pepp`). */
  readonly service: string;
  /** The foreign address as the foreign service writes it, after the service's "=". */
  readonly address: string;
}

const SERVICE_SELECTOR = /^[A-Za-z0-9-]+$/;

/** Maps a foreign address into an im: address at the gateway's relay domain (RFC 3860 B.2). */
export function encodeForeign(service: string, address: string, relayDomain: string): ImAddress {
  if (!SERVICE_SELECTOR.test(service)) {
    throw new CodecError('service-selector must be 1*( DIGIT / ALPHA / "-" )', 'RFC 2846 8');
  }
  if (address === '') throw new CodecError('the foreign address is empty', 'RFC 2846 8');
  return makeAddress('im', `${service}=${address}`, relayDomain);
}

/**
 * The foreign address inside `a`, or null when its local part is not `service "=" address`.
 * Give `relayDomain` to accept only addresses minted under it: elsewhere a local part may
 * contain "=" for its own reasons (`=` is atext).
 */
export function decodeForeign(a: Address, relayDomain?: string): ForeignAddress | null {
  if (a.domain === '') return null;
  if (relayDomain !== undefined && a.domain !== normalizeDomain(relayDomain)) return null;
  const eq = a.local.indexOf('=');
  if (eq <= 0) return null;
  const service = a.local.slice(0, eq);
  const address = a.local.slice(eq + 1);
  if (!SERVICE_SELECTOR.test(service) || address === '') return null;
  return { service, address };
}

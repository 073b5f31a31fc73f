/**
 * Addresses of the CPIM model: `im:` (RFC 3860 App. A) and `pres:` (RFC 3859 App. A) URIs.
 *
 * An `Address` is the parsed, normalized value; its `uri` is the one canonical spelling, branded
 * so that an unchecked string never passes for an address. Normalization (RFC 3860 A.2 follows
 * mailto, so RFC 2822 and RFC 2368 rules apply): scheme lower-case, aliases resolved, percent-
 * encoding decoded then re-applied minimally with upper-case hex, local part unquoted to its
 * value and re-quoted only when it is not a dot-atom (so `"fred"@x` is `fred@x`; the value stays
 * case-sensitive), domain lower-case (RFC 1035 2.3.3), header names lower-case (RFC 2822 1.2.2).
 *
 * Relays must forward the text they received, not a re-formatted URI: formatting here is for
 * identities the gateway mints and for comparison (uri-vectors.json, the UTF-8 case).
 */
import { CodecError } from '../errors.js';
import {
  localPartProblem,
  localPartText,
  normalizeDomain,
  parseMailbox,
  percentEncode,
} from './address-syntax.js';
import { parseUriParts, ruleOf } from './address-uri.js';
import type { ParseAddressOptions, Scheme, UriHeader } from './address-uri.js';

export { parseUriParts } from './address-uri.js';
export type { ParseAddressOptions, Scheme, UriHeader, UriParts } from './address-uri.js';

export type ImUri = string & { readonly __brand: 'ImUri' };
export type PresUri = string & { readonly __brand: 'PresUri' };

interface AddressOf<S extends Scheme, U> {
  readonly scheme: S;
  /** The local part's value (quotes and escapes removed); '' when the URI has no `to`. */
  readonly local: string;
  /** Lower-case domain; '' when the URI has no `to`. */
  readonly domain: string;
  /** `?hname=hvalue` pairs, percent-decoded, names lower-cased, in their order. */
  readonly headers: readonly UriHeader[];
  /** The canonical URI (formatAddress of this value). */
  readonly uri: U;
}
export type ImAddress = AddressOf<'im', ImUri>;
export type PresAddress = AddressOf<'pres', PresUri>;
export type Address = ImAddress | PresAddress;

// Characters left unescaped in the canonical form. RFC 2368 2 asks for every reserved character
// of `to` to be escaped, but RFC 3860 B.2 itself writes `=` and `/` raw (im:pepp=example.com/fred@…),
// so those two and `+ $` stay; `@ , ? & ( ) %` and the rest are escaped so no reader can mistake
// them for structure.
const LOCAL_SAFE = "-_.!~*'/=+$";
const HEADER_SAFE = "-_.!~*'()/:@+$,;";

function formatParts(scheme: Scheme, local: string, domain: string, headers: readonly UriHeader[]): string {
  let out = scheme + ':';
  if (domain !== '') out += percentEncode(localPartText(local), LOCAL_SAFE) + '@' + domain;
  if (headers.length > 0)
    out +=
      '?' +
      headers.map(([n, v]) => percentEncode(n, HEADER_SAFE) + '=' + percentEncode(v, HEADER_SAFE)).join('&');
  return out;
}

function build(scheme: 'im', local: string, domain: string, headers: readonly UriHeader[]): ImAddress;
function build(scheme: 'pres', local: string, domain: string, headers: readonly UriHeader[]): PresAddress;
function build(scheme: Scheme, local: string, domain: string, headers: readonly UriHeader[]): Address;
function build(scheme: Scheme, local: string, domain: string, headers: readonly UriHeader[]): Address {
  const frozen = Object.freeze(headers.map(([n, v]) => Object.freeze([n, v] as const)));
  const uri = formatParts(scheme, local, domain, frozen);
  return Object.freeze({ scheme, local, domain, headers: frozen, uri }) as Address;
}

/**
 * RFC 2368 2 makes `?to=` add recipients; RFC 3860 A.2 narrowed `to` to one mailbox, so a `to`
 * header would smuggle in the list the comma rule forbids. Names are lower-cased: they are RFC 822
 * field names (RFC 2368 2), which compare case-insensitively (RFC 2822 1.2.2).
 */
function normalizeHeaders(headers: readonly UriHeader[], rule: string): UriHeader[] {
  return headers.map(([n, v]) => {
    const name = n.toLowerCase();
    if (name === 'to') throw new CodecError("a 'to' header would add a recipient; one mailbox only", rule);
    if (/\p{Cs}/u.test(name + v)) throw new CodecError('header contains a lone surrogate', rule);
    return [name, v] as const;
  });
}

/** Parses an im:, pres:, presence: or imto: URI (or a scheme-less id with `defaultScheme`). */
export function parseAddress(text: string, options: ParseAddressOptions = {}): Address {
  const parts = parseUriParts(text, options);
  const { rule } = ruleOf(parts.scheme);
  const headers = normalizeHeaders(parts.headers, rule);
  if (parts.to === null) return build(parts.scheme, '', '', headers);
  const { local, domain } = parseMailbox(parts.to, rule);
  return build(parts.scheme, local, domain, headers);
}

/** Like parseAddress, but returns the CodecError instead of throwing it. */
export function tryParseAddress(text: string, options: ParseAddressOptions = {}): Address | CodecError {
  try {
    return parseAddress(text, options);
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
}

export function parseImUri(text: string): ImAddress {
  const a = parseAddress(text);
  if (a.scheme !== 'im') throw new CodecError(`expected an im: URI, found ${a.scheme}:`, 'RFC 3860 A.2');
  return a;
}

export function parsePresUri(text: string): PresAddress {
  const a = parseAddress(text);
  if (a.scheme !== 'pres') throw new CodecError(`expected a pres: URI, found ${a.scheme}:`, 'RFC 3859 A.2');
  return a;
}

/** True when the address names a mailbox (the URI has a `to`). */
export function hasMailbox(a: Address): boolean {
  return a.domain !== '';
}

/** An im: address that names an INSTANT INBOX; `im:` alone is valid syntax but names none. */
export function isInbox(a: Address): a is ImAddress {
  return a.scheme === 'im' && hasMailbox(a);
}

export function isPresentity(a: Address): a is PresAddress {
  return a.scheme === 'pres' && hasMailbox(a);
}

/** parseImUri, then RFC 3860 3.4.1 check 1: the destination must be an instant inbox. */
export function parseInbox(text: string): ImAddress {
  const a = parseImUri(text);
  if (!hasMailbox(a)) throw new CodecError('names no instant inbox (RFC 3860 3.4.1)', 'RFC 3860 3.4.1');
  return a;
}

/** parsePresUri, then RFC 3859 3.4.1: watcher and target must be valid presentities. */
export function parsePresentity(text: string): PresAddress {
  const a = parsePresUri(text);
  if (!hasMailbox(a)) throw new CodecError('names no presentity (RFC 3859 3.4.1)', 'RFC 3859 3.4.1');
  return a;
}

/**
 * Builds an address from its values (an adapter mapping a foreign id): `local` is the local
 * part's value, quoted and escaped as needed when formatted (`#dev` becomes `im:%23dev@…`).
 */
export function makeAddress(
  scheme: 'im',
  local: string,
  domain: string,
  headers?: readonly UriHeader[],
): ImAddress;
export function makeAddress(
  scheme: 'pres',
  local: string,
  domain: string,
  headers?: readonly UriHeader[],
): PresAddress;
export function makeAddress(
  scheme: Scheme,
  local: string,
  domain: string,
  headers?: readonly UriHeader[],
): Address;
export function makeAddress(
  scheme: Scheme,
  local: string,
  domain: string,
  headers: readonly UriHeader[] = [],
): Address {
  const { rule } = ruleOf(scheme);
  const problem = localPartProblem(local);
  if (problem !== null) throw new CodecError(problem, 'RFC 2822 3.4.1');
  return build(scheme, local, normalizeDomain(domain), normalizeHeaders(headers, rule));
}

/** The canonical URI: `im:local@domain` / `pres:local@domain`, headers re-encoded. */
export function formatAddress(a: ImAddress): ImUri;
export function formatAddress(a: PresAddress): PresUri;
export function formatAddress(a: Address): ImUri | PresUri;
export function formatAddress(a: Address): ImUri | PresUri {
  return formatParts(a.scheme, a.local, a.domain, a.headers) as ImUri | PresUri;
}

/** Equality of normalized forms: scheme, local part (case-sensitive), domain, headers. */
export function sameAddress(a: Address, b: Address): boolean {
  return formatAddress(a) === formatAddress(b);
}

/** Same principal whatever the scheme and headers (Hudson §4: same identifier, same principal). */
export function sameMailbox(a: Address, b: Address): boolean {
  return a.local === b.local && a.domain === b.domain;
}

/**
 * The same principal as a presentity. Headers are dropped: they are a message template
 * (RFC 2368 3), not part of who is named.
 */
export function toPres(a: Address): PresAddress {
  return build('pres', a.local, a.domain, []);
}

/** The same principal as an instant inbox; headers dropped as in toPres. */
export function toIm(a: Address): ImAddress {
  return build('im', a.local, a.domain, []);
}

/**
 * The identifier as the hub protocol writes it (draft-hudson §9, docs/hub-protocol.md part 5.1):
 * `presence:` for presentities, `im:` for inboxes, no `?headers`. The local part stays
 * percent-encoded because hub headers carry RFC 1738 URLs (url-hdr, §11).
 */
export function toHudson(a: Address): string {
  if (!hasMailbox(a))
    throw new CodecError(
      'a hub identifier needs local-part "@" domain',
      'draft-hudson-impp-transfer-proposal-01 9',
    );
  const uri = formatParts(a.scheme, a.local, a.domain, []);
  return a.scheme === 'pres' ? 'presence:' + uri.slice('pres:'.length) : uri;
}

export { decodeForeign, encodeForeign } from './address-foreign.js';
export type { ForeignAddress } from './address-foreign.js';

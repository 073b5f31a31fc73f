/**
 * Identifier patterns of draft-hudson-impp-transfer-proposal-01 §11.3 (Wpattern, Only, Except):
 *   idpattern-hdr = [fws] ("*" / our-ptrn / generic-ptrn) *WSP
 *   our-ptrn      = (word-presence / word-im) ":"
 *                   ("*" / "*@" ["*."] domain-part / local-part "@" domain-part)
 *   generic-ptrn  = scheme ":" ("*" / scheme-specific-part)
 * Semantics per docs/hub-protocol.md part 4 row 24: domains case-insensitive; local parts unquoted then
 * case-sensitive; `*@*.d` matches proper subdomains of d only; `*` also matches foreign schemes;
 * other URLs match exactly. `pres:` and `imto:` are read as `presence:` and `im:` (row 9, part 5.1).
 */
import { CodecError } from '../errors.js';
import { formatAddress, parseAddress, toHudson } from './address.js';
import type { Address, Scheme } from './address.js';
import { normalizeDomain } from './address-syntax.js';

export type Pattern =
  | { readonly kind: 'any' }
  /** `scheme:*`; `scheme` is 'im' or 'pres' for ours, else the lower-cased foreign scheme. */
  | { readonly kind: 'scheme'; readonly scheme: string }
  /** `im:*@d` / `presence:*@d`. */
  | { readonly kind: 'domain'; readonly scheme: Scheme; readonly domain: string }
  /** `im:*@*.d` / `presence:*@*.d`: proper subdomains of `domain`. */
  | { readonly kind: 'subdomain'; readonly scheme: Scheme; readonly domain: string }
  /** One im:/pres: identifier. */
  | { readonly kind: 'address'; readonly address: Address }
  /** One foreign URL, compared exactly after its scheme (which compares case-insensitively). */
  | { readonly kind: 'url'; readonly scheme: string; readonly url: string };

const RULE = 'draft-hudson-impp-transfer-proposal-01 11.3';
const OUR_SCHEMES: Record<string, Scheme> = { im: 'im', imto: 'im', pres: 'pres', presence: 'pres' };
// RFC 1738 2.1 / RFC 2396 3.1 scheme names.
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** domain-part of a wildcard pattern (read as `domain`, docs/hub-protocol.md part 4 row 7). */
function patternDomain(text: string): string {
  if (text === '') throw new CodecError("a domain must follow '*@' or '*@*.'", RULE);
  return normalizeDomain(text);
}

/** Reads a pattern; white space around it (the header's fws / *WSP) is ignored. */
export function parsePattern(text: string): Pattern {
  const t = text.replace(/^[ \t]+|[ \t]+$/g, '');
  if (t === '*') return { kind: 'any' };
  const m = SCHEME_PREFIX.exec(t);
  if (!m) throw new CodecError('a pattern is "*", "scheme:*" or a URL with a scheme', RULE);
  const name = m[1]!.toLowerCase();
  const rest = t.slice(m[0].length);
  const ours = OUR_SCHEMES[name];
  if (ours === undefined) {
    if (rest === '*') return { kind: 'scheme', scheme: name };
    if (rest === '') throw new CodecError(`'${name}:' pattern needs "*" or a scheme-specific part`, RULE);
    if ([...rest].some((c) => c <= ' ' || c === '\x7f'))
      throw new CodecError('white space or a control character inside a URL pattern', RULE);
    return { kind: 'url', scheme: name, url: name + ':' + rest };
  }
  if (rest === '*') return { kind: 'scheme', scheme: ours };
  // The wildcard forms are recognized on the raw text, so `%2A@d` stays the identifier whose
  // local part is "*" (formatPattern writes it that way).
  if (rest.startsWith('*@*.'))
    return { kind: 'subdomain', scheme: ours, domain: patternDomain(rest.slice(4)) };
  if (rest.startsWith('*@')) return { kind: 'domain', scheme: ours, domain: patternDomain(rest.slice(2)) };
  if (rest === '')
    throw new CodecError(`'${name}:' pattern needs "*", "*@domain" or local-part "@" domain`, RULE);
  const address = parseAddress(t);
  if (address.headers.length > 0) throw new CodecError('identifier patterns carry no ?headers', RULE);
  return { kind: 'address', address };
}

export interface FormatPatternOptions {
  /** Write `presence:` instead of `pres:`, as the hub protocol does (docs/hub-protocol.md 5.1). */
  readonly hudson?: boolean;
}

export function formatPattern(p: Pattern, options: FormatPatternOptions = {}): string {
  const scheme = (s: string): string => (options.hudson && s === 'pres' ? 'presence' : s);
  switch (p.kind) {
    case 'any':
      return '*';
    case 'scheme':
      return scheme(p.scheme) + ':*';
    case 'domain':
      return `${scheme(p.scheme)}:*@${p.domain}`;
    case 'subdomain':
      return `${scheme(p.scheme)}:*@*.${p.domain}`;
    case 'address': {
      const uri: string = options.hudson ? toHudson(p.address) : formatAddress(p.address);
      // A local part of exactly "*" would read back as the wildcard: escape it.
      return p.address.local === '*' ? uri.replace(':*@', ':%2A@') : uri;
    }
    case 'url':
      return p.url;
  }
}

type Subject = { readonly ours: Address } | { readonly scheme: string; readonly url: string };

/**
 * A string subject with an im/pres/presence/imto scheme must be a valid identifier: an invalid
 * one throws the CodecError rather than quietly matching nothing, since under `Except` "matches
 * nothing" would let it through.
 */
function subjectOf(x: Address | string): Subject {
  if (typeof x !== 'string') return { ours: x };
  const m = SCHEME_PREFIX.exec(x);
  if (!m) throw new CodecError('identifier has no scheme', RULE);
  const name = m[1]!.toLowerCase();
  if (OUR_SCHEMES[name] !== undefined) return { ours: parseAddress(x) };
  return { scheme: name, url: name + ':' + x.slice(m[0].length) };
}

export function matchPattern(p: Pattern, x: Address | string): boolean {
  const s = subjectOf(x);
  switch (p.kind) {
    case 'any':
      return true;
    case 'scheme':
      return 'ours' in s ? s.ours.scheme === p.scheme : s.scheme === p.scheme;
    case 'domain':
      return 'ours' in s && s.ours.scheme === p.scheme && s.ours.domain !== '' && s.ours.domain === p.domain;
    case 'subdomain':
      return 'ours' in s && s.ours.scheme === p.scheme && s.ours.domain.endsWith('.' + p.domain);
    case 'address':
      // Identity only: a subject's ?headers do not change whom it names.
      return (
        'ours' in s &&
        s.ours.scheme === p.address.scheme &&
        s.ours.local === p.address.local &&
        s.ours.domain === p.address.domain
      );
    case 'url':
      return !('ours' in s) && s.url === p.url;
  }
}

/**
 * One normal form for mail addresses (issue 13, "addresses are compared normalised"). Pure.
 *
 * Every comparison the adapter makes about who a mailbox is (protected domains, the SMTP AUTH
 * user's addresses, list subscribers, recipient resolution) goes through `normalizeMailbox`, so
 * `Alice@GW.test.`, `alice@ｇｗ.test` and `alice@gw.test` are one mailbox, and `alice@bücher.test`
 * is `alice@xn--bcher-kva.test`: otherwise each spelling would be a way past the check that
 * compares the plain one.
 */
import { domainToASCII } from 'node:url';

export interface NormalMailbox {
  /** The local part as written (unquoted), for delivery and for the identity it maps to. */
  readonly local: string;
  /** The domain in lower-case A-label form (RFC 5890 2.3.2.1), without a trailing dot. */
  readonly domain: string;
  /** `local@domain` as delivered: the local part as written. */
  readonly address: string;
  /** `local@domain` for comparisons: the local part lower-cased too. */
  readonly key: string;
}

/** RFC 5322 3.2.3 specials, space and controls: never in an unquoted local part. */
const NOT_IN_ATOM = /[\s()<>[\]:;@\\,"\p{Cc}]/u;
/** A label of an A-label domain once converted: LDH (RFC 1035 2.3.1), `_` as some names use. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/**
 * ASCII that is no part of a domain name. domainToASCII reads its input as a URL's host, so it
 * would cut `gw.test/x`, `gw.test?x` or `gw.test#x` down to `gw.test` and decode `gw%2etest`.
 */
const NOT_IN_DOMAIN = /[^\u0080-\u{10ffff}A-Za-z0-9._-]/u;

/**
 * The domain of a mailbox in its one comparable form: lower-cased, IDN U-labels converted to
 * A-labels with UTS #46 (`node:url` domainToASCII, which also maps fullwidth letters and the
 * ideographic full stop), and one trailing dot removed (RFC 1034 3.1: `gw.test.` is the absolute
 * form of `gw.test`, the same name). Null when it is no domain name: conversion fails, a label is
 * empty, or it is a domain literal (`[192.0.2.1]`, which names a host, not a domain we serve).
 */
export function normalizeDomain(domain: string): string | null {
  if (domain === '' || NOT_IN_DOMAIN.test(domain)) return null;
  let d = domainToASCII(domain);
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d === '' || d.length > 253) return null;
  return d.split('.').every((l) => LABEL.test(l)) ? d : null;
}

/**
 * A mailbox `local@domain` in normal form, or null when it is not a valid address.
 *
 * The split is at the last `@`; a quoted local part (RFC 5321 4.1.2 Quoted-string) is unquoted.
 * A local part that holds `@` or a look-alike of it (quoted or not) is refused: it is legal when quoted, but no real
 * mailbox uses it, and `"alice@gw.test"@evil.example` exists only to be read as the first half.
 *
 * The local part is kept as written for delivery, but `key` lower-cases it for every comparison
 * made for protection. RFC 5321 2.4 says local parts are case-sensitive in principle, yet every
 * real provider treats them insensitively: comparing them case-sensitively would let `ALICE@d`
 * pass a check written for `alice@d` and then reach the same person.
 */
export function normalizeMailbox(text: string): NormalMailbox | null {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return null;
  let local = text.slice(0, at);
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
    if (local === '' || /[\r\n]/.test(local)) return null;
  } else if (NOT_IN_ATOM.test(local)) return null;
  // NFKC: a fullwidth or small `＠` (U+FF20, U+FE6B) reads as `@` just the same.
  if (local.normalize('NFKC').includes('@')) return null;
  const domain = normalizeDomain(text.slice(at + 1));
  if (domain === null) return null;
  return { local, domain, address: `${local}@${domain}`, key: `${local.toLowerCase()}@${domain}` };
}

/** The comparison key of `text`, or null when it is no valid address. */
export function mailboxKey(text: string): string | null {
  return normalizeMailbox(text)?.key ?? null;
}

/** The set of normal domains of `domains`; those that are no domain names are left out. */
export function normalDomains(domains: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const d of domains) {
    const n = normalizeDomain(d);
    if (n !== null) out.add(n);
  }
  return out;
}

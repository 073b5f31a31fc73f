/**
 * The address mapping between mailboxes and im: URIs (docs/architecture.md part 6). Pure.
 *
 * Under the adapter's mail domain D:
 * - an outside mailbox `dave@elsewhere.net` is `im:"mailto=dave@elsewhere.net"@D`, the RFC 3860
 *   App. B.1 `service=address` form (src/model/address-foreign.ts);
 * - an IM identity `im:alice@gw.test` has the mailbox `alice=gw.test@D` (its Reply-To): `=` is
 *   atext (RFC 5322 3.2.3) and a domain has none, so the last `=` splits it back;
 * - `name@D` is a list (a room member), an alias, or `im:name@localDomain`.
 */
import { decodeForeign, encodeForeign, makeAddress, tryParseAddress } from '../../src/index.js';
import type { ImAddress } from '../../src/index.js';
import type { ListConfig } from './config.js';
import { normalDomains, normalizeDomain, normalizeMailbox } from './normalize-mailbox.js';

export const MAIL_SERVICE = 'mailto';

/** RFC 5322 3.2.3 atext and dot-atom: what a local part may hold unquoted. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

export interface MappingConfig {
  readonly domain: string;
  readonly localDomain?: string | undefined;
  readonly aliases: Readonly<Record<string, string>>;
  readonly lists: readonly ListConfig[];
}

/** Splits `local@domain` at the last `@`; the domain lower-cased. Null when it is not one. */
export function splitMailbox(mailbox: string): { local: string; domain: string } | null {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0 || at === mailbox.length - 1) return null;
  let local = mailbox.slice(0, at);
  // RFC 5321 4.1.2 Quoted-string local parts: the value without quotes and escapes.
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"'))
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
  return { local, domain: mailbox.slice(at + 1).toLowerCase() };
}

/** The im: identity of an outside mailbox, under the adapter's domain (RFC 3860 B.2). */
export function mailboxToIdentity(mailbox: string, domain: string): ImAddress {
  // Domains are case-insensitive (RFC 5321 2.4) and have one A-label form (normalize-mailbox.ts);
  // local parts are kept as written.
  const n = normalizeMailbox(mailbox);
  const m = n === null ? splitMailbox(mailbox) : n;
  const normalized = m === null ? mailbox : `${m.local}@${m.domain}`;
  return encodeForeign(MAIL_SERVICE, normalized, domain);
}

/** The mailbox an identity under the adapter's domain stands for, or null. */
export function identityToForeignMailbox(a: ImAddress, domain: string): string | null {
  const f = decodeForeign(a, domain);
  return f !== null && f.service === MAIL_SERVICE && splitMailbox(f.address) !== null ? f.address : null;
}

/**
 * The mailbox that stands for an IM identity (for From and Reply-To): `local=domain@D`, or the
 * outside mailbox itself for an identity minted from one. Null when the local part cannot be a
 * dot-atom (it would need quoting, which many mail systems refuse).
 */
export function identityToMailbox(a: ImAddress, cfg: MappingConfig): string | null {
  if (a.domain === cfg.domain) {
    const foreign = identityToForeignMailbox(a, cfg.domain);
    if (foreign !== null) return foreign;
    return DOT_ATOM.test(a.local) ? `${a.local}@${cfg.domain}` : null;
  }
  const local = `${a.local}=${a.domain}`;
  return DOT_ATOM.test(local) ? `${local}@${cfg.domain}` : null;
}

export type Recipient =
  | { readonly kind: 'inbox'; readonly inbox: ImAddress }
  | { readonly kind: 'list'; readonly list: ListConfig; readonly identity: ImAddress };

export type RecipientRefusal = 'foreign-domain' | 'relay' | 'unknown';

function findList(lists: readonly ListConfig[], local: string): ListConfig | undefined {
  const l = local.toLowerCase();
  return lists.find((x) => x.name.toLowerCase() === l);
}

/**
 * Where mail to `rcpt` goes, or why it is refused. Only the adapter's own domain is accepted, and
 * never a local part that names another mail domain (`mailto=` forms, `x=D`): no relaying. The
 * domains are compared in normal form (normalize-mailbox.ts), so `x@D.`, `x@D` upper-cased or in
 * Unicode resolve like `x@D` instead of being refused as foreign.
 */
export function resolveRecipient(rcpt: string, cfg: MappingConfig): Recipient | RecipientRefusal {
  const m = splitMailbox(rcpt);
  if (m === null) return 'unknown';
  if (normalizeDomain(m.domain) !== cfg.domain) return 'foreign-domain';
  const list = findList(cfg.lists, m.local);
  if (list !== undefined) return { kind: 'list', list, identity: makeAddress('im', list.name, cfg.domain) };
  const alias = Object.entries(cfg.aliases).find(([k]) => k.toLowerCase() === m.local.toLowerCase());
  if (alias !== undefined) return inbox(alias[1]);
  const eq = m.local.lastIndexOf('=');
  if (eq > 0) {
    const target = normalizeDomain(m.local.slice(eq + 1)) ?? '';
    const local = m.local.slice(0, eq);
    // `mailto=x@y` or `x=D` would send mail on to another mailbox: an open relay.
    if (local.includes('@') || target === cfg.domain || !DOMAIN.test(target)) return 'relay';
    try {
      return { kind: 'inbox', inbox: makeAddress('im', local, target) };
    } catch {
      return 'unknown';
    }
  }
  if (cfg.localDomain !== undefined) {
    // A local part that is no im: local part (a control character, RFC 3860 / RFC 2822 3.4.1)
    // is an unknown recipient, not an exception: found by fuzzing (issue 13), `\0lice@domain`
    // threw out of the RCPT TO handler.
    try {
      return { kind: 'inbox', inbox: makeAddress('im', m.local, cfg.localDomain) };
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

function inbox(uri: string): Recipient | RecipientRefusal {
  const a = tryParseAddress(uri);
  if (a instanceof Error || a.scheme !== 'im' || a.domain === '') return 'unknown';
  return { kind: 'inbox', inbox: a };
}

export type OutboundTarget =
  { readonly kind: 'mailbox'; readonly to: string } | { readonly kind: 'list'; readonly list: ListConfig };

/** Where an IM to `inbox` (in the adapter's domain) is mailed; null when nowhere. */
export function resolveOutbound(inbox: ImAddress, cfg: MappingConfig): OutboundTarget | null {
  if (inbox.domain !== cfg.domain) return null;
  const foreign = identityToForeignMailbox(inbox, cfg.domain);
  if (foreign !== null) return { kind: 'mailbox', to: foreign };
  const list = findList(cfg.lists, inbox.local);
  return list === undefined ? null : { kind: 'list', list };
}

/**
 * Domains whose From must be authenticated with SMTP AUTH: ours and those we speak for, in
 * normal form. The gateway's served domains are added at each mail (inbound-pipeline.ts).
 */
export function protectedDomains(cfg: MappingConfig, extra: readonly string[]): Set<string> {
  const out: string[] = [cfg.domain, ...extra];
  if (cfg.localDomain !== undefined) out.push(cfg.localDomain);
  for (const uri of Object.values(cfg.aliases)) {
    const a = tryParseAddress(uri);
    if (!(a instanceof Error) && a.domain !== '') out.push(a.domain);
  }
  for (const l of cfg.lists) {
    const a = tryParseAddress(l.room);
    if (!(a instanceof Error) && a.domain !== '') out.push(a.domain);
  }
  return normalDomains(out);
}

/**
 * Address mapping between XMPP JIDs and the CPIM model's `im:`/`pres:` URIs (docs/adapters/xmpp-mapping.md
 * "Addresses"). Pure, no I/O.
 *
 * Three kinds of JID meet the adapter:
 * - XMPP users in a served domain (`juliet@example.org/balcony`) ⇄ `im:juliet@example.org` by
 *   RFC 3922 §3.2/§3.3;
 * - puppets (`alice\40irc.example.org@xmpp-gw.example.org`) ⇄ the foreign URI they stand for,
 *   `im:alice@irc.example.org` (derived, docs/adapters/xmpp-mapping.md "Addresses", XEP-0106 §4.2
 *   "gateway" use);
 * - the component's own names (`dev@xmpp-gw.example.org`, a hosted room) ⇄ `im:dev@xmpp-gw.example.org`.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { CodecError, makeAddress, parseAddress, type ImAddress, type PresAddress } from '../../src/index.js';
import {
  XmppMappingError,
  escapeLocal,
  formatJid,
  fromHistoricalEscapes,
  identifierProblem,
  parseJid,
  unescapeLocal,
} from './jid-escape.js';

export interface XmppAddressing {
  /** The component's domain (XEP-0114): puppets and hosted rooms live under it. */
  componentDomain: string;
  /** XMPP domains whose users may use the gateway; their JIDs map to `im:`/`pres:` as they are. */
  userDomains: readonly string[];
  /**
   * Also read RFC 3922's historical escapes (`#26;`, `#27;`, `#2f;`) in user localparts. Off by
   * default: `#` and `;` are legal in localparts, and XEP-0106 replaced that form in 2005.
   */
  historicalEscapes?: boolean;
}

/** What a JID is to the adapter. */
export type JidKind = 'user' | 'puppet' | 'component';

/** RFC 3922 §3.1 leaves domain mapping open; the CPIM side uses A-labels (docs/adapters/xmpp-mapping.md "Addresses" step 5). */
function toALabel(domain: string): string {
  const known = aLabels.get(domain);
  if (known !== undefined) return known;
  const ascii = domainToASCII(domain);
  if (ascii === '')
    throw new XmppMappingError('jid-malformed', `'${domain}' is not a domain name`, 'RFC 5890 2.3.2.1');
  // Every message compares its domains with the configured ones: the conversion (UTS 46) showed
  // in the XMPP benchmark's profile. A few domains recur; the cache is emptied when it fills.
  if (aLabels.size >= A_LABELS_MAX) aLabels.clear();
  aLabels.set(domain, ascii);
  return ascii;
}

/** Domains already converted to their A-label form (toALabel), at most A_LABELS_MAX. */
const aLabels = new Map<string, string>();
const A_LABELS_MAX = 1024;

/** Domain equality in A-label form, so an operator may configure either spelling. */
function sameDomain(a: string, b: string): boolean {
  return toALabel(a) === toALabel(b);
}

function cpimAddress(scheme: 'im' | 'pres', local: string, domain: string): ImAddress | PresAddress {
  try {
    return makeAddress(scheme, local, domain);
  } catch (e) {
    if (e instanceof CodecError) throw new XmppMappingError('not-mappable', e.reason, e.rule);
    throw e;
  }
}

/** Which of the three kinds a JID's domain makes it, or null when the adapter does not serve it. */
export function jidKind(jid: string, a: XmppAddressing): JidKind | null {
  const { local, domain } = parseJid(jid);
  if (sameDomain(domain, a.componentDomain))
    return unescapeLocal(local).includes('@') ? 'puppet' : 'component';
  return a.userDomains.some((d) => sameDomain(d, domain)) ? 'user' : null;
}

/**
 * Maps a JID to the CPIM address it stands for. The resource is dropped (RFC 3922 §3.2 step 1,
 * §4.1.1; presence keeps it as the tuple id, see presence-map.ts).
 * - user: unescape (§3.2 step 3, XEP-0106 form), percent-encode (step 4: done by the model's
 *   canonical form; compare after decoding), prefix the scheme (step 6);
 * - puppet: unescape the localpart to `L@D` and split at the LAST `@` (a domain has none, a quoted
 *   local part may);
 * - component name: the unescaped localpart under the component domain.
 */
export function xmppToCpim(jid: string, scheme: 'im', a: XmppAddressing): ImAddress;
export function xmppToCpim(jid: string, scheme: 'pres', a: XmppAddressing): PresAddress;
export function xmppToCpim(jid: string, scheme: 'im' | 'pres', a: XmppAddressing): ImAddress | PresAddress;
export function xmppToCpim(jid: string, scheme: 'im' | 'pres', a: XmppAddressing): ImAddress | PresAddress {
  const parsed = parseJid(jid);
  const kind = jidKind(jid, a);
  if (kind === null)
    throw new XmppMappingError(
      'domain-not-served',
      `the gateway does not serve XMPP domain '${parsed.domain}'`,
      'RFC 3922 3.1',
    );
  if (parsed.local === '')
    throw new XmppMappingError(
      'no-localpart',
      `'${parsed.domain}' has no localpart: a server or component is not an instant inbox`,
      'RFC 3922 3.2',
    );
  if (kind === 'user') {
    const local = unescapeLocal(
      a.historicalEscapes === true ? fromHistoricalEscapes(parsed.local) : parsed.local,
    );
    return cpimAddress(scheme, local, toALabel(parsed.domain));
  }
  const value = unescapeLocal(parsed.local);
  if (kind === 'component') return cpimAddress(scheme, value, toALabel(a.componentDomain));
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local === '' || domain === '')
    throw new XmppMappingError('not-mappable', `puppet '${value}' names no foreign mailbox`, 'XEP-0106 4.2');
  if (a.userDomains.some((d) => sameDomain(d, domain)) || sameDomain(domain, a.componentDomain))
    // The puppet of an XMPP user or of the component itself would be a second name for it.
    throw new XmppMappingError('not-mappable', `'${value}' is not foreign: use its own JID`, 'XEP-0106 4.2');
  return cpimAddress(scheme, local, domain);
}

/**
 * Maps an `im:`/`pres:` URI to the JID that stands for it on the XMPP side (bare, no resource):
 * - a served user domain: strip the scheme, percent-decode (done by the parser), re-escape by
 *   XEP-0106 (RFC 3922 §3.3 steps 1-5);
 * - the component domain: `escape(local)@component`;
 * - any other domain: the puppet `escape(local@domain)@component` (XEP-0106 §4.2 steps 1-4).
 * Throws XmppMappingError (reason `bad-uri`, `not-mappable`, `too-long`) for what has no JID.
 */
export function cpimToXmpp(uri: string, a: XmppAddressing): string {
  let parsed;
  try {
    parsed = parseAddress(uri);
  } catch (e) {
    if (e instanceof CodecError) throw new XmppMappingError('bad-uri', e.reason, e.rule);
    throw e;
  }
  if (parsed.domain === '')
    throw new XmppMappingError('not-mappable', `'${uri}' names no mailbox`, 'RFC 3860 3.4.1');
  if (parsed.headers.length > 0)
    // RFC 2368 3: headers are a message template, not part of who is named; a JID has no place for them.
    throw new XmppMappingError('not-mappable', `'${uri}' carries ?headers`, 'RFC 3922 3.3');
  const { local, domain } = parsed;
  const mint = (value: string, jidDomain: string): string => {
    const escaped = escapeLocal(value);
    const problem = identifierProblem(escaped);
    if (problem !== null) throw new XmppMappingError('not-mappable', problem, 'RFC 7622 3.3.1');
    return formatJid({ local: escaped, domain: jidDomain });
  };
  const userDomain = a.userDomains.find((d) => sameDomain(d, domain));
  if (userDomain !== undefined) return mint(local, domainToUnicode(toALabel(userDomain)));
  if (sameDomain(domain, a.componentDomain)) {
    if (local.includes('@'))
      // It would read back as a puppet (xmppToCpim splits at '@'): refuse rather than alias.
      throw new XmppMappingError('not-mappable', `'${uri}' would read back as a puppet`, 'XEP-0106 4.2');
    return mint(local, a.componentDomain);
  }
  return mint(`${local}@${domain}`, a.componentDomain);
}

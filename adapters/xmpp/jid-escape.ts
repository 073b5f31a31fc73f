/**
 * XEP-0106 (JID Escaping) for localparts, and JID parse/format by RFC 7622 §3. Pure, no I/O.
 *
 * Escaping lets a gateway put any foreign identifier into a localpart (XEP-0106 §1: "gatewaying
 * between XMPP and a non-XMPP communications technology"), e.g. `alice@irc.example.org` becomes the
 * puppet localpart `alice\40irc.example.org` (docs/adapters/xmpp-mapping.md "Addresses"). Both directions are
 * exact inverses: `unescapeLocal(escapeLocal(s)) === s` for every string `escapeLocal` accepts (tested as a
 * property).
 */

/** XEP-0106 §3.2/§3.3: the ten characters and their escapes. Lower-case hex: "CASE IS SIGNIFICANT". */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  [' ', '\\20'],
  ['"', '\\22'],
  ['&', '\\26'],
  ["'", '\\27'],
  ['/', '\\2f'],
  [':', '\\3a'],
  ['<', '\\3c'],
  ['>', '\\3e'],
  ['@', '\\40'],
  ['\\', '\\5c'],
]);
const UNESCAPES: ReadonlyMap<string, string> = new Map([...ESCAPES].map(([c, e]) => [e.slice(1), c]));

/** An address or JID part that cannot be mapped, with a machine-readable reason. */
export class XmppMappingError extends Error {
  override readonly name = 'XmppMappingError';
  constructor(
    readonly reason:
      'jid-malformed' | 'too-long' | 'no-localpart' | 'domain-not-served' | 'not-mappable' | 'bad-uri',
    message: string,
    /** The rule or section that decides, e.g. "RFC 7622 3.3". */
    readonly rule: string,
  ) {
    super(message);
  }
}

/** True when `text` at `i` starts one of the ten escape sequences (`\` + two lower-case hex). */
function escapeAt(text: string, i: number): string | undefined {
  if (text[i] !== '\\') return undefined;
  return UNESCAPES.get(text.slice(i + 1, i + 3));
}

/**
 * Escapes a localpart value (XEP-0106 §3.2, §4.2 steps 3-4):
 * - each of the nine disallowed characters becomes its `\hh` form;
 * - a backslash becomes `\5c` only when it starts a sequence that would read as an escape
 *   (`\27`, `\5c`, ...), per §4.1 rule 7 and §4.2 step 3 (`\3and` → `\5c3and`);
 * - any other backslash stays as is: §4.3 says partial sequences (`\2plus`) and sequences of
 *   characters not on the list (`foo\bar`, `foob\41r`) are "not modified by escaping or
 *   unescaping". (XEP-0106 1.1's example table writes `c:\net` as `c\3a\5cnet`, against §4.3; we
 *   follow the normative §4.3 and the later 1.1.1 table, `c\3a\net`.)
 * Throws when the value starts or ends with a space: "\20 MUST NOT be the first or last
 * character of an escaped node identifier" (§3.2 note, §4.1 rule 6); trimming would lose data.
 */
export function escapeLocal(value: string): string {
  if (value.startsWith(' ') || value.endsWith(' '))
    throw new XmppMappingError(
      'not-mappable',
      'a localpart cannot start or end with a space (\\20)',
      'XEP-0106 4.1',
    );
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') out += escapeAt(value, i) !== undefined ? '\\5c' : '\\';
    else out += ESCAPES.get(ch) ?? ch;
  }
  return out;
}

/**
 * Unescapes a localpart (XEP-0106 §3.3): only the ten exact lower-case sequences, left to right in
 * one pass, so `\5c27` reads as `\27` (the escaped backslash is not read again). Everything else,
 * including `\2F` (upper case) and `\41`, is left as is (§4.1 rule 3, §4.3).
 */
export function unescapeLocal(local: string): string {
  let out = '';
  for (let i = 0; i < local.length; i++) {
    const ch = escapeAt(local, i);
    if (ch !== undefined) {
      out += ch;
      i += 2;
    } else out += local[i];
  }
  return out;
}

/**
 * The historical escapes RFC 3922 §3.2 step 3 and §3.3 step 5 write (`#26;`, `#27;`, `#2f;`, from
 * JEP-0106 0.2-0.5) rewritten to their XEP-0106 forms. Only for peers known to use them: `#` and
 * `;` are legal localpart characters, so applying this blindly would change real JIDs.
 */
export function fromHistoricalEscapes(local: string): string {
  return local.replace(/#(26|27|2f);/g, '\\$1');
}

/** A JID split into its parts (RFC 7622 §3.1): `[ localpart "@" ] domainpart [ "/" resourcepart ]`. */
export interface Jid {
  readonly local: string;
  readonly domain: string;
  readonly resource: string;
}

/** RFC 7622 §3.2-3.4: each part is 1 to 1023 octets. */
export const JID_PART_MAX_OCTETS = 1023;

const utf8 = new TextEncoder();

function checkPart(part: string, name: string, rule: string): void {
  if (utf8.encode(part).length > JID_PART_MAX_OCTETS)
    throw new XmppMappingError('too-long', `the ${name} is longer than 1023 octets`, rule);
  if (/\p{Cs}/u.test(part))
    throw new XmppMappingError('jid-malformed', `the ${name} contains a lone surrogate`, rule);
  // RFC 7622 §3.3.1 / §3.4.1: PRECIS classes disallow control characters (RFC 8264 §9.12).
  if (/\p{Cc}/u.test(part))
    throw new XmppMappingError('jid-malformed', `the ${name} contains a control character`, rule);
}

/**
 * Why `local` is not a PRECIS IdentifierClass string, or null (RFC 7622 §3.3.1 builds localparts on
 * it, RFC 8264 §4.2). Approximated by the derived property's main rules (RFC 8264 §9): printable
 * ASCII (ASCII7, §9.11) and LetterDigits (§9.1: Ll Lu Lo Nd Lm Mn Mc) are valid; spaces, symbols,
 * punctuation and controls outside ASCII are not. Used before minting a JID, so a puppet the server
 * would refuse (`jid-malformed`) is refused here with a reason instead.
 */
export function identifierProblem(local: string): string | null {
  for (const ch of local) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x21 && cp <= 0x7e) || /[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]/u.test(ch)) continue;
    const hex = cp.toString(16).toUpperCase().padStart(4, '0');
    return `U+${hex} is not allowed in a localpart (PRECIS IdentifierClass, RFC 8264 §4.2)`;
  }
  return null;
}

/** RFC 7622 §3.3.1: the eight characters a localpart may never contain (they need XEP-0106). */
const LOCAL_FORBIDDEN = /["&'/:<>@\s]/u;

/**
 * Parses a JID by RFC 7622 §3.2: the resourcepart starts at the first `/`, the localpart ends at
 * the first `@` before it. The domainpart loses one trailing dot (§3.2) and is lower-cased (domain
 * names compare case-insensitively; the server has already applied IDNA to what it routes). No
 * PRECIS profile is applied: the server enforced it on everything it routed to us.
 */
export function parseJid(text: string): Jid {
  const slash = text.indexOf('/');
  const bare = slash < 0 ? text : text.slice(0, slash);
  const resource = slash < 0 ? '' : text.slice(slash + 1);
  const at = bare.indexOf('@');
  const local = at < 0 ? '' : bare.slice(0, at);
  let domain = at < 0 ? bare : bare.slice(at + 1);
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '') throw new XmppMappingError('jid-malformed', 'the JID has no domainpart', 'RFC 7622 3.2');
  if (at >= 0 && local === '')
    throw new XmppMappingError('jid-malformed', "empty localpart before '@'", 'RFC 7622 3.3');
  if (slash >= 0 && resource === '')
    throw new XmppMappingError('jid-malformed', "empty resourcepart after '/'", 'RFC 7622 3.4');
  if (local !== '' && LOCAL_FORBIDDEN.test(local))
    throw new XmppMappingError(
      'jid-malformed',
      'the localpart contains a character RFC 7622 forbids (escape it by XEP-0106)',
      'RFC 7622 3.3.1',
    );
  checkPart(local, 'localpart', 'RFC 7622 3.3');
  checkPart(domain, 'domainpart', 'RFC 7622 3.2');
  if (/[\s@/]/u.test(domain))
    throw new XmppMappingError('jid-malformed', 'the domainpart is not a domain name', 'RFC 7622 3.2');
  checkPart(resource, 'resourcepart', 'RFC 7622 3.4');
  return { local, domain: domain.toLowerCase(), resource };
}

/** Formats a JID from its parts, checking them as parseJid does (the inverse of parseJid). */
export function formatJid(jid: { local?: string; domain: string; resource?: string }): string {
  const local = jid.local ?? '';
  const resource = jid.resource ?? '';
  const text = (local === '' ? '' : local + '@') + jid.domain + (resource === '' ? '' : '/' + resource);
  const back = parseJid(text);
  if (back.local !== local || back.domain !== jid.domain.toLowerCase() || back.resource !== resource)
    throw new XmppMappingError('jid-malformed', `the parts do not form one JID: ${text}`, 'RFC 7622 3.1');
  return text;
}

/** The bare JID (`local@domain`): the resource dropped (RFC 6120 §1.4 "bare JID"). */
export function bareJid(jid: Jid): string {
  return (jid.local === '' ? '' : jid.local + '@') + jid.domain;
}

/**
 * A comparison key for a JID's bare form. Servers apply PRECIS UsernameCaseMapped to localparts
 * (RFC 7622 §3.3, RFC 8265 §3.3: case mapping then NFC), so `Alice\40irc…` and `alice\40irc…` name
 * the same puppet; store puppets under this key and keep the original URI as the value. This is the
 * case-mapping and normalisation step only, not a full PRECIS implementation.
 */
export function jidKey(jid: Jid): string {
  return bareJid({ ...jid, local: jid.local.normalize('NFC').toLowerCase() });
}

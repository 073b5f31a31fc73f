/**
 * The character-level grammar under im: and pres: URIs: RFC 2396 uric and percent-encoding,
 * the RFC 2822 addr-spec that `to = mailbox` names, and RFC 1035 host names.
 *
 * Kept apart from address.ts so the rules can be read next to the RFCs they come from; nothing
 * here knows about schemes or branded types.
 */
import { CodecError } from '../errors.js';
import type { Position } from '../errors.js';
import { decodeUtf8Strict } from './utf8.js';

/** Position of a character in a one-line input (addresses are never multi-line). */
export function linePosition(offset: number): Position {
  return { offset, line: 1, column: offset + 1 };
}

// RFC 2396 2.2 and 2.3: uric = reserved / unreserved / escaped. `%` is checked separately
// because it must start an escape.
const RESERVED = ';/?:@&=+$,';
const UNRESERVED_MARK = "-_.!~*'()";

function isAlphaNum(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

export function isUricChar(c: string): boolean {
  return isAlphaNum(c) || UNRESERVED_MARK.includes(c) || RESERVED.includes(c);
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

function describeChar(c: string): string {
  if (c === ' ') return 'SP';
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || cp > 0x7e) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${c}'`;
}

/**
 * Checks that `text` is `*uric` (RFC 2396 2.4.3 lists SP, `#`, `"`, `<`, `>`, `[`, `]` and others as
 * excluded), reporting the first offending character at `base + index`. `ruleName` names the
 * production (IM-URI / PRES-URI) for the fragment message.
 */
export function checkUric(text: string, base: number, ruleName: string, rule: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') {
      if (!isHex(text[i + 1]) || !isHex(text[i + 2])) {
        throw new CodecError(
          'malformed percent-encoding: "%" must be followed by two hex digits',
          'RFC 2396 2.4.1',
          linePosition(base + i),
        );
      }
      i += 2;
      continue;
    }
    if (isUricChar(c)) continue;
    if (c === '#')
      throw new CodecError(`a fragment is not part of ${ruleName}`, rule, linePosition(base + i));
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (c === '[' || c === ']') {
      throw new CodecError(
        `raw ${describeChar(c)} is not a uric character; domain literals are not supported (RFC 3861 resolves FQDNs only)`,
        'RFC 2396 2.4.3',
        linePosition(base + i),
      );
    }
    throw new CodecError(
      `raw ${describeChar(ch)} is not a uric character`,
      'RFC 2396 2.4.3',
      linePosition(base + i),
    );
  }
}

/**
 * Percent-decodes uric text (already checked by `checkUric`) and reads the octets as UTF-8.
 * RFC 3860 A.3 leaves non-ASCII to RFC 2822 extensions; we accept well-formed UTF-8 octets
 * (what RFC 3922 3.2 produces for XMPP addresses) and nothing else (RFC 3629).
 */
export function percentDecode(text: string, base: number): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  try {
    return decodeUtf8Strict(Uint8Array.from(bytes));
  } catch {
    throw new CodecError(
      'percent-encoded octets are not well-formed UTF-8',
      'RFC 3629 4',
      linePosition(base),
    );
  }
}

const utf8 = new TextEncoder();

/**
 * Percent-encodes every character of `value` outside alphanumerics and `safe`, as UTF-8 octets
 * with upper-case hex (RFC 2396 2.4.1 and 2.1). Upper case keeps the canonical form unique.
 */
export function percentEncode(value: string, safe: string): string {
  let out = '';
  for (const ch of value) {
    if (ch.length === 1 && ch < '\x80' && (isAlphaNum(ch) || safe.includes(ch))) {
      out += ch;
      continue;
    }
    for (const b of utf8.encode(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// RFC 2822 3.2.4: atext. Code points from U+0080 up are accepted as atext and qtext as RFC 6532
// 3.2 later allowed; RFC 3860 A.3 defers non-ASCII to such RFC 2822 extensions.
const ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

export function isAtext(ch: string): boolean {
  return isAlphaNum(ch) || ATEXT_SPECIALS.includes(ch) || (ch.codePointAt(0) ?? 0) >= 0x80;
}

/** C0 controls and DEL. RFC 2822 3.2.1 allows some in quoted-strings; we refuse all (see below). */
export function isControl(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return cp < 0x20 || cp === 0x7f;
}

/** True when `local` can be written as an RFC 2822 dot-atom (1*atext *("." 1*atext)). */
export function isDotAtom(local: string): boolean {
  if (local === '') return false;
  for (const atom of local.split('.')) {
    if (atom === '') return false;
    for (const ch of atom) if (!isAtext(ch)) return false;
  }
  return true;
}

/** The local part as RFC 2822 writes it: a dot-atom when possible, else a minimal quoted-string. */
export function localPartText(local: string): string {
  return isDotAtom(local) ? local : '"' + local.replace(/["\\]/g, '\\$&') + '"';
}

/**
 * Why `local` cannot be a local part, or null. Controls (including HTAB, CR and LF) are refused
 * although RFC 2822 3.2.5 lets NO-WS-CTL and folding white space into quoted-strings: Hudson §9 bans
 * CR/LF (docs/hub-protocol.md part 4 row 6), and no network we bridge can carry the others in a name.
 * Lone surrogates are refused because they have no UTF-8 form and could not round-trip.
 */
export function localPartProblem(local: string): string | null {
  if (local === '') return 'the local part is empty';
  if (/\p{Cs}/u.test(local)) return 'the local part contains a lone surrogate (not encodable as UTF-8)';
  for (const ch of local)
    if (isControl(ch)) return `control character ${describeChar(ch)} is not allowed in a local part`;
  return null;
}

/** The parsed addr-spec: the local part unquoted (its value, not its spelling) and the domain. */
export interface Mailbox {
  readonly local: string;
  readonly domain: string;
}

/** The whole code point (one or two UTF-16 units) starting at `i`, or undefined at the end. */
function codePointAt(text: string, i: number): string | undefined {
  const cp = text.codePointAt(i);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

const COMMA_LIST = 'comma lists are not allowed (RFC 3860 A.2: to = mailbox)';

/**
 * Reads `text` (the percent-decoded `to`) as one RFC 2822 addr-spec (3.4.1):
 * addr-spec = local-part "@" domain; local-part = dot-atom / quoted-string. Obsolete forms,
 * comments (CFWS) and name-addr display names are refused: an identifier must have one spelling
 * per value, and Hudson §9 excludes comments, groups and multiple addresses too.
 */
export function parseMailbox(text: string, rule: string): Mailbox {
  let i = 0;
  let local = '';
  if (text.startsWith('"')) {
    // RFC 2822 3.2.5: quoted-string = DQUOTE *(qcontent) DQUOTE, qcontent = qtext / quoted-pair.
    i = 1;
    for (;;) {
      const ch = codePointAt(text, i);
      if (ch === undefined)
        throw new CodecError('unterminated quoted-string in local part', 'RFC 2822 3.2.5');
      if (ch === '"') {
        i++;
        break;
      }
      if (ch === '\\') {
        const nch = codePointAt(text, i + 1);
        if (nch === undefined)
          throw new CodecError('unterminated quoted-pair in local part', 'RFC 2822 3.2.2');
        if (isControl(nch))
          throw new CodecError(
            `control character ${describeChar(nch)} is not allowed in a local part`,
            'RFC 2822 3.2.2',
          );
        local += nch;
        i += 1 + nch.length;
        continue;
      }
      if (isControl(ch))
        throw new CodecError(
          `control character ${describeChar(ch)} is not allowed in a local part`,
          'RFC 2822 3.2.5',
        );
      local += ch;
      i += ch.length;
    }
    if (local === '') throw new CodecError('the local part is empty', 'RFC 2822 3.4.1');
  } else {
    // RFC 2822 3.2.4: dot-atom-text = 1*atext *("." 1*atext).
    while (i < text.length) {
      const ch = codePointAt(text, i)!;
      if (ch === '@' || ch === ',') break;
      if (ch !== '.' && !isAtext(ch)) {
        if (ch === '<' || ch === '>')
          throw new CodecError('display names (name-addr) are not allowed; give a bare addr-spec', rule);
        if (ch === ' ')
          throw new CodecError('SP is only allowed inside a quoted local part', 'RFC 2822 3.2.4');
        if (isControl(ch))
          throw new CodecError(
            `control character ${describeChar(ch)} is not allowed in a local part`,
            'RFC 2822 3.2.4',
          );
        throw new CodecError(`${describeChar(ch)} is not atext; quote the local part`, 'RFC 2822 3.2.4');
      }
      local += ch;
      i += ch.length;
    }
    if (local === '')
      throw new CodecError(
        text[i] === ',' ? COMMA_LIST : 'the local part is empty',
        text[i] === ',' ? rule : 'RFC 2822 3.4.1',
      );
    if (!isDotAtom(local))
      throw new CodecError('a dot-atom may not start or end with "." or contain ".."', 'RFC 2822 3.2.4');
  }
  if (i >= text.length) throw new CodecError("mailbox needs '@' domain", 'RFC 2822 3.4.1');
  if (text[i] === ',') throw new CodecError(COMMA_LIST, rule);
  if (text[i] !== '@')
    throw new CodecError(
      `expected '@' after the local part, found ${describeChar(text[i]!)}`,
      'RFC 2822 3.4.1',
    );
  const rest = text.slice(i + 1);
  if (rest.includes(',')) throw new CodecError(COMMA_LIST, rule);
  return { local, domain: normalizeDomain(rest) };
}

/**
 * Checks a domain and returns it lower-cased. RFC 1035 2.3.1 host names (letters, digits, inner
 * hyphens; labels up to 63 octets, the name up to 253) as Hudson §9 writes them. Domain literals are
 * refused: RFC 3861 resolves FQDNs only. Non-ASCII must arrive as A-labels (RFC 5890).
 */
export function normalizeDomain(domain: string): string {
  const rule = 'RFC 1035 2.3.1';
  if (domain === '') throw new CodecError("mailbox needs '@' domain", 'RFC 2822 3.4.1');
  if (domain.startsWith('['))
    throw new CodecError('domain literals are not supported (RFC 3861 resolves FQDNs only)', 'RFC 3861 2');
  if (domain.includes('@'))
    throw new CodecError("more than one '@' outside a quoted local part", 'RFC 2822 3.4.1');
  if (domain.length > 253) throw new CodecError('domain is longer than 253 characters', rule);
  for (const label of domain.split('.')) {
    if (label === '') throw new CodecError('domain has an empty label', rule);
    if (label.length > 63) throw new CodecError('domain label is longer than 63 characters', rule);
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label)) {
      throw new CodecError(`domain label '${label}' must be letters, digits and inner hyphens`, rule);
    }
  }
  return domain.toLowerCase();
}

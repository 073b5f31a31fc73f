/**
 * Character classes and small grammars used by the Message/CPIM codec (RFC 3862 3.6),
 * plus the RFC 2396 absolute-URI and RFC 3066 Language-tag checks it refers to.
 * Everything here works on single octets or short strings in one pass (no regex backtracking).
 */

/**
 * RFC 3862 3.6: NAMECHAR = %x21 / %x23-27 / %x2a-2b / %x2d / %x5e-60 / %x7c / %x7e / ALPHA / DIGIT
 * (US-ASCII except ".", CTLs and SEPARATORS).
 */
const NAMECHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) NAMECHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) NAMECHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) NAMECHAR[c] = 1;
for (const c of [0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2d, 0x5e, 0x5f, 0x60, 0x7c, 0x7e])
  NAMECHAR[c] = 1;

export function isNameChar(code: number): boolean {
  return code < 128 && NAMECHAR[code] === 1;
}

/** RFC 3862 3.6: TOKENCHAR = NAMECHAR / "." / UCS-high (for strings: any code point above U+007F). */
export function isTokenChar(code: number): boolean {
  return code >= 0x80 || code === 0x2e || (code < 128 && NAMECHAR[code] === 1);
}

/** RFC 3862 3.6: Name = 1*NAMECHAR. */
export function isName(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

/** RFC 3862 3.6: Token = 1*TOKENCHAR. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/** RFC 3862 3.6: Number = 1*DIGIT. */
export function isNumber(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** RFC 3862 3.6: Header-name = [ Name-prefix "." ] Name. Returns null when `text` is not one. */
export function splitHeaderName(text: string): { prefix: string | null; name: string } | null {
  const dot = text.indexOf('.');
  if (dot < 0) return isName(text) ? { prefix: null, name: text } : null;
  const prefix = text.slice(0, dot);
  const name = text.slice(dot + 1);
  return isName(prefix) && isName(name) ? { prefix, name } : null;
}

/** RFC 2234 CTL as RFC 3862 2.2/2.3 use it: U+0000-U+001F and U+007F. */
export function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** How an octet or character is named in error messages: 'X' when printable ASCII, U+XXXX otherwise. */
export function describeChar(code: number): string {
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  if (code === 0x20) return 'SP';
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The octets of the ill-formed UTF-8 sequence starting at `at`, as upper-case hex ("C3 28"). */
export function describeBadUtf8(bytes: Uint8Array, at: number, end: number): string {
  const lead = bytes[at] ?? 0;
  const need =
    lead >= 0xc2 && lead <= 0xdf
      ? 1
      : lead >= 0xe0 && lead <= 0xef
        ? 2
        : lead >= 0xf0 && lead <= 0xf4
          ? 3
          : 0;
  const out = [hex2(lead)];
  for (let k = 1; k <= need && at + k < end; k++) {
    const b = bytes[at + k] ?? 0;
    out.push(hex2(b));
    if ((b & 0xc0) !== 0x80) break;
  }
  return out.join(' ');
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * RFC 3066 2.1: Language-Tag = Primary-subtag *( "-" Subtag ),
 * Primary-subtag = 1*8ALPHA, Subtag = 1*8(ALPHA / DIGIT).
 */
export function isLanguageTag(tag: string): boolean {
  let run = 0;
  let first = true;
  for (let i = 0; i <= tag.length; i++) {
    const c = i < tag.length ? tag.charCodeAt(i) : 0x2d;
    if (c === 0x2d) {
      if (run === 0 || run > 8) return false;
      run = 0;
      first = false;
      continue;
    }
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    const digit = c >= 0x30 && c <= 0x39;
    if (!alpha && !(digit && !first)) return false;
    run++;
  }
  return tag.length > 0;
}

/**
 * RFC 2396 3 uric = reserved / unreserved / escaped, plus "[" and "]" that RFC 2732 added for IPv6
 * literals. "#" is absent: absoluteURI has no fragment.
 */
const URIC = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) URIC[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) URIC[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) URIC[c] = 1;
for (const ch of ";/?:@&=+$,-_.!~*'()[]") URIC[ch.charCodeAt(0)] = 1;

/** RFC 2396 uric (plus "[" "]"), octet by octet: what `checkAbsoluteUri` allows after the scheme. */
export function isUriChar(code: number): boolean {
  return code < 128 && URIC[code] === 1;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * RFC 2396 3: absoluteURI = scheme ":" ( hier_part | opaque_part ), scheme = alpha *( alpha | digit | "+" | "-" | "." ).
 * RFC 3862 3.4 (NS) and 3.6 (From/To/cc) both ask for an absolute URI; 3.4 also forbids fragments.
 * Returns null when valid, else why not (completing the sentence "<label> '<uri>' ...").
 * The opaque part of a non-hierarchical URI must be non-empty (opaque_part = uric_no_slash *uric).
 */
export function checkAbsoluteUri(uri: string): string | null {
  const colon = uri.indexOf(':');
  let schemeOk = colon > 0;
  for (let i = 0; schemeOk && i < colon; i++) {
    const c = uri.charCodeAt(i);
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (i === 0 ? !alpha : !(alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e))
      schemeOk = false;
  }
  if (!schemeOk) {
    // A ':' after '/', '?' or '#' (or none at all) is a relative reference, not a bad scheme.
    const firstDelim = uri.search(/[/?#]/);
    if (colon < 0 || (firstDelim >= 0 && firstDelim < colon)) return 'is relative';
    return 'has an invalid scheme';
  }
  if (colon === uri.length - 1) return 'has nothing after the scheme';
  for (let i = colon + 1; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c === 0x23) return 'has a fragment';
    if (c === 0x25) {
      if (!isHex(uri.charCodeAt(i + 1)) || !isHex(uri.charCodeAt(i + 2)))
        return 'has a "%" not followed by two hex digits';
      i += 2;
      continue;
    }
    if (c >= 128 || URIC[c] !== 1) return `contains ${describeChar(c)}, which RFC 2396 does not allow`;
  }
  return null;
}

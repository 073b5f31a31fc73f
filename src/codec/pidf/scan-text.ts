/**
 * The character level of the common-shape PIDF scanner (scan-xml.ts, scan-pidf.ts; issue 18): the
 * XML declaration, white space, character data and attribute values with the five predefined
 * entities and character references, read from the decoded document string as saxes reads them
 * (XML 1.0 2.11 line ends, 3.3.3 attribute value normalisation, 2.2 Char). Anything else throws
 * HAND_OVER: the full parser then decides (see scan-xml.ts).
 */

/** Thrown to leave the document to the full parser (one object: a hand-over costs no stack trace). */
class HandOver extends Error {}
export const HAND_OVER: Error = new HandOver('not the common PIDF shape');

export const LT = 0x3c;
export const GT = 0x3e;
const AMP = 0x26;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const EQ = 0x3d;
export const DQ = 0x22;
export const SQ = 0x27;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SP = 0x20;

export function isS(c: number): boolean {
  return c === SP || c === LF || c === TAB || c === CR;
}

/** The name start characters of this subset: ASCII letters and "_" (others go to saxes). */
export function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

export function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/** XML 1.0 2.2 Char, for character references. */
function isChar(c: number): boolean {
  return (
    c === TAB ||
    c === LF ||
    c === CR ||
    (c >= SP && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/**
 * A reader over one decoded document. One instance serves every parse (the parse is synchronous
 * and reentrant nowhere); the per-tag arrays are reused.
/** A position in one decoded document, and the readers of its character-level productions. */
export class XmlCursor {
  s = '';
  i = 0;

  /**
   * `<?xml version="1.0" [encoding="…"] [standalone="yes|no"]?>` at offset 0. Returns the
   * declared encoding or null.
   */
  xmlDecl(): string | null {
    const s = this.s;
    if (!s.startsWith('<?xml', 0) || !isS(s.charCodeAt(5))) throw HAND_OVER;
    this.i = 5;
    if (this.declName() !== 'version' || this.declValue() !== '1.0') throw HAND_OVER;
    let name = this.declName();
    let encoding: string | null = null;
    if (name === 'encoding') {
      encoding = this.declValue();
      if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding)) throw HAND_OVER;
      name = this.declName();
    }
    if (name === 'standalone') {
      const v = this.declValue();
      if (v !== 'yes' && v !== 'no') throw HAND_OVER;
      name = this.declName();
    }
    if (name !== '' || s.charCodeAt(this.i) !== 0x3f || s.charCodeAt(this.i + 1) !== GT) throw HAND_OVER;
    this.i += 2;
    return encoding;
  }

  /** White space, then a pseudo-attribute name ("" when none follows). */
  private declName(): string {
    const s = this.s;
    const start = this.i;
    while (isS(s.charCodeAt(this.i))) this.i++;
    const at = this.i;
    while (isNameStart(s.charCodeAt(this.i))) this.i++;
    if (this.i > at && at === start) throw HAND_OVER; // no white space before it
    return s.slice(at, this.i);
  }

  private declValue(): string {
    const s = this.s;
    while (isS(s.charCodeAt(this.i))) this.i++;
    if (s.charCodeAt(this.i++) !== EQ) throw HAND_OVER;
    while (isS(s.charCodeAt(this.i))) this.i++;
    const q = s.charCodeAt(this.i++);
    if (q !== DQ && q !== SQ) throw HAND_OVER;
    const end = s.indexOf(q === DQ ? '"' : "'", this.i);
    if (end < 0) throw HAND_OVER;
    const v = s.slice(this.i, end);
    this.i = end + 1;
    return v;
  }

  /** White space up to the next "<" (the end of input is refused: the root is not closed). */
  space(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === LT) break;
      if (!isS(c)) throw HAND_OVER; // text, an entity, or the end (NaN)
      i++;
    }
    this.i = i;
  }

  /** White space up to the end of the document (after the root). */
  trailingSpace(): void {
    const s = this.s;
    while (this.i < s.length) if (!isS(s.charCodeAt(this.i++))) throw HAND_OVER;
  }

  /**
   * Character data up to the next "<", as saxes reports it: CR LF and lone CR become LF, the
   * predefined entities and character references are replaced. "" when there is none.
   */
  text(): string {
    const s = this.s;
    let i = this.i;
    let from = i;
    let out = '';
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === LT) break;
      if (c >= SP && c < 0xd800) {
        if (c === AMP) {
          out += s.slice(from, i);
          out += this.reference(i);
          i = this.i;
          from = i;
          continue;
        }
        // "]]>" is not allowed in character data; any "]>" is left to saxes.
        if (c === GT && s.charCodeAt(i - 1) === 0x5d) throw HAND_OVER;
        i++;
        continue;
      }
      if (c === LF || c === TAB) {
        i++;
        continue;
      }
      if (c === CR) {
        out += s.slice(from, i);
        out += '\n';
        i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        from = i;
        continue;
      }
      i = this.wide(c, i); // the end of input (NaN) and control characters throw
    }
    this.i = i;
    return out === '' ? s.slice(from, i) : out + s.slice(from, i);
  }

  /** A character at or above U+D800 at `i`: a surrogate pair or a BMP Char; the next index. */
  private wide(c: number, i: number): number {
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = this.s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
      throw HAND_OVER;
    }
    if (c >= 0xe000 && c <= 0xfffd) return i + 1;
    throw HAND_OVER;
  }

  /** The reference starting with "&" at `amp`: its replacement text; `this.i` after the ";". */
  private reference(amp: number): string {
    const s = this.s;
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 10) throw HAND_OVER;
    this.i = semi + 1;
    if (s.charCodeAt(amp + 1) === 0x23) {
      // saxes: "#x" (lower-case x) and hex digits, or "#" and decimal digits; the code a Char.
      // By hand, not by regular expression: the builder escapes every CR of a note as "&#13;".
      let k = amp + 2;
      const hex = s.charCodeAt(k) === 0x78;
      if (hex) k++;
      if (k === semi) throw HAND_OVER;
      let code = 0;
      for (; k < semi; k++) {
        const d = s.charCodeAt(k);
        const l = d | 0x20;
        if (d >= 0x30 && d <= 0x39) code = code * (hex ? 16 : 10) + (d - 0x30);
        else if (hex && l >= 0x61 && l <= 0x66) code = code * 16 + (l - 0x57);
        else throw HAND_OVER;
      }
      if (!isChar(code)) throw HAND_OVER;
      return String.fromCodePoint(code);
    }
    switch (s.slice(amp + 1, semi)) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    throw HAND_OVER;
  }

  /** An attribute value after its opening quote `q`, normalised as XML 1.0 3.3.3 says. */
  protected attrValue(q: number): string {
    const s = this.s;
    let i = this.i;
    let from = i;
    let out = '';
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === q) break;
      if (c >= SP && c < 0xd800) {
        if (c === LT) throw HAND_OVER;
        if (c === AMP) {
          out += s.slice(from, i);
          out += this.reference(i);
          i = this.i;
          from = i;
          continue;
        }
        i++;
        continue;
      }
      if (c === LF || c === TAB || c === CR) {
        out += s.slice(from, i);
        out += ' ';
        i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
        from = i;
        continue;
      }
      i = this.wide(c, i);
    }
    this.i = i + 1;
    return out + s.slice(from, i);
  }
}

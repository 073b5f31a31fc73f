/**
 * The XML layer of the common-shape PIDF scanner (scan-pidf.ts, issue 18): start and end tags,
 * text, the five predefined entities and character references, namespace scopes, all read
 * straight from the decoded document string. It accepts a strict subset of what saxes accepts
 * and, for that subset, yields what saxes yields (names, namespace URIs, attribute values after
 * normalisation, text after line-end normalisation; parse-scan.test.ts compares the two).
 *
 * Anything outside the subset throws HAND_OVER, and the caller runs the full parser (parse.ts)
 * on the same input, which also names every fault: a DOCTYPE, comments, CDATA sections,
 * processing instructions other than a plain XML declaration, any entity other than the five
 * predefined ones and numeric references, non-ASCII names, every well-formedness or namespace
 * error. So DTDs stay refused and every rejection stays as it was.
 */

import {
  COLON,
  DQ,
  EQ,
  GT,
  HAND_OVER,
  SLASH,
  SQ,
  XmlCursor,
  isNameChar,
  isNameStart,
  isS,
} from './scan-text.js';
import { XML_NS, type XmlAttribute } from './types.js';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * A reader of tags over one decoded document. One instance serves every parse (the parse is
 * synchronous and reentrant nowhere); the per-tag arrays are reused.
 */
/**
 * The common shape has a handful of attributes and namespace declarations per element; the
 * duplicate-attribute check and the prefix lookups below are linear scans, so an element past
 * these counts goes to saxes instead (which checks duplicates by a map) rather than costing the
 * scanner time quadratic in a hostile document's attributes (issue 18 review: 9,000 attributes,
 * 80 KB, took 165 ms here against 6 ms in saxes).
 */
const SCAN_MAX_ATTRIBUTES = 32;
const SCAN_MAX_BINDINGS = 64;

export class XmlScanner extends XmlCursor {
  /** Namespace bindings in scope, innermost last ("" is the default namespace). */
  private nsPrefix: string[] = [];
  private nsUri: string[] = [];
  private nsTop = 0;

  // The start tag just read.
  nameStart = 0;
  nameEnd = 0;
  /** Local name (a shared constant for the PIDF names, see `localName`). */
  local = '';
  /** Namespace URI, "" for none (as saxes gives it). */
  uri = '';
  empty = false;
  attrCount = 0;
  private aPrefix: string[] = [];
  private aLocal: string[] = [];
  private aUri: string[] = [];
  private aValue: string[] = [];

  begin(s: string): void {
    this.s = s;
    this.i = 0;
    this.nsTop = 0;
  }

  /** Drops every reference into the last document. */
  end(): void {
    this.s = '';
    this.aValue.fill('');
    this.aLocal.fill('');
    this.nsUri.fill('');
    this.attrCount = 0;
    this.nsTop = 0;
    this.local = '';
    this.uri = '';
  }

  /** At "</"? (the caller is at a "<") */
  atEndTag(): boolean {
    return this.s.charCodeAt(this.i + 1) === SLASH;
  }

  /** `</name S? >` closing the element whose name is at [nameStart, nameEnd). */
  endTag(nameStart: number, nameEnd: number): void {
    const s = this.s;
    let i = this.i + 2;
    const len = nameEnd - nameStart;
    for (let k = 0; k < len; k++) if (s.charCodeAt(i + k) !== s.charCodeAt(nameStart + k)) throw HAND_OVER;
    i += len;
    while (isS(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== GT) throw HAND_OVER; // a longer name, or not well-formed
    this.i = i + 1;
  }

  /** A QName at `this.i`: returns the prefix ("" for none) and leaves the local name's start in `localAt`. */
  private localAt = 0;
  private qnameAt = 0;
  private qname(): string {
    const s = this.s;
    const start = this.i;
    this.qnameAt = start;
    if (!isNameStart(s.charCodeAt(start))) throw HAND_OVER;
    let i = start + 1;
    let colon = -1;
    for (;;) {
      const c = s.charCodeAt(i);
      if (isNameChar(c)) i++;
      else if (c === COLON && colon < 0 && isNameStart(s.charCodeAt(i + 1))) colon = i++;
      else break;
    }
    const next = s.charCodeAt(i);
    if (!isS(next) && next !== GT && next !== SLASH && next !== EQ) throw HAND_OVER;
    this.i = i;
    this.localAt = colon < 0 ? start : colon + 1;
    return colon < 0 ? '' : s.slice(start, colon);
  }

  /**
   * The start tag at `this.i` (a "<" not followed by "/"). Resolves its namespaces; returns the
   * scope depth to restore once the element is closed (`leave`).
   */
  startTag(): number {
    const s = this.s;
    const saved = this.nsTop;
    this.i++;
    const prefix = this.qname();
    this.nameStart = this.qnameAt;
    this.nameEnd = this.i;
    const local = localName(s, this.localAt, this.i);
    let n = 0;
    for (;;) {
      const sawSpace = isS(s.charCodeAt(this.i));
      while (isS(s.charCodeAt(this.i))) this.i++;
      const c = s.charCodeAt(this.i);
      if (c === GT) {
        this.empty = false;
        this.i++;
        break;
      }
      if (c === SLASH && s.charCodeAt(this.i + 1) === GT) {
        this.empty = true;
        this.i += 2;
        break;
      }
      if (!sawSpace || n === SCAN_MAX_ATTRIBUTES) throw HAND_OVER;
      const ap = this.qname();
      const al = s.slice(this.localAt, this.i);
      while (isS(s.charCodeAt(this.i))) this.i++;
      if (s.charCodeAt(this.i++) !== EQ) throw HAND_OVER;
      while (isS(s.charCodeAt(this.i))) this.i++;
      const q = s.charCodeAt(this.i++);
      if (q !== DQ && q !== SQ) throw HAND_OVER;
      const value = this.attrValue(q);
      if (ap === 'xmlns') this.bind(al, value.trim());
      else if (ap === '' && al === 'xmlns') this.bind('', value.trim());
      this.aPrefix[n] = ap;
      this.aLocal[n] = al;
      this.aValue[n] = value;
      n++;
    }
    this.attrCount = n;
    this.local = local;
    this.uri = this.elementUri(prefix);
    for (let k = 0; k < n; k++) {
      const ap = this.aPrefix[k]!;
      const uri =
        ap === ''
          ? this.aLocal[k] === 'xmlns'
            ? XMLNS_NS
            : ''
          : ap === 'xml'
            ? XML_NS
            : ap === 'xmlns'
              ? XMLNS_NS
              : this.resolve(ap);
      // Namespaces in XML 1.0 6.3: no two attributes with the same expanded name.
      for (let j = 0; j < k; j++) {
        if (this.aLocal[j] === this.aLocal[k] && this.aUri[j] === uri) throw HAND_OVER;
      }
      this.aUri[k] = uri;
    }
    return saved;
  }

  /** Closes the scope of an element's namespace declarations. */
  leave(saved: number): void {
    this.nsTop = saved;
  }

  private bind(prefix: string, uri: string): void {
    // saxes refuses these (Namespaces in XML 1.0 3); the reserved prefixes go to it as well.
    if (prefix === 'xml' || prefix === 'xmlns' || uri === XML_NS || uri === XMLNS_NS) throw HAND_OVER;
    if (prefix !== '' && uri === '') throw HAND_OVER;
    if (this.nsTop === SCAN_MAX_BINDINGS) throw HAND_OVER;
    this.nsPrefix[this.nsTop] = prefix;
    this.nsUri[this.nsTop] = uri;
    this.nsTop++;
  }

  private resolve(prefix: string): string {
    for (let k = this.nsTop - 1; k >= 0; k--) if (this.nsPrefix[k] === prefix) return this.nsUri[k]!;
    throw HAND_OVER; // unbound
  }

  private elementUri(prefix: string): string {
    if (prefix === '') {
      for (let k = this.nsTop - 1; k >= 0; k--) if (this.nsPrefix[k] === '') return this.nsUri[k]!;
      return '';
    }
    if (prefix === 'xml' || prefix === 'xmlns') throw HAND_OVER;
    return this.resolve(prefix);
  }

  /** The value of the unprefixed attribute `local` (no namespace), or undefined. */
  plain(local: string): string | undefined {
    for (let k = 0; k < this.attrCount; k++) {
      if (this.aPrefix[k] === '' && this.aLocal[k] === local) return this.aValue[k];
    }
    return undefined;
  }

  /** The value of the attribute {uri}local, or undefined. */
  qualified(uri: string, local: string): string | undefined {
    for (let k = 0; k < this.attrCount; k++) {
      if (this.aUri[k] === uri && this.aLocal[k] === local && this.aPrefix[k] !== '') return this.aValue[k];
    }
    return undefined;
  }

  /** An extension element's attributes, namespace declarations left out (as validate.ts does). */
  extAttributes(): XmlAttribute[] {
    const out: XmlAttribute[] = [];
    for (let k = 0; k < this.attrCount; k++) {
      const p = this.aPrefix[k]!;
      if (p === 'xmlns' || (p === '' && this.aLocal[k] === 'xmlns')) continue;
      const uri = this.aUri[k]!;
      out.push({ ns: uri === '' ? null : uri, name: this.aLocal[k]!, value: this.aValue[k]! });
    }
    return out;
  }
}

/**
 * The local name at [a, b): one of the PIDF names as its constant (no new string; later
 * comparisons are identity checks), or a slice. By length and first letter, then the rest:
 * issue 18 measured a loop of `startsWith` calls here at a fifth of a large document's scan.
 */
function localName(s: string, a: number, b: number): string {
  const c = s.charCodeAt(a);
  let name: string | null = null;
  switch (b - a) {
    case 4:
      name = c === 0x6e ? 'note' : null;
      break;
    case 5:
      name = c === 0x74 ? 'tuple' : c === 0x62 ? 'basic' : null;
      break;
    case 6:
      name = c === 0x73 ? 'status' : null;
      break;
    case 7:
      name = c === 0x63 ? 'contact' : null;
      break;
    case 8:
      name = c === 0x70 ? 'presence' : null;
      break;
    case 9:
      name = c === 0x74 ? 'timestamp' : null;
      break;
  }
  if (name !== null) {
    let k = 1;
    while (k < name.length && s.charCodeAt(a + k) === name.charCodeAt(k)) k++;
    if (k === name.length) return name;
  }
  return s.slice(a, b);
}

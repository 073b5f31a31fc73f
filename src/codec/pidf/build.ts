/**
 * Builds the PIDF documents the gateway issues (RFC 3863), with the XML declaration,
 * UTF-8, escaping, and re-emission of kept extension elements under fresh prefixes.
 * Everything the builder writes parses back to the same document (see pidf.test.ts).
 */
import { CodecError } from '../../errors.js';
import { checkDateTime } from '../../model/datetime.js';
import { PIDF_NS, XML_NS, isAbsoluteUri, isQvalue } from './types.js';
import type { PidfBuildInput, PidfNote, PidfTupleInput, XmlElement } from './types.js';

// XML 1.0 2.2 Char: what may appear in a document at all (even as a character reference).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// XML Namespaces NCName, used for extension element and attribute names.
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\u00B7-]*$/u;

function checkChars(text: string, what: string): void {
  const m = NOT_XML_CHAR.exec(text);
  if (m) {
    const cp = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new CodecError(`${what} contains U+${cp}, which XML cannot carry`, 'XML 1.0 2.2');
  }
}

function escapeText(text: string, what: string): string {
  checkChars(text, what);
  // ">" is escaped so that "]]>" never appears; CR as a reference so it is not normalised away.
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttr(text: string, what: string): string {
  checkChars(text, what);
  // XML 1.0 3.3.3: literal TAB/LF/CR in attribute values are normalised to spaces on input.
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function normNs(ns: string | null): string | null {
  return ns === null || ns === '' ? null : ns;
}

/** Prefix allocation for the extension namespaces, declared once on the root element. */
class Prefixes {
  private readonly map = new Map<string, string>();
  pidfPrefixUsed = false;

  collect(el: XmlElement): void {
    this.add(normNs(el.ns));
    for (const a of el.attributes) this.add(normNs(a.ns));
    for (const c of el.children) if (typeof c !== 'string') this.collect(c);
  }

  private add(ns: string | null): void {
    if (ns === null || ns === XML_NS) return;
    if (ns === PIDF_NS) {
      this.pidfPrefixUsed = true;
      return;
    }
    if (!this.map.has(ns)) this.map.set(ns, `ns${this.map.size + 1}`);
  }

  prefixOf(ns: string): string {
    if (ns === PIDF_NS) return 'pidf';
    if (ns === XML_NS) return 'xml';
    return this.map.get(ns)!;
  }

  declarations(): string {
    let out = this.pidfPrefixUsed ? ` xmlns:pidf="${PIDF_NS}"` : '';
    for (const [ns, p] of this.map) out += ` xmlns:${p}="${escapeAttr(ns, 'namespace URI')}"`;
    return out;
  }
}

function emitElement(el: XmlElement, prefixes: Prefixes, defaultNs: string | null): string {
  if (!NCNAME.test(el.name))
    throw new CodecError(`extension element name "${el.name}" is not an NCName`, 'XML Namespaces 3');
  const ns = normNs(el.ns);
  if (ns === XML_NS)
    throw new CodecError('extension elements cannot be in the xml namespace', 'XML Namespaces 3');
  let qname: string;
  let decl = '';
  let innerDefault = defaultNs;
  if (ns === null) {
    qname = el.name;
    // An unqualified element under the PIDF default namespace needs the default undeclared.
    if (defaultNs !== null) {
      decl = ' xmlns=""';
      innerDefault = null;
    }
  } else {
    qname = `${prefixes.prefixOf(ns)}:${el.name}`;
  }
  const seen = new Set<string>();
  let attrs = '';
  for (const a of el.attributes) {
    if (!NCNAME.test(a.name))
      throw new CodecError(`attribute name "${a.name}" is not an NCName`, 'XML Namespaces 3');
    const ans = normNs(a.ns);
    if (ans === null && a.name === 'xmlns')
      throw new CodecError('"xmlns" is not an attribute', 'XML Namespaces 3');
    const key = `{${ans ?? ''}}${a.name}`;
    if (seen.has(key)) throw new CodecError(`duplicate attribute ${key} on <${el.name}>`, 'XML 1.0 3.1');
    seen.add(key);
    const aq = ans === null ? a.name : `${prefixes.prefixOf(ans)}:${a.name}`;
    attrs += ` ${aq}="${escapeAttr(a.value, `attribute ${a.name}`)}"`;
  }
  if (el.children.length === 0) return `<${qname}${decl}${attrs}/>`;
  let body = '';
  for (const c of el.children) {
    body +=
      typeof c === 'string' ? escapeText(c, `text of <${el.name}>`) : emitElement(c, prefixes, innerDefault);
  }
  return `<${qname}${decl}${attrs}>${body}</${qname}>`;
}

function emitNote(note: PidfNote): string {
  const lang = note.lang === null ? '' : ` xml:lang="${escapeAttr(note.lang, 'xml:lang')}"`;
  return `<note${lang}>${escapeText(note.text, 'note')}</note>`;
}

function formatQvalue(q: number): string {
  // Three decimals at most (RFC 3863 4.4 qvalue); trailing zeros dropped ("0.8", "1").
  return String(Number(q.toFixed(3)));
}

function emitTuple(t: PidfTupleInput, prefixes: Prefixes): string {
  const statusExt = t.statusExtensions ?? [];
  // RFC 3863 4.1.3: <status> needs at least one child.
  if (t.basic === null && statusExt.length === 0) {
    throw new CodecError(`tuple "${t.id}": status needs basic or an extension`, 'RFC 3863 4.1.3');
  }
  if (t.basic !== null && t.basic !== 'open' && t.basic !== 'closed') {
    throw new CodecError(`tuple "${t.id}": basic must be "open" or "closed"`, 'RFC 3863 4.1.4');
  }
  let out = ` <tuple id="${escapeAttr(t.id, 'tuple id')}">\n  <status>`;
  if (t.basic !== null) out += `<basic>${t.basic}</basic>`;
  for (const e of statusExt) out += emitElement(e, prefixes, PIDF_NS);
  out += '</status>\n';
  for (const e of t.extensions ?? []) out += `  ${emitElement(e, prefixes, PIDF_NS)}\n`;
  const contact = t.contact ?? null;
  if (contact !== null) {
    const uri = typeof contact === 'string' ? contact : contact.uri;
    const priority = typeof contact === 'string' ? (t.priority ?? null) : contact.priority;
    if (!isAbsoluteUri(uri))
      throw new CodecError(`tuple "${t.id}": contact "${uri}" is not an absolute URI`, 'RFC 3863 4.1.5');
    let prio = '';
    if (priority !== null) {
      if (!isQvalue(priority)) {
        throw new CodecError(
          `tuple "${t.id}": priority ${priority} is not 0..1 with at most 3 decimals`,
          'RFC 3863 4.1.5',
        );
      }
      prio = ` priority="${formatQvalue(priority)}"`;
    }
    out += `  <contact${prio}>${escapeText(uri, 'contact')}</contact>\n`;
  }
  for (const n of t.notes ?? []) out += `  ${emitNote(n)}\n`;
  const ts = t.timestamp ?? null;
  if (ts !== null) {
    const bad = checkDateTime(ts, { upperCaseOnly: true });
    if (bad !== null) throw new CodecError(`tuple "${t.id}": timestamp ${bad}`, 'RFC 3863 4.1.7');
    out += `  <timestamp>${ts}</timestamp>\n`;
  }
  return `${out} </tuple>\n`;
}

/**
 * Serialises a PIDF document. Throws a CodecError for input that would make an invalid
 * document, including a document without tuples: RFC 3922 6.3 forbids a gateway to emit
 * zero-tuple PIDF (checklist row 58).
 */
export function buildPidf(input: PidfBuildInput): string {
  if (input.tuples.length === 0) {
    throw new CodecError('a gateway must not emit a PIDF document without tuples', 'RFC 3922 6.3');
  }
  if (!isAbsoluteUri(input.entity)) {
    throw new CodecError(`entity "${input.entity}" is not an absolute URI`, 'RFC 3863 4.1.1');
  }
  const ids = new Set<string>();
  for (const t of input.tuples) {
    if (t.id === '') throw new CodecError('tuple id must not be empty', 'RFC 3863 4.1.2');
    if (ids.has(t.id)) throw new CodecError(`duplicate tuple id "${t.id}"`, 'RFC 3863 4.1.2');
    ids.add(t.id);
  }
  const prefixes = new Prefixes();
  for (const t of input.tuples) {
    for (const e of t.statusExtensions ?? []) prefixes.collect(e);
    for (const e of t.extensions ?? []) prefixes.collect(e);
  }
  for (const e of input.extensions ?? []) prefixes.collect(e);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<presence xmlns="${PIDF_NS}"${prefixes.declarations()} entity="${escapeAttr(input.entity, 'entity')}">\n`;
  for (const t of input.tuples) out += emitTuple(t, prefixes);
  for (const n of input.notes ?? []) out += ` ${emitNote(n)}\n`;
  for (const e of input.extensions ?? []) out += ` ${emitElement(e, prefixes, PIDF_NS)}\n`;
  out += '</presence>\n';
  return out;
}

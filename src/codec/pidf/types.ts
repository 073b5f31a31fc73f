/**
 * The PIDF data model (RFC 3863) shared by the parser, the builder and the inspector.
 *
 * A parsed document keeps every extension element it could not interpret as a structured
 * XML tree (namespace-qualified names, attributes, text), so a relay can re-emit it and an
 * application that does understand a namespace can still read it (RFC 3863 4.2.3: unknown
 * elements are ignored by the processor, not deleted from the information).
 */
import type { CodecWarning } from '../../errors.js';

/** RFC 3863 4.2.2 / 5.2: the registered namespace (no trailing colon, see docs/cpim.md 2.5). */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
/** Namespace of `xml:lang` (Namespaces in XML 1.0, section 3). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** RFC 3863 4.1.4: the only two values of `<basic>`. */
export type Basic = 'open' | 'closed';

/** An attribute of an extension element; `ns` is null for an unprefixed attribute. */
export interface XmlAttribute {
  readonly ns: string | null;
  readonly name: string;
  readonly value: string;
}

/** An extension element kept as a tree. Text children are strings (adjacent text merged). */
export interface XmlElement {
  readonly ns: string | null;
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlChild[];
}
export type XmlChild = XmlElement | string;

/** RFC 3863 4.1.6: free text with an optional language tag. */
export interface PidfNote {
  readonly lang: string | null;
  readonly text: string;
}

/** RFC 3863 4.1.5: contact URI (white space trimmed) and priority (null = absent or ignored). */
export interface PidfContact {
  readonly uri: string;
  readonly priority: number | null;
}

export interface PidfTuple {
  readonly id: string;
  readonly basic: Basic | null;
  /** Non-PIDF children of `<status>`, in document order. */
  readonly statusExtensions: readonly XmlElement[];
  /** Non-PIDF children of `<tuple>` (what a plain RFC 3863 processor ignores). */
  readonly extensions: readonly XmlElement[];
  readonly contact: PidfContact | null;
  readonly notes: readonly PidfNote[];
  /** RFC 3339 date-time with upper-case T/Z, as written (or normalised in lenient mode). */
  readonly timestamp: string | null;
}

export interface PidfDocument {
  readonly entity: string;
  readonly tuples: readonly PidfTuple[];
  /** Presence-level `<note>` elements. */
  readonly notes: readonly PidfNote[];
  /** Presence-level elements from other namespaces (e.g. RFC 4479 `<dm:person>`). */
  readonly extensions: readonly XmlElement[];
}

/** A rule a sender broke that still leaves the document usable. */
export type PidfWarning = CodecWarning;

export interface PidfParseOptions {
  /**
   * Tolerate what docs/cpim.md's vectors list under `lenient`: no XML declaration, `OPEN`/`CLOSED`,
   * lower-case `t`/`z` in timestamps, children out of schema order, stray text in containers.
   */
  readonly lenient?: boolean;
  /** The MIME `charset` parameter, which overrides the XML declaration (RFC 3863 7, RFC 3023). */
  readonly charset?: string;
  /**
   * Deepest element nesting accepted (default `PIDF_MAX_DEPTH`). PIDF itself needs five levels
   * (presence, tuple, status, basic, and an extension); extensions may nest, but not without end.
   */
  readonly maxDepth?: number;
}

/**
 * Default nesting limit of the PIDF parser (issue 13 hardening). Found by fuzzing: saxes resolves
 * namespaces in time proportional to the depth, so 20,000 nested elements (100 KB) took seconds.
 */
export const PIDF_MAX_DEPTH = 64;

export interface PidfParseResult {
  readonly document: PidfDocument;
  /** Non-empty means `accept-with-warning`. */
  readonly warnings: readonly PidfWarning[];
  /** Deviations tolerated only because of lenient mode that the vectors class as plain `accept`. */
  readonly notices: readonly PidfWarning[];
}

/** Input to `buildPidf`; a parsed `PidfTuple` is also a valid input. */
export interface PidfTupleInput {
  readonly id: string;
  readonly basic: Basic | null;
  /** A URI, or a parsed contact (then `priority` below is ignored). */
  readonly contact?: string | PidfContact | null;
  readonly priority?: number | null;
  readonly notes?: readonly PidfNote[];
  readonly timestamp?: string | null;
  readonly statusExtensions?: readonly XmlElement[];
  readonly extensions?: readonly XmlElement[];
}

export interface PidfBuildInput {
  readonly entity: string;
  readonly tuples: readonly PidfTupleInput[];
  readonly notes?: readonly PidfNote[];
  readonly extensions?: readonly XmlElement[];
}

// RFC 3863 4.4 schema type qvalue: "0(.[0-9]{0,3})?" and "1(.0{0,3})?". The schema leaves
// the "." unescaped (so it matches any character); the intent is a decimal point.
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** RFC 3863 4.1.5: the priority as a number, or null when it is not a valid qvalue. */
export function parseQvalue(text: string): number | null {
  // qvalue derives from xs:decimal, whose white space facet is "collapse".
  const t = text.trim();
  return QVALUE.test(t) ? Number(t) : null;
}

/** True when `value` is representable as a qvalue (0..1, at most three decimals). */
export function isQvalue(value: number): boolean {
  return (
    Number.isFinite(value) &&
    value >= 0 &&
    value <= 1 &&
    Math.abs(Math.round(value * 1000) - value * 1000) < 1e-9
  );
}

// RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":".
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/;

/** True when `text` looks like an absolute URI (scheme, colon, no characters URIs never hold). */
export function isAbsoluteUri(text: string): boolean {
  return ABSOLUTE_URI.test(text);
}

// XML Namespaces NCName (xs:ID): a Name without colons. Approximated with Unicode classes.
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\u00B7-]*$/u;

/** True when `id` is a schema-valid tuple id (xs:ID, i.e. an NCName). */
export function isNcName(id: string): boolean {
  return NCNAME.test(id);
}

/**
 * RFC 3863 6 (security): a watcher SHOULD ignore presence older than what it already has
 * (checklist row 53), and 4.1.7 forbids repeating a timestamp in successive documents.
 * Compares the newest tuple timestamp of each document; a document without timestamps
 * cannot be proven outdated, so it counts as newer.
 */
export function isNewer(prev: PidfDocument | null, next: PidfDocument): boolean {
  if (prev === null) return true;
  const a = newestTimestamp(prev);
  const b = newestTimestamp(next);
  if (a === null || b === null) return true;
  return b > a;
}

/** Milliseconds since the epoch of the newest tuple timestamp, or null when there is none. */
export function newestTimestamp(doc: PidfDocument): number | null {
  let best: number | null = null;
  for (const t of doc.tuples) {
    if (t.timestamp === null) continue;
    const ms = timestampMillis(t.timestamp);
    if (ms !== null && (best === null || ms > best)) best = ms;
  }
  return best;
}

/** RFC 3339 date-time to epoch milliseconds (fractions beyond milliseconds are truncated). */
export function timestampMillis(text: string): number | null {
  // Date.parse handles RFC 3339 but not a leap second; clamp second 60 to 59.999.
  const leap = /:60(\.\d+)?(?=[Zz+-])/.test(text);
  const ms = Date.parse(leap ? text.replace(/:60(\.\d+)?(?=[Zz+-])/, ':59.999') : text);
  return Number.isNaN(ms) ? null : ms;
}

/** True when the element carries `pidf:mustUnderstand="true"` or `"1"` (RFC 3863 4.2.3). */
export function hasMustUnderstand(el: XmlElement): boolean {
  return el.attributes.some(
    (a) =>
      a.ns === PIDF_NS &&
      a.name === 'mustUnderstand' &&
      (a.value.trim() === 'true' || a.value.trim() === '1'),
  );
}

/** Which (namespace, element) pairs the application understands. */
export type Understands = (ns: string | null, name: string) => boolean;

/**
 * RFC 3863 4.2.3: an extension is usable only if the application understands it and every
 * descendant marked mustUnderstand is itself usable; one marked element that is not
 * understood makes the enclosing extension unusable as a whole. Unmarked descendants that
 * are not understood are simply ignored. (With no extension understood, as in a plain
 * RFC 3863 processor, every extension is ignored and mustUnderstand changes nothing.)
 */
export function isExtensionUsable(el: XmlElement, understands: Understands): boolean {
  if (!understands(el.ns, el.name)) return false;
  for (const child of el.children) {
    if (typeof child === 'string') continue;
    if (hasMustUnderstand(child) && !isExtensionUsable(child, understands)) return false;
  }
  return true;
}

/** The direct text children of an element, concatenated and trimmed (the vectors' `text`). */
export function directText(el: XmlElement): string {
  return el.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
}

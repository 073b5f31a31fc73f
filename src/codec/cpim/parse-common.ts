/**
 * The common Message/CPIM object, parsed in two short passes (octets, then one string for all
 * the header text) with few allocations (issue 18: a chat line in about 1 µs). "Common" means:
 * every header line is printable US-ASCII (no HTAB, no octet above 0x7E) ended by CRLF (RFC 3862 2.2), MIME headers are not folded (RFC 5322 2.2.3)
 * and carry no Content-Transfer-Encoding (RFC 3862 7.1), CPIM headers have no parameters,
 * no namespace prefix, no backslash (2.3) and are core headers other than NS and Require
 * (4.1-4.5) or unknown core names (2.2), with at most one From and one DateTime (cpim-30), and
 * nothing gives a warning.
 *
 * Anything else returns null and the caller runs the full parser (parse.ts), which also reports
 * every fault with its rule and position: this path only accepts, so it can never reject
 * differently. For what it accepts, its result equals the full parser's field for field
 * (parse-common.test.ts checks both on generated messages).
 */
import type { Buffer } from 'node:buffer';
import { mediaType } from './mime.js';
import { CpimHeaderLine, MimeHeaderLines, ParsedCpimMessage } from './parts.js';
import { isAbsoluteUriAt, isDateTimeAt, tokenEnd } from './octets.js';
import { isNameChar } from './syntax.js';
import {
  CORE_NAMESPACE,
  type CpimAddress,
  type CpimHeader,
  type CpimHeaderKind,
  type CpimMessage,
  type CpimParam,
  type CpimParseOptions,
  type CpimParseResult,
  type CpimSubject,
  type MimeHeader,
} from './types.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const DQUOTE = 0x22;
const LT = 0x3c;
const GT = 0x3e;

/** No CPIM header on this path has parameters: one shared, frozen, empty list. */
const NO_PARAMS: readonly CpimParam[] = Object.freeze([]);

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** The octets [0, end) as a string, one character per octet (they are all ASCII here). */
function latin1(bytes: Latin1Buffer, end: number): string {
  return bytes.latin1Slice !== undefined ? bytes.latin1Slice(0, end) : bytes.toString('latin1', 0, end);
}

/**
 * Offsets of the CR of each header line found by `blockEnd` (pass 1), read by pass 2: no string
 * search per line. A message with more header lines than this goes to the full parser. The
 * parse is synchronous and calls nothing that parses, so one table serves every call.
 */
const LINE_ENDS = new Int32Array(64);
let lineCount = 0;

/**
 * Offset of the blank line that ends the header block starting at `pos`, or -1 when a line of
 * the block is not printable ASCII ended by CRLF, holds the octet `refuse`, or the input ends
 * first. Records each line's CR in LINE_ENDS.
 */
function blockEnd(bytes: Uint8Array, pos: number, refuse: number): number {
  const n = bytes.length;
  for (;;) {
    if (pos + 1 >= n) return -1;
    if (bytes[pos] === CR) return bytes[pos + 1] === LF ? pos : -1;
    let i = pos;
    for (; i < n; i++) {
      const c = bytes[i]!;
      if (c < SP || c > 0x7e || c === refuse) break;
    }
    if (i + 1 >= n || bytes[i] !== CR || bytes[i + 1] !== LF || lineCount === LINE_ENDS.length) return -1;
    LINE_ENDS[lineCount++] = i;
    pos = i + 2;
  }
}

/** An ASCII word as octets, to compare without a string. */
function octets(word: string): Uint8Array {
  return Uint8Array.from(word, (c) => c.charCodeAt(0));
}

const W_FROM = octets('From');
const W_TO = octets('To');
const W_CC = octets('cc');
const W_DATETIME = octets('DateTime');
const W_SUBJECT = octets('Subject');
const W_NS = octets('NS');
const W_REQUIRE = octets('Require');
const W_CONTENT_TYPE = octets('content-type');
const W_CONTENT_TYPE_UPPER = octets('Content-Type');
/** As RFC 3862 2.1 spells it. */
const W_CONTENT_TYPE_CPIM = octets('Content-type');
const W_CTE = octets('content-transfer-encoding');
const W_MESSAGE_CPIM = octets('message/cpim');

/** Whether octets [start, end) are `word`. */
function spelt(b: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[start + k] !== word[k]) return false;
  return true;
}

/** Whether octets [start, end) are `lower` ignoring ASCII case (MIME names and types, RFC 2045). */
function speltAnyCase(b: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    const c = b[start + k]!;
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== lower[k]) return false;
  }
  return true;
}

/** The name of a core header spelt at octets [start, end), as a shared constant, or null. */
function coreName(b: Uint8Array, start: number, end: number): CpimHeaderKind | null {
  switch (b[start]) {
    case 0x46:
      return spelt(b, start, end, W_FROM) ? 'From' : null;
    case 0x54:
      return spelt(b, start, end, W_TO) ? 'To' : null;
    case 0x63:
      return spelt(b, start, end, W_CC) ? 'cc' : null;
    case 0x44:
      return spelt(b, start, end, W_DATETIME) ? 'DateTime' : null;
    case 0x53:
      return spelt(b, start, end, W_SUBJECT) ? 'Subject' : null;
    case 0x4e:
      return spelt(b, start, end, W_NS) ? 'NS' : null;
    case 0x52:
      return spelt(b, start, end, W_REQUIRE) ? 'Require' : null;
  }
  return null;
}

/**
 * Reads the MIME header lines `first` to `last` (indices into LINE_ENDS), the first at `pos`,
 * into `out`. Returns the index in `out` of its first Content-Type, -2 when a header is not a
 * plain `name: value` line or the outer block holds a Content-Transfer-Encoding, or -1 when it
 * has no Content-Type, whose value's octet range is then in `typeStart`, `typeEnd`.
 */
function readMime(
  b: Uint8Array,
  text: string,
  pos: number,
  first: number,
  last: number,
  out: MimeHeader[],
  outer: boolean,
): number {
  let contentType = -1;
  for (let k = first; k < last; k++) {
    const lineEnd = LINE_ENDS[k]!;
    // RFC 5322 2.2: field-name = 1*ftext; a SP in it, or first (folding, 2.2.3), is for the full parser.
    let colon = pos;
    while (colon < lineEnd && b[colon] !== COLON && b[colon] !== SP) colon++;
    if (colon === pos || b[colon] !== COLON) return -2;
    // The value without surrounding white space (no HTAB on this path).
    let v = colon + 1;
    let e = lineEnd;
    while (v < e && b[v] === SP) v++;
    while (e > v && b[e - 1] === SP) e--;
    let name: string;
    // The usual spellings first, as shared constants; then any other case.
    const typeName = spelt(b, pos, colon, W_CONTENT_TYPE_UPPER)
      ? 'Content-Type'
      : spelt(b, pos, colon, W_CONTENT_TYPE_CPIM)
        ? 'Content-type'
        : speltAnyCase(b, pos, colon, W_CONTENT_TYPE)
          ? text.slice(pos, colon)
          : null;
    if (typeName !== null) {
      name = typeName;
      if (contentType < 0) {
        contentType = out.length;
        typeStart = v;
        typeEnd = e;
      }
    } else {
      // RFC 3862 7.1, 9: a transfer encoding must be looked at (and maybe refused) by the full parser.
      if (outer && speltAnyCase(b, pos, colon, W_CTE)) return -2;
      name = text.slice(pos, colon);
    }
    out.push(new MimeHeaderLines(b, pos, lineEnd + 2, name, text.slice(v, e)));
    pos = lineEnd + 2;
  }
  return contentType;
}

/** The octet range of the value of the Content-Type `readMime` found last. */
let typeStart = 0;
let typeEnd = 0;

/** Whether the Content-Type value at [start, end) is `message/cpim` (mime.ts mediaType: before ";", trimmed, any case). */
function isMessageCpim(b: Uint8Array, text: string, start: number, end: number): boolean {
  return speltAnyCase(b, start, end, W_MESSAGE_CPIM) || mediaType(text.slice(start, end)) === 'message/cpim';
}

/**
 * RFC 3862 4.1-4.3: `[ Formal-name ] "<" URI ">"` at octets [start, end), as values.ts
 * parseAddress reads it, for the forms it accepts without a warning: `<URI>`, `Token SP ...
 * Token SP <URI>` and a quoted name (no backslash here) with or without a SP before `<`.
 * Null for anything else.
 */
function commonAddress(b: Uint8Array, text: string, start: number, end: number): CpimAddress | null {
  if (b[end - 1] !== GT) return null;
  let lt = start;
  let formalName: string | null = null;
  const first = b[start];
  if (first === DQUOTE) {
    let quote = start + 1;
    while (quote < end && b[quote] !== DQUOTE) quote++;
    if (quote >= end) return null;
    formalName = text.slice(start + 1, quote);
    lt = quote + 1;
    if (b[lt] === SP) lt++;
  } else if (first !== LT) {
    // Formal-name = 1*( Token SP ), the last SP right before "<".
    for (;;) {
      const token = lt;
      lt = tokenEnd(b, lt, end);
      if (lt === token || b[lt] !== SP) return null;
      lt++;
      if (b[lt] === LT) break;
    }
    formalName = text.slice(start, lt - 1);
  }
  // RFC 3862 3.6 / RFC 2396 3: an absolute URI (which holds no ">", so the first ">" is the last).
  if (lt >= end || b[lt] !== LT || !isAbsoluteUriAt(b, lt + 1, end - 1)) return null;
  return { formalName, uri: text.slice(lt + 1, end - 1) };
}

/** The common object parsed, or null for the full parser (see the file comment). Never throws. */
export function parseCommonCpim(bytes: Buffer, options: CpimParseOptions): CpimParseResult | null {
  try {
    return parseCommon(bytes, options);
  } catch {
    // A value parser found a fault: the full parser reports it with its rule and position.
    return null;
  }
}

function parseCommon(bytes: Buffer, options: CpimParseOptions): CpimParseResult | null {
  const startsWith = options.startsWith ?? 'mime-headers';
  // Pass 1, octets: the three blank lines and the line ends; every header octet printable ASCII.
  lineCount = 0;
  let outerEnd = -1;
  let pos = 0;
  if (startsWith === 'mime-headers') {
    outerEnd = blockEnd(bytes, 0, -1);
    if (outerEnd <= 0) return null;
    pos = outerEnd + 2;
  }
  const outerLines = lineCount;
  const cpimStart = pos;
  // RFC 3862 2.3: escapes are decoded (and checked) by the full parser.
  const cpimEnd = blockEnd(bytes, cpimStart, BACKSLASH);
  if (cpimEnd < 0) return null;
  const cpimLines = lineCount;
  const contentEnd = blockEnd(bytes, cpimEnd + 2, -1);
  if (contentEnd < 0) return null;
  // Pass 2, one string for all the header text: indices are octet offsets (all ASCII).
  const text = latin1(bytes as Latin1Buffer, contentEnd);

  const mimeHeaders: MimeHeader[] = [];
  if (outerEnd > 0) {
    // RFC 3862 2.1: "Content-type: Message/CPIM".
    const ct = readMime(bytes, text, 0, 0, outerLines, mimeHeaders, true);
    if (ct < 0 || !isMessageCpim(bytes, text, typeStart, typeEnd)) return null;
  }

  const headers: CpimHeader[] = [];
  let from: CpimAddress | null = null;
  let datetime: string | null = null;
  const to: CpimAddress[] = [];
  const cc: CpimAddress[] = [];
  const subjects: CpimSubject[] = [];
  const unknownHeaders: string[] = [];
  pos = cpimStart;
  for (let k = outerLines; k < cpimLines; k++) {
    const lineEnd = LINE_ENDS[k]!;
    // RFC 3862 3.6: Name = 1*NAMECHAR; no prefix (".") on this path.
    let colon = pos;
    while (colon < lineEnd && isNameChar(bytes[colon]!)) colon++;
    // RFC 3862 2.2: ": " then the value: exactly one SP, no parameters, no trailing SP.
    if (colon === pos || bytes[colon] !== COLON || bytes[colon + 1] !== SP) return null;
    const valueStart = colon + 2;
    if (valueStart >= lineEnd || bytes[valueStart] === SP || bytes[lineEnd - 1] === SP) return null;
    const core = coreName(bytes, pos, colon);
    const rawName = core ?? text.slice(pos, colon);
    const kind: CpimHeaderKind = core ?? 'unknown';
    const value = text.slice(valueStart, lineEnd);
    let parsed: CpimAddress | null = null;
    switch (kind) {
      case 'From':
        // Two From headers are a policy question (cpim-30): the full parser.
        if (from !== null || (parsed = commonAddress(bytes, text, valueStart, lineEnd)) === null) return null;
        from = parsed;
        break;
      case 'To':
        if ((parsed = commonAddress(bytes, text, valueStart, lineEnd)) === null) return null;
        to.push(parsed);
        break;
      case 'cc':
        if ((parsed = commonAddress(bytes, text, valueStart, lineEnd)) === null) return null;
        cc.push(parsed);
        break;
      case 'DateTime':
        // RFC 3862 4.4: an RFC 3339 date-time; a bad one is reported (or warned about) by the full parser.
        if (datetime !== null || !isDateTimeAt(bytes, valueStart, lineEnd)) return null;
        datetime = value;
        break;
      case 'Subject':
        // RFC 3862 4.5: no lang parameter, so i-default (null).
        subjects.push({ lang: null, text: value });
        break;
      case 'unknown':
        // RFC 3862 2.2: core-namespace names RFC 3862 does not define are ignored.
        unknownHeaders.push(rawName);
        break;
      default:
        // NS and Require bind and resolve namespaces: the full parser's HeaderResolver.
        return null;
    }
    const next = lineEnd + 2;
    headers.push(
      new CpimHeaderLine(
        bytes,
        pos,
        next,
        'CRLF',
        rawName,
        null,
        CORE_NAMESPACE,
        rawName,
        NO_PARAMS,
        value,
        value,
        kind,
        parsed,
      ),
    );
    pos = next;
  }
  const contentHeaders: MimeHeader[] = [];
  const ct = readMime(bytes, text, cpimEnd + 2, cpimLines, lineCount, contentHeaders, false);
  // RFC 3862 2.4: Content-Type is required; a nested Message/CPIM is parsed by the full parser.
  if (ct < 0) return null;
  if (options.nested === true && isMessageCpim(bytes, text, typeStart, typeEnd)) return null;

  const spans =
    outerEnd > 0
      ? [outerEnd, outerEnd + 2, cpimEnd, cpimEnd + 2, contentEnd, contentEnd + 2]
      : [cpimEnd, cpimEnd + 2, contentEnd, contentEnd + 2];
  const message: CpimMessage = new ParsedCpimMessage(
    bytes,
    startsWith,
    'CRLF',
    mimeHeaders,
    headers,
    contentHeaders,
    spans,
    {
      from,
      to,
      cc,
      datetime,
      subjects,
      required: [],
      unknownHeaders,
      extensionHeaders: [],
    },
  );
  return { result: 'accept', message, warnings: [] };
}

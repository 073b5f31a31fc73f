/**
 * The common Message/CPIM object, parsed in one pass with few allocations (issue 18: a chat
 * line in about 1 µs). "Common" means: every header line is printable US-ASCII (no HTAB, no
 * octet above 0x7E) ended by CRLF (RFC 3862 2.2), MIME headers are not folded (RFC 5322 2.2.3)
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
import { isDateTime } from '../../model/datetime.js';
import { ParseContext } from './context.js';
import { mediaType } from './mime.js';
import { CpimHeaderLine, MimeHeaderLines, ParsedCpimMessage } from './parts.js';
import { isNameChar } from './syntax.js';
import { parseAddress } from './values.js';
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

/** No CPIM header on this path has parameters: one shared, frozen, empty list. */
const NO_PARAMS: readonly CpimParam[] = Object.freeze([]);

type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** The octets [0, end) as a string, one character per octet (they are all ASCII here). */
function latin1(bytes: Latin1Buffer, end: number): string {
  return bytes.latin1Slice !== undefined ? bytes.latin1Slice(0, end) : bytes.toString('latin1', 0, end);
}

/**
 * Offset of the blank line that ends the header block starting at `pos`, or -1 when a line of
 * the block is not printable ASCII ended by CRLF, holds the octet `refuse`, or the input ends first.
 */
function blockEnd(bytes: Uint8Array, pos: number, refuse = -1): number {
  const n = bytes.length;
  for (;;) {
    if (pos + 1 >= n) return -1;
    if (bytes[pos] === CR) return bytes[pos + 1] === LF ? pos : -1;
    let i = pos;
    for (; i < n; i++) {
      const c = bytes[i]!;
      if (c < SP || c > 0x7e || c === refuse) break;
    }
    if (i + 1 >= n || bytes[i] !== CR || bytes[i + 1] !== LF) return -1;
    pos = i + 2;
  }
}

/** The name of a core header spelt at [start, end) of `text`, as a shared constant, or null. */
function coreName(text: string, start: number, end: number): CpimHeaderKind | null {
  switch (end - start) {
    case 2:
      if (text.startsWith('To', start)) return 'To';
      if (text.startsWith('cc', start)) return 'cc';
      if (text.startsWith('NS', start)) return 'NS';
      return null;
    case 4:
      return text.startsWith('From', start) ? 'From' : null;
    case 7:
      if (text.startsWith('Subject', start)) return 'Subject';
      return text.startsWith('Require', start) ? 'Require' : null;
    case 8:
      return text.startsWith('DateTime', start) ? 'DateTime' : null;
  }
  return null;
}

/** The usual spellings of the usual MIME names as shared constants; other names are sliced. */
function mimeName(text: string, start: number, end: number): string {
  if (end - start === 12) {
    if (text.startsWith('Content-Type', start)) return 'Content-Type';
    if (text.startsWith('Content-type', start)) return 'Content-type';
  }
  return text.slice(start, end);
}

/** Whether a MIME name is `lower` (RFC 2045: case-insensitive); the usual spellings compare first. */
function isContentType(name: string): boolean {
  return (
    name === 'Content-Type' ||
    name === 'Content-type' ||
    (name.length === 12 && name.toLowerCase() === 'content-type')
  );
}

/**
 * Reads the MIME header block [pos, end) (end: its blank line) into `out`. Returns the index in
 * `out` of its first Content-Type, -2 when a header is not a plain `name: value` line or the
 * outer block holds a Content-Transfer-Encoding, or -1 when it has no Content-Type.
 */
function readMime(
  bytes: Uint8Array,
  text: string,
  pos: number,
  end: number,
  out: MimeHeader[],
  outer: boolean,
): number {
  let contentType = -1;
  while (pos < end) {
    // RFC 5322 2.2: field-name = 1*ftext; a SP in it, or first (folding, 2.2.3), is for the full parser.
    let colon = pos;
    for (;;) {
      const c = text.charCodeAt(colon);
      if (c === COLON) break;
      if (c === SP || c === CR) return -2;
      colon++;
    }
    if (colon === pos) return -2;
    const lineEnd = text.indexOf('\r\n', colon);
    const name = mimeName(text, pos, colon);
    let a = colon + 1;
    let b = lineEnd;
    while (a < b && text.charCodeAt(a) === SP) a++;
    while (b > a && text.charCodeAt(b - 1) === SP) b--;
    if (contentType < 0 && isContentType(name)) contentType = out.length;
    // RFC 3862 7.1, 9: a transfer encoding must be looked at (and maybe refused) by the full parser.
    else if (outer && name.length === 25 && name.toLowerCase() === 'content-transfer-encoding') return -2;
    out.push(new MimeHeaderLines(bytes, pos, lineEnd + 2, name, text.slice(a, b)));
    pos = lineEnd + 2;
  }
  return contentType;
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
  // Pass 1, octets: the three blank lines, and every header octet printable ASCII.
  let outerEnd = -1;
  let pos = 0;
  if (startsWith === 'mime-headers') {
    outerEnd = blockEnd(bytes, 0);
    if (outerEnd <= 0) return null;
    pos = outerEnd + 2;
  }
  const cpimStart = pos;
  // RFC 3862 2.3: escapes are decoded (and checked) by the full parser.
  const cpimEnd = blockEnd(bytes, cpimStart, BACKSLASH);
  if (cpimEnd < 0) return null;
  const contentEnd = blockEnd(bytes, cpimEnd + 2);
  if (contentEnd < 0) return null;
  // Pass 2, one string for all the header text: indices are octet offsets (all ASCII).
  const text = latin1(bytes as Latin1Buffer, contentEnd);

  const mimeHeaders: MimeHeader[] = [];
  if (outerEnd > 0) {
    // RFC 3862 2.1: "Content-type: Message/CPIM".
    const ct = readMime(bytes, text, 0, outerEnd, mimeHeaders, true);
    if (ct < 0 || mediaType(mimeHeaders[ct]!.value) !== 'message/cpim') return null;
  }

  const ctx = new ParseContext(bytes, options.mode === 'lenient');
  const headers: CpimHeader[] = [];
  let from: CpimAddress | null = null;
  let datetime: string | null = null;
  const to: CpimAddress[] = [];
  const cc: CpimAddress[] = [];
  const subjects: CpimSubject[] = [];
  const unknownHeaders: string[] = [];
  pos = cpimStart;
  while (pos < cpimEnd) {
    const lineEnd = text.indexOf('\r\n', pos);
    // RFC 3862 3.6: Name = 1*NAMECHAR; no prefix (".") on this path.
    let colon = pos;
    while (colon < lineEnd && isNameChar(text.charCodeAt(colon))) colon++;
    // RFC 3862 2.2: ": " then the value: exactly one SP, no parameters, no trailing SP.
    if (colon === pos || text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== SP) return null;
    const valueStart = colon + 2;
    if (valueStart >= lineEnd || text.charCodeAt(valueStart) === SP || text.charCodeAt(lineEnd - 1) === SP)
      return null;
    const core = coreName(text, pos, colon);
    const rawName = core ?? text.slice(pos, colon);
    const kind: CpimHeaderKind = core ?? 'unknown';
    const value = text.slice(valueStart, lineEnd);
    let parsed: CpimAddress | null = null;
    switch (kind) {
      case 'From':
        if (from !== null) return null;
        from = parsed = parseAddress(ctx, kind, value, valueStart);
        break;
      case 'To':
        to.push((parsed = parseAddress(ctx, kind, value, valueStart)));
        break;
      case 'cc':
        cc.push((parsed = parseAddress(ctx, kind, value, valueStart)));
        break;
      case 'DateTime':
        // RFC 3862 4.4: an RFC 3339 date-time; a bad one is reported (or warned about) by the full parser.
        if (datetime !== null || !isDateTime(value)) return null;
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
  // parseAddress warns in lenient mode where strict mode fails: the full parser reports those.
  if (ctx.warnings.length > 0) return null;

  const contentHeaders: MimeHeader[] = [];
  const ct = readMime(bytes, text, cpimEnd + 2, contentEnd, contentHeaders, false);
  // RFC 3862 2.4: Content-Type is required; a nested Message/CPIM is parsed by the full parser.
  if (ct < 0) return null;
  if (options.nested === true && mediaType(contentHeaders[ct]!.value) === 'message/cpim') return null;

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
  return { result: 'accept', message, warnings: ctx.warnings };
}

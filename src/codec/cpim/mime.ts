/**
 * MIME header blocks around the CPIM headers: the outer Message/CPIM MIME headers (RFC 3862 2.1)
 * and the encapsulated entity's content headers (2.4). These follow RFC 5322/2045 rules,
 * not the stricter CPIM ones: names are case-insensitive and folding is allowed.
 */
import type { ParseContext } from './context.js';
import { describeChar } from './syntax.js';
import { MimeHeaderLines } from './parts.js';
import type { MimeHeader } from './types.js';

export type MimeBlock = 'outer' | 'content';

export interface MimeBlockResult {
  readonly headers: MimeHeader[];
  /** Offset of the blank line that ends the block (or of the end of input when there is none). */
  readonly separatorOffset: number;
  /** Offset after that blank line (equal to `separatorOffset` when there is none). */
  readonly next: number;
}

const RULE_END: Record<MimeBlock, string> = { outer: 'RFC 3862 2, 2.1', content: 'RFC 3862 2, 2.4' };
const LABEL: Record<MimeBlock, string> = { outer: 'outer MIME', content: 'encapsulated MIME' };

/** RFC 5322 2.2.3 unfolding keeps the white space; the value is then trimmed of SP and HTAB. */
function trimWsp(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text.charCodeAt(a) === 0x20 || text.charCodeAt(a) === 0x09)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 0x20 || text.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
}

/** Reads MIME header lines from `pos` up to and including the blank line that ends them. */
export function readMimeBlock(ctx: ParseContext, pos: number, block: MimeBlock): MimeBlockResult {
  const { bytes } = ctx;
  const headers: MimeHeader[] = [];
  // The field being read: its start, name, value so far (unfolded) and end (after its last line).
  let offset = -1;
  let name = '';
  let value = '';
  let end = 0;
  for (;;) {
    const line = ctx.readLine(pos);
    if (line === null) {
      // RFC 5322 2.1: the blank line only precedes a body, so an entity may end after its
      // headers; RFC 3862 2 always draws it, so only lenient mode accepts its absence.
      if (block === 'content' && pos === bytes.length && (headers.length > 0 || offset >= 0)) {
        ctx.failOrWarn('no blank line after the encapsulated MIME headers', RULE_END[block], pos);
        if (offset >= 0) headers.push(new MimeHeaderLines(bytes, offset, end, name, trimWsp(value)));
        return { headers, separatorOffset: pos, next: pos };
      }
      ctx.fail(
        `input ends inside the ${LABEL[block]} headers (no blank line ends them)`,
        RULE_END[block],
        bytes.length,
      );
    }
    if (line.start === line.end) {
      if (offset >= 0) headers.push(new MimeHeaderLines(bytes, offset, end, name, trimWsp(value)));
      return { headers, separatorOffset: line.start, next: line.next };
    }
    checkMimeLine(ctx, line.start, line.end, block);
    const first = bytes[line.start];
    if (first === 0x20 || first === 0x09) {
      // RFC 5322 2.2.3: a line starting with white space continues the previous field (unfolding removes the CRLF).
      if (offset < 0)
        ctx.fail(`the ${LABEL[block]} headers start with a continuation line`, 'RFC 5322 2.2.3', line.start);
      value += ctx.text(line.start, line.end);
      end = line.next;
    } else {
      if (offset >= 0) headers.push(new MimeHeaderLines(bytes, offset, end, name, trimWsp(value)));
      const colon = readMimeName(ctx, line.start, line.end, block);
      offset = line.start;
      name = ctx.ascii(line.start, colon);
      value = ctx.text(colon + 1, line.end);
      end = line.next;
    }
    pos = line.next;
  }
}

/** RFC 5322 2.2: field-name = 1*ftext (printable US-ASCII except ":"). Returns the colon's offset. */
function readMimeName(ctx: ParseContext, start: number, end: number, block: MimeBlock): number {
  const { bytes } = ctx;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x3a) {
      if (i === start) ctx.fail(`empty ${LABEL[block]} header name`, 'RFC 5322 2.2', i);
      return i;
    }
    if (c < 0x21 || c > 0x7e)
      ctx.fail(`${describeOctet(c)} inside a ${LABEL[block]} header name`, 'RFC 5322 2.2', i);
  }
  return ctx.fail(`${LABEL[block]} header line has no ':'`, 'RFC 5322 2.2', start);
}

/** RFC 5322 2.2: no control characters except HTAB in a field (a bare CR would make line ends ambiguous). */
function checkMimeLine(ctx: ParseContext, start: number, end: number, block: MimeBlock): void {
  const { bytes } = ctx;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      ctx.fail(`${LABEL[block]} header line contains raw ${describeChar(c)}`, 'RFC 5322 2.2', i);
    }
  }
}

export function describeOctet(c: number): string {
  return c >= 0x80 ? `non-ASCII octet 0x${c.toString(16).toUpperCase()}` : describeChar(c);
}

/** The media type of a Content-Type value, lower-cased, without parameters ("message/cpim"). */
export function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** First header named `name` (MIME names are case-insensitive, RFC 2045 / RFC 5322). */
export function findMimeHeader(headers: readonly MimeHeader[], name: string): MimeHeader | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower);
}

/**
 * One Message/CPIM header line (RFC 3862 2.2, 3.6):
 *
 *   Header = Header-name ":" *( ";" Parameter ) SP Header-value CRLF
 *
 * The line is scanned octet by octet once, left to right, so a 1 MB line costs linear time.
 */
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from '../../model/utf8.js';
import type { ParseContext } from './context.js';
import { decodeEscapes } from './escape.js';
import { describeOctet } from './mime.js';
import { describeBadUtf8, describeChar, isLanguageTag, isNameChar, isTokenChar } from './syntax.js';
import type { CpimParam } from './types.js';

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const SEMI = 0x3b;
const DOT = 0x2e;
const EQUALS = 0x3d;

const RULE_NAME = 'RFC 3862 3.1, 3.6';
const RULE_LINE = 'RFC 3862 2.2';

/** The rule cited for a broken single-SP requirement: 2.2 plus the header's own definition. */
const SP_RULES: Record<string, string> = {
  From: 'RFC 3862 2.2, 4.1',
  To: 'RFC 3862 2.2, 4.2',
  cc: 'RFC 3862 2.2, 4.3',
  DateTime: 'RFC 3862 2.2, 4.4',
  Subject: 'RFC 3862 2.2, 4.5',
  NS: 'RFC 3862 2.2, 4.6',
  Require: 'RFC 3862 2.2, 4.7',
};

export interface RawHeader {
  readonly rawName: string;
  readonly prefix: string | null;
  readonly name: string;
  readonly params: CpimParam[];
  readonly value: string;
  readonly valueStart: number;
  /** Whether the value holds a backslash, i.e. escapes to decode. */
  readonly hasEscape: boolean;
}

/** Parses the syntax of the header line whose content (terminator excluded) is [start, end). */
export function parseHeaderLine(ctx: ParseContext, start: number, end: number): RawHeader {
  const { bytes } = ctx;
  // RFC 3862 2.2: no white space at the start of a line; in particular no RFC 2822 folding.
  const first = bytes[start]!;
  if (first === SP || first === HTAB)
    ctx.fail('line starts with whitespace (RFC 2822 style folding is not allowed)', RULE_LINE, start);

  // RFC 3862 3.1, 3.6: Header-name = [ Name-prefix "." ] Name, Name = 1*NAMECHAR.
  let i = start;
  let dot = -1;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === COLON) break;
    if (c === DOT) {
      if (dot >= 0) {
        const colon = bytes.indexOf(COLON, i);
        const shown = ctx.ascii(start, colon >= 0 && colon < end ? colon : i + 1);
        ctx.fail(`more than one '.' in header name '${shown}'`, RULE_NAME, i);
      }
      dot = i;
    } else if (!isNameChar(c)) ctx.fail(`${describeOctet(c)} inside a header name`, RULE_NAME, i);
  }
  if (i === end) ctx.fail("header line has no ':'", RULE_NAME, end);
  if (i === start) ctx.fail('empty header name', RULE_NAME, start);
  if (dot === start || dot === i - 1) ctx.fail("empty namespace prefix or name around '.'", RULE_NAME, dot);
  const colon = i;
  const rawName = ctx.ascii(start, colon);
  const prefix = dot < 0 ? null : ctx.ascii(start, dot);
  const name = dot < 0 ? rawName : ctx.ascii(dot + 1, colon);

  // RFC 3862 3.3, 3.6: parameters sit between the colon and the single SP.
  const params: CpimParam[] = [];
  let p = colon + 1;
  while (p < end && bytes[p] === SEMI) p = parseParam(ctx, p + 1, end, params, rawName);

  // RFC 3862 2.2: "a single space character (32) following the header name and colon".
  const spRule = (prefix === null && SP_RULES[name]) || 'RFC 3862 2.2, 3.6';
  if (p >= end || bytes[p] !== SP) ctx.fail(`no single SP after '${ctx.text(start, p)}'`, spRule, p);
  const valueStart = p + 1;
  if (valueStart < end && bytes[valueStart] === SP)
    ctx.fail(`more than one SP after '${ctx.text(start, p)}'`, spRule, valueStart);
  if (valueStart === end) {
    // docs/cpim.md 2.4 (c): an empty value is ABNF-valid but leaves the line ending in the SP, which 2.2 forbids.
    ctx.failOrWarn('whitespace at end of line (empty header value)', RULE_LINE, p);
  } else {
    const last = bytes[end - 1];
    if (last === SP || last === HTAB) {
      let ws = end - 1;
      while (ws > valueStart && (bytes[ws - 1] === SP || bytes[ws - 1] === HTAB)) ws--;
      ctx.fail('whitespace at end of line', RULE_LINE, ws);
    }
  }

  // RFC 3862 2.2, 2.3: no raw control characters; UTF-8 throughout (RFC 3629 form, docs/cpim.md 2.4 (h)).
  let control = -1;
  let high = false;
  let hasEscape = false;
  for (let j = valueStart; j < end; j++) {
    const c = bytes[j]!;
    if (c < 0x20 || c === 0x7f) {
      control = j;
      break;
    }
    if (c >= 0x80) high = true;
    else if (c === BACKSLASH) hasEscape = true;
  }
  // (Parameters were checked while parsed.) The earlier of the two faults is reported.
  const scanEnd = control >= 0 ? control : end;
  if (high && !isUtf8(bytes.subarray(valueStart, scanEnd))) {
    const bad = firstInvalidUtf8(bytes, valueStart, scanEnd);
    if (bad >= 0)
      ctx.fail(
        `${rawName} value contains the ill-formed UTF-8 sequence ${describeBadUtf8(bytes, bad, end)}`,
        'RFC 3862 2.2, 3.6',
        bad,
      );
  }
  if (control >= 0) {
    ctx.fail(
      `${rawName} value contains raw ${describeChar(bytes[control]!)}; control characters must be escaped`,
      'RFC 3862 2.2, 2.3',
      control,
    );
  }
  return { rawName, prefix, name, params, value: ctx.text(valueStart, end), valueStart, hasEscape };
}

/** Checks the UTF-8 sequence of a parameter starting at `p` (lead octet >= 0x80); returns its length. */
function utf8At(ctx: ParseContext, p: number, end: number, rawName: string): number {
  const b = ctx.bytes[p]!;
  const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
  if (p + len > end || firstInvalidUtf8(ctx.bytes, p, p + len) >= 0) {
    ctx.fail(
      `${rawName} parameters contain the ill-formed UTF-8 sequence ${describeBadUtf8(ctx.bytes, p, end)}`,
      'RFC 3862 2.2, 3.6',
      p,
    );
  }
  return len;
}

/**
 * RFC 3862 3.6: Parameter = Lang-param / Ext-param; Lang-param = "lang=" Language-tag;
 * Ext-param = Param-name "=" Param-value; Param-value = Token / Number / String.
 * `p` is just after the ";". Returns the offset after the parameter.
 */
function parseParam(ctx: ParseContext, p: number, end: number, params: CpimParam[], rawName: string): number {
  const { bytes } = ctx;
  const nameStart = p;
  while (p < end && isNameChar(bytes[p]!)) p++;
  if (p === nameStart) {
    ctx.fail(
      p < end ? `${describeOctet(bytes[p]!)} inside a parameter name` : "empty parameter after ';'",
      'RFC 3862 3.6',
      p,
    );
  }
  const name = ctx.ascii(nameStart, p);
  if (p >= end || bytes[p] !== EQUALS) {
    ctx.fail(
      p < end
        ? `${describeOctet(bytes[p]!)} inside parameter name '${name}'`
        : `parameter '${name}' has no value`,
      'RFC 3862 3.6',
      p,
    );
  }
  const valueStart = ++p;
  if (name === 'lang') {
    // RFC 3862 3.3: Lang-param = "lang=" Language-tag (RFC 3066); the tag ends at ";" or SP.
    while (p < end && bytes[p] !== SEMI && bytes[p] !== SP) p++;
    const tag = ctx.text(valueStart, p);
    if (!isLanguageTag(tag)) ctx.fail(`invalid language tag '${tag}' (RFC 3066)`, 'RFC 3862 3.3', valueStart);
    params.push({ name, kind: 'lang', raw: tag, value: tag });
    return p;
  }
  if (p < end && bytes[p] === DQUOTE) {
    // String = DQUOTE *( Str-char / Escape ) DQUOTE; a quoted value may hold ";" and SP (cpim-20).
    p++;
    for (;;) {
      if (p >= end) ctx.fail(`unterminated quoted value of parameter '${name}'`, 'RFC 3862 3.6', valueStart);
      const c = bytes[p]!;
      if (c === DQUOTE) break;
      if (c < 0x20 || c === 0x7f)
        ctx.fail(
          `parameter '${name}' contains raw ${describeChar(c)}; control characters must be escaped`,
          'RFC 3862 2.2, 2.3',
          p,
        );
      if (c >= 0x80) p += utf8At(ctx, p, end, rawName);
      else if (c === BACKSLASH && p + 1 < end && bytes[p + 1]! < 0x80) p += 2;
      else p++;
    }
    p++;
    const raw = ctx.text(valueStart, p);
    const decoded = decodeEscapes(raw.slice(1, -1));
    for (const issue of decoded.issues)
      ctx.warn(
        issue.reason,
        'RFC 3862 2.3.1',
        valueStart + 1 + Buffer.byteLength(raw.slice(1, 1 + issue.index)),
      );
    params.push({ name, kind: 'string', raw, value: decoded.text });
    return p;
  }
  // Token = 1*TOKENCHAR (UCS-high included); Number = 1*DIGIT is a Token of digits.
  let digits = true;
  while (p < end && bytes[p] !== SEMI && bytes[p] !== SP) {
    const c = bytes[p]!;
    if (c >= 0x80) {
      p += utf8At(ctx, p, end, rawName);
      digits = false;
      continue;
    }
    if (!isTokenChar(c))
      ctx.fail(`${describeOctet(c)} inside the value of parameter '${name}'`, 'RFC 3862 3.6', p);
    if (c < 0x30 || c > 0x39) digits = false;
    p++;
  }
  if (p === valueStart) ctx.fail(`parameter '${name}' has an empty value`, 'RFC 3862 3.6', p);
  const raw = ctx.text(valueStart, p);
  params.push({ name, kind: digits ? 'number' : 'token', raw, value: raw });
  return p;
}

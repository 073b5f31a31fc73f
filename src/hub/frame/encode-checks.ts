/**
 * The encoder's checks (encode.ts): what it refuses to write because it would break the frame
 * (draft §10; docs/hub-protocol.md part 3 row 8). No I/O.
 */
import { CodecError } from '../../errors.js';
import type { Header } from '../../protocol/index.js';
import { KNOWN_NAMES } from './octets.js';

export const RULE = 'draft §10';

/** ALPHA / DIGIT, or "-" too when `dash`. */
function isWordRun(s: string, dash: boolean): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x7a) || (dash && c === 0x2d))) return false;
  }
  return true;
}

/** draft §10: header-name = 1*(%x21-39 / %x3B-7E) */
export function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a) return false;
  }
  return true;
}

/**
 * draft §10 printable plus WSP: no controls (HTAB aside), no U+FFFE/U+FFFF, no lone surrogates.
 * One pass over the UTF-16 code units; no regular expression.
 */
export function isHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x7f) {
      if (c < 0x20 && c !== 0x09) return false;
    } else if (c === 0x7f) {
      return false;
    } else if (c >= 0xd800) {
      if (c <= 0xdbff) {
        // A high surrogate needs a low one next.
        const d = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
        if (d < 0xdc00 || d > 0xdfff) return false;
        i++;
      } else if (c <= 0xdfff || c === 0xfffe || c === 0xffff) return false;
    }
  }
  return true;
}

export function checkId(id: string): void {
  if (!isWordRun(id, false)) throw new CodecError(`invalid id ${JSON.stringify(id)}`, RULE);
}

// docs/hub-protocol.md part 4 row 5: method = 1*(ALPHA / DIGIT / "-")
export function checkMethod(method: string): void {
  if (!isWordRun(method, true)) throw new CodecError(`invalid method ${JSON.stringify(method)}`, RULE);
}

export function checkHeaders(headers: readonly Header[]): void {
  for (const [name, value] of headers) checkHeader(name, value);
}

/**
 * Names known to be valid header names that the encoder writes as given (not Content-Length,
 * which it writes itself): FrameBatch checks only other names character by character.
 */
const SAFE_NAMES: ReadonlySet<string> = new Set(
  KNOWN_NAMES.filter((n) => isHeaderName(n) && n !== 'Content-Length' && n !== 'Content-Transfer-Encoding'),
);

/** checkHeader's name part. */
export function checkName(name: string): void {
  if (SAFE_NAMES.has(name)) return;
  if (!isHeaderName(name)) throw new CodecError(`invalid header name ${JSON.stringify(name)}`, RULE);
  if (name === 'Content-Length') throw new CodecError('Content-Length is written by the encoder', RULE);
  // docs/hub-protocol.md part 3 row 8: never emit Content-Transfer-Encoding.
  if (name === 'Content-Transfer-Encoding')
    throw new CodecError('Content-Transfer-Encoding is not allowed', RULE);
}

/** draft §10: one header that cannot break the frame (docs/hub-protocol.md part 3 row 8). */
export function checkHeader(name: string, value: string): void {
  checkName(name);
  if (!isHeaderValue(value)) throw new CodecError(`invalid character in the value of ${name}`, RULE);
}

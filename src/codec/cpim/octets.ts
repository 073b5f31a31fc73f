/**
 * Checks on ranges of octets, for the common-case parser (parse-common.ts): typed-array reads
 * only, no string per check. Each answers exactly as its string counterpart does on the same
 * ASCII text (octets.test.ts compares them on generated input):
 * - `isDateTimeAt` ⇔ model/datetime.ts `checkDateTime` returns null (RFC 3339 5.6, 5.7);
 * - `isAbsoluteUriAt` ⇔ syntax.ts `checkAbsoluteUri` returns null (RFC 2396 3, RFC 3862 3.6);
 * - `isTokenAt`: RFC 3862 3.6 Token, for ASCII.
 */
import { isNameChar, isUriChar } from './syntax.js';

/** Two ASCII digits at `i` as a number, or -1. */
function two(b: Uint8Array, i: number): number {
  const x = b[i]! - 0x30;
  const y = b[i + 1]! - 0x30;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * RFC 3339 5.6: date-time = full-date "T" full-time (lower-case "t"/"z" allowed, 5.6 NOTE),
 * with the ranges of 5.7 (second 60 allowed; leap seconds are not checked).
 */
export function isDateTimeAt(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 20) return false;
  const year = two(b, start) * 100 + two(b, start + 2);
  const month = two(b, start + 5);
  const day = two(b, start + 8);
  const hour = two(b, start + 11);
  const minute = two(b, start + 14);
  const second = two(b, start + 17);
  if (two(b, start) < 0 || two(b, start + 2) < 0 || month < 1 || month > 12 || day < 1) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a)
    return false;
  if ((b[start + 10]! | 0x20) !== 0x74 || day > daysInMonth(year, month)) return false;
  let i = start + 19;
  if (b[i] === 0x2e) {
    // time-secfrac = "." 1*DIGIT
    const first = ++i;
    while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    if (i === first) return false;
  }
  if (i >= end) return false;
  const z = b[i]!;
  if ((z | 0x20) === 0x7a) return i + 1 === end;
  if (z !== 0x2b && z !== 0x2d) return false;
  if (i + 6 !== end || b[i + 3] !== 0x3a) return false;
  const oh = two(b, i + 1);
  const om = two(b, i + 4);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * RFC 2396 3: absoluteURI = scheme ":" ( hier_part | opaque_part ), scheme = alpha *( alpha |
 * digit | "+" | "-" | "." ); every other octet a uric or an escape, no fragment ("#").
 */
export function isAbsoluteUriAt(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  const c0 = b[i]! | 0x20;
  if (i >= end || c0 < 0x61 || c0 > 0x7a) return false;
  for (i++; i < end; i++) {
    const c = b[i]!;
    if (c === 0x3a) break;
    const l = c | 0x20;
    if (!((l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e))
      return false;
  }
  // Something after the scheme's ":".
  if (i + 1 >= end) return false;
  for (i++; i < end; i++) {
    const c = b[i]!;
    if (c === 0x25) {
      if (i + 2 >= end || !isHex(b[i + 1]!) || !isHex(b[i + 2]!)) return false;
      i += 2;
    } else if (!isUriChar(c)) return false;
  }
  return true;
}

/** RFC 3862 3.6: Token = 1*TOKENCHAR (TOKENCHAR = NAMECHAR / "."), ASCII octets. Returns its end. */
export function tokenEnd(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && (b[i] === 0x2e || isNameChar(b[i]!))) i++;
  return i;
}

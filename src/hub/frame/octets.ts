import { firstInvalidUtf8 } from '../../model/utf8.js';

/**
 * Octet-level pieces of the frame decoder (draft-hudson-impp-transfer-proposal-01 §10): byte
 * constants, start-line and header-value patterns, direct string slicing, interned header names
 * and methods, and the small scanners the decoder runs over each line. No I/O.
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

export const EMPTY = Buffer.alloc(0);

// draft §10 start lines, docs/hub-protocol.md part 4 row 3 (`=mech`) and row 5 (methods may contain "-").
// Input also takes the draft's literal "=mec8" (a peer may have followed the ABNF to the letter).
export const MECH_LINE = /^=mec[h8]((?: [A-Za-z0-9_-]{1,20})*)$/;
// draft §10: header-value = *([fws] printable) *WSP; printable excludes controls, U+FFFE, U+FFFF.
// U+FFFD is printable but is also what the UTF-8 decoder makes of ill-formed input, so it is checked again.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const SUSPECT_VALUE = /[\x00-\x08\x0a-\x1f\x7f\ufffd-\uffff]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f\ufffe\uffff]/;
export const CONTENT_LENGTH = /^[0-9]{1,15}$/;

/**
 * Buffer's own latin1Slice/utf8Slice skip the encoding dispatch of toString(), which costs about
 * a fifth of the decoder's time on small frames; toString() is the fallback where they are absent.
 */
interface DirectSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const direct =
  typeof (Buffer.prototype as unknown as Partial<DirectSlices>).latin1Slice === 'function' &&
  typeof (Buffer.prototype as unknown as Partial<DirectSlices>).utf8Slice === 'function';
export const latin1 = direct
  ? (buf: Buffer, s: number, e: number): string => (buf as unknown as DirectSlices).latin1Slice(s, e)
  : (buf: Buffer, s: number, e: number): string => buf.toString('latin1', s, e);
export const utf8 = direct
  ? (buf: Buffer, s: number, e: number): string => (buf as unknown as DirectSlices).utf8Slice(s, e)
  : (buf: Buffer, s: number, e: number): string => buf.toString('utf8', s, e);

/**
 * Header names as constant strings: the decoder hands out these instead of a fresh string per
 * header, so later comparisons (`name === 'Sender'`) and Map lookups find them at once.
 */
export const KNOWN_NAMES: readonly string[] = [
  'Sender',
  'Inbox',
  'Visited',
  'Max-Forwards',
  'Astrength',
  'Content-Length',
  'Content-Type',
  'Orig-Sender',
  'Orig-Inbox',
  'Presentity',
  'Watcher',
  'Subscription',
  'Mapping',
  'Wpattern',
  'Only',
  'Except',
  'Mechanism',
  'Abort',
  'Unreliable',
  'Error-Type',
  'Error-Description',
  'Error-Originator',
];
/** The methods of draft §14-16 and docs/hub-protocol.md part 2, likewise. */
export const KNOWN_METHODS: readonly string[] = [
  'send',
  'listen',
  'auth',
  'shutdown',
  'change',
  'change-notify',
  'delete-mapping',
  'fetch',
  'fetch-for-update',
  'fetch-notify',
  'get-class',
  'insert-mapping',
  'set-class',
  'start-wi',
  'subscribe',
  'subscribe-notify',
  'terminate',
  'terminate-notify',
  'unsubscribe',
  'unsubscribe-notify',
];

/** Strings of `list` by length (a few per length; compared octet by octet). */
function byLength(list: readonly string[]): (string[] | undefined)[] {
  const out: (string[] | undefined)[] = [];
  for (const n of list) {
    const same = out[n.length];
    if (same === undefined) out[n.length] = [n];
    else same.push(n);
  }
  return out;
}
export const NAMES_BY_LENGTH = byLength(KNOWN_NAMES);
export const METHODS_BY_LENGTH = byLength(KNOWN_METHODS);

/** The octets [s, e) as a string: a constant of `table` when they spell one, else a fresh latin1 slice. */
export function interned(table: (string[] | undefined)[], buf: Buffer, s: number, e: number): string {
  const list = table[e - s];
  if (list !== undefined) {
    outer: for (let k = 0; k < list.length; k++) {
      const n = list[k]!;
      for (let i = 0; i < n.length; i++) if (n.charCodeAt(i) !== buf[s + i]) continue outer;
      return n;
    }
  }
  return latin1(buf, s, e);
}

/** draft §10: header-name = 1*(%x21-39 / %x3B-7E); the colon is excluded by the caller. */
export function isNameOctets(buf: Buffer, s: number, e: number): boolean {
  if (e <= s) return false;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** ALPHA / DIGIT */
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/** End of the run of ALPHA / DIGIT octets starting at `i` (draft §10 id). */
export function alnumRun(buf: Buffer, i: number, e: number): number {
  while (i < e && isAlnum(buf[i]!)) i++;
  return i;
}

/** End of the run of ALPHA / DIGIT / "-" octets (docs/hub-protocol.md part 4 row 5: method). */
export function methodRun(buf: Buffer, i: number, e: number): number {
  while (i < e && (isAlnum(buf[i]!) || buf[i] === 0x2d)) i++;
  return i;
}

/** End of the run of SP / HTAB octets. */
export function wspRun(buf: Buffer, i: number, e: number): number {
  while (i < e && (buf[i] === SP || buf[i] === HTAB)) i++;
  return i;
}

export function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Removes SP/HTAB (only those: U+00A0 etc. are printable, draft §10) from both ends. */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === SP || s.charCodeAt(a) === HTAB)) a++;
  while (b > a && (s.charCodeAt(b - 1) === SP || s.charCodeAt(b - 1) === HTAB)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * A header value's octets as text; null when they break draft §10 `printable` (no controls but
 * HTAB, no U+FFFE/U+FFFF, well-formed UTF-8); `headerValueProblem` then says why.
 */
export function headerValue(buf: Buffer, s: number, e: number): string | null {
  // Printable ASCII and HTAB (the common case): valid as they are, and latin1 = UTF-8 for them.
  let i = s;
  let h = 0;
  while (i < e) {
    const c = buf[i]!;
    if (c >= 0x20 ? c > 0x7e : c !== HTAB) break;
    h = (h * 31 + c) | 0;
    i++;
  }
  if (i === e) return e - s > VALUE_CACHE_MAX_LENGTH ? latin1(buf, s, e) : cachedValue(buf, s, e, h);
  const text = utf8(buf, s, e);
  if (!SUSPECT_VALUE.test(text)) return text;
  if (BAD_VALUE.test(text) || firstInvalidUtf8(buf, s, e) !== -1) return null;
  return text;
}

/**
 * Recent short ASCII header values, direct-mapped by a hash of their octets (issue 18). A relay
 * sees the same few Sender, Inbox and Visited values again and again: handing out the string made
 * the last time saves a native slice and a string per header, and the router's caches keyed by
 * these strings (readInbox) find a string whose hash V8 already knows. Bounded (256 strings of at
 * most 96 characters); a collision just replaces the slot.
 */
const VALUE_CACHE_SIZE = 256;
const VALUE_CACHE_MAX_LENGTH = 96;
const valueCache: (string | undefined)[] = new Array<string | undefined>(VALUE_CACHE_SIZE).fill(undefined);

function cachedValue(buf: Buffer, s: number, e: number, hash: number): string {
  const slot = (hash ^ (hash >>> 8)) & (VALUE_CACHE_SIZE - 1);
  const v = valueCache[slot];
  if (v !== undefined && v.length === e - s) {
    let i = 0;
    while (i < v.length && v.charCodeAt(i) === buf[s + i]) i++;
    if (i === v.length) return v;
  }
  const text = latin1(buf, s, e);
  valueCache[slot] = text;
  return text;
}

/** Why `headerValue` refused these octets (only called then, off the hot path). */
export function headerValueProblem(buf: Buffer, s: number, e: number): string {
  return BAD_VALUE.test(utf8(buf, s, e)) ? 'control character or noncharacter' : 'ill-formed UTF-8';
}

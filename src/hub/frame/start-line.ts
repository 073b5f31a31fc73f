/**
 * The start lines of draft-hudson-impp-transfer-proposal-01 §10, scanned in place over the
 * octets of one line (no CRLF): where the id, status and method are, or that the line is
 * malformed. The decoder (decode.ts) slices the strings it needs; nothing here allocates, so the
 * scan result is one scratch object per decoder, overwritten for every line. No I/O.
 */
import { CR, LF, METHODS_BY_LENGTH, alnumRun, interned, latin1, methodRun, wspRun } from './octets.js';
import type { FrameLimits } from './limits.js';
import type { FrameHandler } from './index.js';

/** Where the parts of a command or response line are: buf[idStart, idEnd) and buf[methodStart, methodEnd). */
export interface StartLineScan {
  idEnd: number;
  status: 'ok' | 'error';
  methodStart: number;
  methodEnd: number;
}

export function newStartLineScan(): StartLineScan {
  return { idEnd: 0, status: 'ok', methodStart: 0, methodEnd: 0 };
}

/**
 * draft §10: command = ">" id 1*WSP method CRLF. `buf[s]` is ">"; false when the line is
 * malformed (the stream cannot be resynchronised), else `out` holds where the parts are.
 */
export function scanCommandLine(buf: Buffer, s: number, e: number, out: StartLineScan): boolean {
  const idEnd = alnumRun(buf, s + 1, e);
  const m = wspRun(buf, idEnd, e);
  if (idEnd === s + 1 || m === idEnd || methodRun(buf, m, e) !== e || m === e) return false;
  out.idEnd = idEnd;
  out.status = 'ok';
  out.methodStart = m;
  out.methodEnd = e;
  return true;
}

/**
 * draft §10: response = "<" id 1*WSP ("ok" / "error") *WSP "(" method ")" CRLF. `buf[s]` is "<";
 * false when the line is malformed, else `out` holds where the parts are and the status.
 */
export function scanResponseLine(buf: Buffer, s: number, e: number, out: StartLineScan): boolean {
  const idEnd = alnumRun(buf, s + 1, e);
  const st = wspRun(buf, idEnd, e);
  let status: 'ok' | 'error' | null = null;
  let p = st;
  if (buf[p] === 0x6f && buf[p + 1] === 0x6b) {
    status = 'ok';
    p += 2;
  } else if (
    buf[p] === 0x65 &&
    buf[p + 1] === 0x72 &&
    buf[p + 2] === 0x72 &&
    buf[p + 3] === 0x6f &&
    buf[p + 4] === 0x72
  ) {
    status = 'error';
    p += 5;
  }
  const open = wspRun(buf, p, e);
  const m = open + 1;
  const mEnd = methodRun(buf, m, e);
  if (
    idEnd === s + 1 ||
    st === idEnd ||
    status === null ||
    p > e ||
    buf[open] !== 0x28 /* ( */ ||
    open >= e ||
    mEnd === m ||
    mEnd !== e - 1 ||
    buf[mEnd] !== 0x29 /* ) */
  )
    return false;
  out.idEnd = idEnd;
  out.status = status;
  out.methodStart = m;
  out.methodEnd = mEnd;
  return true;
}

/**
 * Issue 18: a whole bare `ok` answer at `buf[s]` ("<"), in its plainest spelling: "<" id " ok ("
 * method ")" CRLF CRLF, within [s, e) and the limits, handed to `handler.onPlainOk` (no frame).
 * Returns the offset after it, or -1 without calling anything: anything else, other spellings
 * included, is read line by line by the decoder, which gives the same answer.
 */
export function takePlainOk(
  buf: Buffer,
  s: number,
  e: number,
  limits: FrameLimits,
  handler: FrameHandler,
): number {
  const idEnd = alnumRun(buf, s + 1, e);
  const m = idEnd + 5;
  if (idEnd === s + 1 || m > e || idEnd - s - 1 > limits.maxIdLength) return -1;
  if (buf[idEnd] !== 0x20 || buf[idEnd + 1] !== 0x6f || buf[idEnd + 2] !== 0x6b) return -1;
  if (buf[idEnd + 3] !== 0x20 || buf[idEnd + 4] !== 0x28 /* ( */) return -1;
  const mEnd = methodRun(buf, m, e);
  if (mEnd === m || mEnd + 5 > e || mEnd + 1 - s > limits.maxLineLength) return -1;
  if (buf[mEnd] !== 0x29 /* ) */ || buf[mEnd + 1] !== CR || buf[mEnd + 2] !== LF) return -1;
  if (buf[mEnd + 3] !== CR || buf[mEnd + 4] !== LF) return -1;
  handler.onPlainOk!(latin1(buf, s + 1, idEnd), interned(METHODS_BY_LENGTH, buf, m, mEnd));
  return mEnd + 5;
}

/**
 * IMTP/PITP framing (draft-hudson-impp-transfer-proposal-01 §10), encoding side. No I/O.
 *
 * Every function refuses (throws a CodecError) a method, id, header name or value that would
 * break the frame: CR, LF, NUL or any other control character, a colon in a header name, a
 * caller-supplied Content-Length (the encoder writes it from the payload) or a
 * Content-Transfer-Encoding (draft §10 MUST NOT). No caller can therefore inject a frame.
 *
 * `FrameBatch` collects many frames and returns them as one Buffer, for one socket write per
 * event-loop turn (docs/architecture.md part 11: corked writes are about 8x faster).
 */
import { CodecError } from '../../errors.js';
import type { Header } from '../../protocol/index.js';
import type { Frame } from './index.js';
import { checkHeaders, checkId, checkMethod, checkName, isHeaderValue, RULE } from './encode-checks.js';
import { rewriteBound, writeRelayed, type RawHeaders, type RawRewrite } from './raw.js';

export { isHeaderName, isHeaderValue } from './encode-checks.js';

const MECHNAME = /^[A-Za-z0-9_-]{1,20}$/;

/** A command head's parts (draft §10 command), before anything is written. */
function checkCommand(id: string, method: string, headers: readonly Header[]): void {
  checkId(id);
  checkMethod(method);
  checkHeaders(headers);
}

/** A response head's parts (draft §10 response), before anything is written. */
function checkResponse(id: string, status: string, method: string, headers: readonly Header[]): void {
  checkId(id);
  checkMethod(method);
  if (status !== 'ok' && status !== 'error')
    throw new CodecError(`invalid status ${JSON.stringify(status)}`, RULE);
  checkHeaders(headers);
}

/** The header lines of checked headers. */
function headerText(headers: readonly Header[]): string {
  let out = '';
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    out += h[1] === '' ? h[0] + ':\r\n' : h[0] + ': ' + h[1] + '\r\n';
  }
  return out;
}

function withPayload(head: string, payload: Uint8Array | null | undefined): string {
  return payload == null ? `${head}\r\n` : `${head}Content-Length: ${payload.length}\r\n\r\n`;
}

function mechHead(mechanisms: readonly string[]): string {
  let line = '=mech';
  for (const m of mechanisms) {
    if (!MECHNAME.test(m))
      throw new CodecError(`invalid mechanism name ${JSON.stringify(m)}`, 'draft §10 mechname');
    line += ' ' + m;
  }
  return line + '\r\n';
}

function join(head: string, payload: Uint8Array | null | undefined): Buffer {
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + (payload == null ? 0 : payload.length));
  out.write(head, 0, 'utf8');
  if (payload != null) out.set(payload, headLength);
  return out;
}

export function encodeCommand(
  id: string,
  method: string,
  headers: readonly Header[],
  payload?: Uint8Array | null,
): Buffer {
  checkCommand(id, method, headers);
  return join(withPayload(`>${id} ${method}\r\n${headerText(headers)}`, payload), payload);
}

export function encodeResponse(
  id: string,
  status: 'ok' | 'error',
  method: string,
  headers: readonly Header[],
  payload?: Uint8Array | null,
): Buffer {
  checkResponse(id, status, method, headers);
  return join(withPayload(`<${id} ${status} (${method})\r\n${headerText(headers)}`, payload), payload);
}

/** docs/hub-protocol.md part 4 row 3: `=mech`, not the draft's "mec8". */
export function encodeMech(mechanisms: readonly string[]): Buffer {
  return Buffer.from(mechHead(mechanisms), 'latin1');
}

const NOP = Buffer.from('=nop\r\n', 'latin1');

export function encodeNop(): Buffer {
  return Buffer.from(NOP);
}

export function encodeFrame(frame: Frame): Buffer {
  switch (frame.kind) {
    case 'command':
      return encodeCommand(frame.id, frame.method, frame.headers, frame.payload);
    case 'response':
      return encodeResponse(frame.id, frame.status, frame.method, frame.headers, frame.payload);
    case 'mech':
      return encodeMech(frame.mechanisms);
    case 'nop':
      return encodeNop();
  }
}

/** Writes `s` (checked to be ASCII/latin1) at `o`; returns the offset after it. */
function putAscii(b: Buffer, s: string, o: number): number {
  for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
  return o;
}

/**
 * Writes a header value as UTF-8 at `o` (room reserved), checking it as it goes (isHeaderValue): printable ASCII and HTAB
 * are written octet by octet; anything else is checked whole, then written as UTF-8. Returns the
 * offset after it, or -1 when the value is not allowed (the caller discards the frame).
 */
function putValue(b: Buffer, s: string, o: number): number {
  const start = o;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c >= 0x7f) {
      if (c < 0x80 || !isHeaderValue(s)) return -1;
      return start + b.write(s, start, 'utf8');
    }
    b[o++] = c;
  }
  return o;
}

const NO_HEADERS: readonly Header[] = [];

/** Smallest buffer a batch starts with (served from Node's Buffer pool). */
const MIN_CAPACITY = 1024;

/**
 * Many frames, one Buffer. Frame heads are checked first, then written straight into one
 * growing Buffer (ids, methods and header names are ASCII by the checks: latin1 writes; values
 * are UTF-8), payloads copied after them: no intermediate strings or arrays per frame. `take()`
 * hands the written bytes over and the next frame starts a new buffer sized like the last batch.
 */
export class FrameBatch {
  private buf: Buffer | null = null;
  private len = 0;
  private nextCapacity = MIN_CAPACITY;
  private frames = 0;

  /** Frames added since the last `take()`. */
  get count(): number {
    return this.frames;
  }

  command(id: string, method: string, headers: readonly Header[], payload?: Uint8Array | null): this {
    const frameStart = this.len;
    this.len = this.commandLine(id, method, 0);
    return this.finish(headers, payload, frameStart);
  }

  /**
   * Issue 18: a relayed command from the header block it arrived with (raw.ts), the rewritten
   * lines spliced in. The block's octets passed the decoder's checks and the spliced values are
   * the router's own (a Visited token list, a count, a strength, a message id), so only the id and
   * method are checked here.
   */
  relayed(id: string, method: string, raw: RawHeaders, rewrite: RawRewrite, payload: Uint8Array): this {
    const o = this.commandLine(id, method, raw.end - raw.start + rewriteBound(rewrite));
    this.len = writeRelayed(this.buf!, o, raw, rewrite);
    return this.finish(NO_HEADERS, payload, this.len);
  }

  response(
    id: string,
    status: 'ok' | 'error',
    method: string,
    headers: readonly Header[],
    payload?: Uint8Array | null,
  ): this {
    checkId(id);
    checkMethod(method);
    if (status !== 'ok' && status !== 'error')
      throw new CodecError(`invalid status ${JSON.stringify(status)}`, RULE);
    const frameStart = this.len;
    this.reserve(id.length + method.length + 13);
    const b = this.buf!;
    let o = this.len;
    b[o++] = 0x3c; // '<'
    o = putAscii(b, id, o);
    o = putAscii(b, status === 'ok' ? ' ok (' : ' error (', o);
    o = putAscii(b, method, o);
    b[o++] = 0x29; // ')'
    b[o++] = 0x0d;
    b[o++] = 0x0a;
    this.len = o;
    return this.finish(headers, payload, frameStart);
  }

  mech(mechanisms: readonly string[]): this {
    return this.text(mechHead(mechanisms));
  }

  nop(): this {
    return this.text('=nop\r\n');
  }

  frame(frame: Frame): this {
    switch (frame.kind) {
      case 'command':
        return this.command(frame.id, frame.method, frame.headers, frame.payload);
      case 'response':
        return this.response(frame.id, frame.status, frame.method, frame.headers, frame.payload);
      case 'mech':
        return this.mech(frame.mechanisms);
      case 'nop':
        return this.nop();
    }
  }

  /** Everything added so far as one Buffer (null when empty); the batch starts afresh. */
  take(): Buffer | null {
    if (this.frames === 0) return null;
    const out = this.buf!.subarray(0, this.len);
    this.nextCapacity = Math.max(MIN_CAPACITY, this.len);
    this.buf = null;
    this.len = 0;
    this.frames = 0;
    return out;
  }

  /**
   * Headers, the blank line and the payload. Each header is checked as it is written (one pass
   * over its value instead of a check pass and a write pass: the checks were a third of the
   * encoder's time, issue 18); a header that fails throws after the frame's octets are dropped
   * (`len` back to `frameStart`), so the batch holds exactly what it held before, as when every
   * check ran before writing.
   */
  /**
   * A command's start line (draft §7: `>` id SP method CRLF) with room for `more` octets after
   * it; the offset after the line (this.len is not moved).
   */
  private commandLine(id: string, method: string, more: number): number {
    checkId(id);
    checkMethod(method);
    this.reserve(id.length + method.length + 4 + more);
    const b = this.buf!;
    let o = this.len;
    b[o++] = 0x3e; // '>'
    o = putAscii(b, id, o);
    b[o++] = 0x20;
    o = putAscii(b, method, o);
    b[o++] = 0x0d;
    b[o++] = 0x0a;
    return o;
  }

  private finish(
    headers: readonly Header[],
    payload: Uint8Array | null | undefined,
    frameStart: number,
  ): this {
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      const name = h[0];
      const value = h[1];
      try {
        checkName(name);
      } catch (e) {
        this.len = frameStart;
        throw e;
      }
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      this.reserve(name.length + 3 * value.length + 4);
      const b = this.buf!;
      let o = this.len;
      o = putAscii(b, name, o);
      b[o++] = 0x3a; // ':'
      if (value !== '') {
        b[o++] = 0x20;
        o = putValue(b, value, o);
        if (o < 0) {
          this.len = frameStart;
          throw new CodecError(`invalid character in the value of ${name}`, RULE);
        }
      }
      b[o++] = 0x0d;
      b[o++] = 0x0a;
      this.len = o;
    }
    if (payload == null) {
      this.reserve(2);
      this.buf![this.len++] = 0x0d;
      this.buf![this.len++] = 0x0a;
    } else {
      const n = payload.length;
      this.reserve(n + 40);
      const b = this.buf!;
      let o = this.len;
      o = putAscii(b, 'Content-Length: ' + n + '\r\n\r\n', o);
      b.set(payload, o);
      this.len = o + n;
    }
    this.frames++;
    return this;
  }

  private text(s: string): this {
    this.reserve(s.length);
    this.len = putAscii(this.buf!, s, this.len);
    this.frames++;
    return this;
  }

  /** Room for `n` more bytes. */
  private reserve(n: number): void {
    const need = this.len + n;
    const b = this.buf;
    if (b === null) {
      this.buf = Buffer.allocUnsafe(Math.max(this.nextCapacity, need));
      return;
    }
    if (need <= b.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, b.length * 2));
    b.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }
}

/** Encodes frames into one Buffer. */
export function encodeFrames(frames: Iterable<Frame>): Buffer {
  const batch = new FrameBatch();
  for (const f of frames) batch.frame(f);
  return batch.take() ?? Buffer.alloc(0);
}

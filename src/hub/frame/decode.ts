/**
 * The incremental IMTP/PITP frame decoder (draft-hudson-impp-transfer-proposal-01 §10). No I/O.
 * Import it through index.ts.
 */
import type { Header } from '../../protocol/index.js';
import type { FrameError, FrameHandler } from './index.js';
import {
  COLON,
  CR,
  EMPTY,
  HTAB,
  LF,
  MECH_LINE,
  METHODS_BY_LENGTH,
  NAMES_BY_LENGTH,
  SP,
  headerValue,
  headerValueProblem,
  interned,
  isNameOctets,
  latin1,
  toBuffer,
  trimWsp,
  wspRun,
} from './octets.js';
import { newStartLineScan, scanCommandLine, scanResponseLine, takePlainOk } from './start-line.js';
import { RawCapture, type RawHeaders } from './raw.js';
import { DEFAULT_FRAME_LIMITS, readContentLength, type FrameLimits } from './limits.js';

export { DEFAULT_FRAME_LIMITS, type FrameLimits } from './limits.js';

const START = 0;
const HEADERS = 1;
const PAYLOAD = 2;
const DEAD = 3;

export class FrameDecoder {
  private readonly limits: FrameLimits;
  private st = START;
  /** Parts of an incomplete line or payload. */
  private pieces: Buffer[] = [];
  private piecesLen = 0;
  private partStart = 0;
  /** Stream offset of the current chunk's first octet. */
  private base = 0;
  private lineNo = 0;

  // The message being decoded.
  private isCommand = true;
  private fId = '';
  private fMethod = '';
  private fStatus: 'ok' | 'error' = 'ok';
  private fHeaders: Header[] = [];
  private fCount = 0;
  private fHeaderBytes = 0;
  private fLength = -1;
  private fBad: FrameError | null = null;
  /** Issue 18: a send's header block as octets (raw.ts). */
  private readonly raw = new RawCapture();
  private fRaw: RawHeaders | undefined = undefined;
  /** Issue 18: during `onFrame` of a send, its header block when kept (raw.ts); else undefined. */
  lastRaw: RawHeaders | undefined = undefined;
  private pName: string | null = null;
  private pValue = '';
  /** Where the pending header started, for errors found when it is filed. */
  private pOffset = 0;
  private pLine = 0;
  /** Where the parts of the current start line are (start-line.ts); reused for every line. */
  private readonly scan = newStartLineScan();

  constructor(
    private readonly handler: FrameHandler,
    limits: Partial<FrameLimits> = {},
  ) {
    this.limits = { ...DEFAULT_FRAME_LIMITS, ...limits };
  }

  /** True once a fatal error was reported or `stop()` was called; later input is ignored. */
  get stopped(): boolean {
    return this.st === DEAD;
  }

  /** Octets held between pushes (never more than one line or one payload). */
  get buffered(): number {
    return this.piecesLen;
  }

  /** Stops decoding: nothing more is reported. */
  stop(): void {
    this.st = DEAD;
    this.pieces = [];
    this.piecesLen = 0;
  }

  push(input: Uint8Array): void {
    if (this.st === DEAD) return;
    const chunk = toBuffer(input);
    const len = chunk.length;
    let pos = 0;
    while (pos < len && this.st !== DEAD) {
      if (this.st === PAYLOAD) {
        pos = this.payloadBytes(chunk, pos);
        continue;
      }
      // Issue 18: a whole bare `ok` in this chunk goes to onPlainOk at once (start-line.ts).
      if (this.st === START && this.piecesLen === 0 && chunk[pos] === 0x3c && this.handler.onPlainOk) {
        const next = takePlainOk(chunk, pos, len, this.limits, this.handler);
        if (next !== -1) {
          this.lineNo += 2;
          pos = next;
          continue;
        }
      }
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) {
        // An incomplete line: keep it unless it already passes the limit (+1 for a trailing CR).
        if (this.piecesLen + len - pos > this.limits.maxLineLength + 1) {
          this.overLimit(`line longer than ${this.limits.maxLineLength} octets`, this.lineStart(pos));
          return;
        }
        if (this.piecesLen === 0) this.partStart = this.base + pos;
        this.pieces.push(chunk.subarray(pos));
        this.piecesLen += len - pos;
        break;
      }
      const lineOffset = this.lineStart(pos);
      if (this.piecesLen + lf - pos > this.limits.maxLineLength + 1) {
        this.overLimit(`line longer than ${this.limits.maxLineLength} octets`, lineOffset);
        return;
      }
      let buf = chunk;
      let s = pos;
      let e = lf;
      if (this.piecesLen > 0) {
        this.pieces.push(chunk.subarray(pos, lf));
        buf = Buffer.concat(this.pieces, this.piecesLen + lf - pos);
        s = 0;
        e = buf.length;
        this.pieces = [];
        this.piecesLen = 0;
      }
      pos = lf + 1;
      this.lineNo++;
      const crlf = e > s && buf[e - 1] === CR;
      if (crlf) e--;
      if (this.st === START) this.startLine(buf, s, e, crlf, lineOffset);
      else this.headerLine(buf, s, e, crlf, lineOffset);
    }
    this.base += len;
  }

  /** The peer closed its side: an unfinished message is reported as truncated (fatal). */
  end(): void {
    if (this.st === DEAD) return;
    if (this.st !== START || this.piecesLen > 0) {
      const where = this.st === PAYLOAD ? 'payload' : this.st === HEADERS ? 'header block' : 'line';
      this.fatal(`stream ended inside a ${where} (truncated message)`, 'draft §10', this.base);
      return;
    }
    this.st = DEAD;
  }

  /** docs/hub-protocol.md part 4 row 26: a hard limit passed; the stream stops. */
  private overLimit(reason: string, offset: number): void {
    this.fatal(reason, 'docs/hub-protocol.md part 4 row 26', offset);
  }

  private lineStart(pos: number): number {
    return this.piecesLen > 0 ? this.partStart : this.base + pos;
  }

  private payloadBytes(chunk: Buffer, pos: number): number {
    const need = this.fLength - this.piecesLen;
    const avail = chunk.length - pos;
    if (this.piecesLen === 0 && avail >= need) {
      this.finish(chunk.subarray(pos, pos + need));
      return pos + need;
    }
    const take = avail < need ? avail : need;
    this.pieces.push(chunk.subarray(pos, pos + take));
    this.piecesLen += take;
    if (this.piecesLen === this.fLength) {
      const payload = Buffer.concat(this.pieces, this.piecesLen);
      this.pieces = [];
      this.piecesLen = 0;
      this.finish(payload);
    }
    return pos + take;
  }

  // draft §10: pmessage = mech / nop / command / response
  private startLine(buf: Buffer, s: number, e: number, crlf: boolean, offset: number): void {
    if (!crlf) {
      this.fatal('start line not terminated by CRLF', 'draft §10', offset);
      return;
    }
    const first = buf[s];
    const scan = this.scan;
    if (first === 0x3e /* > */ || first === 0x3c /* < */) {
      // draft §10 command / response lines (start-line.ts).
      const isCommand = first === 0x3e;
      if (!(isCommand ? scanCommandLine(buf, s, e, scan) : scanResponseLine(buf, s, e, scan))) {
        if (isCommand) this.fatal('malformed command line', 'draft §10 command', offset);
        else this.fatal('malformed response line', 'draft §10 response', offset);
        return;
      }
      const method = interned(METHODS_BY_LENGTH, buf, scan.methodStart, scan.methodEnd);
      this.begin(isCommand, latin1(buf, s + 1, scan.idEnd), method, scan.status, offset);
      return;
    }
    const text = latin1(buf, s, e);
    if (text === '=nop') {
      this.handler.onFrame({ kind: 'nop' });
    } else if (first === 0x3d /* = */) {
      // docs/hub-protocol.md part 4 row 3: the draft's word-mech spells "mec8"; we emit "=mech", accept both.
      const m = MECH_LINE.exec(text);
      if (m === null) {
        this.fatal('malformed mechanism list', 'draft §10 mech, docs/hub-protocol.md part 4 row 3', offset);
        return;
      }
      const list = m[1]!;
      this.handler.onFrame({ kind: 'mech', mechanisms: list === '' ? [] : list.slice(1).split(' ') });
    } else {
      this.fatal('expected a message start line (">", "<" or "=")', 'draft §10 pmessage', offset);
    }
  }

  private begin(
    isCommand: boolean,
    id: string,
    method: string,
    status: 'ok' | 'error',
    offset: number,
  ): void {
    this.st = HEADERS;
    this.isCommand = isCommand;
    this.raw.begin(isCommand && method === 'send');
    this.fId = id;
    this.fMethod = method;
    this.fStatus = status;
    if (id.length > this.limits.maxIdLength) {
      this.bad(
        `id longer than ${this.limits.maxIdLength} characters`,
        'docs/hub-protocol.md part 4 row 26',
        offset,
      );
    }
  }

  private headerLine(buf: Buffer, s: number, e: number, crlf: boolean, offset: number): void {
    if (!crlf) this.bad('header line not terminated by CRLF', 'draft §10 header', offset);
    this.raw.line(buf, s);
    if (e === s) {
      this.fRaw = this.raw.take(s);
      this.endHeaders();
      return;
    }
    this.fHeaderBytes += e - s + 2;
    if (this.fHeaderBytes > this.limits.maxHeaderBytes) {
      this.overLimit(`header block larger than ${this.limits.maxHeaderBytes} octets`, offset);
      return;
    }
    const first = buf[s];
    if (first === SP || first === HTAB) {
      // draft §10: a fold; the CRLF goes, the whitespace stays part of the value.
      this.raw.drop();
      if (this.pName === null) {
        this.bad('continuation line without a header to continue', 'draft §10 fws', offset);
        return;
      }
      const more = headerValue(buf, s, e);
      if (more === null) this.bad(headerValueProblem(buf, s, e), 'draft §10 header-value', offset);
      else this.pValue += more;
      return;
    }
    if (!this.commit()) return;
    const colon = buf.indexOf(COLON, s);
    if (colon === -1 || colon >= e) {
      this.bad('header line without ":"', 'draft §10 header', offset);
      return;
    }
    if (!isNameOctets(buf, s, colon)) {
      this.bad('invalid header name', 'draft §10 header-name', offset);
      return;
    }
    const name = interned(NAMES_BY_LENGTH, buf, s, colon);
    if (++this.fCount > this.limits.maxHeaderCount) {
      this.overLimit(`more than ${this.limits.maxHeaderCount} headers`, offset);
      return;
    }
    // The leading WSP goes now (commit() trims the rest); one slice instead of two.
    const vs = wspRun(buf, colon + 1, e);
    const value = headerValue(buf, vs, e);
    if (value === null) {
      // A Content-Length that cannot be read leaves the frame end unknown: the stream must stop.
      if (name === 'Content-Length') this.fatal('invalid Content-Length', 'draft §10', offset);
      else this.bad(`${headerValueProblem(buf, vs, e)} in ${name}`, 'draft §10 header-value', offset);
      return;
    }
    this.pName = name;
    this.pValue = value;
    this.pOffset = offset;
    this.pLine = this.lineNo;
    this.raw.header(name, value.length === e - vs, s, e + 2);
  }

  /** Files the pending header; false when the stream must stop. */
  private commit(): boolean {
    const name = this.pName;
    if (name === null) return true;
    this.pName = null;
    const offset = this.pOffset;
    const line = this.pLine;
    const value = trimWsp(this.pValue);
    if (name === 'Content-Length') {
      const n = readContentLength(value, this.limits.maxPayloadSize, this.fLength);
      if (typeof n !== 'number') this.fatal(n.reason, n.rule, offset, line);
      else this.fLength = n;
      return typeof n === 'number';
    }
    if (name === 'Content-Transfer-Encoding') {
      // draft §10, docs/hub-protocol.md part 3 row 8: MUST NOT be included; reject with malformed.
      this.bad('Content-Transfer-Encoding is not allowed', 'draft §10', offset, line);
    }
    if (this.fBad === null) this.fHeaders.push([name, value]);
    return true;
  }

  private endHeaders(): void {
    if (!this.commit()) return;
    if (this.fLength > 0) this.st = PAYLOAD;
    else this.finish(this.fLength === 0 ? EMPTY : undefined);
  }

  private finish(payload: Uint8Array | undefined): void {
    const bad = this.fBad;
    const headers = this.fHeaders;
    const raw = this.fRaw;
    this.fRaw = undefined;
    this.st = START;
    this.fHeaders = [];
    this.fCount = 0;
    this.fHeaderBytes = 0;
    this.fLength = -1;
    this.fBad = null;
    if (bad !== null) {
      this.handler.onFrameError(bad);
    } else if (this.isCommand) {
      this.lastRaw = raw;
      this.handler.onFrame({ kind: 'command', id: this.fId, method: this.fMethod, headers, payload });
      this.lastRaw = undefined;
    } else {
      this.handler.onFrame({
        kind: 'response',
        id: this.fId,
        status: this.fStatus,
        method: this.fMethod,
        headers,
        payload,
      });
    }
  }

  /** Records the first recoverable problem of the current message; it is reported when the message ends. */
  private bad(reason: string, rule: string, offset: number, line = this.lineNo): void {
    if (this.fBad !== null) return;
    this.fBad = {
      fatal: false,
      answer: this.isCommand ? 'malformed' : 'discard',
      reason,
      rule,
      offset,
      line,
      frame: this.isCommand ? 'command' : 'response',
      id: this.fId,
      method: this.fMethod,
    };
  }

  private fatal(reason: string, rule: string, offset: number, line = this.lineNo): void {
    const inFrame = this.st === HEADERS || this.st === PAYLOAD;
    this.stop();
    this.handler.onFrameError({
      fatal: true,
      answer: 'close',
      reason,
      rule,
      offset,
      line,
      frame: inFrame ? (this.isCommand ? 'command' : 'response') : 'stream',
      id: inFrame ? this.fId : null,
      method: inFrame ? this.fMethod : null,
    });
  }
}

/**
 * Bounds on a mail's header section (issue 13, defect 2), counted while DATA arrives so that a
 * header folded over hundreds of thousands of lines is refused before any parser or sender check
 * sees it. The header section is everything before the first empty line (RFC 5322 2.1); a mail
 * without one is all header. Lines are physical lines (a folded field counts once per line,
 * RFC 5322 2.2.3), ended by CRLF or a bare LF. Chunks may split anywhere, even a CRLF.
 */

export type HeaderOverrun = { readonly kind: 'bytes' | 'lines'; readonly limit: number };

export interface HeaderLimits {
  readonly maxBytes: number;
  readonly maxLines: number;
}

const LF = 0x0a;
const CR = 0x0d;

export class HeaderCounter {
  /** Octets of the header section's completed lines, line ends included. */
  bytes = 0;
  /** Header lines completed so far, plus the one in progress at `finish`. */
  lines = 0;
  private lineBytes = 0;
  private lineIsCr = false;
  private ended = false;
  private over: HeaderOverrun | null = null;

  constructor(private readonly limits: HeaderLimits) {}

  /** True once the empty line ending the header section was seen. */
  get headerEnded(): boolean {
    return this.ended;
  }

  /** The first bound exceeded, or null; once set, later chunks are not looked at. */
  get overrun(): HeaderOverrun | null {
    return this.over;
  }

  /** Counts one chunk of DATA; returns the overrun once there is one. */
  push(chunk: Uint8Array): HeaderOverrun | null {
    if (this.ended || this.over !== null) return this.over;
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf;
      const n = end - start;
      if (n > 0) {
        // The line so far is exactly "\r" only if it was empty and this piece is one CR.
        this.lineIsCr = this.lineBytes === 0 && n === 1 && chunk[start] === CR;
        this.lineBytes += n;
      }
      if (lf < 0) return this.check();
      if (this.lineBytes === 0 || (this.lineBytes === 1 && this.lineIsCr)) {
        // The empty line: the header section ends before it.
        this.ended = true;
        this.lineBytes = 0;
        return this.check();
      }
      this.bytes += this.lineBytes + 1;
      this.lines += 1;
      this.lineBytes = 0;
      this.lineIsCr = false;
      if (this.check() !== null) return this.over;
      start = lf + 1;
    }
    return this.over;
  }

  /** At the end of DATA: a last line without a line end still counts. */
  finish(): HeaderOverrun | null {
    if (!this.ended && this.over === null && this.lineBytes > 0) {
      this.bytes += this.lineBytes;
      this.lines += 1;
      this.lineBytes = 0;
      this.check();
    }
    return this.over;
  }

  private check(): HeaderOverrun | null {
    if (this.over !== null) return this.over;
    // The line in progress counts already: a single endless line is caught too.
    if (this.bytes + this.lineBytes > this.limits.maxBytes)
      this.over = { kind: 'bytes', limit: this.limits.maxBytes };
    else if (this.lines > this.limits.maxLines) this.over = { kind: 'lines', limit: this.limits.maxLines };
    return this.over;
  }
}

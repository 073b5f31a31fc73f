/**
 * Parser state shared by the Message/CPIM parsing helpers: the input, the mode, the warnings,
 * and a line reader that finds line ends with indexOf (linear, whatever the line length).
 */
import { CodecError, type Position } from '../../errors.js';
import type { CpimWarning } from './types.js';

const LF = 0x0a;
const CR = 0x0d;

/** One line of a header block: content is [start, end), the terminator [end, next). */
export interface Line {
  readonly start: number;
  readonly end: number;
  readonly next: number;
  readonly lineEnd: 'CRLF' | 'LF';
}

export class ParseContext {
  readonly warnings: CpimWarning[] = [];
  sawLf = false;
  sawCrlf = false;
  // Cache for `position`: warnings and errors come mostly in input order, so counting
  // lines from the last answer keeps many warnings linear instead of quadratic.
  private posOffset = 0;
  private posLine = 1;
  private posLineStart = 0;

  constructor(
    readonly bytes: Buffer,
    readonly lenient: boolean,
  ) {}

  /** 1-based line and column of an octet offset, lines counted by LF (as errors.ts positionAt does). */
  position(offset: number): Position {
    if (offset < this.posOffset) {
      this.posOffset = 0;
      this.posLine = 1;
      this.posLineStart = 0;
    }
    let i = this.bytes.indexOf(LF, this.posOffset);
    while (i >= 0 && i < offset) {
      this.posLine++;
      this.posLineStart = i + 1;
      i = this.bytes.indexOf(LF, i + 1);
    }
    this.posOffset = offset;
    return { offset, line: this.posLine, column: offset - this.posLineStart + 1 };
  }

  fail(reason: string, rule: string, offset: number): never {
    throw new CodecError(reason, rule, this.position(offset));
  }

  warn(reason: string, rule: string, offset: number): void {
    this.warnings.push({ reason, rule, position: this.position(offset) });
  }

  /** Strict: fail. Lenient: record a warning and go on (the vectors' `lenient` outcomes). */
  failOrWarn(reason: string, rule: string, offset: number): void {
    if (this.lenient) this.warn(reason, rule, offset);
    else this.fail(reason, rule, offset);
  }

  /** Decodes [start, end) as UTF-8 (already checked where it matters). */
  text(start: number, end: number): string {
    return this.bytes.toString('utf8', start, end);
  }

  /** ASCII-only text (names): latin1 is the cheapest exact decoding. */
  ascii(start: number, end: number): string {
    return this.bytes.toString('latin1', start, end);
  }

  /**
   * Reads the header-area line starting at `pos`, or returns null when the input ends first
   * (`pos` at the end, or a last line without terminator). RFC 3862 2.2 requires CRLF: an LF
   * alone fails in strict mode; lenient mode warns once and keeps the LF (lines are never
   * re-terminated, so a relayed message keeps its octets).
   */
  readLine(pos: number): Line | null {
    const lf = this.bytes.indexOf(LF, pos);
    if (lf < 0) return null;
    if (lf > pos && this.bytes[lf - 1] === CR) {
      this.sawCrlf = true;
      return { start: pos, end: lf - 1, next: lf + 1, lineEnd: 'CRLF' };
    }
    if (!this.sawLf) {
      this.sawLf = true;
      this.failOrWarn('lines end in LF, not CRLF', 'RFC 3862 2.2', lf);
    }
    return { start: pos, end: lf, next: lf + 1, lineEnd: 'LF' };
  }
}

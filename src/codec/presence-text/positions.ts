/**
 * Positions in the decoded presence text (src/errors.ts `Position`: octet offset, line, column)
 * for code-unit indexes, in logarithmic time after one linear pass. Found by fuzzing (issue 13):
 * re-encoding the text before every warning made a lenient parse of 1 MB with a warning per
 * line quadratic (40,000 warnings took over a minute).
 */
import type { Position } from '../../errors.js';

export class TextPositions {
  /** Octet offset of each code-unit index (one more entry for the end). */
  private offsets: Uint32Array | null = null;
  /** Octet offsets where lines start (after each LF), ascending. */
  private lineStarts: number[] | null = null;

  constructor(
    private readonly text: string,
    private readonly bytes: Uint8Array,
  ) {}

  /** The same Position as `positionAt(bytes, utf8Length(text.slice(0, index)))`. */
  at(index: number): Position {
    const offsets = (this.offsets ??= utf8Offsets(this.text));
    const offset = offsets[Math.max(0, Math.min(index, this.text.length))]!;
    const starts = (this.lineStarts ??= lineStarts(this.bytes));
    // The last line start at or before the offset (positionAt counts the LFs before it).
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function utf8Offsets(text: string): Uint32Array {
  const out = new Uint32Array(text.length + 1);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    out[i] = o;
    const c = text.charCodeAt(i);
    if (c < 0x80) o += 1;
    else if (c < 0x800) o += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair is one four-octet character; its second half sits after it.
        out[++i] = o + 4;
        o += 4;
      } else o += 3;
    } else o += 3;
  }
  out[text.length] = o;
  return out;
}

function lineStarts(bytes: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) out.push(i + 1);
  return out;
}

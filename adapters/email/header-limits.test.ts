import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderCounter, type HeaderLimits } from './header-limits.js';

const big: HeaderLimits = { maxBytes: 1 << 30, maxLines: 1 << 30 };

/** Feeds `text` cut at `cuts` (offsets) and returns the counter after finish(). */
function count(text: string | Buffer, limits: HeaderLimits = big, cuts: readonly number[] = []) {
  const buf = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const c = new HeaderCounter(limits);
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).filter((x) => x > 0 && x < buf.length)) {
    c.push(buf.subarray(at, cut));
    at = cut;
  }
  c.push(buf.subarray(at));
  c.finish();
  return c;
}

/** The same figures the slow way: split on LF, the header ends at the first line "" or "\r". */
function reference(text: string): { bytes: number; lines: number; ended: boolean } {
  const parts = text.split('\n');
  let bytes = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const last = i === parts.length - 1;
    if (!last && (p === '' || p === '\r')) return { bytes, lines: i, ended: true };
    if (last) return { bytes: bytes + p.length, lines: p === '' ? i : i + 1, ended: false };
    bytes += p.length + 1;
  }
  throw new Error('unreachable');
}

describe('HeaderCounter (issue 13: header bounds counted while DATA arrives)', () => {
  it('counts bytes and physical lines up to the empty line, CRLF or bare LF', () => {
    const crlf = count('From: a@b\r\nSubject: x\r\n  folded\r\n\r\nbody\r\nmore\r\n');
    expect([crlf.bytes, crlf.lines, crlf.headerEnded]).toEqual([33, 3, true]);
    const lf = count('From: a@b\nSubject: x\n  folded\n\nbody\n');
    expect([lf.bytes, lf.lines, lf.headerEnded]).toEqual([30, 3, true]);
    // The body never counts, however long.
    const body = count(`A: b\r\n\r\n${'x\r\n'.repeat(10_000)}`, { maxBytes: 10, maxLines: 2 });
    expect(body.overrun).toBeNull();
  });

  it('a header section that never ends is all header, the last unterminated line included', () => {
    const c = count('A: 1\r\nB: 2\r\n  3');
    expect([c.bytes, c.lines, c.headerEnded]).toEqual([15, 3, false]);
    expect(count('A: 1\r\nB: 2\r\n  3', { maxBytes: 100, maxLines: 2 }).overrun).toEqual({
      kind: 'lines',
      limit: 2,
    });
  });

  it('reports the first bound passed and then stops counting', () => {
    const folded = `Subject: x\r\n${' y\r\n'.repeat(30_000)}\r\nbody\r\n`;
    const byLines = count(folded, { maxBytes: 1 << 20, maxLines: 1000 });
    expect(byLines.overrun).toEqual({ kind: 'lines', limit: 1000 });
    expect(byLines.lines).toBe(1001);
    const byBytes = count(folded, { maxBytes: 64 * 1024, maxLines: 1 << 20 });
    expect(byBytes.overrun).toEqual({ kind: 'bytes', limit: 64 * 1024 });
    expect(byBytes.bytes).toBeLessThan(64 * 1024 + 8);
    // Exactly at the limits passes.
    const at = count('A: 1\r\nB: 2\r\n\r\n', { maxBytes: 12, maxLines: 2 });
    expect(at.overrun).toBeNull();
    expect(count('A: 1\r\nB: 2\r\n\r\n', { maxBytes: 11, maxLines: 2 }).overrun?.kind).toBe('bytes');
  });

  it('a CRLF, or the empty line, split across chunks is still seen', () => {
    const text = 'A: 1\r\nB: 2\r\n\r\nC: not a header\r\n';
    for (let cut = 1; cut < text.length; cut++)
      for (let cut2 = cut; cut2 < text.length; cut2++) {
        const c = count(text, big, [cut, cut2]);
        expect([c.bytes, c.lines, c.headerEnded], `cuts ${cut},${cut2}`).toEqual([12, 2, true]);
      }
    // One octet at a time.
    const bytes = Buffer.from(text);
    const c = count(bytes, big, [...bytes.keys()]);
    expect([c.bytes, c.lines]).toEqual([12, 2]);
  });

  it('chunks split anywhere give the reference figures (property)', () => {
    const piece = fc.constantFrom('A: x', ' folded', '\r\n', '\n', '\r', 'x', '');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 8 }), (ps, cuts) => {
        const text = ps.join('');
        const c = count(text, big, cuts);
        const r = reference(text);
        expect({ bytes: c.bytes, lines: c.lines, ended: c.headerEnded }).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });
});

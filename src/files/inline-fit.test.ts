import { describe, expect, it } from 'vitest';
import { base64Octets, effectiveInline, HEADROOM, inlineFit } from './inline-fit.js';

describe('the inline threshold fits one IMTP payload (issue 17)', () => {
  it('a file of inlineFit(p) octets, base64 with line breaks and the headroom, fits p', () => {
    for (const p of [65536, 131072, 1 << 20]) {
      const n = inlineFit(p);
      expect(base64Octets(n) + HEADROOM).toBeLessThanOrEqual(p);
      // And the largest such file: one octet more does not fit.
      expect(base64Octets(n + 1) + HEADROOM).toBeGreaterThan(p);
      // The base64 count itself, against Node's encoder with the line breaks added.
      const b = Buffer.alloc(n).toString('base64');
      expect(base64Octets(n)).toBe(b.length + Math.ceil(b.length / 76) * 2);
    }
  });

  it('keeps a threshold that fits, lowers one that does not', () => {
    expect(effectiveInline(32 * 1024, 65536)).toEqual({ bytes: 32 * 1024, lowered: false });
    expect(effectiveInline(256 * 1024, 65536)).toEqual({ bytes: inlineFit(65536), lowered: true });
    expect(effectiveInline(256 * 1024, 1 << 20)).toEqual({ bytes: 256 * 1024, lowered: false });
  });
});

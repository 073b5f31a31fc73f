import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isXmlSafe, xmlSafe } from './xml-text.js';

describe('xmlSafe (XML 1.0 §2.2 Char)', () => {
  it('removes C0 controls but keeps TAB, LF and CR', () => {
    expect(xmlSafe('a\x00b\x02c\x03d\x1fe\tf\ng\rh')).toBe('abcde\tf\ng\rh');
  });
  it('removes lone surrogates and U+FFFE/U+FFFF, keeps pairs and other text', () => {
    expect(xmlSafe('x\ud800y\udc00z\ufffe\uffff')).toBe('xyz');
    expect(xmlSafe('😀 <&> é \u2028')).toBe('😀 <&> é \u2028');
  });
  it('leaves nothing XML cannot carry, and changes nothing that is already safe (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const safe = xmlSafe(s);
        expect(isXmlSafe(safe)).toBe(true);
        expect(xmlSafe(safe)).toBe(safe);
        // A valid XML 1.0 Char sequence, checked independently of the implementation's regex.
        for (const ch of safe) {
          const cp = ch.codePointAt(0)!;
          const ok =
            cp === 9 ||
            cp === 10 ||
            cp === 13 ||
            (cp >= 0x20 && cp <= 0xd7ff) ||
            (cp >= 0xe000 && cp <= 0xfffd) ||
            cp >= 0x10000;
          expect(ok, cp.toString(16)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    expect(isXmlSafe('a\x02')).toBe(false);
  });
});

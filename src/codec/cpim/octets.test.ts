// The octet checks of the common-case CPIM path (octets.ts) and the regex-free RFC 3339 check
// (model/datetime.ts isDateTime) answer exactly as the string checks they stand for, on
// generated text near their grammars (issue 18).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDateTime, isDateTime } from '../../model/datetime.js';
import { isAbsoluteUriAt, isDateTimeAt } from './octets.js';
import { checkAbsoluteUri } from './syntax.js';

/** Strings made from valid examples with some characters replaced, dropped or added. */
function near(examples: readonly string[], alphabet: string): fc.Arbitrary<string> {
  const ch = fc.constantFrom(...alphabet);
  return fc
    .tuple(
      fc.constantFrom(...examples),
      fc.array(fc.tuple(fc.nat(40), fc.constantFrom('set', 'drop', 'add'), ch), { maxLength: 3 }),
    )
    .map(([s, edits]) => {
      let out = s;
      for (const [at, op, c] of edits) {
        const i = at % (out.length + 1);
        if (op === 'set') out = out.slice(0, i) + c + out.slice(i + 1);
        else if (op === 'drop') out = out.slice(0, i) + out.slice(i + 1);
        else out = out.slice(0, i) + c + out.slice(i);
      }
      return out;
    });
}

/** The octets of `s` inside a larger buffer, so offsets other than 0 are exercised. */
function framed(s: string): { b: Buffer; start: number; end: number } {
  const b = Buffer.from(`x: ${s}\r\n`, 'latin1');
  return { b, start: 3, end: 3 + s.length };
}

describe('octet checks agree with the string checks', () => {
  it('RFC 3339 date-time: isDateTimeAt, isDateTime ⇔ checkDateTime', () => {
    const examples = [
      '2024-05-01T12:00:00Z',
      '2024-02-29t23:59:60.5z',
      '1900-02-28T00:00:00+23:59',
      '2000-02-29T12:30:45.123456-05:00',
      '2023-12-31T23:59:59Z',
    ];
    fc.assert(
      fc.property(near(examples, '0123456789-:.TtZz+ x'), (s) => {
        const valid = checkDateTime(s) === null;
        const { b, start, end } = framed(s);
        expect(isDateTimeAt(b, start, end)).toBe(valid);
        expect(isDateTime(s)).toBe(valid);
        expect(isDateTime(s, true)).toBe(checkDateTime(s, { upperCaseOnly: true }) === null);
      }),
      { numRuns: 5000 },
    );
  });

  it('absolute URI: isAbsoluteUriAt ⇔ checkAbsoluteUri', () => {
    const examples = ['im:alice@gw.test', 'mailto:a@b', 'sip:c@[::1]:5060', 'urn:x-y.z+w:%41b', 'a:b'];
    fc.assert(
      fc.property(near(examples, 'aZ09+-.:/?#%[]@<> "\\é{}|~Ff'), (s) => {
        if (/[^\x20-\x7e]/.test(s)) return;
        const { b, start, end } = framed(s);
        expect(isAbsoluteUriAt(b, start, end)).toBe(checkAbsoluteUri(s) === null);
      }),
      { numRuns: 5000 },
    );
  });
});

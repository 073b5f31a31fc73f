import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeForeign,
  encodeForeign,
  formatAddress,
  makeAddress,
  parseAddress,
  sameAddress,
} from './address.js';
import type { Address, Scheme, UriHeader } from './address.js';
import { isDotAtom } from './address-syntax.js';
import { matchPattern, parsePattern } from './pattern.js';

// RFC 2822 3.2.4 atext.
const ATEXT = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ..."!#$%&'*+-/=?^_`{|}~"];
const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 8 });
const dotAtom = fc.array(atom, { minLength: 1, maxLength: 3 }).map((atoms) => atoms.join('.'));
// Values that need a quoted-string: printable ASCII with SP, DQUOTE, backslash, specials and
// some non-ASCII (RFC 6532), no controls.
const quotedChar = fc.oneof(
  fc.constantFrom(' ', '"', '\\', '@', ',', '(', ')', '<', '>', '[', ']', ':', ';', '.'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }).filter((c) => c >= ' ' && c <= '~'),
  fc.constantFrom('ü', 'é', '日', '本', '😀'),
);
const quotedValue = fc.string({ unit: quotedChar, minLength: 1, maxLength: 12 });
const local = fc.oneof(dotAtom, quotedValue);

const label = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 10 })
  .filter((l) => !l.startsWith('-') && !l.endsWith('-'));
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const hname = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), maxLength: 8 })
  .filter((n) => n !== 'to');
const hvalue = fc.string({ unit: 'grapheme', maxLength: 10 });
const headers = fc.array(fc.tuple(hname, hvalue) as fc.Arbitrary<UriHeader>, { maxLength: 3 });
const scheme = fc.constantFrom<Scheme>('im', 'pres');
const address: fc.Arbitrary<Address> = fc
  .tuple(scheme, local, domain, headers)
  .map(([s, l, d, h]) => makeAddress(s, l, d, h));

/** A non-canonical spelling of `a`: other scheme alias and case, upper-case domain, needless quotes, lower-case hex, escaped safe characters. */
function respell(a: Address, seed: number): string {
  const schemes = a.scheme === 'im' ? ['IM', 'Im', 'imto', 'IMTO'] : ['PRES', 'presence', 'Presence'];
  const s = schemes[seed % schemes.length]!;
  const quoteAnyway = seed % 3 === 0 || !isDotAtom(a.local);
  const localText = quoteAnyway
    ? '"' + [...a.local].map((c) => (c === '"' || c === '\\' || seed % 2 === 0 ? '\\' + c : c)).join('') + '"'
    : a.local;
  const enc = (text: string): string =>
    [...new TextEncoder().encode(text)]
      .map((b) =>
        b >= 0x61 && b <= 0x7a && seed % 5 !== 0
          ? String.fromCharCode(b)
          : '%' + b.toString(16).padStart(2, '0'),
      )
      .join('');
  let out = `${s}:${enc(localText)}@${a.domain.toUpperCase()}`;
  if (a.headers.length > 0)
    out += '?' + a.headers.map(([n, v]) => `${enc(n.toUpperCase())}=${enc(v)}`).join('&');
  return out;
}

describe('address properties', () => {
  it('parseAddress(formatAddress(a)) equals a', () => {
    fc.assert(
      fc.property(address, (a) => {
        expect(parseAddress(formatAddress(a))).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('normalization is idempotent', () => {
    fc.assert(
      fc.property(address, (a) => {
        const once = formatAddress(parseAddress(a.uri));
        expect(formatAddress(parseAddress(once))).toBe(once);
        expect(once).toBe(a.uri);
      }),
      { numRuns: 300 },
    );
  });

  it('every spelling of an address normalizes to the same address', () => {
    fc.assert(
      fc.property(address, fc.nat(), (a, seed) => {
        const text = respell(a, seed);
        const b = parseAddress(text);
        expect(b).toEqual(a);
        expect(sameAddress(a, b)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the canonical URI uses only uric characters and no raw "?" or "," in the mailbox', () => {
    fc.assert(
      fc.property(address, (a) => {
        expect(a.uri).toMatch(/^[A-Za-z0-9\-_.!~*'();/?:@&=+$,%]*$/);
        const to = a.uri.split('?')[0]!;
        expect(to).not.toMatch(/[?,]/);
      }),
      { numRuns: 300 },
    );
  });

  it('local parts stay case-sensitive, domains do not', () => {
    fc.assert(
      fc.property(
        scheme,
        dotAtom.filter((l) => l.toLowerCase() !== l),
        domain,
        (s, l, d) => {
          const a = makeAddress(s, l, d);
          expect(sameAddress(a, makeAddress(s, l.toLowerCase(), d))).toBe(false);
          expect(sameAddress(a, makeAddress(s, l, d.toUpperCase()))).toBe(true);
        },
      ),
    );
  });
});

describe('foreign address properties (RFC 3860 B, RFC 2846)', () => {
  const service = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-'),
    minLength: 1,
    maxLength: 8,
  });
  const foreign = fc.string({
    unit: fc.oneof(quotedChar, fc.constantFrom(...ATEXT)),
    minLength: 1,
    maxLength: 20,
  });

  it('decodeForeign(encodeForeign(s, x, d)) gives back s and x, also through the URI text', () => {
    fc.assert(
      fc.property(service, foreign, domain, (s, x, d) => {
        const a = encodeForeign(s, x, d);
        expect(decodeForeign(a, d)).toEqual({ service: s, address: x });
        expect(decodeForeign(parseAddress(a.uri), d.toUpperCase())).toEqual({ service: s, address: x });
      }),
      { numRuns: 500 },
    );
  });
});

describe('pattern properties', () => {
  it('*@d matches every address in d, *@*.d only those in proper subdomains', () => {
    fc.assert(
      fc.property(scheme, local, domain, label, (s, l, d, sub) => {
        const inD = makeAddress(s, l, d);
        const inSub = makeAddress(s, l, `${sub}.${d}`);
        const other = s === 'im' ? 'presence' : 'im';
        expect(matchPattern(parsePattern(`${s}:*@${d.toUpperCase()}`), inD)).toBe(true);
        expect(matchPattern(parsePattern(`${other}:*@${d}`), inD)).toBe(false);
        expect(matchPattern(parsePattern(`${s}:*@*.${d}`), inD)).toBe(false);
        expect(matchPattern(parsePattern(`${s}:*@*.${d}`), inSub)).toBe(true);
        expect(matchPattern(parsePattern(inD.uri), inD.uri)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

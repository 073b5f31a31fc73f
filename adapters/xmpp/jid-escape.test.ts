import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  XmppMappingError,
  bareJid,
  escapeLocal,
  formatJid,
  fromHistoricalEscapes,
  identifierProblem,
  jidKey,
  parseJid,
  unescapeLocal,
} from './jid-escape.js';

// XEP-0106 §5.1 "JID Examples" (user input → escaped localpart). Rows 9-11 follow the normative
// §4.3 (a backslash not starting an escape sequence is not modified), as in XEP-0106 1.1.1.
const XEP_EXAMPLES: readonly [string, string][] = [
  ['space cadet', 'space\\20cadet'],
  ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
  ['at&t guy', 'at\\26t\\20guy'],
  ["d'artagnan", 'd\\27artagnan'],
  ['/.fanboy', '\\2f.fanboy'],
  ['::foo::', '\\3a\\3afoo\\3a\\3a'],
  ['<foo>', '\\3cfoo\\3e'],
  ['user@host', 'user\\40host'],
  ['c:\\net', 'c\\3a\\net'],
  ['c:\\\\net', 'c\\3a\\\\net'],
  ['c:\\cool stuff', 'c\\3a\\cool\\20stuff'],
  ['c:\\5commas', 'c\\3a\\5c5commas'],
  // §5.2-5.4: the e-mail / im: example.
  ["here's_a_wild_&_/cr%zy/_address", 'here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address'],
  // §4.2 step 3, §5.5: source sequences that look like escapes get their backslash escaped.
  ['\\3and\\2is\\5cool', '\\5c3and\\2is\\5c5cool'],
];

describe('XEP-0106 escaping', () => {
  for (const [plain, escaped] of XEP_EXAMPLES) {
    it(`${JSON.stringify(plain)} ⇄ ${escaped}`, () => {
      expect(escapeLocal(plain)).toBe(escaped);
      expect(unescapeLocal(escaped)).toBe(plain);
    });
  }

  it('escapes all ten characters (§3.2 table)', () => {
    expect(escapeLocal('a b"c&d\'e/f:g<h>i@j')).toBe('a\\20b\\22c\\26d\\27e\\2ff\\3ag\\3ch\\3ei\\40j');
    expect(escapeLocal('\\5c')).toBe('\\5c5c');
    expect(unescapeLocal('\\20\\22\\26\\27\\2f\\3a\\3c\\3e\\40\\5c')).toBe(' "&\'/:<>@\\');
  });

  it('leaves partial and unlisted sequences alone both ways (§4.3)', () => {
    for (const s of ['\\2plus\\2is\\4', 'foo\\bar', 'foob\\41r', 'a\\2F', 'end\\']) {
      expect(escapeLocal(s)).toBe(s);
      expect(unescapeLocal(s)).toBe(s);
    }
  });

  it('reads \\5c27 as the text \\27, not as an apostrophe (one pass, §4.1 rule 7)', () => {
    expect(unescapeLocal('\\5c27')).toBe('\\27');
    expect(unescapeLocal('\\5c5c')).toBe('\\5c');
  });

  it('refuses a leading or trailing space: \\20 may not start or end a localpart (§4.1 rule 6)', () => {
    expect(() => escapeLocal(' lead')).toThrow(XmppMappingError);
    expect(() => escapeLocal('trail ')).toThrow(/space/);
    expect(escapeLocal('in side')).toBe('in\\20side');
  });

  it('rewrites RFC 3922 historical escapes to XEP-0106 form', () => {
    expect(fromHistoricalEscapes('o#27;brien#26;a#2f;b')).toBe('o\\27brien\\26a\\2fb');
    expect(fromHistoricalEscapes('chan#42;')).toBe('chan#42;');
  });

  it('round-trips every string without edge spaces (property)', () => {
    const alphabet = fc.constantFrom(...' "&\'/:<>@\\0123456789abcfxyzé#%;', '\\2', '\\5c', '\\40', '\\27');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }), (parts) => {
        const s = parts.join('').trim();
        const e = escapeLocal(s);
        expect(unescapeLocal(e)).toBe(s);
        expect(e).not.toMatch(/["&'/:<>@ ]/);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (raw) => {
        const s = raw.trim();
        expect(unescapeLocal(escapeLocal(s))).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('JIDs (RFC 7622 §3)', () => {
  it('accepts printable ASCII and letters/digits, refuses symbols, spaces and controls (PRECIS IdentifierClass)', () => {
    for (const ok of ['alice\\40irc.example.org', '#dev', 'été', 'ß', 'Ωmega', '用户', 'x~!$%*'])
      expect(identifierProblem(ok), ok).toBeNull();
    for (const bad of ['😀', 'a\u00a0b', 'a\u2028b', '\u00bfque', 'a\u0007'])
      expect(identifierProblem(bad), bad).toMatch(/IdentifierClass/);
  });

  it('splits local, domain and resource at the first @ and first /', () => {
    expect(parseJid('juliet@example.com/balcony')).toEqual({
      local: 'juliet',
      domain: 'example.com',
      resource: 'balcony',
    });
    // §3.2: the resource may contain '@' and '/'.
    expect(parseJid('a@b.example/c@d/e')).toEqual({ local: 'a', domain: 'b.example', resource: 'c@d/e' });
    expect(parseJid('example.com')).toEqual({ local: '', domain: 'example.com', resource: '' });
    expect(parseJid('Example.COM.')).toEqual({ local: '', domain: 'example.com', resource: '' });
  });

  it('refuses malformed JIDs with a reason', () => {
    for (const bad of [
      '',
      '@example.com',
      'a@',
      'a@b/',
      "o'brien@example.com",
      'a b@example.com',
      'a@b\u0000c',
    ]) {
      expect(() => parseJid(bad), bad).toThrow(XmppMappingError);
    }
    try {
      parseJid('@x');
    } catch (e) {
      expect((e as XmppMappingError).reason).toBe('jid-malformed');
    }
  });

  it('limits each part to 1023 octets (§3.2-3.4)', () => {
    const max = 'é'.repeat(511) + 'a'; // 1023 octets
    expect(parseJid(`${max}@example.com`).local).toBe(max);
    expect(() => parseJid(`${max}a@example.com`)).toThrow(/1023 octets/);
    expect(() => parseJid(`a@example.com/${'r'.repeat(1024)}`)).toThrow(/resourcepart/);
    try {
      parseJid(`${max}a@example.com`);
    } catch (e) {
      expect((e as XmppMappingError).reason).toBe('too-long');
    }
  });

  it('formats what it parses, and keys bare JIDs case-insensitively', () => {
    expect(formatJid({ local: 'alice\\40irc.example.org', domain: 'gw.example.org', resource: 'x' })).toBe(
      'alice\\40irc.example.org@gw.example.org/x',
    );
    expect(formatJid({ domain: 'gw.example.org' })).toBe('gw.example.org');
    expect(() => formatJid({ local: 'a@b', domain: 'gw.example.org' })).toThrow(XmppMappingError);
    expect(bareJid(parseJid('a@b.example/r'))).toBe('a@b.example');
    expect(jidKey(parseJid('Alice\\40IRC.example.org@GW.example.org/r'))).toBe(
      'alice\\40irc.example.org@gw.example.org',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors.js';
import { makeAddress, parseAddress } from './address.js';
import { formatPattern, matchPattern, parsePattern } from './pattern.js';
import type { Pattern } from './pattern.js';

describe('parsePattern and formatPattern (draft-hudson §11.3)', () => {
  const table: [input: string, expected: Pattern, canonical: string, hudson: string][] = [
    ['*', { kind: 'any' }, '*', '*'],
    ['  *\t', { kind: 'any' }, '*', '*'],
    ['im:*', { kind: 'scheme', scheme: 'im' }, 'im:*', 'im:*'],
    ['IMTO:*', { kind: 'scheme', scheme: 'im' }, 'im:*', 'im:*'],
    ['presence:*', { kind: 'scheme', scheme: 'pres' }, 'pres:*', 'presence:*'],
    ['pres:*', { kind: 'scheme', scheme: 'pres' }, 'pres:*', 'presence:*'],
    ['SIP:*', { kind: 'scheme', scheme: 'sip' }, 'sip:*', 'sip:*'],
    [
      'im:*@Example.COM',
      { kind: 'domain', scheme: 'im', domain: 'example.com' },
      'im:*@example.com',
      'im:*@example.com',
    ],
    [
      'presence:*@example.com',
      { kind: 'domain', scheme: 'pres', domain: 'example.com' },
      'pres:*@example.com',
      'presence:*@example.com',
    ],
    [
      'im:*@*.example.com',
      { kind: 'subdomain', scheme: 'im', domain: 'example.com' },
      'im:*@*.example.com',
      'im:*@*.example.com',
    ],
    [
      'pres:*@*.Example.com',
      { kind: 'subdomain', scheme: 'pres', domain: 'example.com' },
      'pres:*@*.example.com',
      'presence:*@*.example.com',
    ],
    [
      'presence:joe@Example.net',
      { kind: 'address', address: parseAddress('pres:joe@example.net') },
      'pres:joe@example.net',
      'presence:joe@example.net',
    ],
    [
      'im:%2A@x.org',
      { kind: 'address', address: makeAddress('im', '*', 'x.org') },
      'im:%2A@x.org',
      'im:%2A@x.org',
    ],
    [
      'im:*x@x.org',
      { kind: 'address', address: makeAddress('im', '*x', 'x.org') },
      'im:*x@x.org',
      'im:*x@x.org',
    ],
    [
      'Mailto:Bob@Example.com',
      { kind: 'url', scheme: 'mailto', url: 'mailto:Bob@Example.com' },
      'mailto:Bob@Example.com',
      'mailto:Bob@Example.com',
    ],
  ];
  for (const [input, expected, canonical, hudson] of table) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const p = parsePattern(input);
      expect(p).toEqual(expected);
      expect(formatPattern(p)).toBe(canonical);
      expect(formatPattern(p, { hudson: true })).toBe(hudson);
      expect(parsePattern(formatPattern(p))).toEqual(p);
      expect(parsePattern(formatPattern(p, { hudson: true }))).toEqual(p);
    });
  }

  const bad: [string, string][] = [
    ['', 'a pattern is'],
    ['joe@example.net', 'a pattern is'],
    ['**', 'a pattern is'],
    ['im:', 'pattern needs'],
    ['sip:', 'pattern needs'],
    ['im:*@', "a domain must follow '*@'"],
    ['im:*@*.', "a domain must follow '*@'"],
    ['im:*@*..x', 'empty label'],
    ['im:*@-x.org', 'letters, digits'],
    ['im:fred', "mailbox needs '@' domain"],
    ['im:a@x.org?subject=hi', 'no ?headers'],
    ['sip:a b@x.org', 'white space'],
  ];
  for (const [input, reason] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      let error: unknown;
      try {
        parsePattern(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CodecError);
      expect((error as CodecError).reason).toContain(reason);
    });
  }
});

describe('matchPattern (docs/hub-protocol.md part 4 row 24)', () => {
  const subjects = [
    'im:joe@example.com',
    'pres:joe@example.com',
    'im:Joe@a.example.com',
    'im:x@b.a.example.com',
    'im:',
    'sip:joe@example.com',
    'xmpp:joe@example.com',
  ];
  const table: [pattern: string, matches: string[]][] = [
    ['*', subjects],
    ['im:*', ['im:joe@example.com', 'im:Joe@a.example.com', 'im:x@b.a.example.com', 'im:']],
    ['presence:*', ['pres:joe@example.com']],
    ['sip:*', ['sip:joe@example.com']],
    ['im:*@example.com', ['im:joe@example.com']],
    ['presence:*@EXAMPLE.com', ['pres:joe@example.com']],
    ['im:*@*.example.com', ['im:Joe@a.example.com', 'im:x@b.a.example.com']],
    ['im:*@*.a.example.com', ['im:x@b.a.example.com']],
    ['im:joe@example.com', ['im:joe@example.com']],
    ['im:Joe@A.Example.com', ['im:Joe@a.example.com']],
    ['im:joe@a.example.com', []],
    ['pres:joe@example.com', ['pres:joe@example.com']],
    ['sip:joe@example.com', ['sip:joe@example.com']],
    ['SIP:joe@example.com', ['sip:joe@example.com']],
    ['sip:Joe@example.com', []],
  ];
  for (const [pattern, matches] of table) {
    it(`${pattern} matches exactly ${matches.length} of the subjects`, () => {
      const p = parsePattern(pattern);
      const got = subjects.filter((s) => matchPattern(p, s));
      expect(got).toEqual(matches);
      // Parsed addresses match the same way as their text.
      for (const s of subjects.filter((x) => /^(im|pres):/.test(x)))
        expect(matchPattern(p, parseAddress(s))).toBe(matches.includes(s));
    });
  }

  it('treats presence:, pres: and imto: subjects as our schemes', () => {
    expect(matchPattern(parsePattern('pres:*@example.com'), 'presence:joe@example.com')).toBe(true);
    expect(matchPattern(parsePattern('im:joe@example.com'), 'IMTO:joe@EXAMPLE.com')).toBe(true);
    expect(matchPattern(parsePattern('im:joe@example.com'), 'im:%22joe%22@example.com')).toBe(true);
    expect(matchPattern(parsePattern('im:joe@example.com'), 'im:joe@example.com?subject=hi')).toBe(true);
  });

  it('throws on invalid identifiers instead of matching nothing', () => {
    expect(() => matchPattern(parsePattern('*'), 'im:fred')).toThrow(CodecError);
    expect(() => matchPattern(parsePattern('*'), 'joe@example.com')).toThrow(/no scheme/);
  });
});

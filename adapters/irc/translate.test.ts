/** Pure translation: addressing, the line budget and splitting (with property tests). */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeAddress, parseImUri } from '../../src/index.js';
import {
  addressToTarget,
  byteLength,
  clipLine,
  DEFAULT_SERVER_INFO,
  foldCase,
  ircToAddress,
  isNetsplitQuit,
  isValidNick,
  parseUserhost,
  puppetNick,
  serverInfoFrom,
  splitLine,
  splitMessage,
  textBudget,
  type IrcServerInfo,
} from './translate.js';

const ngircd: IrcServerInfo = { casemapping: 'ascii', nicklen: 9, chantypes: '#&+' };

describe('addressing (docs/architecture.md part 6)', () => {
  it('maps nicks and channels to URIs under the network domain, # percent-encoded', () => {
    expect(ircToAddress('#dev', 'irc.example.org', DEFAULT_SERVER_INFO).uri).toBe(
      'im:%23dev@irc.example.org',
    );
    expect(ircToAddress('Alice', 'irc.example.org', DEFAULT_SERVER_INFO).uri).toBe(
      'im:alice@irc.example.org',
    );
    const odd = ircToAddress('[Bot]', 'irc.example.org', DEFAULT_SERVER_INFO);
    expect(odd.local).toBe('{bot}');
    expect(addressToTarget(parseImUri(odd.uri), 'irc.example.org', DEFAULT_SERVER_INFO)).toEqual({
      kind: 'nick',
      name: '{bot}',
    });
  });

  it('folds by CASEMAPPING from ISUPPORT', () => {
    expect(foldCase('A[]\\~', 'rfc1459')).toBe('a{}|^');
    expect(foldCase('A[]\\~', 'strict-rfc1459')).toBe('a{}|~');
    expect(foldCase('A[]\\~', 'ascii')).toBe('a[]\\~');
    const info = serverInfoFrom({ CASEMAPPING: 'ascii', NICKLEN: '30', CHANTYPES: ['#', '&'] });
    expect(info).toEqual({ casemapping: 'ascii', nicklen: 30, chantypes: '#&' });
  });

  it('rejects URIs that name nothing on this network', () => {
    const bad = (uri: string, info = ngircd) => addressToTarget(parseImUri(uri), 'irc.test', info);
    expect(bad('im:dave@elsewhere.test')).toBeNull();
    expect(bad('im:averyverylongnick@irc.test')).toBeNull();
    expect(bad('im:%21chan@irc.test')).toBeNull(); // "!" is no CHANTYPE on ngircd, and no nick
    expect(bad('im:%23dev@irc.test')).toEqual({ kind: 'channel', name: '#dev' });
  });

  it('is reversible and stable for every valid nick and channel (property)', () => {
    const nickArb = fc.stringMatching(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,8}$/);
    // eslint-disable-next-line no-control-regex -- RFC 2812 1.3 excludes BEL from channel names
    const chanArb = fc.stringMatching(/^[#&][^\s,\x07\0:]{1,20}$/);
    for (const info of [DEFAULT_SERVER_INFO, ngircd]) {
      fc.assert(
        fc.property(fc.oneof(nickArb, chanArb), (name) => {
          if (name.startsWith('&') && !info.chantypes.includes('&')) return;
          const a = ircToAddress(name, 'irc.test', info);
          const back = addressToTarget(parseImUri(a.uri), 'irc.test', info);
          expect(back).not.toBeNull();
          expect(foldCase(back!.name, info.casemapping)).toBe(foldCase(name, info.casemapping));
          expect(ircToAddress(back!.name, 'irc.test', info).uri).toBe(a.uri);
        }),
      );
    }
  });

  it('derives puppet nicks that fit NICKLEN, with collision suffixes', () => {
    const a = makeAddress('im', 'alexandra.smith', 'gw.test');
    expect(puppetNick(a, '[gw]', ngircd)).toBe('alexa[gw]');
    expect(puppetNick(a, '[gw]', ngircd, 2)).toBe('alex2[gw]');
    expect(puppetNick(makeAddress('im', '42', 'gw.test'), '', ngircd)).toBe('u42');
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 9 }), (local, n) => {
        let addr;
        try {
          addr = makeAddress('im', local, 'gw.test');
        } catch {
          return;
        }
        expect(isValidNick(puppetNick(addr, '[gw]', ngircd, n), ngircd)).toBe(true);
      }),
    );
  });

  it('splits userhosts as the ircdocs vectors say', () => {
    const doc = parse(
      readFileSync(new URL('../../test/fixtures/irc/userhost-split.yaml', import.meta.url), 'utf8'),
    ) as {
      tests: { source: string; atoms: { nick?: string; user?: string; host?: string } }[];
    };
    expect(doc.tests.length).toBeGreaterThan(5);
    for (const t of doc.tests)
      expect(parseUserhost(t.source)).toEqual({
        nick: t.atoms.nick ?? '',
        user: t.atoms.user ?? '',
        host: t.atoms.host ?? '',
      });
  });

  it('recognises netsplit quits', () => {
    expect(isNetsplitQuit('hub.example.net leaf.example.net')).toBe(true);
    expect(isNetsplitQuit('Quit: bye')).toBe(false);
  });
});

describe('line budget and splitting (RFC 1459 2.3, docs/bridge-requirements.md row 2)', () => {
  const mask = { nick: 'gwbot', user: '~cpimgw', host: '127.0.0.1' };

  it('counts our hostmask, the command, the target and CR LF', () => {
    const budget = textBudget(mask, 'PRIVMSG', '#dev');
    expect(byteLength(`:gwbot!~cpimgw@127.0.0.1 PRIVMSG #dev :${'x'.repeat(budget)}\r\n`)).toBe(512);
  });

  it('never cuts a code point or a colour code, and prefers white space', () => {
    expect(splitLine('€€€', 4)).toEqual(['€', '€', '€']);
    expect(splitLine('😀😀', 5)).toEqual(['😀', '😀']);
    expect(splitLine('ab\x0304,12cd', 5)).toEqual(['ab', '\x0304,12', 'cd']);
    expect(splitLine('hello world again', 12)).toEqual(['hello world', ' again']);
    expect(splitMessage('a\n\nb\r\nc', 10)).toEqual(['a', 'b', 'c']);
    expect(clipLine('aaaaaaaaaa', 6)).toBe('aaa…');
  });

  it('never cuts a grapheme cluster, unless it alone is over the budget (issue 20)', () => {
    const family = '👩\u200d👩\u200d👧'; // 18 octets, one grapheme cluster
    expect(splitLine(family.repeat(3), 40)).toEqual([family.repeat(2), family]);
    expect(splitLine('e\u0301'.repeat(4), 7)).toEqual(['e\u0301e\u0301', 'e\u0301e\u0301']);
    expect(clipLine(family.repeat(3), 38)).toBe(family + '…');
    // A cluster longer than the budget is cut at code points: no line is ever too long.
    const pile = 'a' + '\u0301'.repeat(10);
    expect(splitLine(pile, 8).every((p) => byteLength(p) <= 8)).toBe(true);
    expect(splitLine(pile, 8).join('')).toBe(pile);
  });

  it('drops lines of white space only, which IRC would show as blank (issue 20)', () => {
    expect(splitMessage(' ', 10)).toEqual([]);
    expect(splitMessage('a\n \t \n  b', 10)).toEqual(['a', '  b']);
  });

  it('split → join reassembles, each piece within the budget, valid UTF-8 (property)', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('a', ' ', 'é', '€', '😀', '\x02', '\x0312,04', '\u200d', '\u0301', '👩\u200d👧'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 400,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 8, max: 120 }), (t, budget) => {
        const pieces = splitLine(t, budget);
        expect(pieces.join('')).toBe(t);
        for (const p of pieces) {
          expect(byteLength(p)).toBeLessThanOrEqual(budget);
          expect(p.length).toBeGreaterThan(0);
          expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
          expect(/[\uD800-\uDBFF]$/.test(p)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

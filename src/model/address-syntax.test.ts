// Character-level rules under im:/pres: URIs: local parts, percent-encoding, domains, headers.
import { describe, expect, it } from 'vitest';
import { codecError } from '../../test/support/codec-error.js';
import { makeAddress, parseAddress, sameAddress } from './address.js';

describe('local parts (RFC 2822 3.2.4, 3.2.5)', () => {
  it('keeps case and unquotes to the value', () => {
    const a = parseAddress('im:Fred@example.com');
    expect(a.local).toBe('Fred');
    expect(sameAddress(a, parseAddress('im:fred@example.com'))).toBe(false);
    expect(sameAddress(parseAddress('im:%22fred%22@example.com'), parseAddress('im:fred@example.com'))).toBe(
      true,
    );
    expect(parseAddress('im:%22a%5Cb%22@x.org').local).toBe('ab');
  });
  it('quotes and escapes minimally when formatting', () => {
    expect(makeAddress('im', 'a"b\\c', 'x.org').uri).toBe('im:%22a%5C%22b%5C%5Cc%22@x.org');
    expect(makeAddress('im', 'a@b', 'x.org').uri).toBe('im:%22a%40b%22@x.org');
    expect(makeAddress('im', 'a..b', 'x.org').uri).toBe('im:%22a..b%22@x.org');
    expect(makeAddress('im', 'o?k%', 'x.org').uri).toBe('im:o%3Fk%25@x.org');
  });
  it('percent-encodes IRC channel names (docs/architecture.md part 6)', () => {
    const ch = makeAddress('im', '#dev', 'irc.example.org');
    expect(ch.uri).toBe('im:%23dev@irc.example.org');
    expect(parseAddress(ch.uri)).toEqual(ch);
  });
  it('rejects bad dot-atoms and quoted-strings with reasons', () => {
    expect(codecError(() => parseAddress('im:.fred@x.org')).reason).toContain('dot-atom');
    expect(codecError(() => parseAddress('im:fr..ed@x.org')).reason).toContain('dot-atom');
    expect(codecError(() => parseAddress('im:fred.@x.org')).reason).toContain('dot-atom');
    expect(codecError(() => parseAddress('im:@x.org')).reason).toBe('the local part is empty');
    expect(codecError(() => parseAddress('im:%22%22@x.org')).reason).toBe('the local part is empty');
    expect(codecError(() => parseAddress('im:%22fred@x.org')).reason).toContain('unterminated quoted-string');
    expect(codecError(() => parseAddress('im:fred%20smith@x.org')).reason).toContain(
      'SP is only allowed inside a quoted local part',
    );
    expect(codecError(() => parseAddress('im:a(b)@x.org')).reason).toContain('is not atext');
    expect(codecError(() => parseAddress('im:Fred%20%3Cfred@x.org%3E')).reason).toContain('SP');
    expect(codecError(() => parseAddress('im:%3Cfred@x.org%3E')).reason).toContain('display names');
  });
  it('rejects CR, LF and other controls even when percent-encoded', () => {
    expect(codecError(() => parseAddress('im:%22a%0D%0Ab%22@x.org')).reason).toContain(
      'control character U+000D',
    );
    expect(codecError(() => parseAddress('im:a%0Ab@x.org')).reason).toContain('control character U+000A');
    expect(codecError(() => parseAddress('im:%22a%5C%09%22@x.org')).reason).toContain(
      'control character U+0009',
    );
    expect(codecError(() => makeAddress('im', 'a\nb', 'x.org')).reason).toContain('control character');
    expect(codecError(() => makeAddress('im', '', 'x.org')).reason).toBe('the local part is empty');
    expect(codecError(() => makeAddress('im', 'a\ud800', 'x.org')).reason).toContain('lone surrogate');
  });
  it('rejects a second mailbox however it is written', () => {
    expect(codecError(() => parseAddress('im:alice,bob@x.org')).reason).toContain('comma lists');
    expect(codecError(() => parseAddress('im:alice@x.org%2Cbob@y.org')).reason).toContain('comma lists');
    expect(codecError(() => parseAddress('im:a@b@x.org')).reason).toContain("more than one '@'");
    expect(codecError(() => parseAddress('im:a@x.org?to=b@y.org')).reason).toContain("'to' header");
    expect(parseAddress('im:%22a,b%22@x.org').local).toBe('a,b');
  });
});

describe('URI syntax (RFC 2396)', () => {
  it('reports the column of a raw non-uric character', () => {
    const e = codecError(() => parseAddress('im:fred smith@example.com'));
    expect(e.position).toEqual({ offset: 7, line: 1, column: 8 });
    expect(codecError(() => parseAddress('pres:a@b.c#x')).reason).toBe('a fragment is not part of PRES-URI');
    expect(codecError(() => parseAddress('im:j\u00fcrgen@x.org')).reason).toContain('raw U+00FC');
    expect(codecError(() => parseAddress('im:a"b@x.org')).reason).toContain(`raw '"'`);
  });
  it('rejects malformed escapes and ill-formed UTF-8', () => {
    expect(codecError(() => parseAddress('im:a%2@x.org')).rule).toBe('RFC 2396 2.4.1');
    expect(codecError(() => parseAddress('im:a%zz@x.org')).reason).toContain('two hex digits');
    expect(codecError(() => parseAddress('im:a%C3%28@x.org')).reason).toContain('not well-formed UTF-8');
  });
  it('normalizes lower-case hex and needless escapes', () => {
    expect(parseAddress('im:j%c3%bcrgen@example.com').uri).toBe('im:j%C3%BCrgen@example.com');
    expect(parseAddress('im:%66red@%45xample.com').uri).toBe('im:fred@example.com');
  });
});

describe('domains (RFC 1035 2.3.1)', () => {
  it('lower-cases and validates', () => {
    expect(parseAddress('im:a@EXAMPLE.Com').domain).toBe('example.com');
    expect(parseAddress('im:a@relay-domain').domain).toBe('relay-domain');
    for (const bad of [
      'im:a@-x.org',
      'im:a@x-.org',
      'im:a@x..org',
      'im:a@x.org.',
      'im:a@x_y.org',
      `im:a@${'x'.repeat(64)}.org`,
    ]) {
      expect(codecError(() => parseAddress(bad)).rule, bad).toBe('RFC 1035 2.3.1');
    }
    expect(codecError(() => parseAddress(`im:a@${'abcdefghi.'.repeat(26)}org`)).reason).toContain('253');
    expect(codecError(() => parseAddress('im:a@%5B192.0.2.1%5D')).reason).toContain('domain literals');
    expect(codecError(() => parseAddress('im:a@b%C3%BC.org')).reason).toContain('letters, digits');
    expect(codecError(() => parseAddress('im:a@')).reason).toBe("mailbox needs '@' domain");
  });
});

describe('headers (RFC 2368)', () => {
  it('decodes, lower-cases names, keeps order and duplicates', () => {
    const a = parseAddress('im:a@x.org?Subject=hi%20there&body=a%3Db%26c&subject=again&k=v?w');
    expect(a.headers).toEqual([
      ['subject', 'hi there'],
      ['body', 'a=b&c'],
      ['subject', 'again'],
      ['k', 'v?w'],
    ]);
    expect(a.uri).toBe('im:a@x.org?subject=hi%20there&body=a%3Db%26c&subject=again&k=v%3Fw');
    expect(parseAddress(a.uri)).toEqual(a);
  });
  it('needs hname=hvalue in every header', () => {
    expect(codecError(() => parseAddress('im:a@x.org?')).reason).toContain('hname "=" hvalue');
    expect(codecError(() => parseAddress('im:a@x.org?a=b&')).reason).toContain('hname "=" hvalue');
    expect(parseAddress('im:?subject=x').headers).toEqual([['subject', 'x']]);
  });
});

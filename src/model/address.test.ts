import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codecError } from '../../test/support/codec-error.js';
import { CodecError } from '../errors.js';
import {
  decodeForeign,
  encodeForeign,
  formatAddress,
  isInbox,
  isPresentity,
  parseAddress,
  parseImUri,
  parseInbox,
  parsePresentity,
  parsePresUri,
  parseUriParts,
  sameAddress,
  sameMailbox,
  toHudson,
  toIm,
  toPres,
  tryParseAddress,
} from './address.js';

interface UriCase {
  uri: string;
  valid: boolean | 'implementation-defined';
  scheme?: 'im' | 'pres';
  to?: string[];
  to_octets_utf8?: string;
  headers?: [string, string][];
  equal_to?: string;
  not_equal_to?: string;
  message_operation?: string;
  reason?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/vectors/uri-vectors.json', import.meta.url), 'utf8'),
) as { cases: UriCase[] };

/** A key phrase our reason must contain, per invalid vector (the vectors' own reasons are prose). */
const REASONS: Record<string, string> = {
  'im:fred': "mailbox needs '@' domain",
  'im:alice@example.com,bob@example.com': 'comma lists are not allowed (RFC 3860 A.2: to = mailbox)',
  'im:fred smith@example.com': 'raw SP is not a uric character',
  'im:fred@example.com#home': 'a fragment is not part of IM-URI',
  'pres:fred@[192.0.2.1]': 'domain literals are not supported',
};

describe('uri-vectors.json', () => {
  it('has cases of every kind', () => {
    expect(vectors.cases.filter((c) => c.valid === true).length).toBeGreaterThan(5);
    expect(vectors.cases.filter((c) => c.valid === false).length).toBeGreaterThan(3);
  });

  for (const c of vectors.cases) {
    if (c.valid === true) {
      it(`accepts ${c.uri}`, () => {
        const parts = parseUriParts(c.uri);
        expect(parts.scheme).toBe(c.scheme);
        expect(parts.to === null ? [] : [parts.to]).toEqual(c.to);
        expect(parts.headers).toEqual(c.headers);
        const a = parseAddress(c.uri);
        expect(a.scheme).toBe(c.scheme);
        expect(a.headers).toEqual(c.headers);
        expect(a.uri).toBe(formatAddress(a));
        expect(parseAddress(a.uri)).toEqual(a);
        if (c.equal_to !== undefined) expect(sameAddress(a, parseAddress(c.equal_to))).toBe(true);
        if (c.not_equal_to !== undefined) expect(sameAddress(a, parseAddress(c.not_equal_to))).toBe(false);
        if (c.message_operation === 'failure') {
          expect(isInbox(a)).toBe(false);
          expect(codecError(() => parseInbox(c.uri)).reason).toBe('names no instant inbox (RFC 3860 3.4.1)');
        } else {
          expect(a.domain).not.toBe('');
        }
      });
    } else if (c.valid === false) {
      it(`rejects ${c.uri}`, () => {
        const e = codecError(() => parseAddress(c.uri));
        expect(e.rule).toMatch(/^RFC \d+/);
        const phrase = REASONS[c.uri];
        if (phrase !== undefined) expect(e.reason).toContain(phrase);
        expect(tryParseAddress(c.uri)).toBeInstanceOf(CodecError);
      });
    } else {
      // Implementation-defined: percent-encoded UTF-8 local parts are accepted (RFC 3922 3.2 makes
      // them; RFC 6532 allows UTF-8 local parts) and re-format to the very same text.
      it(`accepts ${c.uri} (implementation-defined)`, () => {
        const parts = parseUriParts(c.uri);
        expect(parts.to).toBe(c.to_octets_utf8);
        const a = parseAddress(c.uri);
        expect(a.scheme).toBe(c.scheme);
        expect(a.local + '@' + a.domain).toBe(c.to_octets_utf8);
        expect(formatAddress(a)).toBe(c.uri);
      });
    }
  }
});

interface XmppCase {
  xmpp: string;
  cpim?: string;
}
const xmpp = JSON.parse(
  readFileSync(new URL('../../test/fixtures/vectors/xmpp-cpim-mapping.json', import.meta.url), 'utf8'),
) as {
  address_xmpp_to_cpim: XmppCase[];
  address_cpim_to_xmpp: XmppCase[];
};

describe('xmpp-cpim-mapping.json addresses (RFC 3922 3.2, 3.3)', () => {
  // RFC 3922 3.3 step 5 escapes & ' / as #26; #27; #2f; in XMPP node names; undo it to compare.
  const unescapeNode = (s: string): string =>
    s.replace(/#26;/g, '&').replace(/#27;/g, "'").replace(/#2f;/gi, '/');
  for (const c of [...xmpp.address_xmpp_to_cpim, ...xmpp.address_cpim_to_xmpp]) {
    if (c.cpim === undefined) continue;
    const cpim = c.cpim;
    it(`${cpim} names the principal ${c.xmpp}`, () => {
      const a = parseImUri(cpim);
      const bare = c.xmpp.replace(/\/.*$/, '');
      expect(`${a.local}@${a.domain}`).toBe(unescapeNode(bare));
    });
  }
  it('compares after percent-decoding (mary%2Djane = mary-jane)', () => {
    expect(
      sameAddress(parseAddress('im:mary%2Djane@example.com'), parseAddress('im:mary-jane@example.com')),
    ).toBe(true);
    expect(parseAddress('im:mary%2Djane@example.com').uri).toBe('im:mary-jane@example.com');
  });
});

describe('schemes', () => {
  it('reads presence: as pres: and imto: as im:, case-insensitively, and never emits them', () => {
    expect(parseAddress('presence:joe@example.net').uri).toBe('pres:joe@example.net');
    expect(parseAddress('PRESENCE:joe@example.net').scheme).toBe('pres');
    expect(parseAddress('ImTo:joe@example.net').uri).toBe('im:joe@example.net');
    expect(parsePresUri('Pres:joe@example.net').uri).toBe('pres:joe@example.net');
  });
  it('parseImUri and parsePresUri insist on their scheme', () => {
    expect(codecError(() => parseImUri('pres:a@b.c')).reason).toContain('expected an im: URI');
    expect(codecError(() => parsePresUri('imto:a@b.c')).reason).toContain('expected a pres: URI');
    expect(parsePresUri('presence:a@b.c').scheme).toBe('pres');
  });
  it('refuses other schemes and missing schemes', () => {
    expect(codecError(() => parseAddress('sip:a@b.c')).reason).toContain("unsupported scheme 'sip:'");
    expect(codecError(() => parseAddress('mailto:a@b.c')).reason).toContain('unsupported scheme');
    expect(codecError(() => parseAddress('joe@example.net')).reason).toContain('missing scheme');
    expect(codecError(() => parseAddress('')).reason).toBe('empty address');
  });
  it('reads scheme-less ids with defaultScheme (docs/hub-protocol.md part 4 row 8)', () => {
    expect(parseAddress('joe@example.net', { defaultScheme: 'pres' }).uri).toBe('pres:joe@example.net');
    expect(parseAddress('joe@example.net', { defaultScheme: 'im' }).uri).toBe('im:joe@example.net');
    expect(parseAddress('%22a%20b%22@x.org', { defaultScheme: 'im' }).local).toBe('a b');
    expect(codecError(() => parseAddress('', { defaultScheme: 'im' })).reason).toBe('empty address');
  });
});

describe('inboxes and presentities', () => {
  it('tells an empty URI from an inbox', () => {
    expect(isInbox(parseAddress('im:fred@x.org'))).toBe(true);
    expect(isInbox(parseAddress('pres:fred@x.org'))).toBe(false);
    expect(isPresentity(parseAddress('pres:fred@x.org'))).toBe(true);
    expect(parseInbox('im:fred@x.org').uri).toBe('im:fred@x.org');
    expect(codecError(() => parsePresentity('pres:')).reason).toBe('names no presentity (RFC 3859 3.4.1)');
    expect(codecError(() => parseInbox('pres:a@x.org')).reason).toContain('expected an im: URI');
  });
  it('converts between schemes without headers', () => {
    const a = parseAddress('im:Fred@x.org?subject=hi');
    expect(toPres(a).uri).toBe('pres:Fred@x.org');
    expect(toIm(toPres(a)).uri).toBe('im:Fred@x.org');
    expect(sameMailbox(a, toPres(a))).toBe(true);
    expect(sameAddress(a, toIm(a))).toBe(false);
  });
  it('writes hub identifiers with presence: and no headers', () => {
    expect(toHudson(parseAddress('pres:joe@example.net?x=y'))).toBe('presence:joe@example.net');
    expect(toHudson(parseAddress('im:%22Jane%20Smith%22@domain.com'))).toBe(
      'im:%22Jane%20Smith%22@domain.com',
    );
    expect(codecError(() => toHudson(parseAddress('im:'))).reason).toContain('local-part "@" domain');
  });
});

describe('foreign addresses (RFC 3860 App. B, RFC 2846)', () => {
  it('maps a source route as RFC 3860 B.2 shows', () => {
    const a = encodeForeign('pepp', 'example.com/fred', 'relay-domain');
    expect(a.uri).toBe('im:pepp=example.com/fred@relay-domain');
    expect(decodeForeign(parseAddress('im:pepp=example.com/fred@relay-domain'))).toEqual({
      service: 'pepp',
      address: 'example.com/fred',
    });
  });
  it('maps an outside mailbox under the mail domain as a quoted local part', () => {
    const a = encodeForeign('mailto', 'dave@elsewhere.net', 'Mail.Example.org');
    expect(a.uri).toBe('im:%22mailto=dave%40elsewhere.net%22@mail.example.org');
    expect(decodeForeign(parseAddress(a.uri), 'mail.example.org')).toEqual({
      service: 'mailto',
      address: 'dave@elsewhere.net',
    });
    expect(decodeForeign(a, 'other.example.org')).toBeNull();
  });
  it('keeps RFC 2846 qualifiers in the address', () => {
    const a = encodeForeign('FAX', '+39040226338/ATTN=Mark.Collins', 'faxgw.example.org');
    expect(a.uri).toBe('im:FAX=+39040226338/ATTN=Mark.Collins@faxgw.example.org');
    expect(decodeForeign(a)).toEqual({ service: 'FAX', address: '+39040226338/ATTN=Mark.Collins' });
  });
  it('refuses bad service selectors and finds none in plain addresses', () => {
    expect(codecError(() => encodeForeign('x.y', 'a', 'r.org')).rule).toBe('RFC 2846 8');
    expect(codecError(() => encodeForeign('', 'a', 'r.org')).rule).toBe('RFC 2846 8');
    expect(codecError(() => encodeForeign('pepp', '', 'r.org')).reason).toContain('empty');
    expect(decodeForeign(parseAddress('im:fred@x.org'))).toBeNull();
    expect(decodeForeign(parseAddress('im:=x@x.org'))).toBeNull();
    expect(decodeForeign(parseAddress('im:a.b=x@x.org'))).toBeNull();
    expect(decodeForeign(parseAddress('im:'))).toBeNull();
  });
});

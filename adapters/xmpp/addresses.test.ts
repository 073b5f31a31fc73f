import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress, sameAddress } from '../../src/index.js';
import { cpimToXmpp, jidKind, xmppToCpim, type XmppAddressing } from './addresses.js';
import { XmppMappingError, fromHistoricalEscapes, parseJid } from './jid-escape.js';

interface XmppCase {
  xmpp: string;
  stanza?: string;
  cpim?: string;
  cpim_from_header?: string;
  pidf_entity?: string;
}
// The RFC 3922 vectors (spec/vectors/xmpp-cpim-mapping.json), kept in the repository's fixtures.
const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/vectors/xmpp-cpim-mapping.json', import.meta.url), 'utf8'),
) as { address_xmpp_to_cpim: XmppCase[]; address_cpim_to_xmpp: XmppCase[] };

const GW: XmppAddressing = {
  componentDomain: 'xmpp-gw.example.org',
  userDomains: ['example.com', 'example.net', 'example.org'],
};
// The vectors write RFC 3922's historical escapes (#27;) in XMPP localparts.
const RFC: XmppAddressing = { ...GW, historicalEscapes: true };

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof XmppMappingError) return e.reason;
    throw e;
  }
  return 'no error';
}

describe('RFC 3922 §3.2 XMPP → CPIM (vectors)', () => {
  for (const c of vectors.address_xmpp_to_cpim) {
    const im = c.cpim ?? c.cpim_from_header;
    if (im === undefined) continue;
    it(`${c.xmpp} → ${im}`, () => {
      // Compare after percent-decoding: the vector spells mary%2Djane, the model mary-jane.
      expect(sameAddress(xmppToCpim(c.xmpp, 'im', RFC), parseAddress(im))).toBe(true);
      if (c.pidf_entity !== undefined)
        expect(xmppToCpim(c.xmpp, 'pres', RFC).uri).toBe(parseAddress(c.pidf_entity).uri);
    });
  }
  it('docs/cpim.md row 56: drops the resource and adds the scheme (§3.2 steps 1 and 6, §4.1.1)', () => {
    expect(xmppToCpim('juliet@example.com/balcony', 'im', GW).uri).toBe('im:juliet@example.com');
    expect(xmppToCpim('juliet@example.com/balcony', 'pres', GW).uri).toBe('pres:juliet@example.com');
  });
  it('reads XEP-0106 escapes in user localparts (§3.2 step 3)', () => {
    expect(xmppToCpim('o\\27brien@example.com', 'im', GW).local).toBe("o'brien");
    // Without the option the historical form is a literal localpart.
    expect(xmppToCpim('o#27;brien@example.com', 'im', GW).local).toBe('o#27;brien');
  });
});

describe('RFC 3922 §3.3 CPIM → XMPP (vectors)', () => {
  for (const c of vectors.address_cpim_to_xmpp) {
    const cpim = c.cpim!;
    // We write the XEP-0106 form (\27) where the RFC's examples write #27; (docs/adapters/xmpp-mapping.md
    // "Addresses" step 3).
    const expected = fromHistoricalEscapes(c.xmpp);
    it(`${cpim} → ${expected}`, () => {
      expect(cpimToXmpp(cpim, GW)).toBe(expected);
      expect(xmppToCpim(c.xmpp, 'im', RFC).uri).toBe(parseAddress(cpim).uri);
    });
  }
});

describe('puppets (docs/adapters/xmpp-mapping.md "Addresses", XEP-0106 §4.2)', () => {
  it('puts the whole foreign address, escaped, under the component domain', () => {
    expect(cpimToXmpp('im:alice@irc.example.org', GW)).toBe('alice\\40irc.example.org@xmpp-gw.example.org');
    expect(cpimToXmpp('im:%23dev@irc.example.org', GW)).toBe('#dev\\40irc.example.org@xmpp-gw.example.org');
    expect(cpimToXmpp('pres:bob@web.example.org', GW)).toBe('bob\\40web.example.org@xmpp-gw.example.org');
  });
  it('reads a puppet back as the foreign address, for im: and pres:', () => {
    const jid = 'alice\\40irc.example.org@xmpp-gw.example.org/phone';
    expect(jidKind(jid, GW)).toBe('puppet');
    expect(xmppToCpim(jid, 'im', GW).uri).toBe('im:alice@irc.example.org');
    expect(xmppToCpim(jid, 'pres', GW).uri).toBe('pres:alice@irc.example.org');
  });
  it('keeps quoted local parts with @ (RFC 3860 B.2 foreign mailboxes) by splitting at the last @', () => {
    const uri = 'im:%22mailto=dave%40elsewhere.net%22@mail.example.org';
    const jid = cpimToXmpp(uri, GW);
    expect(jid).toBe('mailto=dave\\40elsewhere.net\\40mail.example.org@xmpp-gw.example.org');
    expect(xmppToCpim(jid, 'im', GW).uri).toBe(parseAddress(uri).uri);
  });
  it('maps the component’s own names (hosted rooms) as plain addresses', () => {
    expect(jidKind('dev@xmpp-gw.example.org', GW)).toBe('component');
    expect(xmppToCpim('dev@xmpp-gw.example.org/nick', 'im', GW).uri).toBe('im:dev@xmpp-gw.example.org');
    expect(cpimToXmpp('im:dev@xmpp-gw.example.org', GW)).toBe('dev@xmpp-gw.example.org');
  });
  it('escapes a puppet of a mailbox with a backslash sequence in it (XEP-0106 §4.2 step 3)', () => {
    const uri = 'im:%22a%5C%5C40b%22@irc.example.org'; // quoted-pair: the local part is a\40b
    const jid = cpimToXmpp(uri, GW);
    expect(jid).toBe('a\\5c40b\\40irc.example.org@xmpp-gw.example.org');
    expect(xmppToCpim(jid, 'im', GW).local).toBe('a\\40b');
  });
});

describe('what cannot be mapped', () => {
  it('gives a reason', () => {
    expect(reasonOf(() => xmppToCpim('romeo@elsewhere.example', 'im', GW))).toBe('domain-not-served');
    expect(reasonOf(() => xmppToCpim('example.com', 'im', GW))).toBe('no-localpart');
    expect(reasonOf(() => xmppToCpim('xmpp-gw.example.org', 'im', GW))).toBe('no-localpart');
    expect(reasonOf(() => xmppToCpim('a@b/', 'im', GW))).toBe('jid-malformed');
    // A puppet of an XMPP user would be a second name for that user.
    expect(reasonOf(() => xmppToCpim('juliet\\40example.com@xmpp-gw.example.org', 'im', GW))).toBe(
      'not-mappable',
    );
    expect(reasonOf(() => xmppToCpim('\\40irc.example.org@xmpp-gw.example.org', 'im', GW))).toBe(
      'not-mappable',
    );
    expect(reasonOf(() => cpimToXmpp('im:', GW))).toBe('not-mappable');
    expect(reasonOf(() => cpimToXmpp('mailto:a@b.example', GW))).toBe('bad-uri');
    expect(reasonOf(() => cpimToXmpp('im:a@b.example?subject=x', GW))).toBe('not-mappable');
    expect(reasonOf(() => cpimToXmpp('im:%22a%40b%22@xmpp-gw.example.org', GW))).toBe('not-mappable');
    expect(reasonOf(() => cpimToXmpp('im:%22%20lead%22@irc.example.org', GW))).toBe('not-mappable');
    // PRECIS IdentifierClass (RFC 7622 §3.3.1): the server would answer jid-malformed.
    expect(reasonOf(() => cpimToXmpp('im:%F0%9F%98%80@irc.example.org', GW))).toBe('not-mappable');
    expect(cpimToXmpp('im:%C3%A9t%C3%A9@irc.example.org', GW)).toBe(
      'été\\40irc.example.org@xmpp-gw.example.org',
    );
    const long = 'x'.repeat(1010);
    expect(reasonOf(() => cpimToXmpp(`im:${long}@irc.example.org`, GW))).toBe('too-long');
  });
});

describe('round trips (property)', () => {
  const localChar = fc.constantFrom(...'abcXYZ019._-+#%&\'/:<>@\\"é ', '\\40', '\\5c');
  const local = fc
    .array(localChar, { minLength: 1, maxLength: 20 })
    .map((p) => p.join('').trim())
    .filter((s) => s !== '');
  const foreignDomain = fc.constantFrom('irc.example.org', 'mail.example.org', 'web.example.net.test');

  it('foreign URI → puppet JID → the same URI', () => {
    fc.assert(
      fc.property(local, foreignDomain, fc.constantFrom('im' as const, 'pres' as const), (l, d, scheme) => {
        const uri = parseAddress(`${scheme}:x@${d}`).uri.replace('x@', `${encodeLocal(l)}@`);
        const a = parseAddress(uri);
        const jid = cpimToXmpp(a.uri, GW);
        expect(parseJid(jid).domain).toBe('xmpp-gw.example.org');
        expect(xmppToCpim(jid, scheme, GW).uri).toBe(a.uri);
      }),
      { numRuns: 1500 },
    );
  });

  it('user URI → JID → the same URI', () => {
    fc.assert(
      fc.property(local, (l) => {
        const a = parseAddress(`im:${encodeLocal(l)}@example.com`);
        const jid = cpimToXmpp(a.uri, GW);
        expect(xmppToCpim(jid, 'im', GW).uri).toBe(a.uri);
      }),
      { numRuns: 1500 },
    );
  });
});

/** An im: local part for any value: quoted and percent-encoded. */
function encodeLocal(value: string): string {
  return encodeURIComponent('"' + value.replace(/["\\]/g, '\\$&') + '"').replace(/'/g, '%27');
}

// application/presence ↔ PIDF, one test per row of spec/hub-protocol.md 5.4.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors.js';
import { buildPidf, parsePidf } from './pidf/index.js';
import {
  inspectPresenceText,
  pidfToPresence,
  presenceToPidf,
  rankPriorities,
  rfc3339ToRfc822,
  rfc822ToRfc3339,
} from './presence-map.js';
import { parsePresenceText, serializePresenceText } from './presence-text/index.js';

const toPidf = (text: string, entity?: string) =>
  presenceToPidf(parsePresenceText(text).document, entity === undefined ? {} : { entity });

describe('application/presence → PIDF (docs/hub-protocol.md 5.4)', () => {
  it('presentity = "presence:x@d" → entity pres:x@d (scheme-less ids default to presence)', () => {
    expect(toPidf('presentity = "presence:x@d"\ncontact = "im:x@d"').result.entity).toBe('pres:x@d');
    expect(toPidf('presentity = joe@example.com\ncontact = "im:x@d"').result.entity).toBe(
      'pres:joe@example.com',
    );
    // Without presentity the caller supplies the entity (PITP Presentity header).
    expect(toPidf('contact = "im:x@d"', 'presence:joe@example.net').result.entity).toBe(
      'pres:joe@example.net',
    );
    expect(() => toPidf('contact = "im:x@d"')).toThrow(CodecError);
  });

  it('each contact → a tuple c1, c2 … with <contact>; imto: becomes im:', () => {
    const r = toPidf('presentity = "presence:x@d"\ncontact = mailto:x@d\ncontact = imto:x@d').result;
    expect(r.tuples.map((t) => [t.id, t.contact])).toEqual([
      ['c1', { uri: 'mailto:x@d', priority: null }],
      ['c2', { uri: 'im:x@d', priority: null }],
    ]);
  });

  it('status open/closed → basic; deferred → open + note; absent → open', () => {
    const r = toPidf(
      'presentity = "presence:x@d"\ncontact = "im:a@d" { status = open }\ncontact = "im:b@d" { status = closed }\n' +
        'contact = "im:c@d" { status = deferred }\ncontact = "im:e@d"',
    ).result;
    expect(r.tuples.map((t) => [t.basic, t.notes])).toEqual([
      ['open', []],
      ['closed', []],
      ['open', [{ lang: null, text: 'deferred' }]],
      ['open', []],
    ]);
  });

  it('preference (lower = better) → priority ranking 1.0, 0.9, 0.8 …; none for unranked', () => {
    const r = toPidf(
      'presentity = "presence:x@d"\ncontact = "imto:a@example.com" { preference = "1" }\ncontact = "mailto:b@example.com" { preference = "3" }\n' +
        'contact = "imto:c@example.com" { preference = "2" }\ncontact = "mailto:d@example.com"\ncontact = "im:e@example.com" { preference = "1" }',
    ).result;
    expect(r.tuples.map((t) => (typeof t.contact === 'object' ? t.contact?.priority : undefined))).toEqual([
      1,
      0.8,
      0.9,
      null,
      1,
    ]);
    // Many ranks stay distinct, within 0.001..1, in order.
    const prefs = Array.from({ length: 50 }, (_, i) => i * 7);
    const ranks = rankPriorities(prefs);
    const values = prefs.map((p) => ranks.get(p)!);
    expect(values[0]).toBe(1);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0.001);
  });

  it('date (RFC 822) → <timestamp> (RFC 3339, capital T, offset kept) on every tuple', () => {
    const r = toPidf(
      'presentity = "presence:x@d"\ndate = "Thu, 30 Mar 2000 09:59:34 -0500"\ncontact = a:b\ncontact = c:d',
    ).result;
    expect(r.tuples.map((t) => t.timestamp)).toEqual([
      '2000-03-30T09:59:34-05:00',
      '2000-03-30T09:59:34-05:00',
    ]);
    expect(rfc822ToRfc3339('30 Mar 2000 14:37:41 +0200')).toBe('2000-03-30T14:37:41+02:00');
    expect(rfc822ToRfc3339('thu, 30 mar 2000 09:59 +0000')).toBe('2000-03-30T09:59:00+00:00');
    for (const bad of [
      'Fri, 30 Mar 2000 09:59:34 -0500',
      '30 Mar 2000 09:59:34 EST',
      '31 Apr 2000 00:00 +0000',
      'yesterday',
    ]) {
      expect(rfc822ToRfc3339(bad), bad).toBeNull();
    }
    const w = toPidf('presentity = "presence:x@d"\ndate = "30 Mar 2000 09:59:34 EST"\ncontact = a:b');
    expect(w.result.tuples[0]?.timestamp).toBeNull();
    expect(w.warnings[0]).toMatch(/date not mapped/);
  });

  it('capabilities and namespaced variables are dropped (and reported)', () => {
    const r = toPidf(
      'namespace:f = "urn:f"\npresentity = "presence:x@d"\nf:geo = "1N"\ncontact = "im:a@d" { capabilities = "(type=text/plain)" f:dev = pager }',
    );
    expect(r.dropped).toEqual(['capabilities of im:a@d', '{urn:f}dev of im:a@d', '{urn:f}geo']);
    expect(buildPidf(r.result)).not.toContain('urn:f');
  });

  it('no contact → one closed tuple, never a zero-tuple document (RFC 3922 6.3)', () => {
    const r = toPidf('presentity = "presence:x@d"');
    expect(r.result.tuples).toEqual([
      { id: 'c0', basic: 'closed', contact: null, notes: [], timestamp: null },
    ]);
    expect(parsePidf(buildPidf(r.result)).document.tuples).toHaveLength(1);
  });
});

describe('PIDF → application/presence', () => {
  it('entity, contacts, status, priority ranking, newest timestamp as the date', () => {
    const xml = buildPidf({
      entity: 'pres:someone@example.com',
      tuples: [
        {
          id: 'a',
          basic: 'open',
          contact: 'im:a@example.com',
          priority: 0.5,
          timestamp: '2001-10-27T16:49:29Z',
        },
        {
          id: 'b',
          basic: 'closed',
          contact: 'mailto:b@example.com',
          priority: 1,
          timestamp: '2001-10-27T18:00:00+02:00',
        },
        { id: 'c', basic: 'open', contact: 'im:c@example.com', notes: [{ lang: null, text: 'deferred' }] },
        { id: 'd', basic: 'open', contact: 'im:a@example.com', priority: 0.9 },
        { id: 'e', basic: 'open', notes: [{ lang: 'en', text: 'hello' }] },
      ],
      notes: [{ lang: null, text: 'presence note' }],
    });
    const r = pidfToPresence(parsePidf(xml).document);
    expect(r.result).toEqual({
      presentity: 'presence:someone@example.com',
      date: 'Sat, 27 Oct 2001 16:49:29 +0000',
      contacts: [
        // Duplicate tuples per contact: the highest priority wins (0.9 over 0.5).
        { url: 'im:a@example.com', status: 'open', preference: 2 },
        { url: 'mailto:b@example.com', status: 'closed', preference: 1 },
        { url: 'im:c@example.com', status: 'deferred', preference: null },
      ],
    });
    expect(r.dropped).toContain('tuple e');
    expect(r.dropped).toContain('presence note "presence note"');
    expect(rfc3339ToRfc822('2024-02-29T23:59:59.5+09:00')).toBe('Thu, 29 Feb 2024 23:59:59 +0900');
  });

  it('round trip keeps contacts, status and preference order', () => {
    const contact = fc.record({
      status: fc.constantFrom<'open' | 'closed' | 'deferred' | null>(null, 'open', 'closed', 'deferred'),
      preference: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(contact, { minLength: 1, maxLength: 6 }), (cs) => {
        const text = serializePresenceText({
          presentity: 'presence:x@example.com',
          contacts: cs.map((c, i) => ({ url: `im:u${i}@example.com`, ...c })),
        });
        const pidf = parsePidf(buildPidf(presenceToPidf(parsePresenceText(text).document).result)).document;
        const back = pidfToPresence(pidf).result;
        expect(back.presentity).toBe('presence:x@example.com');
        const got = back.contacts ?? [];
        expect(got.map((c) => c.status)).toEqual(cs.map((c) => c.status ?? 'open'));
        for (let i = 0; i < cs.length; i++) {
          for (let j = 0; j < cs.length; j++) {
            const a = cs[i]!.preference;
            const b = cs[j]!.preference;
            if (a === null || b === null) continue;
            expect(Math.sign(got[i]!.preference! - got[j]!.preference!)).toBe(Math.sign(a - b));
          }
          expect(got[i]!.preference === null).toBe(cs[i]!.preference === null);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('inspectPresenceText', () => {
  it('shows the variables and the PIDF they map to', () => {
    const text =
      'date = "Thu, 30 Mar 2000 09:59:34 -0500"\r\ncontact = mailto:joe@example.net\r\ncontact = imto:joe@example.net {\r\n  status = deferred\r\n}\r\n';
    const r = inspectPresenceText(new TextEncoder().encode(text), { entity: 'presence:joe@example.net' });
    expect(r.result).toBe('accept');
    expect(r.pidf?.entity).toBe('pres:joe@example.net');
    expect(r.pidf?.tuples?.[1]).toMatchObject({
      id: 'c2',
      basic: 'open',
      contact: { uri: 'im:joe@example.net' },
      notes: [{ lang: null, text: 'deferred' }],
    });
    expect(r.pidf?.xml).toContain('<timestamp>2000-03-30T09:59:34-05:00</timestamp>');
    const bad = inspectPresenceText(new TextEncoder().encode('contact = "im:a@b" {'));
    expect(bad).toMatchObject({
      result: 'reject',
      rule: 'draft-hudson-impp-pidf-proposal-01 4',
      position: { line: 1 },
    });
    expect(inspectPresenceText(new TextEncoder().encode('contact = "im:a@b"')).warnings[0]).toMatch(
      /no presentity/,
    );
  });
});

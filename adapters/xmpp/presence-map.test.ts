import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePidf, type PidfDocument } from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import {
  PIDF_IM_NS,
  RPID_NS,
  changedTupleIds,
  pidfToPresences,
  presenceToPidf,
  presenceToTuple,
  priorityToQvalue,
  qvalueToPriority,
  resourceOf,
  resourcesToPidf,
  tupleIdOf,
  type XmppPresence,
} from './presence-map.js';

const GW: XmppAddressing = { componentDomain: 'xmpp-gw.example.org', userDomains: ['example.com'] };
const NOW = new Date('2026-12-04T10:00:00.000Z');
const TO = 'xmpp-gw.example.org';

const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/vectors/xmpp-cpim-mapping.json', import.meta.url), 'utf8'),
) as {
  presence_xmpp_to_pidf: {
    xmpp: string;
    pidf_tuple?: { id: string; basic: string };
    pidf_entity?: string;
    pidf_contact?: { uri: string; priority: string };
    pidf_contact_priority?: null;
  }[];
};

/** The vectors' stanzas are one-line XML; read the few fields they use (test helper, not a parser). */
function stanzaOf(xml: string): XmppPresence {
  const attr = (n: string) => new RegExp(`${n}='([^']*)'`).exec(xml)?.[1];
  const child = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(xml)?.[1];
  const show = child('show') as XmppPresence['show'];
  const status = child('status');
  const priority = child('priority');
  return {
    from: attr('from')!,
    to: TO,
    ...(attr('type') === 'unavailable' ? { type: 'unavailable' as const } : {}),
    ...(show === undefined ? {} : { show }),
    ...(status === undefined ? {} : { status: [{ text: status }] }),
    ...(priority === undefined ? {} : { priority: Number(priority) }),
  };
}

function parse(text: string): PidfDocument {
  const r = parsePidf(text);
  expect(r.warnings).toEqual([]);
  return r.document;
}

describe('XMPP presence → PIDF (RFC 3922 §5.1, vectors; docs/cpim.md row 56)', () => {
  for (const v of vectors.presence_xmpp_to_pidf) {
    it(v.xmpp, () => {
      const doc = parse(presenceToPidf(stanzaOf(v.xmpp), GW, NOW));
      expect(doc.entity).toBe(v.pidf_entity ?? 'pres:juliet@example.com');
      expect(doc.tuples).toHaveLength(1);
      const t = doc.tuples[0]!;
      expect(t.id).toBe('balcony');
      if (v.pidf_tuple) expect(t.basic).toBe(v.pidf_tuple.basic);
      if (v.pidf_contact) {
        expect(t.contact?.uri).toBe(v.pidf_contact.uri);
        expect(t.contact?.priority).toBe(Number(v.pidf_contact.priority));
      }
      if ('pidf_contact_priority' in v) expect(t.contact?.priority ?? null).toBeNull();
    });
  }

  it('maps show to <im:im> and RPID, status to notes with xml:lang, and stamps the time', () => {
    const doc = parse(
      presenceToPidf(
        {
          from: 'juliet@example.com/balcony',
          to: TO,
          show: 'dnd',
          status: [
            { text: 'busy', lang: 'en' },
            { text: 'occupée', lang: 'fr' },
          ],
        },
        GW,
        NOW,
      ),
    );
    const t = doc.tuples[0]!;
    expect(t.statusExtensions).toEqual([{ ns: PIDF_IM_NS, name: 'im', attributes: [], children: ['busy'] }]);
    expect(t.notes).toEqual([
      { lang: 'en', text: 'busy' },
      { lang: 'fr', text: 'occupée' },
    ]);
    expect(t.timestamp).toBe('2026-12-04T10:00:00.000Z');
    expect(JSON.stringify(doc.extensions)).toContain(RPID_NS);
    expect(JSON.stringify(doc.extensions)).toContain('"busy"');
  });

  it('drops show from an unavailable presence and uses the delay stamp (XEP-0203)', () => {
    const delay = new Date('2026-01-01T00:00:00Z');
    const r = presenceToTuple(
      { from: 'juliet@example.com/x', to: TO, type: 'unavailable', show: 'away', delay },
      GW,
      NOW,
    );
    expect(r.tuple.basic).toBe('closed');
    expect(r.tuple.statusExtensions).toEqual([]);
    expect(r.tuple.timestamp).toBe(delay.toISOString());
    expect(r.activity).toBeUndefined();
  });

  it('docs/cpim.md row 58: joins resources into one document, one tuple each, and never builds zero tuples (§6.3)', () => {
    const home = presenceToTuple({ from: 'juliet@example.com/home', to: TO }, GW, NOW);
    const work = presenceToTuple({ from: 'juliet@example.com/work', to: TO, show: 'away' }, GW, NOW);
    const doc = parse(resourcesToPidf([home, work])!);
    expect(doc.tuples.map((t) => t.id)).toEqual(['home', 'work']);
    expect(resourcesToPidf([])).toBeNull();
  });

  it('refuses presence from a domain the gateway does not serve', () => {
    expect(() => presenceToPidf({ from: 'eve@evil.example/x', to: TO }, GW, NOW)).toThrow(/does not serve/);
  });
});

describe('priority (RFC 3922 §5.1.7, §5.2.13)', () => {
  it('docs/cpim.md rows 56 and 57: scales 0..127 to 0..1, never maps negatives, and reads back without going negative', () => {
    expect(priorityToQvalue(13)).toBe(0.102);
    expect(priorityToQvalue(0)).toBe(0);
    expect(priorityToQvalue(127)).toBe(1);
    expect(priorityToQvalue(-1)).toBeNull();
    expect(priorityToQvalue(-128)).toBeNull();
    expect(qvalueToPriority(0.5)).toBe(64);
    expect(qvalueToPriority(0)).toBe(0);
    expect(qvalueToPriority(1)).toBe(127);
  });
  it('round-trips every priority 0..127', () => {
    for (let p = 0; p <= 127; p++) expect(qvalueToPriority(priorityToQvalue(p)!)).toBe(p);
  });
});

describe('tuple ids ⇄ resources (RFC 3922 §5.1.1, §5.2.1)', () => {
  it('keeps NCName resources and encodes the rest reversibly', () => {
    expect(tupleIdOf('balcony')).toBe('balcony');
    expect(tupleIdOf('Home Laptop/2')).toBe('_xHome-20.Laptop-2f.2');
    expect(resourceOf('_xHome-20.Laptop-2f.2')).toBe('Home Laptop/2');
    expect(tupleIdOf('')).toBe('_x');
    expect(resourceOf('_x')).toBe('');
    expect(resourceOf('bs35r9')).toBe('bs35r9');
  });
  it('round-trips any resource (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (r) => {
        const id = tupleIdOf(r);
        expect(resourceOf(id)).toBe(r);
        // The id is accepted by the PIDF builder and parser (xs:ID).
        expect(
          parse(
            resourcesToPidf([
              {
                entity: presenceToTuple({ from: 'a@example.com', to: TO }, GW, NOW).entity,
                tuple: { id, basic: 'open' },
              },
            ])!,
          ).tuples[0]!.id,
        ).toBe(id);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PIDF → XMPP presence (RFC 3922 §5.2, §6.3)', () => {
  const PIDF = (tuples: string, extra = '') =>
    `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:im="urn:ietf:params:xml:ns:pidf:im"
  entity="pres:alice@irc.example.org">${tuples}${extra}</presence>`;

  it('docs/cpim.md row 58: splits tuples into stanzas from the puppet with the resource (vector: two tuples)', () => {
    const doc = parse(
      PIDF(`<tuple id="home"><status><basic>open</basic><im:im>busy</im:im></status>
  <contact priority="0.5">im:alice@irc.example.org</contact><note xml:lang="en">in a call</note>
  <timestamp>2026-12-04T10:00:00Z</timestamp></tuple>
<tuple id="work"><status><basic>closed</basic></status></tuple>`),
    );
    expect(pidfToPresences(doc, 'juliet@example.com', GW)).toEqual([
      {
        from: 'alice\\40irc.example.org@xmpp-gw.example.org/home',
        to: 'juliet@example.com',
        show: 'dnd',
        status: [{ text: 'in a call', lang: 'en' }],
        priority: 64,
      },
      {
        from: 'alice\\40irc.example.org@xmpp-gw.example.org/work',
        to: 'juliet@example.com',
        type: 'unavailable',
      },
    ]);
  });

  it('maps a zero-tuple document to one stanza from the bare JID (vector pidf-08)', () => {
    const text = readFileSync(
      new URL('../../test/fixtures/vectors/pidf-08-rfc3922-zero-tuples.xml', import.meta.url),
      'utf8',
    );
    const doc = parsePidf(text, { lenient: true }).document;
    const out = pidfToPresences(doc, 'romeo@example.com', { ...GW, userDomains: ['example.com'] });
    expect(out).toHaveLength(1);
    expect(out[0]!.from).not.toContain('/');
    expect(out[0]!.type).toBeUndefined();
  });

  it('reads RPID away/busy when there is no <im:im>, and skips tuples without <basic>', () => {
    const doc = parse(
      PIDF(
        `<tuple id="t1"><status><basic>open</basic></status></tuple>
<tuple id="t2"><status><im:im>away</im:im></status></tuple>`,
        `<dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="p"><rpid:activities><rpid:away/></rpid:activities></dm:person>`,
      ),
    );
    const out = pidfToPresences(doc, 'juliet@example.com', GW);
    expect(out).toHaveLength(1);
    expect(out[0]!.show).toBe('away');
  });

  it('round-trips XMPP presence through PIDF (show, status, priority, resource)', () => {
    const shows = ['away', 'chat', 'dnd', 'xa', undefined] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...shows),
        fc.integer({ min: 0, max: 127 }),
        fc.constantFrom('balcony', 'Home Laptop/2', 'x'),
        fc.boolean(),
        (show, priority, resource, available) => {
          const p: XmppPresence = {
            from: `juliet@example.com/${resource}`,
            to: TO,
            ...(available ? {} : { type: 'unavailable' as const }),
            ...(show === undefined || !available ? {} : { show }),
            status: [{ text: 'hi', lang: 'en' }],
            priority,
          };
          const back = pidfToPresences(parse(presenceToPidf(p, GW, NOW)), TO, GW);
          expect(back).toEqual([p]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lists changed and dropped tuples, ignoring timestamps (§6.3.1)', () => {
    const a = parse(
      PIDF(`<tuple id="h"><status><basic>open</basic></status><timestamp>2026-01-01T00:00:00Z</timestamp></tuple>
<tuple id="w"><status><basic>open</basic></status></tuple>`),
    );
    const b = parse(
      PIDF(`<tuple id="h"><status><basic>open</basic></status><timestamp>2026-01-02T00:00:00Z</timestamp></tuple>
<tuple id="n"><status><basic>closed</basic></status></tuple>`),
    );
    expect(changedTupleIds(a, b)).toEqual({ changed: ['n'], gone: ['w'] });
    expect(changedTupleIds(null, a).changed).toEqual(['h', 'w']);
  });
});

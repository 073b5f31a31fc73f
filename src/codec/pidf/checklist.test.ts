// PIDF parser: checklist rows 46-53 and 63 (docs/cpim.md part 6).
import { describe, expect, it } from 'vitest';
import { VECTORS, doc, enc, own, rejects, T } from '../../../test/support/pidf-inputs.js';
import { inspectPidf, isExtensionUsable, isNewer, parsePidf, PIDF_NS } from './index.js';
import type { PidfDocument, XmlElement } from './index.js';

describe('checklist rows', () => {
  it('row 46: XML declaration required (pidf-08), UTF-8 accepted (pidf-21), other encodings refused', () => {
    expect(inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-08'))!.bytes).reason).toBe(
      'no XML declaration',
    );
    const lenient = parsePidf(VECTORS.find((v) => v.name.startsWith('pidf-08'))!.bytes, { lenient: true });
    expect(lenient.document.tuples).toEqual([]);
    expect(lenient.notices[0]?.message).toBe('no XML declaration');
    expect(
      parsePidf(VECTORS.find((v) => v.name.startsWith('pidf-21'))!.bytes).document.tuples[0]?.notes[0]?.text,
    ).toBe('会議中です 🗓');
    const latin = enc(
      `<?xml version="1.0" encoding="ISO-8859-1"?>\n<presence xmlns="${PIDF_NS}" entity="pres:a@b">${T}</presence>`,
    );
    expect(inspectPidf(latin).reason).toMatch(/unsupported encoding/);
    // The MIME charset parameter overrides the declaration (RFC 3863 7).
    expect(inspectPidf(latin, { charset: 'utf-8' }).result).toBe('accept');
    const bad = doc(`<tuple id="t1"><status><basic>open</basic></status><note>\u00e9</note></tuple>`);
    const broken = new Uint8Array([...bad.slice(0, 150), 0xc3, 0x28, ...bad.slice(150)]);
    const err = rejects(broken, 'ill-formed UTF-8');
    expect(err.position?.offset).toBe(150);
    // A byte order mark is allowed before the declaration.
    expect(parsePidf(new Uint8Array([0xef, 0xbb, 0xbf, ...doc(T)])).document.tuples).toHaveLength(1);
  });

  it('row 47: root {urn:ietf:params:xml:ns:pidf}presence with entity (pidf-10, pidf-11)', () => {
    expect(inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-10'))!.bytes).reason).toBe(
      'root element is not {urn:ietf:params:xml:ns:pidf}presence',
    );
    expect(inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-11'))!.bytes).reason).toBe(
      'presence element has no entity attribute',
    );
    rejects(doc(T, `<presence xmlns="urn:example:other" entity="pres:a@b">`), /root element/);
    rejects(doc(T, `<presence xmlns="${PIDF_NS}" entity="not a uri">`), /not an absolute URI/);
    const prefixed = enc(
      `<?xml version="1.0"?><p:presence xmlns:p="${PIDF_NS}" entity="pres:a@b"><p:tuple id="x"><p:status><p:basic>closed</p:basic></p:status></p:tuple></p:presence>`,
    );
    expect(parsePidf(prefixed).document.tuples[0]?.basic).toBe('closed');
    // pidf-22 (held back): a sip: entity is accepted with a warning.
    const sip = inspectPidf(own('pidf-22-sip-entity'));
    expect(sip.result).toBe('accept-with-warning');
    expect(sip.entity).toBe('sip:someone@example.com');
  });

  it('row 48: unique id, status first, then ext*, contact?, note*, timestamp? (pidf-12, 16, 20)', () => {
    for (const [prefix, reason] of [
      ['pidf-12', 'tuple lacks the mandatory status element'],
      ['pidf-16', 'tuple ids must be unique within the document'],
      ['pidf-20', 'contact precedes status; the tuple children are an ordered sequence'],
    ]) {
      expect(inspectPidf(VECTORS.find((v) => v.name.startsWith(prefix!))!.bytes).reason).toBe(reason);
    }
    const late = doc(
      '<tuple id="t1"><status><basic>open</basic></status><timestamp>2001-10-27T16:49:29Z</timestamp><note>x</note></tuple>',
    );
    rejects(late, 'timestamp precedes note; the tuple children are an ordered sequence');
    expect(parsePidf(late, { lenient: true }).document.tuples[0]?.notes).toEqual([{ lang: null, text: 'x' }]);
    const extAfterContact = doc(
      `<tuple id="t1" xmlns:x="urn:x"><status><basic>open</basic></status><contact>im:a@b</contact><x:y/></tuple>`,
    );
    rejects(extAfterContact, /contact precedes \{urn:x\}y/);
    rejects(
      doc(
        '<tuple id="t1"><status><basic>open</basic></status><contact>im:a@b</contact><contact>im:c@d</contact></tuple>',
      ),
      'tuple has more than one contact',
    );
    const twoContacts = parsePidf(
      doc(
        '<tuple id="t1"><status><basic>open</basic></status><contact>im:a@b</contact><contact>im:c@d</contact></tuple>',
      ),
      { lenient: true },
    );
    expect(twoContacts.document.tuples[0]?.contact?.uri).toBe('im:a@b');
    rejects(doc(`<note>n</note>${T}`), 'note precedes tuple; the presence children are an ordered sequence');
    rejects(doc('<tuple><status><basic>open</basic></status></tuple>'), 'tuple has no id attribute');
    // pidf-17 (held back): an XMPP resource as tuple id — policy: accept, warn (not an xs:ID).
    const xmpp = inspectPidf(own('pidf-17-xmpp-resource-id'));
    expect(xmpp.result).toBe('accept-with-warning');
    expect(xmpp.tuples?.[0]?.id).toBe('Home Laptop/2');
  });

  it('row 49: status has at least one child; basic is open or closed (pidf-13, pidf-14)', () => {
    expect(inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-13'))!.bytes).reason).toBe(
      'status has no child element',
    );
    // pidf-14 (held back): OPEN — reject strictly, open leniently.
    expect(inspectPidf(own('pidf-14-basic-uppercase')).result).toBe('reject');
    const lenient = inspectPidf(own('pidf-14-basic-uppercase'), { lenient: true });
    expect(lenient.result).toBe('accept-with-warning');
    expect(lenient.tuples?.[0]?.basic).toBe('open');
    rejects(
      doc('<tuple id="t1"><status><basic>busy</basic></status></tuple>'),
      /must be "open" or "closed"/,
      true,
    );
    // A status holding only an extension is valid; basic is then unknown.
    const extOnly = parsePidf(
      doc('<tuple id="t1" xmlns:x="urn:x"><status><x:mood>happy</x:mood></status></tuple>'),
    );
    expect(extOnly.document.tuples[0]?.basic).toBeNull();
    rejects(
      doc('<tuple id="t1"><status><basic>open<b xmlns="urn:x"/></basic></status></tuple>'),
      /must contain text only/,
    );
  });

  it('row 50: priority is a qvalue; absent = null (lowest); out of range ignored (pidf-15)', () => {
    const r = inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-15'))!.bytes);
    expect(r.result).toBe('accept-with-warning');
    expect(r.tuples?.map((t) => t.contact?.priority)).toEqual([null, null, 0.5]);
    const prio = (p: string) =>
      parsePidf(
        doc(
          `<tuple id="t1"><status><basic>open</basic></status><contact priority="${p}">im:a@b</contact></tuple>`,
        ),
      );
    expect(prio('1.000').document.tuples[0]?.contact?.priority).toBe(1);
    expect(prio('0.125').document.tuples[0]?.contact?.priority).toBe(0.125);
    expect(prio(' 0.5 ').document.tuples[0]?.contact?.priority).toBe(0.5);
    for (const bad of ['1.001', '-0.1', '0x1', '.5', '0,5', '1e-1']) {
      const p = prio(bad);
      expect(p.document.tuples[0]?.contact?.priority).toBeNull();
      expect(p.warnings[0]?.rule).toBe('RFC 3863 4.1.5');
    }
  });

  it('row 51: timestamp is RFC 3339 with upper-case T/Z (pidf-18); no repeat in successive documents', () => {
    const r = inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-18'))!.bytes);
    expect(r.reason).toBe("'T' and 'Z' in timestamps must be upper case");
    rejects(
      doc(
        '<tuple id="t1"><status><basic>open</basic></status><timestamp>2001-02-29T00:00:00Z</timestamp></tuple>',
      ),
      /not an RFC 3339/,
    );
    const lenient = parsePidf(
      doc('<tuple id="t1"><status><basic>open</basic></status><timestamp>yesterday</timestamp></tuple>'),
      { lenient: true },
    );
    expect(lenient.document.tuples[0]?.timestamp).toBeNull();
    const a = parsePidf(VECTORS.find((v) => v.name.startsWith('pidf-04'))!.bytes).document;
    // The same timestamp again is not news (4.1.7 forbids the repeat; 6 says ignore it).
    expect(isNewer(a, a)).toBe(false);
  });

  it('row 52: unknown elements ignored with their whole content; mustUnderstand honoured (pidf-05, 06, 19)', () => {
    const r19 = parsePidf(VECTORS.find((v) => v.name.startsWith('pidf-19'))!.bytes).document;
    expect(r19.tuples[0]?.basic).toBe('open');
    expect(r19.tuples[0]?.notes).toEqual([]);
    // Ignored, but kept for relays and aware applications.
    expect(r19.tuples[0]?.extensions[0]?.children).toContainEqual({
      ns: PIDF_NS,
      name: 'note',
      attributes: [],
      children: ['not a tuple note'],
    });
    const r05 = inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-05'))!.bytes);
    expect(r05.presence_extensions).toEqual([{ ns: 'http://id.example.com/presence/', name: 'mytag' }]);
    // pidf-06 (held back): RFC 3863 4.3.3 — a plain processor ignores complexExtension entirely.
    const r06 = inspectPidf(own('pidf-06-must-understand'));
    expect(r06.result).toBe('accept');
    expect(r06.tuples?.[0]).toMatchObject({
      basic: 'open',
      contact: { uri: 'tel:+09012345678', priority: 0.725 },
    });
    expect(r06.tuples?.[0]?.ignored_children).toEqual([
      { ns: 'http://id.mycompany.com/presence/', name: 'complexExtension' },
    ]);
    const complex = parsePidf(own('pidf-06-must-understand')).document.tuples[0]!.extensions[0]!;
    const MY = 'http://id.mycompany.com/presence/';
    const knows = (names: string[]) => (ns: string | null, name: string) => ns === MY && names.includes(name);
    // Understands the wrapper but not the mustUnderstand child: the wrapper is unusable.
    expect(isExtensionUsable(complex, knows(['complexExtension', 'ex2']))).toBe(false);
    expect(isExtensionUsable(complex, knows(['complexExtension', 'ex1']))).toBe(true);
    expect(isExtensionUsable(complex, knows([]))).toBe(false);
    // An unmarked unknown child is simply skipped.
    const unmarked: XmlElement = {
      ...complex,
      children: complex.children.map((c) => (typeof c === 'string' ? c : { ...c, attributes: [] })),
    };
    expect(isExtensionUsable(unmarked, knows(['complexExtension']))).toBe(true);
    // pidf-09 (held back): RFC 3922 show as im:im status extension, status as note.
    const r09 = inspectPidf(own('pidf-09-xmpp-show-status'));
    expect(r09.result).toBe('accept');
    expect(r09.tuples?.[0]?.status_extensions).toEqual([
      { ns: 'urn:ietf:params:xml:ns:pidf:im', name: 'im', text: 'away' },
    ]);
    expect(r09.tuples?.[0]?.notes).toEqual([{ lang: 'en', text: 'retired to the chamber' }]);
  });

  it('row 53: outdated presence (older timestamp) is ignored — isNewer', () => {
    const at = (ts: string | null): PidfDocument => ({
      entity: 'pres:a@b',
      notes: [],
      extensions: [],
      tuples: [
        {
          id: 't',
          basic: 'open',
          statusExtensions: [],
          extensions: [],
          contact: null,
          notes: [],
          timestamp: ts,
        },
      ],
    });
    expect(isNewer(null, at('2001-01-01T00:00:00Z'))).toBe(true);
    expect(isNewer(at('2001-01-01T00:00:00Z'), at('2001-01-01T00:00:01Z'))).toBe(true);
    expect(isNewer(at('2001-01-01T00:00:01Z'), at('2001-01-01T00:00:00Z'))).toBe(false);
    // Offsets are compared as instants: 02:00+02:00 is 00:00Z.
    expect(isNewer(at('2001-01-01T00:00:00Z'), at('2001-01-01T02:00:00+02:00'))).toBe(false);
    expect(isNewer(at('2001-01-01T00:00:00Z'), at('2001-01-01T00:00:00.5Z'))).toBe(true);
    expect(isNewer(at('2001-01-01T00:00:00Z'), at(null))).toBe(true);
  });

  it('row 63: a DOCTYPE is refused, with or without entities (pidf-23)', () => {
    const r = inspectPidf(VECTORS.find((v) => v.name.startsWith('pidf-23'))!.bytes);
    expect(r.result).toBe('policy');
    expect(r.decision).toBe('reject');
    expect(r.position).toEqual({ line: 2, column: 1, offset: 39 });
    const ext = enc(
      `<?xml version="1.0"?>\n<!DOCTYPE presence SYSTEM "file:///etc/passwd">\n<presence xmlns="${PIDF_NS}" entity="pres:a@b">${T}</presence>`,
    );
    expect(inspectPidf(ext, { lenient: true }).reason).toMatch(/DOCTYPE/);
    // Without a DTD, an entity reference is simply undefined.
    rejects(
      doc('<tuple id="t1"><status><basic>open</basic></status><note>&xxe;</note></tuple>'),
      /undefined entity/,
    );
  });
});

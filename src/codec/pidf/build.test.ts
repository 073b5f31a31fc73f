// PIDF builder: row 58 (no zero-tuple documents), escaping, parse(build(x)) = x as a property,
// and fuzzing the parser with random and mutated input (errors, never crashes).
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { buildPidf, createPidfParser, inspectPidf, parsePidf, PIDF_NS, XML_NS } from './index.js';
import type { PidfDocument, PidfNote, PidfTuple, XmlAttribute, XmlChild, XmlElement } from './index.js';

const VECTOR_DIR = new URL('../../../test/fixtures/vectors/', import.meta.url);
const VECTOR_BYTES = readdirSync(VECTOR_DIR)
  .filter((f) => /^pidf-.*\.xml$/.test(f))
  .map((f) => new Uint8Array(readFileSync(new URL(f, VECTOR_DIR))));

describe('buildPidf', () => {
  it('row 58: never emits a zero-tuple document (RFC 3922 6.3)', () => {
    expect(() => buildPidf({ entity: 'pres:a@example.com', tuples: [] })).toThrow(CodecError);
    try {
      buildPidf({ entity: 'pres:a@example.com', tuples: [] });
    } catch (e) {
      expect((e as CodecError).rule).toBe('RFC 3922 6.3');
    }
  });

  it('writes the XML declaration, the PIDF namespace and escapes text and attributes', () => {
    const xml = buildPidf({
      entity: 'pres:a&b@example.com',
      tuples: [
        {
          id: 't1',
          basic: 'open',
          contact: 'im:a@example.com',
          priority: 0.8,
          notes: [{ lang: 'en', text: 'a < b & "c" ]]>' }],
        },
      ],
      notes: [{ lang: null, text: 'Grüße 🗓' }],
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml).toContain('entity="pres:a&amp;b@example.com"');
    expect(xml).toContain('<contact priority="0.8">im:a@example.com</contact>');
    expect(xml).toContain('a &lt; b &amp; "c" ]]&gt;');
    const back = parsePidf(xml);
    expect(back.warnings).toEqual([]);
    expect(back.document.tuples[0]?.notes[0]?.text).toBe('a < b & "c" ]]>');
    expect(back.document.notes[0]?.text).toBe('Grüße 🗓');
  });

  it('re-emits kept extensions from a parsed document (relay)', () => {
    for (const bytes of VECTOR_BYTES) {
      const r = inspectPidf(bytes);
      if (r.result === 'reject' || (r.tuples?.length ?? 0) === 0) continue;
      const doc = parsePidf(bytes).document;
      expect(parsePidf(buildPidf(doc)).document).toEqual(doc);
    }
  });

  it('refuses input that would make an invalid document', () => {
    const ok = { id: 't', basic: 'open' as const };
    const bad: [string, () => string][] = [
      ['relative entity', () => buildPidf({ entity: 'someone', tuples: [ok] })],
      ['duplicate id', () => buildPidf({ entity: 'pres:a@b', tuples: [ok, ok] })],
      ['empty status', () => buildPidf({ entity: 'pres:a@b', tuples: [{ id: 't', basic: null }] })],
      [
        'priority 1.5',
        () => buildPidf({ entity: 'pres:a@b', tuples: [{ ...ok, contact: 'im:a@b', priority: 1.5 }] }),
      ],
      [
        'priority 0.1234',
        () => buildPidf({ entity: 'pres:a@b', tuples: [{ ...ok, contact: 'im:a@b', priority: 0.1234 }] }),
      ],
      [
        'lower-case timestamp',
        () => buildPidf({ entity: 'pres:a@b', tuples: [{ ...ok, timestamp: '2001-10-27t16:49:29z' }] }),
      ],
      [
        'control character',
        () =>
          buildPidf({ entity: 'pres:a@b', tuples: [{ ...ok, notes: [{ lang: null, text: 'a\u0001' }] }] }),
      ],
      [
        'bad element name',
        () =>
          buildPidf({
            entity: 'pres:a@b',
            tuples: [{ ...ok, extensions: [{ ns: 'urn:x', name: '1x', attributes: [], children: [] }] }],
          }),
      ],
    ];
    for (const [what, f] of bad) expect(f, what).toThrow(CodecError);
  });
});

// ---- generators -------------------------------------------------------------------------

const XML_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => XML_TEXT.test(s));
const anyText = fc.oneof(
  text,
  fc.constantFrom('', ' ', '\r\n', 'a\tb', '&amp;', '<x>', ']]>', '"\'', '会議中です 🗓'),
);
const nsUri = fc.constantFrom<string | null>(
  null,
  'urn:example:a',
  'http://id.example.com/presence/',
  'urn:ietf:params:xml:ns:pidf:rpid',
);
const localName = fc.constantFrom('a', 'location', 'x-y', 'é', 'person', 'note', 'basic', 'mood_2');
const attribute: fc.Arbitrary<XmlAttribute> = fc.oneof(
  fc.record({ ns: nsUri, name: fc.constantFrom('id', 'from', 'until', 'k'), value: anyText }),
  fc.record({ ns: fc.constant(XML_NS), name: fc.constant('lang'), value: fc.constantFrom('en', 'ja') }),
  fc.record({
    ns: fc.constant(PIDF_NS),
    name: fc.constant('mustUnderstand'),
    value: fc.constantFrom('true', '1', 'false'),
  }),
);

function normalizeChildren(children: XmlChild[]): XmlChild[] {
  const out: XmlChild[] = [];
  for (const c of children) {
    const last = out[out.length - 1];
    if (typeof c === 'string') {
      if (c === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + c;
      else out.push(c);
    } else out.push(c);
  }
  return out;
}

function dedupe(attrs: XmlAttribute[]): XmlAttribute[] {
  const seen = new Set<string>();
  return attrs.filter((a) => {
    const k = `{${a.ns ?? ''}}${a.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const { element } = fc.letrec<{ element: XmlElement; child: XmlChild }>((tie) => ({
  element: fc
    .record({
      // Inside a tree any namespace is fine, including PIDF (it is just content there).
      ns: fc.oneof(nsUri, fc.constant(PIDF_NS)),
      name: localName,
      attributes: fc.array(attribute, { maxLength: 3 }),
      children: fc.array(tie('child'), { maxLength: 3, depthIdentifier: 'x' }),
    })
    .map((e) => ({ ...e, attributes: dedupe(e.attributes), children: normalizeChildren(e.children) })),
  child: fc.oneof({ depthSize: 'small', depthIdentifier: 'x' }, anyText, tie('element')),
}));
// Top-level extensions are in a non-PIDF namespace (a PIDF <note> there would be the real one).
const extension = element.filter((e) => e.ns !== PIDF_NS);

const note: fc.Arbitrary<PidfNote> = fc.record({
  lang: fc.constantFrom(null, 'en', 'ja', 'de-CH'),
  text: anyText,
});
const timestamp = fc.oneof(
  fc.constant(null),
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  fc.constantFrom('2024-02-29T23:59:59+09:00', '2005-05-30T12:00:00.25-05:00', '1998-12-31T23:59:60Z'),
);
const tupleBody = fc.record({
  basic: fc.constantFrom<'open' | 'closed' | null>('open', 'closed', null),
  statusExtensions: fc.array(extension, { maxLength: 2 }),
  extensions: fc.array(extension, { maxLength: 2 }),
  contact: fc.option(
    fc.record({
      uri: fc.constantFrom(
        'im:a@example.com',
        'tel:+09012345678',
        'mailto:b@example.com',
        'sip:c@example.com;transport=tcp',
      ),
      priority: fc.option(
        fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
        { nil: null },
      ),
    }),
    { nil: null },
  ),
  notes: fc.array(note, { maxLength: 2 }),
  timestamp,
});
const documentArb: fc.Arbitrary<PidfDocument> = fc
  .record({
    entity: fc.constantFrom('pres:someone@example.com', 'pres:%E4%BC%9A@example.jp'),
    ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,6}$/), { minLength: 1, maxLength: 4 }),
    bodies: fc.array(tupleBody, { minLength: 4, maxLength: 4 }),
    notes: fc.array(note, { maxLength: 2 }),
    extensions: fc.array(extension, { maxLength: 2 }),
  })
  .map(({ entity, ids, bodies, notes, extensions }) => ({
    entity,
    notes,
    extensions,
    tuples: ids.map((id, i): PidfTuple => {
      const b = bodies[i]!;
      // <status> needs a child: fall back to basic when the generator gave neither.
      return { id, ...b, basic: b.basic === null && b.statusExtensions.length === 0 ? 'open' : b.basic };
    }),
  }));

describe('properties', () => {
  it('parse(build(x)) equals x, with no warnings', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const xml = buildPidf(doc);
        const back = parsePidf(xml);
        expect(back.warnings).toEqual([]);
        expect(back.document).toEqual(doc);
        // Also when fed in two pieces.
        const bytes = new TextEncoder().encode(xml);
        const half = Math.floor(bytes.length / 2);
        const parser = createPidfParser();
        parser.write(bytes.slice(0, half));
        parser.write(bytes.slice(half));
        expect(parser.end().document).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes and strings give a CodecError or a document, never a crash', () => {
    const check = (input: Uint8Array | string) => {
      for (const lenient of [false, true]) {
        try {
          parsePidf(input, { lenient });
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
          expect((e as CodecError).reason.length).toBeGreaterThan(0);
        }
        const r = inspectPidf(typeof input === 'string' ? new TextEncoder().encode(input) : input, {
          lenient,
        });
        expect(['accept', 'accept-with-warning', 'reject']).toContain(r.result);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 300 });
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            '<',
            '>',
            '/',
            '=',
            '"',
            'a',
            ' ',
            ':',
            '?',
            '!',
            '&',
            ';',
            'x',
            'presence',
            'tuple',
          ),
        }),
        check,
      ),
      { numRuns: 300 },
    );
  });

  it('mutated vectors give a CodecError with a position, or a document', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VECTOR_BYTES),
        fc.nat(),
        fc.integer({ min: 0, max: 4 }),
        fc.uint8Array({ maxLength: 4 }),
        (bytes, at, del, ins) => {
          const i = at % (bytes.length + 1);
          const mutated = new Uint8Array([...bytes.slice(0, i), ...ins, ...bytes.slice(i + del)]);
          try {
            parsePidf(mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(CodecError);
            const pos = (e as CodecError).position;
            if (pos !== undefined) {
              expect(pos.line).toBeGreaterThan(0);
              expect(pos.offset).toBeLessThanOrEqual(mutated.length);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

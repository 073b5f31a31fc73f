// application/presence (draft-hudson-impp-pidf-proposal-00/-01): both value forms, namespaces,
// the section 5 reading rules, errors with positions, and serialize/parse round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { parsePresenceText, serializePresenceText } from './index.js';
import type { PresenceDocument, PresenceExtension } from './index.js';

// The payload of the transfer draft's change / change-notify examples (-00 unquoted form).
const TRANSFER_EXAMPLE =
  'date = "Thu, 30 Mar 2000 09:59:34 -0500"\r\n' +
  'contact = mailto:joe@example.net\r\n' +
  'contact = imto:joe@example.net {\r\n' +
  '  status = deferred\r\n' +
  '}\r\n';

function rejects(input: string, reason: RegExp, lenient = false): CodecError {
  try {
    parsePresenceText(input, { lenient });
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    expect((e as CodecError).reason).toMatch(reason);
    return e as CodecError;
  }
  throw new Error('expected a rejection');
}

describe('parsePresenceText', () => {
  it('reads the transfer draft example (unquoted -00 values, Content-Length 134)', () => {
    expect(new TextEncoder().encode(TRANSFER_EXAMPLE).length).toBe(134);
    const { document, warnings } = parsePresenceText(TRANSFER_EXAMPLE);
    expect(warnings).toEqual([]);
    expect(document).toEqual({
      presentity: null,
      date: 'Thu, 30 Mar 2000 09:59:34 -0500',
      contacts: [
        { url: 'mailto:joe@example.net', status: null, capabilities: null, preference: null, extensions: [] },
        {
          url: 'imto:joe@example.net',
          status: 'deferred',
          capabilities: null,
          preference: null,
          extensions: [],
        },
      ],
      extensions: [],
    });
  });

  it('reads the -01 examples (quoted values) and the preference example', () => {
    const doc = parsePresenceText(
      'presentity = "joe@example.com"\n' +
        'date = "30 Mar 2000 14:37:41 +0200"\n' +
        'contact = "imto:joe@example.com" {\n\tpreference = "1"\n\tstatus = "deferred"\n}\n' +
        'contact = "mailto:joe@example.com"\n',
    ).document;
    expect(doc.presentity).toBe('joe@example.com');
    expect(doc.contacts[0]).toMatchObject({ preference: 1, status: 'deferred' });
    const pref = parsePresenceText(
      'contact = "imto:a@example.com"   { preference = "1" }\n' +
        'contact = "mailto:b@example.com" { preference = "3" }\n' +
        'contact = imto:c@example.com   { preference = 2 }\n' +
        'contact = "mailto:d@example.com"\n',
    ).document;
    expect(pref.contacts.map((c) => c.preference)).toEqual([1, 3, 2, null]);
  });

  it('resolves namespace: prefixes per context (section 6 example, -00 and -01 forms)', () => {
    const doc = parsePresenceText(
      'namespace:foo = http://web.mit.edu/ghudson/my-namespace\n' +
        'presentity = presence:ghudson@mit.edu\n' +
        'foo:geoloc = "12.3N 18.6W"\n' +
        'contact = imto:ghudson@mit.edu {\n' +
        '  namespace:bar =\n    http://web.mit.edu/ghudson/another-namespace\n' +
        '  foo:device-type = pager\n' +
        '  bar:icon = http://web.mit.edu/ghudson/icon.png\n}\n',
    ).document;
    expect(doc.extensions).toEqual([
      {
        namespace: 'http://web.mit.edu/ghudson/my-namespace',
        name: 'geoloc',
        value: '12.3N 18.6W',
        children: [],
      },
    ]);
    expect(doc.contacts[0]?.extensions.map((e) => [e.namespace, e.name, e.value])).toEqual([
      ['http://web.mit.edu/ghudson/my-namespace', 'device-type', 'pager'],
      ['http://web.mit.edu/ghudson/another-namespace', 'icon', 'http://web.mit.edu/ghudson/icon.png'],
    ]);
    // bar is scoped to the contact's subtree.
    rejects(
      'contact = "im:a@b" { namespace:bar = "urn:x" }\nbar:icon = "x"\n',
      /undeclared namespace prefix "bar"/,
    );
    const lenient = parsePresenceText('bar:icon = "x"\npresentity = "presence:a@b"', { lenient: true });
    expect(lenient.document.extensions).toEqual([]);
    expect(lenient.warnings[0]?.message).toMatch(/undeclared/);
  });

  it('ignores unknown variables with their subtree, keeping them as extensions', () => {
    const doc = parsePresenceText(
      'mood = "happy" { contact = "im:not@this" }\ncontact = "im:a@b" { colour = blue { x = y } }\n',
    ).document;
    expect(doc.contacts).toHaveLength(1);
    expect(doc.extensions[0]).toEqual({
      namespace: null,
      name: 'mood',
      value: 'happy',
      children: [{ namespace: null, name: 'contact', value: 'im:not@this', children: [] }],
    });
    expect(doc.contacts[0]?.extensions[0]?.children[0]).toMatchObject({ name: 'x', value: 'y' });
  });

  it('a repeated singleton: the first definition wins (section 5)', () => {
    const r = parsePresenceText(
      'presentity = "presence:a@b"\npresentity = "presence:c@d"\ncontact = "im:a@b" { status = open status = closed }',
    );
    expect(r.document.presentity).toBe('presence:a@b');
    expect(r.document.contacts[0]?.status).toBe('open');
    expect(r.warnings.map((w) => w.message)).toEqual([
      '"presentity" repeated; the first definition wins',
      '"status" repeated in a contact; the first definition wins',
    ]);
  });

  it('names are case-sensitive; bad status and preference values are ignored with a warning', () => {
    const r = parsePresenceText(
      'Contact = "im:a@b"\ncontact = "im:c@d" { status = "Open" preference = "4294967296" }',
    );
    expect(r.document.contacts).toHaveLength(1);
    expect(r.document.extensions[0]?.name).toBe('Contact');
    expect(r.document.contacts[0]).toMatchObject({ status: null, preference: null });
    expect(r.warnings).toHaveLength(2);
  });

  it('decodes quoted values: \\" \\\\ and CRLF line breaks', () => {
    const r = parsePresenceText('x = "a \\"quoted\\" \\\\ line\r\nbreak"');
    expect(r.document.extensions[0]?.value).toBe('a "quoted" \\ line\nbreak');
    rejects('x = "bad \\q escape"', /undefined escape/);
    expect(parsePresenceText('x = "bad \\q escape"', { lenient: true }).document.extensions[0]?.value).toBe(
      'bad q escape',
    );
  });

  it('distinguishes a missing value from the next definition', () => {
    const r = parsePresenceText('a =\nb = c\nd = { e = f }\ng =');
    expect(r.document.extensions.map((e) => [e.name, e.value, e.children.length])).toEqual([
      ['a', null, 0],
      ['b', 'c', 0],
      ['d', null, 1],
      ['g', null, 0],
    ]);
  });

  it('reports syntax errors with what and where', () => {
    const e1 = rejects('contact = "im:a@b" {\n  status = open\n', /unterminated subtree/);
    expect(e1.position?.line).toBe(3);
    const e2 = rejects('presentity "x"', /expected "=" after "presentity"/);
    expect(e2.position).toEqual({ offset: 11, line: 1, column: 12 });
    rejects('1x = y', /expected a variable name/);
    rejects('x = "open', /unterminated quoted value/);
    rejects('x = y }', /without a matching/);
    rejects('x = "a\u0001"', /U\+0001 is not allowed/);
    const bad = new Uint8Array([0x78, 0x20, 0x3d, 0x20, 0xc3, 0x28]);
    expect(() => parsePresenceText(bad)).toThrow(/ill-formed UTF-8/);
  });
});

// ---- round trips -----------------------------------------------------------------------

const value = fc
  .string({ unit: 'grapheme', maxLength: 10 })
  .map((s) => s.replace(/\r\n?/g, '\n'))
  .filter((s) =>
    [...s].every(
      (c) => c === '\t' || c === '\n' || (c >= ' ' && c !== '\u007f' && c !== '\ufffe' && c !== '\uffff'),
    ),
  );
const anyValue = fc.oneof(value, fc.constantFrom('"', '\\', 'a "b" \\c', 'two\nlines', '{ } =', 'imto:x@y'));
const nsUrl = fc.constantFrom<string | null>(
  null,
  'http://web.mit.edu/ghudson/my-namespace',
  'urn:example:p',
);
const extName = fc.constantFrom('geoloc', 'device-type', 'icon', 'x1', 'mood');
const { ext } = fc.letrec<{ ext: PresenceExtension }>((tie) => ({
  ext: fc.record({
    namespace: nsUrl,
    name: extName,
    value: fc.option(anyValue, { nil: null }),
    children: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'e' },
      fc.constant([]),
      fc.array(tie('ext'), { maxLength: 2 }),
    ),
  }),
}));
// Unprefixed names that the reader knows in a context would not come back as extensions.
const topExt = ext.filter((e) => e.namespace !== null || !['presentity', 'date', 'contact'].includes(e.name));
const contactExt = ext.filter(
  (e) => e.namespace !== null || !['status', 'capabilities', 'preference'].includes(e.name),
);
const presenceDoc: fc.Arbitrary<PresenceDocument> = fc.record({
  presentity: fc.option(fc.constantFrom('presence:joe@example.net', 'joe@example.com', 'presence:"a b"@x'), {
    nil: null,
  }),
  date: fc.option(fc.constantFrom('Thu, 30 Mar 2000 09:59:34 -0500', '30 Mar 2000 14:37:41 +0200'), {
    nil: null,
  }),
  contacts: fc.array(
    fc.record({
      url: fc.oneof(
        anyValue.filter((v) => v !== ''),
        fc.constantFrom('imto:joe@example.net', 'mailto:joe@example.net'),
      ),
      status: fc.constantFrom(null, 'open', 'closed', 'deferred'),
      capabilities: fc.option(fc.constantFrom('(type=text/plain)', '(&(color=binary)(dpi>=200))'), {
        nil: null,
      }),
      preference: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: null }),
      extensions: fc.array(contactExt, { maxLength: 2 }),
    }),
    { maxLength: 3 },
  ),
  extensions: fc.array(topExt, { maxLength: 2 }),
});

describe('serializePresenceText', () => {
  it('writes the -01 quoted form with CRLF', () => {
    const text = serializePresenceText(parsePresenceText(TRANSFER_EXAMPLE).document);
    expect(text).toBe(
      'date = "Thu, 30 Mar 2000 09:59:34 -0500"\r\n' +
        'contact = "mailto:joe@example.net"\r\n' +
        'contact = "imto:joe@example.net" {\r\n  status = "deferred"\r\n}\r\n',
    );
  });

  it('refuses what the format cannot carry', () => {
    expect(() =>
      serializePresenceText({ extensions: [{ namespace: null, name: 'a:b', value: null, children: [] }] }),
    ).toThrow(CodecError);
    expect(() => serializePresenceText({ contacts: [{ url: 'im:a@b', preference: -1 }] })).toThrow(
      CodecError,
    );
    expect(() => serializePresenceText({ presentity: 'a\u0000' })).toThrow(CodecError);
  });

  it('property: parse(serialize(x)) equals x', () => {
    fc.assert(
      fc.property(presenceDoc, (doc) => {
        const back = parsePresenceText(serializePresenceText(doc));
        expect(back.warnings).toEqual([]);
        expect(back.document).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: random input gives a CodecError or a document, never a crash', () => {
    const check = (input: string | Uint8Array) => {
      for (const lenient of [false, true]) {
        try {
          parsePresenceText(input, { lenient });
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 100 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), check), { numRuns: 300 });
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', '=', '"', '{', '}', '\\', ' ', '\n', ':', 'namespace:', 'contact'),
        }),
        check,
      ),
      { numRuns: 300 },
    );
  });
});

// The common-shape PIDF scan (scan-pidf.ts, issue 18) against the full parser alone (saxes and
// the builder, `parsePidfFull`): on generated documents in and around the common shape, whatever
// the scan accepts the full parser accepts too, with no warning and no notice and the same
// document field for field; and `parsePidf` (scan first) has the same outcome as the full parser
// on every input, faults included (reason, rule, position). The generator mixes what the scan
// takes with what it must hand over: DOCTYPEs, comments, CDATA, PIs, entities, CR and TAB in
// text and attributes, namespace mistakes, order and value faults, deep nesting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom } from '../../../test/support/fuzz.js';
import { OWN_INPUTS, pidfVectors } from '../../../test/support/pidf-inputs.js';
import { parsePidf, parsePidfFull } from './parse.js';
import { scanPidf } from './scan-pidf.js';
import type { PidfParseOptions } from './types.js';

const PIDF = 'urn:ietf:params:xml:ns:pidf';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    const err = e as CodecError;
    return { ok: false, error: { reason: err.reason, rule: err.rule, position: err.position } };
  }
}

function decoded(bytes: Uint8Array): string {
  try {
    const t = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
  } catch {
    return '';
  }
}

let scanned = 0;
let total = 0;

function compare(input: Uint8Array | string, options: PidfParseOptions = {}): void {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const full = outcome(() => parsePidfFull(bytes, options));
  const scan = scanPidf(decoded(bytes), options);
  total++;
  if (scan !== null) {
    scanned++;
    expect(full.ok).toBe(true);
    const value = (full as { value: { warnings: unknown[]; notices: unknown[] } }).value;
    expect(value.warnings).toEqual([]);
    expect(value.notices).toEqual([]);
    expect(scan).toStrictEqual(value);
  }
  expect(outcome(() => parsePidf(bytes, options))).toStrictEqual(full);
}

/** Mostly (5 in 6) one of `good`, else one of `bad`. */
const mix = <T>(good: T[], bad: T[]): fc.Arbitrary<T> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );
const pick = <T>(good: T, ...bad: T[]): fc.Arbitrary<T> =>
  bad.length === 0 ? fc.constant(good) : mix([good], bad);

const space = mix(['', ' ', '\n  ', '\r\n ', '\t', '\r'], ['&#32;', '<!-- c -->', '<?pi x?>', 'x']);
const text = mix(
  [
    'in a meeting',
    'a &lt; b &amp;&amp; c &gt; d &quot;&apos;',
    'line\r\nbreak\rand&#13;\n',
    '&#x41;&#65;&#x1F600;',
    'caf\u00e9 \u{1F600} \u2028 \u0085',
    'tab\there',
    'x ]> y',
    '',
  ],
  [
    '&#X41;',
    '&#0;',
    '&#xD800;',
    '&foo;',
    '&#123456789;',
    'bad \u0001 char',
    'x ]]> y',
    '\uFFFE',
    '<![CDATA[cdata]]>',
  ],
);
const attrValue = mix(['v', 'a\tb', 'a\nb', 'a\r\nb', 'x &amp; y', '&#9;', 'q"q', "q'q", ''], ['<', '&bad;']);
const quote = fc.constantFrom('"', "'");

/** An extension element, a few levels deep, with namespace declarations and attributes. */
const ext: fc.Arbitrary<string> = fc.letrec<{ ext: string }>((tie) => ({
  ext: fc
    .tuple(
      mix(['x:e', 'x:f'], ['e', 'y:e', 'xml:e', 'xmlns:e', 'x:', 'tuple', 'x:\u00e9']),
      fc.array(
        mix(
          [
            ' xmlns:x="urn:x"',
            ' xmlns:y="urn:x"',
            ' xmlns:z="urn:z"',
            ' a="1"',
            " x:a='2'",
            ' xml:lang="en"',
            ' c = "spaced" ',
            ' xmlns:x="  urn:x  "',
          ],
          [
            ' xmlns="urn:d"',
            ' xmlns=""',
            ' xmlns:x=""',
            ' xmlns:xml="http://www.w3.org/XML/1998/namespace"',
            ' y:a="3"',
            ' impp:mustUnderstand="1"',
            ' a="dup"',
            'a="nospace"',
            ' b=unquoted',
          ],
        ),
        { maxLength: 3 },
      ),
      attrValue,
      quote,
      fc.array(fc.oneof({ weight: 2, arbitrary: text }, tie('ext'), space), {
        maxLength: 3,
        depthIdentifier: 'ext',
      }),
      fc.boolean(),
    )
    .map(([name, attrs, v, q, children, selfClose]) => {
      const open = `<${name}${attrs.join('')} v=${q}${v.replaceAll(q, '')}${q}`;
      return selfClose || children.length === 0 ? `${open}/>` : `${open}>${children.join('')}</${name}>`;
    }),
})).ext;

const basic = fc
  .tuple(mix(['open', 'closed'], [' open ', 'OPEN', 'x', '']), pick('', 'impp:'))
  .map(([v, p]) => `<${p}basic>${v}</${p}basic>`);
const status = fc
  .tuple(fc.option(basic, { freq: 4 }), fc.array(fc.oneof(ext, space, basic), { maxLength: 2 }))
  .map(([b, rest]) => [b ?? '', ...rest])
  .map((c) => `<status>${c.join('')}</status>`);
const contact = fc
  .tuple(
    mix(['im:a@b.c', ' im:a@b.c\n', 'im:a&amp;b@c'], ['not a uri', '']),
    mix(['', ' priority="0.5"', " priority=' 0.8 '"], [' priority="1.0001"', ' priority="x"']),
  )
  .map(([v, p]) => `<contact${p}>${v}</contact>`);
const note = fc
  .tuple(text, fc.constantFrom('', ' xml:lang="en"', ' xml:lang="fr" other="1"', ' lang="en"'))
  .map(([t, a]) => `<note${a}>${t}</note>`);
const timestamp = mix(
  ['2024-05-01T12:00:00Z', ' 2024-05-01T12:00:00.5+02:00 ', '2016-12-31T23:59:60Z'],
  ['2024-05-01t12:00:00z', '2024-13-01T12:00:00Z'],
).map((t) => `<timestamp>${t}</timestamp>`);
const tuple = fc
  .tuple(
    fc.constantFrom('t1', 't2', 't3', 'a&#46;b', '1bad', '', 't1" id="t3'),
    fc.array(
      fc.oneof(contact, note, timestamp, ext, space, {
        weight: 1,
        arbitrary: fc.constantFrom('<foo/>', 'stray'),
      }),
      { maxLength: 5 },
    ),
    fc.option(status, { freq: 8 }),
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([id, children, st, order]) => {
    // Mostly in schema order (status first), sometimes as generated.
    const all = st === null ? children : [st, ...children];
    const c = order > 0 ? [...all].sort((a, b) => rank(a) - rank(b)) : all;
    return `<tuple id="${id}">${c.join('')}</tuple>`;
  });

function rank(child: string): number {
  const order = ['<status', '<x:', '<contact', '<note', '<timestamp'];
  const i = order.findIndex((o) => child.startsWith(o));
  return i < 0 ? 1 : i;
}

const decl = mix(
  [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    "<?xml version='1.0'?>",
    '<?xml version="1.0" encoding="utf8" standalone="yes" ?>\r\n',
    '\uFEFF<?xml version="1.0"?>',
  ],
  [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<?xml version="1.1"?>',
    '<?xml version="1.0"encoding="UTF-8"?>',
    ' <?xml version="1.0"?>',
    '',
    '<?xml version="1.0"?><!DOCTYPE presence [<!ENTITY a "b">]>',
  ],
);
const root = mix(
  [
    `<presence xmlns="${PIDF}" xmlns:x="urn:x" entity="pres:a@b.c"`,
    `<impp:presence xmlns:impp="${PIDF}" xmlns:x="urn:x" entity=" pres:a@b.c "`,
    `<presence xmlns="${PIDF}" xmlns:x="urn:x" xmlns:impp="${PIDF}" entity="pres:a&#64;b.c"`,
  ],
  [
    `<presence xmlns="${PIDF}" xmlns:x="urn:x" entity="sip:a@b.c"`,
    `<presence xmlns="${PIDF}:" xmlns:x="urn:x" entity="pres:a@b.c"`,
    `<presence xmlns="${PIDF}" xmlns:x="urn:x"`,
  ],
);

const document = fc
  .tuple(
    decl,
    root,
    fc.array(fc.oneof({ weight: 3, arbitrary: tuple }, note, ext, space), { maxLength: 4 }),
    space,
    mix(['', '\n'], [' x', '<!-- end -->', '<other/>']),
  )
  .map(([d, r, children, sp, tail]) => {
    const prefix = r.startsWith('<impp:') ? 'impp:' : '';
    const body =
      prefix === ''
        ? children
        : children.map((c) =>
            c.replace(/<(\/?)(tuple|status|basic|contact|note|timestamp)\b/g, `<$1impp:$2`),
          );
    return `${d}${r}>${body.join('')}${sp}</${prefix}presence>${tail}`;
  });

const options = fc.record({
  lenient: fc.boolean(),
  maxDepth: mix<number | undefined>([undefined, 6, 64, 100], [3]),
  charset: mix<string | undefined>([undefined, 'utf-8'], ['ISO-8859-1']),
});

function clean(o: {
  lenient: boolean;
  maxDepth: number | undefined;
  charset: string | undefined;
}): PidfParseOptions {
  return {
    lenient: o.lenient,
    ...(o.maxDepth === undefined ? {} : { maxDepth: o.maxDepth }),
    ...(o.charset === undefined ? {} : { charset: o.charset }),
  };
}

describe('PIDF common-shape scan against the full parser', () => {
  it('the vectors and the inputs of the tests', () => {
    for (const v of pidfVectors()) for (const lenient of [false, true]) compare(v.bytes, { lenient });
    for (const bytes of Object.values(OWN_INPUTS)) compare(bytes);
  });

  it(
    'generated documents in and around the common shape',
    () => {
      scanned = 0;
      total = 0;
      fuzz(
        fc.property(document, options, (doc, o) => compare(doc, clean(o))),
        10,
      );
      // The generator must reach the scan's own path often enough to test it.
      expect(scanned).toBeGreaterThan(total / 25);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'mutated common documents',
    () => {
      const seeds = ['small', 'medium'].map((_, i) =>
        new TextEncoder().encode(
          `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${PIDF}" xmlns:x="urn:x" entity="pres:a@b.c">\n` +
            ` <tuple id="t${i}">\n  <status><basic>open</basic><x:e a="1">t<x:f/></x:e></status>\n` +
            `  <x:g/>\n  <contact priority="0.5">im:a@b.c</contact>\n  <note xml:lang="en">a &amp; b&#13;\n</note>\n` +
            `  <timestamp>2024-05-01T12:00:00Z</timestamp>\n </tuple>\n <note>n</note>\n <x:h>z</x:h>\n</presence>\n`,
        ),
      );
      fuzz(fc.property(mutatedFrom(seeds, 3), fc.boolean(), (bytes, lenient) => compare(bytes, { lenient })));
    },
    FUZZ_TIMEOUT,
  );
});

describe('PIDF common-shape scan: what it leaves to saxes', () => {
  // The scan's duplicate-attribute check and prefix lookups are linear per attribute; past a few
  // dozen attributes or bindings on one element the document goes to saxes (scan-xml.ts), so a
  // hostile document of thousands of attributes costs saxes' time, not quadratic time here.
  const withAttributes = (attrs: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${PIDF}" entity="pres:a@b.c">` +
    `<tuple id="t1"><status><basic>open</basic></status><x:e xmlns:x="urn:x"${attrs}/></tuple></presence>`;
  const attrs = (n: number, f: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => f(i)).join('');

  it('scans an element with 32 attributes and hands over one with 33, with the same outcome', () => {
    const few = withAttributes(attrs(31, (i) => ` a${i}="v"`));
    const many = withAttributes(attrs(32, (i) => ` a${i}="v"`));
    expect(scanPidf(few, {})).not.toBeNull();
    expect(scanPidf(many, {})).toBeNull();
    compare(new TextEncoder().encode(many));
  });

  it('hands over an element past 64 namespace bindings in scope, with the same outcome', () => {
    const many = withAttributes('').replace(
      '<presence ',
      `<presence${attrs(30, (i) => ` xmlns:p${i}="urn:p${i}"`)} `,
    );
    const deeper = many.replace(
      '<tuple id="t1">',
      `<tuple id="t1"${attrs(30, (i) => ` xmlns:q${i}="urn:q${i}"`)}>`,
    );
    const deepest = deeper.replace('<status>', `<status${attrs(10, (i) => ` xmlns:r${i}="urn:r${i}"`)}>`);
    expect(scanPidf(deeper, {})).not.toBeNull();
    expect(scanPidf(deepest, {})).toBeNull();
    compare(new TextEncoder().encode(deepest));
  });
});

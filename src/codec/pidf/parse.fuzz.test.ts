// Fuzzing the PIDF parser (RFC 3863; issue 13 "Fuzzing in CI"). build → parse round trips and
// plain random bytes are in build.test.ts; here: mutated vectors, XML-hostile documents (DTDs and
// entity bombs, deep nesting, huge attributes, ill-formed UTF-8), and the incremental parser fed
// in arbitrary pieces. The property each time: a document or a CodecError, never another
// exception, and the same outcome however the input was cut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { cutsArb, fuzz, FUZZ_TIMEOUT, mutatedFrom, splitAt, tokenSoup } from '../../../test/support/fuzz.js';
import { OWN_INPUTS, pidfVectors } from '../../../test/support/pidf-inputs.js';
import { createPidfParser, parsePidf, PIDF_MAX_DEPTH } from './index.js';
import { DTD_RULE } from './parse.js';
import type { PidfParseOptions } from './index.js';

const VALID = [...pidfVectors().map((v) => v.bytes), ...Object.values(OWN_INPUTS)];
const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:x" entity="pres:a@b.c">';
const TUPLE = '<tuple id="t1"><status><basic>open</basic></status></tuple>';
const TOKENS = [
  HEAD,
  TUPLE,
  '</presence>',
  '<tuple id="a">',
  '</tuple>',
  '<status>',
  '<basic>closed</basic>',
  '<x:e>',
  '</x:e>',
  '<x:e a="1"/>',
  '<note xml:lang="en">',
  '<!DOCTYPE p [<!ENTITY a "aa">]>',
  '&a;',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?pi x?>',
  'xmlns:y="urn:y"',
  'mustUnderstand="1"',
];

type Outcome = { ok: true; value: unknown } | { ok: false; reason: string; rule: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    // The property: nothing but the codec's typed error ever leaves the parser.
    expect(e).toBeInstanceOf(CodecError);
    const err = e as CodecError;
    expect(err.reason.length).toBeGreaterThan(0);
    return { ok: false, reason: err.reason, rule: err.rule };
  }
}

function inPieces(bytes: Uint8Array, cuts: readonly number[], options: PidfParseOptions): unknown {
  const p = createPidfParser(options);
  for (const piece of splitAt(bytes, cuts)) p.write(piece);
  return p.end();
}

function check(bytes: Uint8Array, cuts: readonly number[]): void {
  for (const lenient of [false, true]) {
    const whole = outcome(() => parsePidf(bytes, { lenient }));
    const pieces = outcome(() => inPieces(bytes, cuts, { lenient }));
    // The same document, or a refusal. Which fault a refusal names may differ when the input
    // has several: UTF-8 is checked per chunk before the XML (so a whole input names its bad
    // octet first), and saxes reports "text outside the root" at a chunk's end before it sees a
    // disallowed character that the whole input shows first.
    if (whole.ok) expect(pieces).toEqual(whole);
    else expect(pieces.ok).toBe(false);
  }
}

/** `<!DOCTYPE>` variants: entity bombs ("billion laughs"), external entities, parameter entities. */
const doctypeArb = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 10 }), fc.boolean())
  .map(([levels, fan, external]) => {
    const ents = [`<!ENTITY l0 "lol">`];
    for (let i = 1; i < levels; i++) ents.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(fan)}">`);
    if (external) ents.push('<!ENTITY ext SYSTEM "file:///etc/passwd">');
    const use = external ? '&ext;' : `&l${levels - 1};`;
    return Buffer.from(
      `<?xml version="1.0"?>\n<!DOCTYPE presence [${ents.join('')}]>\n` +
        `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b.c"><note>${use}</note>${TUPLE}</presence>`,
    );
  });

/** Nesting from a few levels to far past the limit, inside a tuple's status (an extension). */
const deepArb = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('x:e', 'tuple', 'status', 'note'))
  .map(([n, tag]) => ({
    // presence, tuple and status are three levels already.
    depth: 3 + n,
    bytes: Buffer.from(
      `${HEAD}<tuple id="t"><status><basic>open</basic>` +
        `<${tag}>`.repeat(n) +
        `</${tag}>`.repeat(n) +
        '</status></tuple></presence>',
    ),
  }));

describe('PIDF parser fuzz', () => {
  it(
    'mutated vectors and token soup: a document or a CodecError, the same in any pieces',
    () => {
      fuzz(fc.property(fc.oneof(mutatedFrom(VALID, 6), tokenSoup(TOKENS)), cutsArb, check));
    },
    FUZZ_TIMEOUT,
  );

  it(
    'every DOCTYPE is refused, entity bombs are never expanded',
    () => {
      fuzz(
        fc.property(doctypeArb, cutsArb, (bytes, cuts) => {
          check(bytes, cuts);
          const r = outcome(() => parsePidf(bytes, { lenient: true }));
          expect(r).toMatchObject({ ok: false, rule: DTD_RULE });
        }),
        0.5,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'deep nesting is refused past the limit and parsed within it',
    () => {
      fuzz(
        fc.property(deepArb, ({ depth, bytes }) => {
          const r = outcome(() => parsePidf(bytes, { lenient: true }));
          if (depth > PIDF_MAX_DEPTH)
            expect(r).toMatchObject({ ok: false, rule: expect.stringMatching(/nesting/) });
          else if (!r.ok) expect(r.rule).not.toMatch(/nesting/);
        }),
        0.3,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'huge attributes and ill-formed UTF-8 give a document or a CodecError',
    () => {
      const hostile = fc
        .tuple(
          fc.integer({ min: 0, max: 50_000 }),
          fc.constantFrom('id', 'entity', 'x:a', 'xmlns:z'),
          fc.constantFrom(
            Buffer.from('a'),
            Buffer.from([0xc3]),
            Buffer.from([0xed, 0xa0, 0x80]),
            Buffer.from([0xff]),
            Buffer.from('&#0;'),
            Buffer.from('"'),
          ),
          fc.nat(),
        )
        .map(([n, attr, unit, at]) => {
          const doc = Buffer.from(
            `${HEAD}<tuple ${attr}="@@"><status><basic>open</basic></status></tuple></presence>`,
          );
          const i = doc.indexOf('@@');
          const value = Buffer.concat([Buffer.alloc(n, 'v'), unit, Buffer.alloc(at % 5, 'w')]);
          return Buffer.concat([doc.subarray(0, i), value, doc.subarray(i + 2)]);
        });
      fuzz(fc.property(hostile, cutsArb, check), 0.2);
    },
    FUZZ_TIMEOUT,
  );

  // Regression, found by this file's deep-nesting property: saxes resolves namespaces in time
  // proportional to the depth, so 20,000 nested extension elements (160 KB) took seconds and
  // 200,000 minutes. Minimal counterexample of the rule: one level past the limit.
  it('refuses PIDF_MAX_DEPTH + 1 levels (minimal counterexample) and 200,000 levels at once', () => {
    const nest = (n: number) =>
      Buffer.from(
        `${HEAD}<tuple id="t"><status>${'<x:e>'.repeat(n)}${'</x:e>'.repeat(n)}</status></tuple></presence>`,
      );
    // presence, tuple and status are three levels already.
    expect(() => parsePidf(nest(PIDF_MAX_DEPTH - 3))).not.toThrow();
    expect(() => parsePidf(nest(PIDF_MAX_DEPTH - 2))).toThrow(/nested deeper than 64 levels/);
    expect(() => parsePidf(nest(200_000))).toThrow(CodecError);
  });
});

// Fuzzing Hudson's application/presence reader (draft-hudson-impp-pidf-proposal-01 4-6; issue 13
// "Fuzzing in CI"). parse(serialize(x)) and plain random strings are in parse.test.ts; here:
// mutated documents, deep nesting, and the positions the reader reports. The property each time:
// a document or a CodecError with a position inside the input, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, positionAt } from '../../errors.js';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../../test/support/fuzz.js';
import { hudson } from '../../../test/support/presence-documents.js';
import { DEPTH_RULE, parsePresenceText, PRESENCE_TEXT_MAX_DEPTH, serializePresenceText } from './index.js';
import { TextPositions } from './positions.js';

const enc = (s: string) => Buffer.from(s, 'utf8');
const VALID = [
  hudson('im:joe@example.net', 'open'),
  enc(
    'date = "Thu, 30 Mar 2000 09:59:34 -0500"\r\ncontact = mailto:joe@example.net\r\n' +
      'contact = imto:joe@example.net {\r\n  status = deferred\r\n}\r\n',
  ),
  enc(
    serializePresenceText({
      presentity: 'presence:joe@example.net',
      contacts: [
        { url: 'im:joe@example.net', status: 'open', preference: 3, capabilities: '(type=text/plain)' },
      ],
      extensions: [
        {
          namespace: 'http://example.com/geo',
          name: 'geoloc',
          value: 'a "b" \\c',
          children: [{ namespace: null, name: 'x1', value: 'two\nlines', children: [] }],
        },
      ],
    }),
  ),
];
const TOKENS = [
  'contact',
  ' = ',
  '=',
  '"',
  '\\"',
  '\\',
  '{',
  '}',
  '\r\n',
  'status = open',
  'namespace:g = "u"',
  'g:x = 1',
];

function check(bytes: Uint8Array): void {
  for (const lenient of [false, true]) {
    try {
      const r = parsePresenceText(bytes, { lenient });
      for (const w of r.warnings) {
        expect(w.position!.offset).toBeLessThanOrEqual(bytes.length);
        expect(w.position).toEqual(positionAt(bytes, w.position!.offset));
      }
    } catch (e) {
      expect(e).toBeInstanceOf(CodecError);
      const p = (e as CodecError).position!;
      expect(p.offset).toBeLessThanOrEqual(bytes.length);
      expect(p).toEqual(positionAt(bytes, p.offset));
    }
  }
}

describe('application/presence reader fuzz', () => {
  it(
    'mutated documents and token soup: a document or a CodecError, positions inside the input',
    () => {
      fuzz(fc.property(fc.oneof(mutatedFrom(VALID, 6), tokenSoup(TOKENS)), check));
    },
    FUZZ_TIMEOUT,
  );

  it(
    'nesting past the limit is a CodecError, within it a document',
    () => {
      fuzz(
        fc.property(
          fc.integer({ min: 1, max: 5000 }),
          fc.constantFrom('a = {', 'a = "v" {', 'contact = im:a@b {'),
          (n, open) => {
            const text = open.repeat(n) + '}'.repeat(n);
            try {
              parsePresenceText(text, { lenient: true });
              expect(n).toBeLessThanOrEqual(PRESENCE_TEXT_MAX_DEPTH);
            } catch (e) {
              expect(e).toBeInstanceOf(CodecError);
              if (n > PRESENCE_TEXT_MAX_DEPTH) expect((e as CodecError).rule).toBe(DEPTH_RULE);
              else expect((e as CodecError).rule).not.toBe(DEPTH_RULE);
            }
          },
        ),
        0.3,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'TextPositions gives the same position as re-encoding the prefix',
    () => {
      fuzz(
        fc.property(
          fc.string({
            unit: fc.oneof(
              fc.constantFrom('\n', '\r', 'a', 'é', '日', '😀', '\ufeff'),
              fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
            ),
            maxLength: 60,
          }),
          fc.array(fc.nat(), { maxLength: 8 }),
          (text, picks) => {
            const bytes = new TextEncoder().encode(text);
            const positions = new TextPositions(text, bytes);
            for (const p of picks) {
              let i = p % (text.length + 1);
              // The reader's indexes never split a surrogate pair.
              if (
                i > 0 &&
                i < text.length &&
                /[\udc00-\udfff]/.test(text[i]!) &&
                /[\ud800-\udbff]/.test(text[i - 1]!)
              )
                i--;
              const offset = new TextEncoder().encode(text.slice(0, i)).length;
              expect(positions.at(i)).toEqual(positionAt(bytes, offset));
            }
          },
        ),
      );
    },
    FUZZ_TIMEOUT,
  );

  // Regressions found by this file. Minimal counterexamples: PRESENCE_TEXT_MAX_DEPTH + 1 nested
  // subtrees (10,000 of them overflowed the stack with a RangeError, not a CodecError).
  it('refuses 33 nested subtrees with a CodecError (and 10,000 without a RangeError)', () => {
    const nest = (n: number) => 'a = {'.repeat(n) + '}'.repeat(n);
    expect(() => parsePresenceText(nest(PRESENCE_TEXT_MAX_DEPTH))).not.toThrow();
    expect(() => parsePresenceText(nest(PRESENCE_TEXT_MAX_DEPTH + 1))).toThrow(
      /nested deeper than 32 levels/,
    );
    expect(() => parsePresenceText(nest(10_000))).toThrow(CodecError);
  });

  // A lenient parse with a warning per line re-encoded the whole prefix for each warning:
  // 10,000 warnings took 5 s, 40,000 over a minute. Now linear: a generous bound.
  it('a lenient parse with 20,000 warnings finishes within 5 seconds', () => {
    const text = 'contact = "im:a@b" { bogus = 1 weird:x = 2 }\n'.repeat(20_000);
    const started = Date.now();
    const r = parsePresenceText(text, { lenient: true });
    expect(r.warnings.length).toBe(20_000);
    expect(r.warnings[19_999]!.position!.line).toBe(20_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

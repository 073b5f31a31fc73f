// Fuzzing what the IRC adapter reads from outside (issue 13 "Fuzzing in CI"): hub payloads with
// any Content-Type (RFC 2045 5.1 media types, Message/CPIM RFC 3862, MIME entities read by the
// core) become IRC text or a HubError, never another exception or rejection; and mIRC formatting
// codes in any line parse and convert without an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../src/index.js';
import { fuzz, fuzzAsync, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { vectorCases } from '../../test/support/vectors.js';
import { parseMediaType, readOutbound } from './body.js';
import { htmlToIrc, ircToHtml, parseIrc, stripIrc } from './format.js';

const CPIM = vectorCases('cpim').map((c) => c.input);
const MIME = [
  'Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: text/html\r\n\r\n<b>hi</b>\r\n--b--\r\n',
  'hello \u0002bold\u0002 \u000304red',
  '<p>para <i>x</i></p>',
].map((s) => Buffer.from(s));
const TYPES = [
  undefined,
  'text/plain',
  'text/plain; charset=UTF-8',
  'text/plain; charset=iso-8859-1',
  'text/plain; charset="utf-8\\"',
  'text/plain; charset=x-unknown',
  'text/x-irc',
  'text/html',
  'message/cpim',
  'Message/CPIM; x=1',
  'multipart/alternative; boundary=b',
  'multipart/mixed',
  'application/octet-stream',
  'image/png',
  ';;;',
  '',
  'text/plain; __proto__=x; constructor=y',
];

async function outcome(contentType: string | undefined, payload: Uint8Array): Promise<void> {
  try {
    const r = await readOutbound(contentType, payload);
    expect(typeof r.text).toBe('string');
  } catch (e) {
    expect(e).toBeInstanceOf(HubError);
    expect((e as HubError).type).toBe('malformed');
  }
}

describe('IRC outbound body fuzz', () => {
  it(
    'any payload under any Content-Type: IRC text or a malformed HubError',
    async () => {
      await fuzzAsync(
        fc.asyncProperty(
          fc.oneof(fc.constantFrom(...TYPES), fc.string({ maxLength: 40 })),
          fc.oneof(mutatedFrom([...CPIM, ...MIME], 6), fc.uint8Array({ maxLength: 200 })),
          outcome,
        ),
        0.5,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'parseMediaType: a lower-case type and string parameters for any text',
    () => {
      fuzz(
        fc.property(
          fc.oneof(fc.constantFrom(...TYPES.filter((t) => t !== undefined)), fc.string({ maxLength: 60 })),
          (t) => {
            const mt = parseMediaType(t);
            expect(mt.type).toBe(mt.type.toLowerCase());
            for (const v of Object.values(mt.params)) expect(typeof v).toBe('string');
          },
        ),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'mIRC formatting in any line: parsed, stripped and converted without an exception',
    () => {
      const codes = [
        '\u0002',
        '\u0003',
        '\u000304',
        '\u00034,12',
        '\u000399,99',
        '\u000f',
        '\u0016',
        '\u001d',
        '\u001f',
        '\u0011',
        '\u001e',
        '\u0004FF0000',
        '<',
        '&',
        '"',
      ];
      fuzz(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            tokenSoup(codes, 30).map((b) => b.toString('utf8')),
          ),
          (line) => {
            const runs = parseIrc(line);
            expect(runs.map((r) => r.text).join('')).toBe(stripIrc(line));
            const html = ircToHtml(line);
            expect(typeof htmlToIrc(html)).toBe('string');
          },
        ),
      );
    },
    FUZZ_TIMEOUT,
  );
});

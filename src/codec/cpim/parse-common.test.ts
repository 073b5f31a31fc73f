// The common-case Message/CPIM path (parse-common.ts, issue 18) against the full parser alone:
// on generated messages in and around the common case, `parseCpim` (common path first) and
// `parseCpimFull` (full parser only) give the same result field for field, views included.
// The generator mixes headers the common path takes with ones it must leave to the full parser
// (folding, parameters, prefixes, escapes, LF, HTAB, non-ASCII, bad addresses and DateTimes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCpim, parseCpimFull } from './parse.js';
import { parseCommonCpim } from './parse-common.js';
import type { CpimMessage, CpimParseOptions, CpimParseResult } from './types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Every field of a result as plain data (the views as hex), so `toEqual` compares all of it. */
function plain(r: CpimParseResult): unknown {
  if (r.result === 'reject') return r;
  const m = (x: CpimMessage): unknown => ({
    startsWith: x.startsWith,
    lineEnding: x.lineEnding,
    mimeHeaders: x.mimeHeaders.map((h) => ({
      raw: hex(h.raw),
      offset: h.offset,
      name: h.name,
      value: h.value,
    })),
    headers: x.headers.map((h) => ({ ...h, raw: hex(h.raw), params: [...h.params] })),
    contentHeaders: x.contentHeaders.map((h) => ({
      raw: hex(h.raw),
      offset: h.offset,
      name: h.name,
      value: h.value,
    })),
    separators: x.separators.map(hex),
    body: hex(x.body),
    semantics: x.semantics,
    inner: x.inner === undefined ? undefined : plain(x.inner),
  });
  return { ...r, message: m(r.message) };
}

const OUTER = [
  'Content-type: Message/CPIM',
  'Content-Type: message/cpim',
  'content-TYPE:  MESSAGE/CPIM ',
  'Content-Type: message/cpim; x=y',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: 8bit',
  'Content-Transfer-Encoding: base64',
  'X-Other: thing',
  'X-Folded: a',
  ' continued',
  'Bad Name: x',
  ':empty',
  'Content-type:Message/CPIM',
];
const CPIM = [
  'From: Alice <im:alice@gw.test>',
  'From: <im:alice@gw.test>',
  'From: "Alice Liddell" <im:alice@gw.test>',
  'From: "Alice"<im:alice@gw.test>',
  'From: Alice Pleasance Liddell <im:alice@gw.test>',
  'From: Alice<im:alice@gw.test>',
  'From: Alice  <im:alice@gw.test>',
  'From: Al.ice <im:alice@gw.test>',
  'From: Alice <im:alice@gw.test> x',
  'From: Alice <alice@gw.test>',
  'From: Alice <im:>',
  'From: Alice <im:a#b>',
  'From: Alice <im:a%4>',
  'From: Alice <im:a%41b>',
  'From: Alice <im:a>b>',
  'From: Alice <1m:a>',
  'From: Alice <im:a b>',
  'From: "Al\\"ice" <im:a@b>',
  'From: "unterminated <im:a@b>',
  'From: Alicé <im:alice@gw.test>',
  'To: Bob <im:bob@gw.test>',
  'To: <im:bob@gw.test>',
  'cc: Carol <mailto:carol@example.com>',
  'cc: <sip:carol@[::1]>',
  'DateTime: 2024-05-01T12:00:00Z',
  'DateTime: 2024-05-01t12:00:00.123z',
  'DateTime: 2024-05-01T12:00:00+02:00',
  'DateTime: 2023-02-29T12:00:00Z',
  'DateTime: 2024-02-29T23:59:60-23:59',
  'DateTime: 2024-13-01T12:00:00Z',
  'DateTime: 2024-05-01 12:00:00Z',
  'DateTime: 2024-05-01T12:00:00.Z',
  'DateTime: 2024-05-01T12:00:00+24:00',
  'Subject: Hello there',
  'Subject:;lang=fr Bonjour',
  'Subject: tab\there',
  'Subject: back\\nslash',
  'Subject: two  spaces',
  'Subject:  leading',
  'Subject: trailing ',
  'Subject: ',
  'NS: Msg <urn:x-msg:>',
  'Msg.Reply-To: abc',
  'Require: Msg.Reply-To',
  'Weather: sunny',
  'from: lower case',
  'X.y.z: bad name',
  'Bad Name: x',
  'NoSpace:x',
];
const CONTENT = [
  'Content-Type: text/plain; charset=UTF-8',
  'Content-type: text/plain',
  'content-type: Message/CPIM',
  'Content-ID: <1@gw.test>',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: inline',
  ' folded',
];
const BODIES = ['', 'hi bob', 'line one\r\nline two\n', 'é 😀 \\ \t'];

interface Shape {
  readonly outer: readonly string[];
  readonly cpim: readonly string[];
  readonly content: readonly string[];
  readonly body: string;
  /** Line ends: CRLF, or LF for one line chosen by index. */
  readonly lfAt: number;
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  outer: fc.array(fc.constantFrom(...OUTER), { minLength: 0, maxLength: 3 }),
  cpim: fc.array(fc.constantFrom(...CPIM), { minLength: 0, maxLength: 6 }),
  content: fc.array(fc.constantFrom(...CONTENT), { minLength: 0, maxLength: 3 }),
  body: fc.constantFrom(...BODIES),
  lfAt: fc.integer({ min: -8, max: 12 }),
});

function bytesOf(s: Shape, withOuter: boolean): Buffer {
  const lines = [...(withOuter ? [...s.outer, ''] : []), ...s.cpim, '', ...s.content, ''];
  return Buffer.from(lines.map((l, i) => l + (i === s.lfAt ? '\n' : '\r\n')).join('') + s.body);
}

/** Most generated messages must differ from the common case somewhere, many must not. */
const commonShapeArb: fc.Arbitrary<Shape> = fc.record({
  outer: fc.constant(['Content-type: Message/CPIM']),
  cpim: fc.array(fc.constantFrom(...CPIM.slice(0, 9), ...CPIM.slice(20, 27), CPIM[33]!, 'Weather: sunny'), {
    maxLength: 5,
  }),
  content: fc.constant(['Content-Type: text/plain; charset=UTF-8']),
  body: fc.constantFrom(...BODIES),
  lfAt: fc.constant(-1),
});

describe('the common-case CPIM path gives exactly what the full parser gives', () => {
  const modes: CpimParseOptions[] = [
    {},
    { mode: 'lenient' },
    { mode: 'lenient', role: 'endpoint' },
    { role: 'relay', nested: true },
  ];
  it('on messages in and around the common case, with and without outer MIME headers', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.oneof(shapeArb, commonShapeArb),
        fc.constantFrom(...modes),
        fc.boolean(),
        (s, o, outer) => {
          const options: CpimParseOptions = { ...o, startsWith: outer ? 'mime-headers' : 'cpim-headers' };
          const bytes = bytesOf(s, outer);
          runs++;
          if (parseCommonCpim(bytes, options) !== null) taken++;
          expect(plain(parseCpim(bytes, options))).toEqual(plain(parseCpimFull(bytes, options)));
        },
      ),
      { numRuns: 3000 },
    );
    // The generator must exercise both paths.
    expect(taken).toBeGreaterThan(runs / 10);
    expect(taken).toBeLessThan(runs);
  });

  it('on the chat line of the benchmark, whose views are cut from the input on first read', () => {
    const bytes = Buffer.from(
      'Content-type: Message/CPIM\r\n\r\nFrom: Alice <im:alice@gw.test>\r\nTo: Bob <im:bob@gw.test>\r\n' +
        'DateTime: 2024-05-01T12:00:00Z\r\n\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi bob',
    );
    const r = parseCommonCpim(bytes, {});
    expect(r?.result).toBe('accept');
    expect(plain(r!)).toEqual(plain(parseCpimFull(bytes)));
    const m = r!.message!;
    // The same view on every read, a view into the input (not a copy).
    expect(m.body).toBe(m.body);
    expect(m.headers[0]!.raw).toBe(m.headers[0]!.raw);
    expect(m.body.buffer).toBe(bytes.buffer);
    expect(Buffer.from(m.body).toString()).toBe('hi bob');
    expect(m.semantics.from).toEqual({ formalName: 'Alice', uri: 'im:alice@gw.test' });
  });
});

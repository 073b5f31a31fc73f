// Property tests of the Message/CPIM codec: built messages parse back to their semantics and
// re-serialize octet for octet; random and mutated bytes never make the parser throw.
// The codec is not incremental (the carrying protocol's framing ends the body, RFC 3862 2),
// so no split-at-every-offset property is needed for it.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../model/datetime.js';
import { buildCpim, CORE_HEADER_NAMES, CORE_NAMESPACE, parseCpim, serializeCpim } from './index.js';
import type { CpimBuildInput, CpimParseOptions, CpimSemantics } from './index.js';

const NAMECHARS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-^_`|~"];
const nameArb = fc.string({ unit: fc.constantFrom(...NAMECHARS), minLength: 1, maxLength: 10 });
const SPECIALS = [
  '\\',
  '"',
  "'",
  '\t',
  '\n',
  '\r',
  '\b',
  '\u0000',
  '\u001f',
  '\u007f',
  ' ',
  'é',
  '😀',
  '<',
  '>',
  ';',
  ',',
  '.',
  'u',
  '\u0085',
];
const wellFormed = (s: string): boolean =>
  !/[\ud800-\udfff]/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
const anyText = fc
  .string({
    unit: fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 24,
  })
  .filter(wellFormed);
/** Header values: RFC 3862 2.2 cannot carry an empty value or one with a space at either end. */
const valueText = anyText.filter((s) => s.length > 0 && !s.startsWith(' ') && !s.endsWith(' '));
const uriArb = fc
  .tuple(
    fc.constantFrom('im', 'pres', 'sip', 'mailto', 'urn:x'),
    fc.string({
      unit: fc.constantFrom(..."abcxyz019-._~!$&'()*+,;=%41".split('')),
      minLength: 1,
      maxLength: 12,
    }),
    fc.domain(),
  )
  .map(([scheme, local, domain]) => `${scheme}:${local.replace(/%/g, '%25')}@${domain}`);
const langArb = fc
  .tuple(
    fc.stringMatching(/^[a-zA-Z]{1,8}$/),
    fc.array(fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), { maxLength: 2 }),
  )
  .map(([p, subs]) => [p, ...subs].join('-'));
const addressArb = fc.record({ formalName: fc.option(anyText, { nil: null }), uri: uriArb });
const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .array(fc.constantFrom('\r\n', '\r\n\r\n', 'From: <im:x@y.z>', 'text', '\n', ''), { maxLength: 8 })
    .map((a) => Buffer.from(a.join(''))),
);

interface Generated {
  input: CpimBuildInput;
  expected: Omit<CpimSemantics, 'required'> & {
    required: { prefix: string | null; namespace: string | null; name: string }[];
  };
  extraParams: { name: string; value: string }[][];
}

const messageArb: fc.Arbitrary<Generated> = fc
  .record({
    startsWith: fc.constantFrom('mime-headers' as const, 'cpim-headers' as const),
    from: fc.option(addressArb, { nil: undefined }),
    to: fc.array(addressArb, { maxLength: 3 }),
    cc: fc.array(addressArb, { maxLength: 2 }),
    dateTime: fc.option(
      fc.date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2200-01-01T00:00:00Z'),
        noInvalidDate: true,
      }),
      { nil: undefined },
    ),
    subjects: fc.array(fc.record({ lang: fc.option(langArb, { nil: null }), text: valueText }), {
      maxLength: 3,
    }),
    prefixes: fc.uniqueArray(nameArb, { maxLength: 3 }),
    defaultNs: fc.option(uriArb, { nil: null }),
    extras: fc.array(
      fc.record({
        prefixIndex: fc.nat(),
        prefixed: fc.boolean(),
        name: nameArb,
        params: fc.array(
          fc.record({
            name: nameArb.filter((n) => n !== 'lang'),
            value: fc.oneof(anyText, fc.stringMatching(/^[0-9]{1,5}$/)),
          }),
          { maxLength: 2 },
        ),
        value: valueText,
      }),
      { maxLength: 4 },
    ),
    requireCount: fc.nat({ max: 3 }),
    contentHeaders: fc.constantFrom<[string, string][]>(
      [['Content-Type', 'text/plain; charset=utf-8']],
      [
        ['Content-type', 'application/octet-stream'],
        ['Content-ID', '<1@x.y>'],
      ],
    ),
    body: bodyArb,
    spacing: fc.constantFrom('abnf' as const, 'rfc-examples' as const),
  })
  .chain((g) =>
    fc.tuple(
      fc.constant(g),
      fc.array(uriArb, { minLength: g.prefixes.length, maxLength: g.prefixes.length }),
    ),
  )
  .map(([g, uris]) => {
    const bindings = new Map(g.prefixes.map((p, i) => [p, uris[i]!]));
    const defaultNs = g.defaultNs ?? CORE_NAMESPACE;
    const ns = [
      ...g.prefixes.map((p, i) => ({ prefix: p, uri: uris[i]! })),
      ...(g.defaultNs ? [{ prefix: null, uri: g.defaultNs }] : []),
    ];
    const extras = g.extras
      .map((e) => {
        const prefix =
          e.prefixed && g.prefixes.length > 0 ? g.prefixes[e.prefixIndex % g.prefixes.length]! : null;
        return {
          prefix,
          name: e.name,
          rawName: prefix ? `${prefix}.${e.name}` : e.name,
          params: e.params,
          value: e.value,
          namespace: prefix ? bindings.get(prefix)! : defaultNs,
        };
      })
      .filter((e) => !(e.namespace === CORE_NAMESPACE && CORE_HEADER_NAMES.has(e.name)));
    // Require is written before a default-namespace NS (see buildCpim), so its unprefixed names are core.
    const required = extras
      .slice(0, g.requireCount)
      .map((e) => ({ prefix: e.prefix, namespace: e.prefix ? e.namespace : CORE_NAMESPACE, name: e.name }));
    const input: CpimBuildInput = {
      startsWith: g.startsWith,
      ...(g.from ? { from: g.from } : {}),
      to: g.to,
      cc: g.cc,
      ...(g.dateTime ? { dateTime: g.dateTime } : {}),
      subjects: g.subjects,
      ns,
      require: extras.slice(0, g.requireCount).map((e) => e.rawName),
      extraHeaders: extras.map((e) => ({ name: e.rawName, params: e.params, value: e.value })),
      contentHeaders: g.contentHeaders,
      body: g.body,
      spacing: g.spacing,
    };
    const expected: Generated['expected'] = {
      from: g.from ?? null,
      to: g.to,
      cc: g.cc,
      datetime: g.dateTime ? formatDateTime(g.dateTime) : null,
      subjects: g.subjects,
      required,
      unknownHeaders: extras.filter((e) => e.namespace === CORE_NAMESPACE).map((e) => e.rawName),
      extensionHeaders: extras
        .filter((e) => e.namespace !== CORE_NAMESPACE)
        .map((e) => ({ namespace: e.namespace, name: e.name, value: e.value })),
    };
    return { input, expected, extraParams: extras.map((e) => e.params) };
  });

function noThrowAndRoundTrip(bytes: Uint8Array, options: CpimParseOptions): void {
  const r = parseCpim(bytes, options);
  if (r.result === 'reject') {
    expect(r.rule).not.toBe('internal');
    expect(r.position.line).toBeGreaterThan(0);
    expect(r.position.offset).toBeLessThanOrEqual(bytes.length);
    return;
  }
  expect(Buffer.compare(serializeCpim(r.message), bytes)).toBe(0);
}

const OPTIONS: CpimParseOptions[] = [
  { startsWith: 'mime-headers', mode: 'strict', nested: true },
  { startsWith: 'cpim-headers', mode: 'lenient', nested: true },
];

describe('Message/CPIM properties', () => {
  it('build → parse gives back the semantics, and serialize(parse(x)) === x', () => {
    fc.assert(
      fc.property(messageArb, ({ input, expected, extraParams }) => {
        const bytes = buildCpim(input);
        const r = parseCpim(bytes, { startsWith: input.startsWith ?? 'mime-headers' });
        if (r.result === 'reject')
          throw new Error(`${r.reason} (${r.rule}) in ${JSON.stringify(bytes.toString())}`);
        expect(r.result).toBe('accept');
        expect(r.warnings).toEqual([]);
        expect(r.message.semantics).toEqual(expected);
        expect(
          Buffer.compare(
            Buffer.from(r.message.body),
            Buffer.from(typeof input.body === 'string' ? Buffer.from(input.body) : input.body!),
          ),
        ).toBe(0);
        const extras = r.message.headers.filter((h) => h.kind === 'extension' || h.kind === 'unknown');
        expect(extras.map((h) => h.params.map((p) => ({ name: p.name, value: p.value })))).toEqual(
          extraParams,
        );
        expect(Buffer.compare(serializeCpim(r.message), bytes)).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on random bytes', () => {
    const headerish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '\r\n',
            '\n',
            ': ',
            ';',
            '.',
            '"',
            '\\',
            '<',
            '>',
            'From',
            'NS',
            ' ',
            '\t',
            'Content-Type: a/b',
            '\u00e9',
            'lang=',
          ),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => Buffer.from(parts.join('')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), headerish), (bytes) => {
        for (const o of OPTIONS) noThrowAndRoundTrip(bytes, o);
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on mutated vectors', () => {
    const dir = new URL('../../../test/fixtures/vectors/', import.meta.url);
    const vectors = readdirSync(dir)
      .filter((f) => /^cpim-.*\.txt$/.test(f) && !f.includes('-28-'))
      .map((f) => readFileSync(new URL(f, dir)));
    const INTERESTING = [
      0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x2e, 0x22, 0x5c, 0x3c, 0x3e, 0x3d, 0x80, 0xc3, 0xff, 0x00, 0x61,
    ];
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom('insert', 'delete', 'replace'),
      byte: fc.constantFrom(...INTERESTING),
    });
    fc.assert(
      fc.property(fc.nat(vectors.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), (vi, edits) => {
        let bytes = Buffer.from(vectors[vi]!);
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          const b = Buffer.from([e.byte]);
          if (e.op === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), b, bytes.subarray(at)]);
          else if (e.op === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
          else bytes = Buffer.concat([bytes.subarray(0, at), b, bytes.subarray(at + 1)]);
        }
        for (const o of OPTIONS) noThrowAndRoundTrip(bytes, o);
      }),
      { numRuns: 1500 },
    );
  });

  it('parses pathological 1 MB lines in linear time', () => {
    const MB = 1 << 20;
    const lines = [
      `Subject: ${'\\\\'.repeat(MB / 2)}`,
      `From: ${'a '.repeat(MB / 2)}<im:a@b.c>`,
      `From: "${'\\"'.repeat(MB / 2)}"<im:a@b.c>`,
      `X:${';a=b'.repeat(MB / 4)} v`,
      `NS: p <urn:${'x'.repeat(MB)}>`,
      `Require: ${'a,'.repeat(MB / 2)}b`,
      `Subject: ${'é'.repeat(MB / 2)}`,
    ];
    for (const line of lines) {
      const bytes = Buffer.from(
        `Content-type: Message/CPIM\r\n\r\n${line}\r\n\r\nContent-Type: text/plain\r\n\r\n`,
      );
      const t0 = performance.now();
      const r = parseCpim(bytes);
      const ms = performance.now() - t0;
      expect(r.result, line.slice(0, 20)).not.toBe('reject');
      expect(ms, line.slice(0, 20)).toBeLessThan(3000);
    }
  });
});

// Conformance checklist of spec/cpim.md part 5, rows 1-13 (Message/CPIM header syntax: lines,
// folding, whitespace, UTF-8, escaping, names). Rows 14-24 and 64 are in checklist-semantics.test.ts.
// Vectors held back from /vectors (cpim-05, 11, 16, 19, 23, 27, 29, 32, 34) are rewritten here
// from the table in docs/cpim.md part 6; each test names its row.
import { describe, expect, it } from 'vitest';
import { from, msg, ok, rejects, to, vector } from '../../../test/support/cpim-inputs.js';
import { buildCpim, inspectCpim, parseCpim, serializeCpim } from './index.js';

describe('RFC 3862 conformance checklist (docs/cpim.md part 5): header syntax', () => {
  it('row 1: header lines end with CRLF (cpim-18)', () => {
    expect(rejects(vector('cpim-18-lf-only'), 'RFC 3862 2.2')).toBe('lines end in LF, not CRLF');
    const mixed = Buffer.from(
      'Content-type: Message/CPIM\r\n\r\nFrom: <im:a@b.c>\nTo: <im:d@e.f>\r\n\nContent-Type: text/plain\r\n\r\nx',
    );
    rejects(mixed, 'RFC 3862 2.2');
    const r = ok(parseCpim(mixed, { mode: 'lenient' }));
    expect(r.result).toBe('accept-with-warning');
    expect(r.message.lineEnding).toBe('mixed');
    expect(Buffer.compare(serializeCpim(r.message), mixed)).toBe(0);
  });

  it('row 2: one header per line, no folding (cpim-13)', () => {
    expect(rejects(vector('cpim-13-folded-header'), 'RFC 3862 2.2')).toMatch(/folding/);
    rejects(msg([`${from} To: <im:bob@example.com>`]), /RFC 3862 4.1/);
    rejects(msg([from, 'Subject: a', '\tcontinued']), 'RFC 3862 2.2');
  });

  it('row 3: no whitespace at start or end of a header line (cpim-15, cpim-29)', () => {
    expect(rejects(vector('cpim-15-trailing-whitespace'), 'RFC 3862 2.2')).toBe('whitespace at end of line');
    rejects(msg([from, 'Subject: tab at end\t']), 'RFC 3862 2.2');
    rejects(msg([' ' + from]), 'RFC 3862 2.2');
    // cpim-29: `Subject: ` is ABNF-valid but ends in whitespace; lenient reads an empty subject.
    const empty = msg([from, to, 'Subject: ']);
    rejects(empty, 'RFC 3862 2.2');
    const r = ok(parseCpim(empty, { mode: 'lenient' }));
    expect(r.result).toBe('accept-with-warning');
    expect(r.message.semantics.subjects).toEqual([{ lang: null, text: '' }]);
  });

  it('row 4: exactly one SP after the name, colon and parameters (cpim-14, cpim-16)', () => {
    expect(rejects(vector('cpim-14-missing-space'), 'RFC 3862 2.2, 4.1')).toBe("no single SP after 'From:'");
    // cpim-16
    expect(rejects(msg([from, 'To:  <im:bob@example.com>']), 'RFC 3862 2.2, 4.2')).toBe(
      "more than one SP after 'To:'",
    );
    expect(rejects(msg([from, 'Subject:;lang=fr  deux']), 'RFC 3862 2.2, 4.5')).toBe(
      "more than one SP after 'Subject:;lang=fr'",
    );
    rejects(msg([from, 'Subject:;lang=fr']), 'RFC 3862 2.2, 4.5');
    rejects(msg([from, 'X-Thing:\tvalue']), 'RFC 3862 2.2, 3.6');
    expect(ok(parseCpim(msg([from, 'Subject:;lang=fr un']))).result).toBe('accept');
  });

  it('row 5: headers are UTF-8; ill-formed UTF-8 is rejected (cpim-08, cpim-09)', () => {
    expect(ok(parseCpim(vector('cpim-08-utf8'))).result).toBe('accept');
    expect(rejects(vector('cpim-09-invalid-utf8'), 'RFC 3862 2.2, 3.6')).toMatch(/C3 28/);
    const bad = (octets: number[]): Buffer =>
      Buffer.concat([
        Buffer.from('Content-type: Message/CPIM\r\n\r\nSubject: a'),
        Buffer.from(octets),
        Buffer.from('\r\n\r\nContent-Type: text/plain\r\n\r\n'),
      ]);
    for (const octets of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xff],
      [0xe2, 0x82],
    ]) {
      rejects(bad(octets), 'RFC 3862 2.2, 3.6');
    }
    rejects(
      msg([from, 'X:;p=\u00e9 v']).map((b) => (b === 0xa9 ? 0x29 : b)),
      'RFC 3862 2.2, 3.6',
    );
  });

  it('row 6: no raw control characters in headers (cpim-12)', () => {
    expect(rejects(vector('cpim-12-raw-control-char'), 'RFC 3862 2.2, 2.3')).toBe(
      'Subject value contains raw U+0009; control characters must be escaped',
    );
    for (const c of ['\u0000', '\u0007', '\u007f', '\r', '\u001b']) {
      expect(rejects(msg([from, `Subject: a${c}b`]), 'RFC 3862 2.2, 2.3')).toContain(
        'control characters must be escaped',
      );
    }
  });

  it('row 7: the generator escapes exactly per 2.3.1 (cpim-10 serialize)', () => {
    const out = buildCpim({
      startsWith: 'cpim-headers',
      from: { formalName: 'Winnie "the" Pooh', uri: 'im:pooh@100akerwood.com' },
      subjects: [{ text: 'a\\b\bc\td\ne\rf\u0000g\u0007h\u001fi\u007fj"k\'l\u00e9m\u{1f338}n<o>' }],
      contentHeaders: [['Content-Type', 'text/plain']],
    }).toString('utf8');
    expect(out).toContain('From: "Winnie \\"the\\" Pooh"<im:pooh@100akerwood.com>\r\n');
    expect(out).toContain(
      'Subject: a\\\\b\\bc\\td\\ne\\rf\\u0000g\\u0007h\\u001fi\\u007fj"k\'l\u00e9m\u{1f338}n<o>\r\n',
    );
    // cpim-10 rebuilt from its decoded semantics is the vector octet for octet.
    const rebuilt = buildCpim({
      from: { formalName: 'Winnie "the" Pooh', uri: 'im:pooh@100akerwood.com' },
      to: [{ uri: 'im:bob@example.com' }],
      subjects: [{ text: 'Tab:\there, backslash:\\, bell:\u0007, CRLF:\r\n end' }],
      contentHeaders: [['Content-Type', 'text/plain; charset=utf-8']],
      body: 'esc',
    });
    expect(Buffer.compare(rebuilt, vector('cpim-10-escapes'))).toBe(0);
  });

  it('row 8: the receiver decodes defined escapes, others, unknown \\x as x, ignores a trailing \\ (cpim-10, cpim-11)', () => {
    const r10 = ok(parseCpim(vector('cpim-10-escapes')));
    expect(r10.result).toBe('accept');
    expect(r10.message.semantics.subjects[0]!.text).toBe(
      'Tab:\there, backslash:\\, bell:\u0007, CRLF:\r\n end',
    );
    // cpim-11: needless \u00e9, unknown \q, trailing backslash: decoded, with a warning each.
    const r11 = ok(
      parseCpim(
        msg([from, to, 'Subject: caf\\u00e9 \\q end\\', 'X-Esc: \\"quoted\\" \\\'single\\\' \\u0041']),
      ),
    );
    expect(r11.result).toBe('accept-with-warning');
    expect(r11.message.semantics.subjects[0]!.text).toBe('café q end');
    expect(r11.message.headers[3]!.decoded).toBe('"quoted" \'single\' A');
    expect(r11.warnings.map((w) => w.rule)).toEqual(Array(4).fill('RFC 3862 2.3.1'));
    expect(r11.warnings[0]!.position).toMatchObject({ line: 5, column: 13 });
    expect(inspectCpim(msg([from, 'Subject: \\u0009']), {}).warnings[0]!.reason).toBe(
      '\\u0009 used where \\t is required',
    );
  });

  it('row 9: header names are compared case-sensitively (cpim-17)', () => {
    const r = ok(parseCpim(vector('cpim-17-case-sensitive-names')));
    expect(r.message.semantics.from).toEqual({ formalName: null, uri: 'im:carol@example.com' });
    expect(r.message.semantics.to).toEqual([{ formalName: null, uri: 'im:dave@example.com' }]);
    expect(r.message.semantics.unknownHeaders).toEqual(['from', 'TO', 'subject']);
  });

  it('row 10: unknown headers are ignored, not fatal (cpim-17, cpim-20)', () => {
    const r = ok(parseCpim(vector('cpim-20-params')));
    expect(r.result).toBe('accept');
    expect(r.message.semantics.unknownHeaders).toEqual(['Weather']);
    expect(r.message.headers[5]!.params).toEqual([
      { name: 'level', kind: 'number', raw: '3', value: '3' },
      { name: 'note', kind: 'string', raw: '"a;b"', value: 'a;b' },
    ]);
    // An unknown header with an odd-but-valid value does not disturb the rest.
    expect(ok(parseCpim(msg([from, 'Odd: <<"x\'@@', to]))).message.semantics.to).toHaveLength(1);
  });

  it('row 11: header octets and order preserved end to end; relays never re-serialize (byte-compare)', () => {
    const names = [
      '01-rfc3862-example',
      '02-multi-recipient',
      '03-minimal-no-headers',
      '04-ns-prefixes',
      '08-utf8',
      '10-escapes',
      '17-case-sensitive-names',
      '20-params',
      '25-body-with-blank-lines',
      '26-nested-cpim',
      '28-long-header',
      '30-duplicate-from',
    ];
    for (const n of names) {
      const bytes = vector(`cpim-${n}`);
      const r = ok(parseCpim(bytes, { role: 'relay' }));
      const out = serializeCpim(r.message);
      expect(Buffer.compare(out, bytes), n).toBe(0);
      // The header list is the input's lines in order, each exactly its octets.
      let at = r.message.headers[0]?.offset ?? 0;
      for (const h of r.message.headers) {
        expect(h.offset).toBe(at);
        expect(Buffer.compare(Buffer.from(h.raw), bytes.subarray(at, at + h.raw.length))).toBe(0);
        at += h.raw.length;
      }
    }
  });

  it('row 12: no line-length limit (cpim-28, 1 MB line in linear time)', () => {
    const r = ok(parseCpim(vector('cpim-28-long-header')));
    expect(r.message.semantics.subjects[0]!.text).toHaveLength(8000);
    const big = msg([from, 'Subject: ' + 'y'.repeat(1 << 20)]);
    const t0 = performance.now();
    const rb = ok(parseCpim(big));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(rb.message.semantics.subjects[0]!.text).toHaveLength(1 << 20);
  });

  it('row 13: header name = NAMECHARs with at most one "." (cpim-21, 22, 23)', () => {
    expect(rejects(vector('cpim-21-param-before-colon'), 'RFC 3862 3.1, 3.6')).toBe(
      "';' inside a header name",
    );
    expect(rejects(vector('cpim-22-separator-in-name'), 'RFC 3862 3.1, 3.6')).toBe(
      "'/' inside a header name",
    );
    // cpim-23
    expect(rejects(msg([from, 'NS: one <urn:x:one>', 'one.two.three: x']), 'RFC 3862 3.1, 3.6')).toBe(
      "more than one '.' in header name 'one.two.three'",
    );
    for (const bad of [
      '.x: v',
      'x.: v',
      ': v',
      'N\u00e4me: v',
      'a b: v',
      'a"b: v',
      'a(b: v',
      'a@b: v',
      'no colon here',
    ]) {
      rejects(msg([from, bad]), 'RFC 3862 3.1, 3.6');
    }
    expect(ok(parseCpim(msg(["!#$%&'*+-^_`|~09azAZ: v"]))).result).toBe('accept');
  });
});

// Conformance checklist of spec/cpim.md part 5, rows 14-24 and 64 (Message/CPIM namespaces,
// Require, core headers, the encapsulated entity). Rows 1-13 are in checklist-syntax.test.ts.
// Vectors held back from /vectors are rewritten here from the table in docs/cpim.md part 6; each test
// names its row.
import { describe, expect, it } from 'vitest';
import { from, msg, ok, rejects, to, vector } from '../../../test/support/cpim-inputs.js';
import { firstInvalidUtf8 } from '../../model/utf8.js';
import { buildCpim, inspectCpim, parseCpim, serializeCpim, unmetRequirements } from './index.js';

describe('RFC 3862 conformance checklist (docs/cpim.md part 5): namespaces and semantics', () => {
  it('row 14: a prefix must be declared by NS before use (cpim-06, cpim-07)', () => {
    expect(rejects(vector('cpim-06-require-undeclared-prefix'), 'RFC 3862 3.4')).toBe(
      "prefix 'Locale' used without a preceding NS declaration",
    );
    rejects(vector('cpim-07-undeclared-prefix-header'), 'RFC 3862 3.4');
    // Declared after use is still undeclared at the point of use.
    rejects(msg([from, 'late.X: 1', 'NS: late <urn:x:late>']), 'RFC 3862 3.4');
    const r = ok(
      parseCpim(msg([from, 'late.X: 1', 'NS: late <urn:x:late>', 'late.X: 2']), { mode: 'lenient' }),
    );
    expect(r.message.semantics.extensionHeaders).toEqual([
      { namespace: 'urn:x:late', name: 'X', value: '2' },
    ]);
  });

  it('row 15: headers are (namespace URI, name); prefixes are local; NS: <uri> changes the default (cpim-04, cpim-27)', () => {
    const r4 = ok(parseCpim(vector('cpim-04-ns-prefixes')));
    expect(r4.message.semantics.subjects).toEqual([
      { lang: null, text: 'declared through an explicit core prefix' },
    ]);
    // cpim-27: IMDN (RFC 5438) headers under the prefix foo resolve to urn:ietf:params:imdn.
    const imdn = (p: string): Buffer =>
      msg([
        from,
        to,
        `NS: ${p} <urn:ietf:params:imdn>`,
        `${p}.Message-ID: 34jk324j`,
        `${p}.Disposition-Notification: positive-delivery`,
        'DateTime: 2010-02-08T12:30:00Z',
      ]);
    const foo = ok(parseCpim(imdn('foo'))).message;
    expect(foo.semantics.extensionHeaders).toEqual([
      { namespace: 'urn:ietf:params:imdn', name: 'Message-ID', value: '34jk324j' },
      { namespace: 'urn:ietf:params:imdn', name: 'Disposition-Notification', value: 'positive-delivery' },
    ]);
    expect(ok(parseCpim(imdn('imdn'))).message.semantics).toEqual(foo.semantics);
    // After NS: <uri>, an unprefixed NS is no longer the core NS header either.
    const moved = ok(
      parseCpim(msg([from, 'NS: <urn:x:d>', 'NS: p <urn:x:p>', 'p.Y: 1']), { mode: 'lenient' }),
    );
    expect(moved.message.headers[2]!.kind).toBe('extension');
    expect(moved.result).toBe('accept-with-warning');
  });

  it('row 16: a namespace URI is absolute, without fragment (cpim-33, cpim-34)', () => {
    expect(rejects(vector('cpim-33-ns-relative-uri'), 'RFC 3862 3.4')).toBe(
      "namespace URI 'widgets/v1' is relative",
    );
    // cpim-34
    expect(rejects(msg([from, 'NS: frag <http://example.com/ns#part>', 'frag.X: 1']), 'RFC 3862 3.4')).toBe(
      "namespace URI 'http://example.com/ns#part' has a fragment",
    );
    for (const uri of ['//host/x', '1abc:x', 'urn:', 'urn:a b', 'urn:%zz'])
      rejects(msg([`NS: p <${uri}>`]), 'RFC 3862 3.4');
    expect(ok(parseCpim(msg(['NS: p <http://[::1]/x?y=%20>']))).result).toBe('accept');
  });

  it('row 17: a receiver not implementing a Required name does not understand the message (cpim-01, cpim-05)', () => {
    const r1 = ok(parseCpim(vector('cpim-01-rfc3862-example')));
    expect(unmetRequirements(r1.message, [])).toEqual([
      { prefix: 'MyFeatures', namespace: 'mid:MessageFeatures@id.foo.com', name: 'VitalMessageOption' },
    ]);
    // cpim-05: two names in one Require, one unused, one unknown; core names count as understood.
    const r5 = ok(
      parseCpim(
        msg([
          from,
          to,
          'NS: F <urn:example:features>',
          'Require: F.Used,F.Unused',
          'Require: Subject',
          'F.Used: yes',
        ]),
      ),
    );
    expect(r5.result).toBe('accept');
    expect(r5.message.semantics.required).toHaveLength(3);
    expect(unmetRequirements(r5.message, []).map((u) => u.name)).toEqual(['Used', 'Unused']);
    expect(
      unmetRequirements(r5.message, [{ namespace: 'urn:example:features', name: 'Used' }]).map((u) => u.name),
    ).toEqual(['Unused']);
    rejects(msg(['Require: a, b']), 'RFC 3862 4.7, 3.6');
    rejects(msg(['Require: a,,b']), 'RFC 3862 4.7, 3.6');
  });

  it('row 18: ;lang= sits after the colon, none = i-default; senders tag Subject (cpim-20)', () => {
    const r = ok(parseCpim(vector('cpim-20-params')));
    expect(r.message.semantics.subjects.map((s) => s.lang)).toEqual([null, 'fr', 'en-GB']);
    expect(rejects(msg([from, 'Subject:;lang=fr-- x']), 'RFC 3862 3.3')).toBe(
      "invalid language tag 'fr--' (RFC 3066)",
    );
    rejects(msg([from, 'Subject:;lang=toolongtag x']), 'RFC 3862 3.3');
    expect(ok(parseCpim(msg(['Subject:;lang=i-default x', 'Subject:;lang=x-klingon-1 y']))).result).toBe(
      'accept',
    );
    const built = buildCpim({
      subjects: [{ lang: 'fr', text: 'Objet de message' }],
      contentHeaders: [['Content-Type', 'text/plain']],
    });
    expect(built.toString()).toContain('\r\nSubject:;lang=fr Objet de message\r\n');
  });

  it('row 19: From/To/cc = [Formal-name] <absolute-URI>; To and cc repeat (cpim-02, cpim-19)', () => {
    const r2 = ok(parseCpim(vector('cpim-02-multi-recipient')));
    expect(r2.message.semantics.to).toHaveLength(2);
    expect(r2.message.semantics.cc).toHaveLength(2);
    // cpim-19: quoted names with and without SP before "<", NS with and without SP.
    const r19 = ok(
      parseCpim(
        msg([
          'From: "Pooh, Winnie" <im:pooh@100akerwood.com>',
          'To: "Tigger"<im:tigger@100akerwood.com>',
          'NS: a <urn:x:a>',
          'NS: b<urn:x:b>',
          'a.X: 1',
          'b.X: 2',
        ]),
      ),
    );
    expect(r19.result).toBe('accept');
    expect(r19.message.semantics.from).toEqual({
      formalName: 'Pooh, Winnie',
      uri: 'im:pooh@100akerwood.com',
    });
    expect(r19.message.semantics.to).toEqual([{ formalName: 'Tigger', uri: 'im:tigger@100akerwood.com' }]);
    expect(rejects(msg(['From: Pooh, Winnie <im:pooh@100akerwood.com>']), 'RFC 3862 4.1, 3.6')).toMatch(
      /','/,
    );
    rejects(msg(['To: <tigger@100akerwood.com>']), /RFC 2396/);
    rejects(msg(['To: <im:tigger@100akerwood.com> trailing']), 'RFC 3862 4.2, 3.6');
    rejects(msg(['cc: Two  Spaces <im:a@b.c>']), 'RFC 3862 4.3, 3.6');
    rejects(msg(['cc: "unterminated <im:a@b.c>']), 'RFC 3862 4.3, 3.6');
    rejects(msg(['From: Tigger<im:tigger@100akerwood.com>']), 'RFC 3862 4.1, 3.6');
    expect(ok(parseCpim(msg(['From: Tigger<im:tigger@100akerwood.com>']), { mode: 'lenient' })).result).toBe(
      'accept-with-warning',
    );
    // docs/cpim.md 2.4 (g): the address grammar has no parameters: kept, ignored, warned about.
    expect(ok(parseCpim(msg(['From:;x=1 <im:a@b.c>']))).result).toBe('accept-with-warning');
  });

  it('row 20: DateTime is RFC 3339 (cpim-31, cpim-32)', () => {
    expect(rejects(vector('cpim-31-bad-datetime'), 'RFC 3862 4.4 / RFC 3339 5.7')).toBe(
      '2001 is not a leap year',
    );
    // cpim-32: fraction and leap second.
    const r = ok(parseCpim(msg([from, 'DateTime: 2016-12-31T23:59:60.123456Z'])));
    expect(r.message.semantics.datetime).toBe('2016-12-31T23:59:60.123456Z');
    expect(ok(parseCpim(msg(['DateTime: 2001-02-01t12:16:49z']))).result).toBe('accept');
    rejects(msg(['DateTime: 2001-02-01 12:16:49Z']), 'RFC 3862 4.4 / RFC 3339 5.6');
    rejects(msg(['DateTime: 2001-13-01T12:16:49Z']), 'RFC 3862 4.4 / RFC 3339 5.7');
  });

  it('row 21: the encapsulated MIME entity has a Content-Type (cpim-24)', () => {
    expect(rejects(vector('cpim-24-no-content-type'), 'RFC 3862 2.4')).toBe(
      'encapsulated MIME headers lack Content-Type',
    );
    rejects(msg([from], []), 'RFC 3862 2.4');
    const lower = ok(parseCpim(msg([from], ['content-type: text/plain', 'X-Folded: a', ' b'])));
    expect(lower.message.contentHeaders.map((h) => [h.name, h.value])).toEqual([
      ['content-type', 'text/plain'],
      ['X-Folded', 'a b'],
    ]);
  });

  it('row 22: intermediaries wrap instead of modifying (cpim-26)', () => {
    const original = vector('cpim-02-multi-recipient');
    const innerBytes = original.subarray(original.indexOf('\r\n\r\n') + 4);
    const wrapped = buildCpim({
      from: { uri: 'im:relay@gw.example.net' },
      to: [{ uri: 'im:bob@example.com' }],
      ns: [{ prefix: 'gw', uri: 'urn:example:gateway' }],
      extraHeaders: [{ name: 'gw.Note', value: 'forwarded by gateway' }],
      contentHeaders: [['Content-Type', 'Message/CPIM']],
      body: innerBytes,
    });
    const r = ok(parseCpim(wrapped, { nested: true }));
    const inner = r.message.inner;
    expect(inner?.result).toBe('accept');
    if (inner?.result !== 'accept') return;
    expect(Buffer.compare(serializeCpim(inner.message), innerBytes)).toBe(0);
    expect(inner.message.semantics.subjects[0]!.lang).toBe('en');
    expect(ok(parseCpim(vector('cpim-26-nested-cpim'), { nested: true })).message.inner?.result).toBe(
      'accept',
    );
  });

  it('row 23: a transfer encoding covers the whole object and is reversed exactly (base64 of cpim-08)', () => {
    const original = vector('cpim-08-utf8');
    const object = original.subarray(original.indexOf('\r\n\r\n') + 4);
    const b64 = object.toString('base64').replace(/.{76}/g, '$&\r\n');
    const carried = Buffer.from(
      `Content-type: Message/CPIM\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}`,
    );
    expect(rejects(carried, 'RFC 3862 7.1, 9')).toMatch(/must be reversed/);
    const decoded = Buffer.from(carried.subarray(carried.indexOf('\r\n\r\n') + 4).toString(), 'base64');
    expect(Buffer.compare(decoded, object)).toBe(0);
    const r = ok(parseCpim(decoded, { startsWith: 'cpim-headers' }));
    expect(Buffer.compare(serializeCpim(r.message), object)).toBe(0);
    expect(inspectCpim(decoded, { startsWith: 'cpim-headers' }).semantics).toEqual(
      inspectCpim(original).semantics,
    );
  });

  it('row 24: only RFC 3629 UTF-8 is generated', () => {
    const built = buildCpim({
      from: { formalName: 'Zoë Ångström', uri: 'im:zoe@example.com' },
      subjects: [{ lang: 'ja', text: 'こんにちは 🌸' }],
      extraHeaders: [{ name: 'X', params: [{ name: 'p', value: '🌸 x' }], value: '\u{10ffff}' }],
      contentHeaders: [['Content-Type', 'text/plain; charset=utf-8']],
      body: 'Grüße 👋',
    });
    expect(firstInvalidUtf8(built)).toBe(-1);
    expect(() =>
      buildCpim({
        subjects: [{ text: 'lone \ud800 surrogate' }],
        contentHeaders: [['Content-Type', 'text/plain']],
      }),
    ).toThrow(/surrogate/);
    expect(() =>
      buildCpim({
        from: { formalName: '\udc00', uri: 'im:a@b.c' },
        contentHeaders: [['Content-Type', 'text/plain']],
      }),
    ).toThrow(/surrogate/);
  });

  it('row 64: RFC-example spacing is accepted: SP before "<" after a quoted Formal-name and after an NS prefix (cpim-19)', () => {
    for (const line of [
      'NS: MyFeatures <mid:MessageFeatures@id.foo.com>',
      'NS: MyFeatures<mid:MessageFeatures@id.foo.com>',
    ]) {
      const r = ok(parseCpim(msg([line, 'MyFeatures.X: 1'])));
      expect(r.result).toBe('accept');
      expect(r.message.headers[0]!.parsed).toEqual({
        prefix: 'MyFeatures',
        uri: 'mid:MessageFeatures@id.foo.com',
      });
    }
    for (const line of [
      'To: "Tigger" <im:tigger@100akerwood.com>',
      'To: "Tigger"<im:tigger@100akerwood.com>',
    ]) {
      expect(ok(parseCpim(msg([line]))).message.semantics.to).toEqual([
        { formalName: 'Tigger', uri: 'im:tigger@100akerwood.com' },
      ]);
    }
    const input = {
      from: { formalName: 'A "B"', uri: 'im:a@b.c' },
      ns: [{ prefix: 'p', uri: 'urn:x:p' }],
      contentHeaders: [['Content-Type', 'text/plain']] as const,
    };
    expect(buildCpim(input).toString()).toContain('From: "A \\"B\\""<im:a@b.c>\r\nNS: p<urn:x:p>\r\n');
    expect(buildCpim({ ...input, spacing: 'rfc-examples' }).toString()).toContain(
      'From: "A \\"B\\"" <im:a@b.c>\r\nNS: p <urn:x:p>\r\n',
    );
    // The RFC 3862 5.1 example, built with the examples' spacing, is cpim-01 octet for octet.
    const cpim01 = buildCpim({
      spacing: 'rfc-examples',
      from: { formalName: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' },
      to: [{ formalName: 'Depressed Donkey', uri: 'im:eeyore@100akerwood.com' }],
      dateTime: '2000-12-13T13:40:00-08:00',
      subjects: [
        { text: 'the weather will be fine today' },
        { lang: 'fr', text: "beau temps prevu pour aujourd'hui" },
      ],
      ns: [{ prefix: 'MyFeatures', uri: 'mid:MessageFeatures@id.foo.com' }],
      require: ['MyFeatures.VitalMessageOption'],
      extraHeaders: [
        { name: 'MyFeatures.VitalMessageOption', value: 'Confirmation-requested' },
        { name: 'MyFeatures.WackyMessageOption', value: 'Use-silly-font' },
      ],
      contentHeaders: [
        ['Content-type', 'text/xml; charset=utf-8'],
        ['Content-ID', '<1234567890@foo.com>'],
      ],
      body: '<body>\r\nHere is the text of my message.\r\n</body>\r\n',
    });
    expect(Buffer.compare(cpim01, vector('cpim-01-rfc3862-example'))).toBe(0);
  });
});

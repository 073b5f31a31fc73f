import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubError, buildCpim, parseCpim, type CpimMessage } from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import { cpimToXmppMessage, passesThroughAsE2e, xmppToCpimMessage, type XmppMessage } from './message-map.js';
import { xmlSafe } from './xml-text.js';

const GW: XmppAddressing = {
  componentDomain: 'xmpp-gw.example.org',
  userDomains: ['example.com', 'example.net'],
};
const NOW = new Date('2026-12-04T10:00:00Z');
const FIXTURES = new URL('../../test/fixtures/vectors/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('xmpp-cpim-mapping.json', FIXTURES), 'utf8')) as {
  message_xmpp_to_cpim: { cpim_headers: string[]; content_headers: string[]; body: string };
  message_cpim_to_xmpp: { cpim_headers: string[]; content_headers: string[]; body: string };
};

function parsed(payload: Uint8Array): CpimMessage {
  const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'strict', role: 'endpoint' });
  if (r.result === 'reject') throw new Error(r.reason);
  expect(r.result).toBe('accept');
  return r.message;
}
const contentHeader = (m: CpimMessage, name: string) =>
  m.contentHeaders.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** The RFC 3922 §4.1 example stanza (vector message_xmpp_to_cpim.xmpp) as the I/O layer reads it. */
const JULIET: XmppMessage = {
  from: 'juliet@example.com/balcony',
  to: 'romeo@example.net/orchard',
  type: 'chat',
  id: 'a1',
  thread: 't9',
  subject: [{ text: 'Hi!' }, { text: 'Ahoj!', lang: 'cz' }],
  body: [{ text: 'Wherefore art thou, Romeo?' }],
};

describe('message stanza → Message/CPIM (RFC 3922 §4.1)', () => {
  it('docs/cpim.md row 56: maps the RFC example header by header (vector message_xmpp_to_cpim)', () => {
    const out = xmppToCpimMessage(JULIET, GW, NOW)!;
    const m = parsed(out.payload);
    const v = vectors.message_xmpp_to_cpim;
    // From/To: resource dropped, im: added (§4.1.1-4.1.2); Formal-names are optional (MAY).
    expect(m.semantics.from?.uri).toBe('im:juliet@example.com');
    expect(m.semantics.to.map((t) => t.uri)).toEqual(['im:romeo@example.net']);
    // Subject with ;lang= (§4.1.6 MUST).
    expect(m.semantics.subjects).toEqual([
      { lang: null, text: 'Hi!' },
      { lang: 'cz', text: 'Ahoj!' },
    ]);
    expect(v.cpim_headers.filter((h) => h.startsWith('Subject'))).toEqual([
      'Subject: Hi!',
      'Subject:;lang=cz Ahoj!',
    ]);
    // text/plain; charset=utf-8 (§4.1.7 MUST) and the body.
    expect(contentHeader(m, 'Content-Type')?.toLowerCase()).toBe(
      v.content_headers[0]!.split(': ')[1]!.toLowerCase(),
    );
    expect(Buffer.from(m.body).toString('utf8')).toBe(v.body);
    // Dropped: type, thread (returned for the adapter), stanza id (not known unique, §4.1.3).
    expect(contentHeader(m, 'Content-ID')).toBeUndefined();
    expect(out.thread).toBe('t9');
    expect(out.contentId).toBeUndefined();
    expect(m.semantics.datetime).toBe('2026-12-04T10:00:00Z');
  });

  it('maps the stanza xml:lang to Subject ;lang= and Content-Language, picking the body in that language', () => {
    const out = xmppToCpimMessage(
      {
        from: 'juliet@example.com/b',
        to: 'alice\\40irc.example.org@xmpp-gw.example.org',
        type: 'chat',
        lang: 'en',
        subject: [{ text: 'plans' }],
        body: [
          { text: 'bonjour', lang: 'fr' },
          { text: 'hello', lang: 'en' },
        ],
      },
      GW,
      NOW,
    )!;
    const m = parsed(out.payload);
    expect(out.to.uri).toBe('im:alice@irc.example.org');
    expect(m.semantics.subjects).toEqual([{ lang: 'en', text: 'plans' }]);
    expect(contentHeader(m, 'Content-Language')).toBe('en');
    expect(Buffer.from(m.body).toString('utf8')).toBe('hello');
  });

  it('uses the XEP-0203 delay for DateTime and the origin-id for Content-ID', () => {
    const out = xmppToCpimMessage(
      { ...JULIET, delay: new Date('2025-05-05T05:05:05Z'), originId: 'de305d54-75b4-431b' },
      GW,
      NOW,
    )!;
    const m = parsed(out.payload);
    expect(m.semantics.datetime).toBe('2025-05-05T05:05:05Z');
    expect(out.contentId).toBe('de305d54-75b4-431b@example.com');
    expect(contentHeader(m, 'Content-ID')).toBe('<de305d54-75b4-431b@example.com>');
  });

  it('carries XHTML-IM as multipart/alternative after the plain text', () => {
    const out = xmppToCpimMessage({ ...JULIET, xhtml: '<p><b>Wherefore</b></p>' }, GW, NOW)!;
    const m = parsed(out.payload);
    expect(contentHeader(m, 'Content-Type')).toMatch(/^multipart\/alternative; boundary="xmpp-alt"$/);
    const body = Buffer.from(m.body).toString('utf8');
    expect(body.indexOf('text/plain')).toBeLessThan(body.indexOf('text/html'));
    expect(body).toContain('<p><b>Wherefore</b></p>');
  });

  it('drops empty subjects and invalid language tags rather than failing', () => {
    const out = xmppToCpimMessage(
      {
        ...JULIET,
        lang: 'en_US',
        subject: [{ text: '' }, { text: '  padded  ' }, { text: 'x', lang: 'not a tag' }],
      },
      GW,
      NOW,
    )!;
    const m = parsed(out.payload);
    expect(m.semantics.subjects).toEqual([
      { lang: null, text: 'padded' },
      { lang: null, text: 'x' },
    ]);
    expect(contentHeader(m, 'Content-Language')).toBeUndefined();
  });

  it('scopes an origin-id that is no msg-id by the sender domain, one-to-one', () => {
    const cid = (originId: string) => xmppToCpimMessage({ ...JULIET, originId }, GW, NOW)!.contentId;
    expect(cid('a b')).toBe('a=20.b@example.com');
    expect(cid('a=20.b')).toBe('a=3d.20.b@example.com');
    expect(cid('x@y.example')).toBe('x@y.example');
  });

  it('returns null for a stanza with nothing to carry (chat state alone)', () => {
    expect(
      xmppToCpimMessage(
        { from: 'juliet@example.com/b', to: 'x@xmpp-gw.example.org', type: 'chat', body: [] },
        GW,
        NOW,
      ),
    ).toBeNull();
  });

  it('passes <e2e/> content through unchanged (RFC 3923 §8)', () => {
    const smime =
      'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha1; boundary="b1"\r\n\r\n--b1\r\nContent-Type: Message/CPIM\r\n\r\nFrom: <im:juliet@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n';
    const out = xmppToCpimMessage({ ...JULIET, body: [], e2e: smime }, GW, NOW)!;
    expect(out.contentType).toBe(
      'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha1; boundary="b1"',
    );
    expect(Buffer.from(out.payload).toString('utf8')).toBe(smime.slice(smime.indexOf('\r\n\r\n') + 4));
    expect(passesThroughAsE2e(out.contentType)).toBe(true);
    expect(() => xmppToCpimMessage({ ...JULIET, e2e: 'not mime' }, GW, NOW)).toThrow(HubError);
  });
});

/** The vector's header lines as an IMTP payload (starting at the CPIM headers). */
function cpimFromLines(headers: string[], content: string[], body: string): Uint8Array {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${content.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

describe('Message/CPIM → message stanza (RFC 3922 §4.2)', () => {
  it('docs/cpim.md row 57: maps the vector: From/To stripped, Subject with lang, Content-ID as id; cc, DateTime, NS, ext not passed', async () => {
    const v = vectors.message_cpim_to_xmpp;
    const out = await cpimToXmppMessage(cpimFromLines(v.cpim_headers, v.content_headers, v.body), GW, {
      type: 'normal',
    });
    expect(out).toEqual({
      from: 'romeo@example.net',
      to: 'juliet@example.com',
      type: 'normal',
      id: '123456789@example.net',
      subject: [{ text: 'Ahoj!', lang: 'cz' }],
      body: [{ text: 'Wherefore art thou?' }],
    });
    // Nothing of cc, NS or the extension header anywhere in the stanza.
    expect(JSON.stringify(out)).not.toMatch(/nurse|urn:example|bar|2004-08-01/);
  });

  it('passes DateTime as <delay> only for stored deliveries', async () => {
    const v = vectors.message_cpim_to_xmpp;
    const out = await cpimToXmppMessage(cpimFromLines(v.cpim_headers, v.content_headers, v.body), GW, {
      type: 'chat',
      delayed: true,
    });
    expect(out.delay?.toISOString()).toBe('2004-08-01T10:00:00.000Z');
  });

  it('docs/cpim.md row 59: fails back to the sender when Require names what it does not understand (§4.2.7; cpim-01)', async () => {
    const text = readFileSync(new URL('cpim-01-rfc3862-example.txt', FIXTURES));
    const payload = text.subarray(text.indexOf('\r\n\r\n') + 4); // IMTP payloads start at the CPIM headers
    const err = await cpimToXmppMessage(
      payload,
      { ...GW, userDomains: ['100akerwood.com'] },
      { type: 'chat' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).type).toBe('malformed');
    expect((err as HubError).message).toMatch(/VitalMessageOption/);
  });

  it('docs/cpim.md row 57: puts only text into <body/>: HTML is rendered as text and offered as XHTML (§4.2.9)', async () => {
    const payload = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:alice@irc.example.org' },
      to: [{ uri: 'im:juliet@example.com' }],
      contentHeaders: [['Content-Type', 'text/html; charset=utf-8']],
      body: '<p>hello <b>there</b></p>',
    });
    const out = await cpimToXmppMessage(payload, GW, { type: 'chat' });
    expect(out.from).toBe('alice\\40irc.example.org@xmpp-gw.example.org');
    expect(out.body[0]!.text).not.toContain('<');
    expect(out.body[0]!.text).toMatch(/hello/);
    expect(out.xhtml).toBe('<p>hello <b>there</b></p>');
  });

  it('refuses content with no text at all, and a message that is not CPIM', async () => {
    const image = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:alice@irc.example.org' },
      to: [{ uri: 'im:juliet@example.com' }],
      contentHeaders: [['Content-Type', 'image/png']],
      body: '',
    });
    await expect(cpimToXmppMessage(image, GW, { type: 'chat' })).rejects.toThrow(HubError);
    await expect(cpimToXmppMessage(Buffer.from('no headers'), GW, { type: 'chat' })).rejects.toThrow(
      /message\/cpim/,
    );
  });

  it('strips characters XML cannot carry (IRC formatting codes)', async () => {
    const payload = buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:alice@irc.example.org' },
      to: [{ uri: 'im:juliet@example.com' }],
      contentHeaders: [['Content-Type', 'text/plain; charset=utf-8']],
      body: 'bold \x02text\x02 \x0304red',
    });
    const out = await cpimToXmppMessage(payload, GW, { type: 'chat' });
    expect(out.body[0]!.text).toBe('bold text 04red');
  });

  it('round-trips a stanza through CPIM (subject, body, language, origin-id)', async () => {
    const m: XmppMessage = {
      from: 'juliet@example.com/b',
      to: 'alice\\40irc.example.org@xmpp-gw.example.org',
      type: 'chat',
      lang: 'de',
      originId: 'abc@example.com',
      subject: [{ text: 'Betreff', lang: 'de' }],
      body: [{ text: 'Grüße <&> "x"', lang: 'de' }],
    };
    const inbound = xmppToCpimMessage(m, GW, NOW)!;
    const back = await cpimToXmppMessage(inbound.payload, GW, { type: 'chat' });
    expect(back).toEqual({
      from: 'juliet@example.com',
      to: 'alice\\40irc.example.org@xmpp-gw.example.org',
      type: 'chat',
      id: 'abc@example.com',
      subject: [{ text: 'Betreff', lang: 'de' }],
      body: [{ text: 'Grüße <&> "x"', lang: 'de' }],
    });
  });

  it('round-trips any XML text in subject and body (property)', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((t) => xmlSafe(t));
    await fc.assert(
      fc.asyncProperty(text, text, async (subject, body) => {
        const m: XmppMessage = {
          from: 'juliet@example.com/b',
          to: 'alice\\40irc.example.org@xmpp-gw.example.org',
          type: 'chat',
          subject: [{ text: subject }],
          body: [{ text: body }],
        };
        const inbound = xmppToCpimMessage(m, GW, NOW);
        const s = subject.trim();
        if (inbound === null) return expect(s === '' && body === '').toBe(false);
        const back = await cpimToXmppMessage(inbound.payload, GW, { type: 'chat' });
        expect(back.subject).toEqual(s === '' ? [] : [{ text: s }]);
        expect(back.body).toEqual([{ text: body }]);
      }),
      { numRuns: 300 },
    );
  });
});

/** IRC formatting ↔ canonical form, and message bodies both ways. */
import { describe, expect, it } from 'vitest';
import { buildInboundPayload, readOutbound } from './body.js';
import { htmlToIrc, ircToHtml, stripIrc } from './format.js';

describe('IRC formatting (docs/bridge-requirements.md row 7)', () => {
  it('converts bold, italics, underline, colours and reset to HTML, closing unpaired toggles', () => {
    expect(ircToHtml('a \x02bold\x02 \x1dit\x1d \x1fun')).toBe('a <b>bold</b> <i>it</i> <u>un</u>');
    expect(ircToHtml('\x0304,12red\x0f plain')).toBe(
      '<span style="color:#ff0000;background-color:#0000fc">red</span> plain',
    );
    expect(ircToHtml('\x02open <tag>')).toBe('<b>open &lt;tag&gt;</b>');
    expect(stripIrc('\x02b\x02 \x0304,12c\x03 \x0f')).toBe('b c ');
  });

  it('converts HTML to IRC codes, resetting what is left open', () => {
    expect(htmlToIrc('a <b>bold</b> <i>it</i>')).toBe('a \x02bold\x0f \x1dit\x0f');
    expect(htmlToIrc('<span style="color:#ff0000">red</span>')).toBe('\x0304red\x0f');
    expect(htmlToIrc('<strong>unclosed')).toBe('\x02unclosed\x0f');
    expect(htmlToIrc('x &amp; y<br>z &#x263A;')).toBe('x & y\nz ☺');
  });

  it('round-trips IRC text through its canonical form back to the same codes', () => {
    for (const t of ['plain', '\x02bold\x0f', '\x1dit\x0f and \x1fu\x0f'])
      expect(htmlToIrc(ircToHtml(t))).toBe(t);
  });
});

describe('message bodies (docs/hub-protocol.md part 5.2)', () => {
  const msg = (text: string) =>
    buildInboundPayload({ from: 'im:dave@irc.test', to: 'im:%23dev@irc.test', text, date: new Date(0) });

  it('wraps a plain line as message/cpim with text/plain', () => {
    const body = Buffer.from(msg('hi')).toString();
    expect(body).toContain('From: <im:dave@irc.test>');
    expect(body).toContain('DateTime: 1970-01-01T00:00:00');
    expect(body).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(readOutbound('message/cpim', msg('hi'))).toEqual({ text: 'hi', from: 'im:dave@irc.test' });
  });

  it('passes IRC codes through unchanged from IRC to IRC (text/x-irc alternative)', async () => {
    const t = '\x02b\x1dbi\x0304 odd \x16rev';
    const p = msg(t);
    expect(Buffer.from(p).toString()).toContain('multipart/alternative');
    expect((await readOutbound('message/cpim', p)).text).toBe(t);
  });

  it('reads text/plain and HTML alternatives from other networks, and refuses what IRC cannot carry', async () => {
    expect(readOutbound(undefined, Buffer.from('x\ny'))).toEqual({ text: 'x\ny' });
    const alt =
      'From: <im:w@gw.test>\r\nTo: <im:dave@irc.test>\r\n\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n' +
      '--B\r\nContent-Type: text/plain\r\n\r\nhi bold\r\n--B\r\nContent-Type: text/html\r\n\r\nhi <b>bold</b>\r\n--B--\r\n';
    expect((await readOutbound('message/cpim', Buffer.from(alt))).text).toBe('hi \x02bold\x0f');
    await expect(readOutbound('image/png', Buffer.from('x'))).rejects.toThrow(/cannot carry image\/png/);
    // Other charsets and transfer encodings are decoded by the core's MIME reader (src/mime).
    expect(
      (await readOutbound('text/plain; charset=iso-8859-1', Buffer.from('caf\xe9', 'latin1'))).text,
    ).toBe('café');
    expect(() => readOutbound('text/plain', Buffer.from([0x61, 0xff]))).toThrow(/not valid UTF-8/);
  });

  it('shows the text parts of a multipart/mixed mail and names its attachment', async () => {
    const mixed =
      'From: <mailto:eve@mail.test>\r\nTo: <im:dave@irc.test>\r\n\r\nContent-Type: multipart/mixed; boundary=M\r\n\r\n' +
      '--M\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nsee =E2=86=92 the plan\r\n' +
      '--M\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=plan.pdf\r\n' +
      'Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--M--\r\n';
    expect(await readOutbound('message/cpim', Buffer.from(mixed))).toEqual({
      text: 'see → the plan\n[application/pdf attachment plan.pdf, 5 octets]',
      from: 'mailto:eve@mail.test',
    });
    const deep = (n: number): string =>
      n === 0
        ? 'Content-Type: text/plain\r\n\r\nx'
        : `Content-Type: multipart/mixed; boundary=b${n}\r\n\r\n--b${n}\r\n${deep(n - 1)}\r\n--b${n}--`;
    const payload = Buffer.from(`From: <im:w@gw.test>\r\n\r\n${deep(4)}\r\n`);
    expect((await readOutbound('message/cpim', payload)).text).toBe('x');
    await expect(readOutbound('message/cpim', payload, { maxDepth: 2, maxParts: 100 })).rejects.toMatchObject(
      {
        type: 'malformed',
      },
    );
  });
});

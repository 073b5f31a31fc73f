/**
 * The one rendering path (render.ts) with the bodies each adapter writes: an IRC formatted line,
 * a mail with a 2 KB attachment, an HTML-only entity, a web post, an XMPP message with XHTML-IM.
 * Every reader gets text; the formatted forms come from the one model; a placeholder only for
 * content no part of which is text.
 */
import { describe, expect, it } from 'vitest';
import { MimeReadError } from './readable.js';
import { renderContent, type RenderedContent } from './render.js';

const enc = (s: string) => Buffer.from(s, 'utf8');
const multipart = (b: string, parts: string[]) =>
  `${parts.map((p) => `--${b}\r\n${p}\r\n`).join('')}--${b}--\r\n`;
const render = async (type: string, body: string | Uint8Array, cte?: string): Promise<RenderedContent> =>
  renderContent(type, cte, typeof body === 'string' ? enc(body) : body);

// What the IRC adapter writes for `\x02bold\x02 \x0304red\x03 \x1ditalic\x1d plain` (adapters/irc/body.ts).
const IRC_LINE = '\x02bold\x02 \x0304red\x03 \x1ditalic\x1d plain';
const IRC_BODY = multipart('irc-alt', [
  'Content-Type: text/plain; charset=UTF-8\r\n\r\nbold red italic plain',
  `Content-Type: text/x-irc; charset=UTF-8\r\n\r\n${IRC_LINE}`,
  'Content-Type: text/html; charset=UTF-8\r\n\r\n<b>bold</b> <span style="color:#ff0000">red</span> <i>italic</i> plain',
]);
// What the email adapter writes for "see small-attach" with a 2 KB file (adapters/email/translate.ts).
const ATTACHED = Buffer.alloc(2048, 7);
const MAIL_BODY = multipart('b1', [
  'Content-Type: text/plain; charset=UTF-8\r\n\r\nsee small-attach\r\nsecond line',
  'Content-Type: application/pdf; name="plan.pdf"\r\nContent-Disposition: attachment; filename="plan.pdf"\r\n' +
    `Content-Transfer-Encoding: base64\r\n\r\n${ATTACHED.toString('base64')}`,
]);
// What the XMPP adapter writes for a body with XHTML-IM (adapters/xmpp/message-map.ts).
const XMPP_BODY = multipart('xmpp-alt', [
  'Content-Type: text/plain; charset=utf-8\r\n\r\nhi strong',
  'Content-Type: text/html; charset=utf-8\r\n\r\n<p>hi <strong>strong</strong></p>',
]);

describe('renderContent', () => {
  it('an IRC formatted line: plain text for plain readers, the line itself for IRC, HTML and runs from the model', async () => {
    const r = await render('multipart/alternative; boundary="irc-alt"', IRC_BODY);
    expect(r.text).toBe('bold red italic plain');
    expect(r.irc).toBe(IRC_LINE);
    expect(r.html).toContain('<b>bold</b>');
    expect(r.runs?.map((x) => [x.text, x.style.bold === true, x.style.fg])).toEqual([
      ['bold', true, undefined],
      [' ', false, undefined],
      ['red', false, '#ff0000'],
      [' ', false, undefined],
      ['italic', false, undefined],
      [' plain', false, undefined],
    ]);
    // The text/x-irc alternative is part of the text, never an attachment.
    expect(r.attachments).toEqual([]);
    expect(r.hasText).toBe(true);
  });

  it('a bare text/x-irc line is read at once through the same model', () => {
    const r = renderContent('text/x-irc; charset=UTF-8', undefined, enc(IRC_LINE));
    expect(r).not.toBeInstanceOf(Promise);
    const x = r as RenderedContent;
    expect([x.text, x.irc]).toEqual(['bold red italic plain', IRC_LINE]);
    expect(x.html).toBe('<b>bold</b> <span style="color:#ff0000">red</span> <i>italic</i> plain');
  });

  it('a mail with a 2 KB attachment: its text, the attachment named for chat and kept with its bytes for mail', async () => {
    const r = await render('multipart/mixed; boundary="b1"', MAIL_BODY);
    expect(r.body).toBe('see small-attach\nsecond line');
    expect(r.text).toBe('see small-attach\nsecond line\n[application/pdf attachment plan.pdf, 2048 octets]');
    expect(r.irc).toBe(r.text);
    expect(r.attachments).toHaveLength(1);
    expect(Buffer.from(r.attachments[0]!.content).equals(ATTACHED)).toBe(true);
    expect(r.runs).toBeUndefined();
  });

  it('an HTML-only entity: text for plain readers, IRC codes and runs from the same tags', async () => {
    const r = await render('text/html; charset=UTF-8', '<p>Meet at <b>noon</b> &amp; bring <i>cake</i></p>');
    expect(r.text).toBe('Meet at noon & bring cake');
    expect(r.irc).toBe('Meet at \x02noon\x0f & bring \x1dcake\x0f');
    expect(r.html).toContain('<b>noon</b>');
    expect(r.runs?.filter((x) => x.style.bold).map((x) => x.text)).toEqual(['noon']);
  });

  it('a web post: plain text at once, CRLF shown as LF, control characters kept from IRC', () => {
    const r = renderContent(
      'text/plain; charset=UTF-8',
      undefined,
      enc('one\r\ntwo\rthree\x07'),
    ) as RenderedContent;
    expect(r.text).toBe('one\ntwo\nthree\x07');
    expect(r.irc).toBe('one\ntwo\nthree');
    expect(r.runs).toBeUndefined();
    expect(r.html).toBeUndefined();
  });

  it('an XMPP message with XHTML-IM: plain text, its HTML as sent, IRC codes from the HTML', async () => {
    const r = await render('multipart/alternative; boundary="xmpp-alt"', XMPP_BODY);
    expect(r.text).toBe('hi strong');
    expect(r.html).toBe('<p>hi <strong>strong</strong></p>');
    expect(r.irc).toBe('hi \x02strong\x0f');
  });

  it('a placeholder only for content no part of which is text', async () => {
    const png = await render('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(png.hasText).toBe(false);
    expect(png.text).toBe('[image/png attachment, 4 octets]');
    const empty = await render('multipart/mixed; boundary="e"', '--e--\r\n');
    expect(empty.hasText).toBe(false);
    expect(empty.text).toMatch(/^\[multipart\/mixed content, \d+ octets\]$/);
  });

  it('refuses invalid UTF-8 unless lenient; other charsets are decoded', async () => {
    expect(() => renderContent('text/plain', undefined, Buffer.from([0x61, 0xff]))).toThrow(MimeReadError);
    const lenient = renderContent('text/plain', undefined, Buffer.from([0x61, 0xff]), { lenient: true });
    expect((lenient as RenderedContent).text).toBe('a\ufffd');
    expect((await render('text/plain; charset=iso-8859-1', Buffer.from('caf\xe9', 'latin1'))).text).toBe(
      'café',
    );
  });
});

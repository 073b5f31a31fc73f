/** The readable text of MIME entities (readable.ts): alternatives, mixed parts, charsets, limits. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MimeReadError, readMimeEntity, readableText } from './readable.js';

const bytes = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc);
const multipart = (sub: string, b: string, parts: string[]) =>
  `${parts.map((p) => `--${b}\r\n${p}\r\n`).join('')}--${b}--\r\n`;

describe('readMimeEntity', () => {
  it('takes text/plain of multipart/alternative, keeps the HTML and other text alternatives', async () => {
    const body = multipart('alternative', 'B', [
      'Content-Type: text/plain; charset=UTF-8\r\n\r\nhi bold',
      'Content-Type: text/x-irc; charset=UTF-8\r\n\r\nhi \x02bold\x02',
      'Content-Type: text/html; charset=UTF-8\r\n\r\nhi <b>bold</b>',
    ]);
    const e = await readMimeEntity('multipart/alternative; boundary="B"', undefined, bytes(body));
    expect(e).toEqual({
      text: 'hi bold',
      html: 'hi <b>bold</b>',
      otherText: [{ type: 'text/x-irc', text: 'hi \x02bold\x02' }],
      attachments: [],
    });
  });

  it('decodes charsets and transfer encodings', async () => {
    const latin = await readMimeEntity(
      'text/plain; charset=iso-8859-1',
      'quoted-printable',
      bytes('caf=E9 =\r\nbar'),
    );
    expect(latin.text).toBe('café bar');
    const pl = Buffer.from('za\xbf\xf3\xb3\xe6 g\xea\xb6l\xb1', 'latin1').toString('base64');
    expect((await readMimeEntity('text/plain; charset=iso-8859-2', 'base64', bytes(pl))).text).toBe(
      'zażółć gęślą',
    );
    const jp = await readMimeEntity(
      'text/plain; charset=iso-2022-jp',
      '7bit',
      bytes('\x1b$B$3$s$K$A$O\x1b(B', 'latin1'),
    );
    expect(jp.text).toBe('こんにちは');
  });

  it('renders HTML-only content as text', async () => {
    const e = await readMimeEntity(
      'text/html; charset=UTF-8',
      undefined,
      bytes('<p>one &amp; <b>two</b></p><p>three</p>'),
    );
    expect(e.html).toBe('<p>one &amp; <b>two</b></p><p>three</p>');
    expect(e.text).toBe('one & two\n\nthree');
  });

  it('reads the text parts of a real multipart/mixed mail and lists its attachment', async () => {
    const eml = readFileSync(new URL('../../test/fixtures/email/mixed.eml', import.meta.url));
    const split = eml.indexOf('\n\n');
    const e = await readMimeEntity(
      'multipart/mixed; boundary="--=b73b47c7-75f9-4775-93eb-475a43310901"',
      undefined,
      eml.subarray(split + 2),
    );
    expect(e.text).toContain('This e-mail message has been scanned for Viruses');
    expect(e.text).toContain('Good Morning;');
    const withFile = multipart('mixed', 'X', [
      'Content-Type: text/plain\r\n\r\nsee the picture',
      'Content-Type: image/png\r\nContent-Disposition: attachment; filename="cat.png"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=',
    ]);
    const m = await readMimeEntity('multipart/mixed; boundary=X', undefined, bytes(withFile));
    expect(m.attachments).toMatchObject([{ type: 'image/png', filename: 'cat.png', octets: 8 }]);
    expect(m.attachments[0]!.content).toHaveLength(8);
    expect(readableText(m)).toBe('see the picture\n[image/png attachment cat.png, 8 octets]');
  });

  it('names what is not text, and refuses entities past its limits', async () => {
    const png = await readMimeEntity('image/png', 'base64', bytes('iVBORw0KGgo='));
    expect(readableText(png)).toBe('[image/png attachment, 8 octets]');
    let deep = 'Content-Type: text/plain\r\n\r\ndeep';
    for (let i = 0; i < 4; i++)
      deep = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n${multipart('mixed', `b${i}`, [deep])}`;
    const [head, ...rest] = deep.split('\r\n\r\n');
    const outer = head!.slice('Content-Type: '.length);
    const body = bytes(rest.join('\r\n\r\n'));
    expect((await readMimeEntity(outer, undefined, body)).text).toBe('deep');
    await expect(readMimeEntity(outer, undefined, body, { maxDepth: 2, maxParts: 100 })).rejects.toThrow(
      MimeReadError,
    );
    const many = multipart(
      'mixed',
      'M',
      Array.from({ length: 5 }, (_, i) => `Content-Type: text/plain\r\n\r\n${i}`),
    );
    await expect(
      readMimeEntity('multipart/mixed; boundary=M', undefined, bytes(many), { maxDepth: 8, maxParts: 3 }),
    ).rejects.toThrow(/cannot be read/);
    await expect(readMimeEntity('text/plain\r\nX-Evil: 1', undefined, bytes('x'))).rejects.toThrow(
      /line break/,
    );
  });
});

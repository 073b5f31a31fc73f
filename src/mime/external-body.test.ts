import { describe, expect, it } from 'vitest';
import { attachmentLine, sizeText } from './attachment-line.js';
import {
  externalBodyContent,
  externalBodyPart,
  externalBodyType,
  fieldParams,
  readExternalBody,
} from './external-body.js';
import { buildMixed } from './mixed.js';
import { readableText, readMimeEntity } from './readable.js';
import { renderContent } from './render.js';

const LINK = {
  url: 'https://files.example/f/AbCdEfGhIjKlMnOpQrStUvWx/chat%20cat.png',
  contentType: 'image/png',
  filename: 'chat cat.png',
  size: 307200,
  expiresAt: Date.UTC(2026, 11, 11, 12, 0, 0),
};

describe('message/external-body parts (RFC 2046 5.2.3, RFC 2017)', () => {
  it('writes access-type URL with the link, size and expiration, and the file’s own headers inside', () => {
    expect(externalBodyType(LINK)).toBe(
      'message/external-body; access-type=URL; URL="https://files.example/f/AbCdEfGhIjKlMnOpQrStUvWx/chat%20cat.png"; size=307200; expiration="Fri, 11 Dec 2026 12:00:00 GMT"',
    );
    expect(externalBodyContent(LINK)).toBe(
      'Content-Type: image/png\r\n' +
        'Content-Disposition: attachment; filename="chat cat.png"; size=307200\r\n' +
        'Content-Location: https://files.example/f/AbCdEfGhIjKlMnOpQrStUvWx/chat%20cat.png\r\n' +
        '\r\n',
    );
    expect(externalBodyPart({ ...LINK, filename: 'ünï.png' })).toContain(
      "filename*=UTF-8''%C3%BCn%C3%AF.png",
    );
  });

  it('refuses to write a link that could break out of the header', () => {
    expect(() => externalBodyType({ ...LINK, url: 'https://x.example/"; URL="https://evil' })).toThrow(
      RangeError,
    );
    expect(() => externalBodyType({ ...LINK, url: 'https://x.example/\r\nBcc: a' })).toThrow(RangeError);
    expect(() => externalBodyType({ ...LINK, url: 'ftp://x.example/a' })).toThrow(RangeError);
  });

  it('reads what it writes, from the outer parameters or from the encapsulated header alone', () => {
    expect(readExternalBody(externalBodyType(LINK), externalBodyContent(LINK))).toEqual(LINK);
    const { expiresAt: _e, ...noExpiry } = LINK;
    expect(readExternalBody(undefined, externalBodyContent(LINK))).toEqual(noExpiry);
  });

  it('reads an RFC 2017 part written by someone else, and ignores other access types', () => {
    const outer = 'message/external-body; access-type="url";\r\n URL="http://a.example/x/report%201.pdf"';
    expect(readExternalBody(outer, 'Content-Type: application/pdf\r\n\r\n')).toEqual({
      url: 'http://a.example/x/report%201.pdf',
      contentType: 'application/pdf',
      filename: 'report 1.pdf',
      size: 0,
    });
    expect(
      readExternalBody('message/external-body; access-type=anon-ftp; site="a"; name="b"', ''),
    ).toBeNull();
    expect(
      readExternalBody('message/external-body; access-type=URL; URL="javascript:alert(1)"', ''),
    ).toBeNull();
  });

  it('decodes RFC 2231 parameters', () => {
    expect(fieldParams(`attachment; filename*=UTF-8''%E2%98%BA.txt; size=3`)).toEqual(
      new Map([
        ['filename', '☺.txt'],
        ['size', '3'],
      ]),
    );
  });
});

describe('attachment lines', () => {
  it('name a linked file with its link (docs/message-semantics.md fallback), an inline one as before', () => {
    expect(
      attachmentLine({
        type: 'image/png',
        filename: 'cat.png',
        octets: 307200,
        content: new Uint8Array(),
        url: 'https://f/x',
      }),
    ).toBe('cat.png (image/png, 300 KiB): https://f/x');
    expect(
      attachmentLine({ type: 'image/png', filename: 'a.png', octets: 12, content: new Uint8Array() }),
    ).toBe('[image/png attachment a.png, 12 octets]');
    expect([sizeText(812), sizeText(1536), sizeText(4.5 * 1024 * 1024)]).toEqual([
      '812 B',
      '1.5 KiB',
      '4.5 MiB',
    ]);
  });
});

describe('multipart/mixed with files inside and linked', () => {
  it('is read back: the text, the small file with its bytes, the link with its url', async () => {
    const m = buildMixed(
      'look\nhere',
      [{ filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('tiny') }],
      [LINK],
      'b1',
    );
    const e = await readMimeEntity(m.contentType, undefined, m.body);
    expect(e.text).toBe('look\nhere');
    expect(e.attachments).toHaveLength(2);
    expect(Buffer.from(e.attachments[0]!.content).toString()).toBe('tiny');
    expect(e.attachments[1]).toMatchObject({
      type: 'image/png',
      filename: 'chat cat.png',
      octets: 307200,
      url: LINK.url,
      content: new Uint8Array(0),
    });
    expect(readableText(e)).toBe(
      `look\nhere\n[text/plain attachment a.txt, 4 octets]\nchat cat.png (image/png, 300 KiB): ${LINK.url}`,
    );
    const r = await renderContent(m.contentType, undefined, m.body);
    expect(r.text.split('\n').pop()).toBe(`chat cat.png (image/png, 300 KiB): ${LINK.url}`);
    expect(r.irc.split('\n').pop()).toBe(`chat cat.png (image/png, 300 KiB): ${LINK.url}`);
  });

  it('a lone external-body entity is one linked file', async () => {
    const e = await readMimeEntity(externalBodyType(LINK), undefined, Buffer.from(externalBodyContent(LINK)));
    expect(e.attachments).toEqual([
      {
        type: 'image/png',
        filename: 'chat cat.png',
        octets: 307200,
        content: new Uint8Array(0),
        url: LINK.url,
        expiresAt: LINK.expiresAt,
      },
    ]);
  });
});

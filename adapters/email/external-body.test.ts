import { describe, expect, it } from 'vitest';
import { MIME_READ_DEFAULTS } from '../../src/index.js';
import { contentTypeParams, externalFileLine, externalFiles } from './external-body.js';
import { renderForMail } from './render.js';

const LINK = 'https://files.gw.test/f/Zx81_q/big.zip';
const part = (url: string, access = 'URL') =>
  `Content-Type: message/external-body; access-type=${access};\r\n URL="${url}"; size=5000000\r\n\r\n` +
  'Content-Type: application/zip; name="big.zip"\r\nContent-Disposition: attachment; filename="big.zip"\r\n\r\n';
const mixed = (...parts: string[]) => Buffer.from(parts.map((p) => `--b\r\n${p}\r\n`).join('') + '--b--\r\n');
const TEXT = 'Content-Type: text/plain; charset=UTF-8\r\n\r\nhere is the file';

describe('external files (message/external-body, RFC 2046 5.2.3, RFC 2017; issue 17)', () => {
  it('reads the link, name, type and size of URL parts, nested too, within the limits', () => {
    const body = mixed(TEXT, part(LINK));
    expect(externalFiles('multipart/mixed; boundary="b"', body, MIME_READ_DEFAULTS)).toEqual([
      { url: LINK, filename: 'big.zip', type: 'application/zip', size: 5000000 },
    ]);
    const nested = Buffer.from(
      `--o\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${mixed(TEXT, part(LINK)).toString()}\r\n--o--\r\n`,
    );
    expect(externalFiles('multipart/mixed; boundary=o', nested, MIME_READ_DEFAULTS)).toHaveLength(1);
    expect(externalFiles('multipart/mixed; boundary=o', nested, { maxDepth: 1, maxParts: 100 })).toEqual([]);
    // Other access types and schemes are not links to show.
    expect(
      externalFiles(
        'multipart/mixed; boundary="b"',
        mixed(part('ftp://x/y'), part(LINK, 'anon-ftp')),
        MIME_READ_DEFAULTS,
      ),
    ).toEqual([]);
    expect(contentTypeParams('a/b; x="q\\"d"; Y=z').params).toEqual(
      new Map([
        ['x', 'q"d'],
        ['y', 'z'],
      ]),
    );
    expect(externalFileLine({ url: LINK, filename: 'big.zip', type: 'application/zip', size: 5000000 })).toBe(
      `big.zip (application/zip, 4.8 MB): ${LINK}`,
    );
  });

  it('a mail shows such a file as its link in the text, not as an attachment', async () => {
    const r = await renderForMail({
      contentType: 'multipart/mixed; boundary="b"',
      body: mixed(TEXT, part(LINK)),
    });
    expect(r.text).toBe(`here is the file\nbig.zip (application/zip, 4.8 MB): ${LINK}`);
    expect(r.attachments).toEqual([]);
    const alone = await renderForMail({
      contentType: 'multipart/mixed; boundary="b"',
      body: mixed(part(LINK)),
    });
    expect(alone.text).toBe(`big.zip (application/zip, 4.8 MB): ${LINK}`);
  });
});

import { describe, expect, it } from 'vitest';
import { externalBodyTypes } from './external-scan.js';
import { MIME_READ_DEFAULTS, readMimeEntity } from './readable.js';

const LINK = 'https://files.gw.test/f/Zx81_q/big.zip';
// A part as RFC 2017 3 writes it: the link only in the part's own Content-Type (no Content-Location).
const part = (url: string, access = 'URL') =>
  `Content-Type: message/external-body; access-type=${access};\r\n URL="${url}"; size=5000000\r\n\r\n` +
  'Content-Type: application/zip; name="big.zip"\r\nContent-Disposition: attachment; filename="big.zip"\r\n\r\n';
const mixed = (...parts: string[]) => Buffer.from(parts.map((p) => `--b\r\n${p}\r\n`).join('') + '--b--\r\n');
const TEXT = 'Content-Type: text/plain; charset=UTF-8\r\n\r\nhere is the file';

describe('external-body parts written by any sender (RFC 2046 5.2.3, RFC 2017 3; issue 17)', () => {
  it('finds each part’s own Content-Type, nested too, within the limits', () => {
    const types = externalBodyTypes(
      'multipart/mixed; boundary="b"',
      mixed(TEXT, part(LINK)),
      MIME_READ_DEFAULTS,
    );
    expect(types).toHaveLength(1);
    expect(types[0]).toContain(`URL="${LINK}"`);
    const nested = Buffer.from(
      `--o\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${mixed(TEXT, part(LINK)).toString()}\r\n--o--\r\n`,
    );
    expect(externalBodyTypes('multipart/mixed; boundary=o', nested, MIME_READ_DEFAULTS)).toHaveLength(1);
    expect(externalBodyTypes('multipart/mixed; boundary=o', nested, { maxDepth: 1, maxParts: 100 })).toEqual(
      [],
    );
    expect(
      externalBodyTypes('multipart/mixed; boundary="b"', mixed(TEXT, TEXT), { maxDepth: 8, maxParts: 1 }),
    ).toEqual([]);
  });

  it('the reader gives the link, name, type and size of a part with no Content-Location', async () => {
    const e = await readMimeEntity('multipart/mixed; boundary="b"', undefined, mixed(TEXT, part(LINK)));
    expect(e.text).toBe('here is the file');
    expect(e.attachments).toEqual([
      expect.objectContaining({ url: LINK, filename: 'big.zip', type: 'application/zip', octets: 5000000 }),
    ]);
  });

  it('other access types and schemes are not links', async () => {
    const e = await readMimeEntity(
      'multipart/mixed; boundary="b"',
      undefined,
      mixed(TEXT, part('ftp://x/y'), part(LINK, 'anon-ftp')),
    );
    expect(e.attachments.every((a) => a.url === undefined)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { renderForMail } from './render.js';

const LINK = 'https://files.gw.test/f/Zx81_q/big.zip';
const part = (url: string) =>
  `Content-Type: message/external-body; access-type=URL;\r\n URL="${url}"; size=5000000\r\n\r\n` +
  'Content-Type: application/zip; name="big.zip"\r\nContent-Disposition: attachment; filename="big.zip"\r\n\r\n';
const mixed = (...parts: string[]) => Buffer.from(parts.map((p) => `--b\r\n${p}\r\n`).join('') + '--b--\r\n');
const TEXT = 'Content-Type: text/plain; charset=UTF-8\r\n\r\nhere is the file';

describe('a file given as a link (message/external-body, issue 17) in a mail', () => {
  it('is shown as its link in the text and the HTML, never attached', async () => {
    const r = await renderForMail({
      contentType: 'multipart/mixed; boundary="b"',
      body: mixed(TEXT, part(LINK)),
    });
    expect(r.text.split('\n')[0]).toBe('here is the file');
    expect(r.text.split('\n')[1]).toMatch(
      /^big\.zip \(application\/zip, [^)]+\): https:\/\/files\.gw\.test\/f\/Zx81_q\/big\.zip$/,
    );
    expect(r.attachments).toEqual([]);
    const alone = await renderForMail({
      contentType: 'multipart/mixed; boundary="b"',
      body: mixed(part(LINK)),
    });
    expect(alone.text).toContain(LINK);
    expect(alone.attachments).toEqual([]);
  });
});

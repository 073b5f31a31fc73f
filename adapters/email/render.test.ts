import { describe, expect, it } from 'vitest';
import { buildMixed } from '../../src/index.js';
import { renderForMail } from './render.js';

describe('renderForMail', () => {
  it('forwards a file inside as an attachment and names a linked file by its link in the text (issue 17)', async () => {
    const m = buildMixed(
      'two files',
      [{ filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('tiny') }],
      [
        {
          url: 'https://files.example/f/x/cat.png',
          contentType: 'image/png',
          filename: 'cat.png',
          size: 307200,
        },
      ],
      'b',
    );
    const r = await renderForMail({ contentType: m.contentType, body: m.body });
    expect(r.text).toBe('two files\ncat.png (image/png, 300 KiB): https://files.example/f/x/cat.png');
    expect(r.attachments.map((a) => [a.filename, Buffer.from(a.content).toString()])).toEqual([
      ['a.txt', 'tiny'],
    ]);
  });
});

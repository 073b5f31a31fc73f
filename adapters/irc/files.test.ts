import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELF, PNG_1X1 } from '../../test/support/files.js';
import type { FileStore } from '../../src/files/store.js';
import { startTempFileStore, type TempFileStore } from '../../test/support/temp-file-store.js';
import { HubError, attachmentLine } from '../../src/index.js';
import { linkFiles, linkLongText } from './files.js';
import { byteLength } from './translate.js';

let temp: TempFileStore;
let store: FileStore;

beforeAll(async () => {
  temp = await startTempFileStore();
  store = temp.store;
});

afterAll(() => temp.stop());

const png = { type: 'image/png', filename: 'a.png', octets: PNG_1X1.length, content: PNG_1X1 };

describe('linkFiles', () => {
  it('replaces the attachment line by the link line; a refused file keeps its line and is listed', async () => {
    const exe = { type: 'image/png', filename: 'x.png', octets: ELF.length, content: ELF };
    const text = ['hello', attachmentLine(png), attachmentLine(exe)].join('\n');
    const r = await linkFiles(text, [png, exe], store, 'im:a@x');
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('hello');
    expect(lines[1]).toMatch(
      /^a\.png \(image\/png, \d+ B\): https:\/\/files\.example\/f\/[A-Za-z0-9_-]{24}\/a\.png$/,
    );
    expect(lines[2]).toBe(`${attachmentLine(exe)} (not passed on)`);
    expect(r.refused).toEqual(['x.png not passed on: files of type application/x-elf are not accepted']);
  });

  it('without a store, a message that is only a file is refused malformed', async () => {
    await expect(linkFiles(attachmentLine(png), [png], null, 'im:a@x')).rejects.toBeInstanceOf(HubError);
    expect((await linkFiles(`hi\n${attachmentLine(png)}`, [png], null, 'im:a@x')).text).toBe(
      `hi\n${attachmentLine(png)}`,
    );
  });
});

describe('linkLongText', () => {
  it('leaves a text that fits maxLines alone, and with no store', async () => {
    expect(await linkLongText('a\nb\nc', 400, 3, store, 'im:a@x')).toBeNull();
    expect(await linkLongText('a\nb\nc\nd', 400, 3, null, 'im:a@x')).toBeNull();
  });

  it('past maxLines: the first line and the link, within the line budget; the whole text kept', async () => {
    const text = ['é'.repeat(300), ...Array.from({ length: 5 }, (_, i) => `line ${i}`)].join('\n');
    const r = (await linkLongText(text, 200, 3, store, 'im:a@x'))!;
    expect(byteLength(r.text)).toBeLessThanOrEqual(200);
    expect(r.text).toMatch(
      /^é+… \(full message: https:\/\/files\.example\/f\/[A-Za-z0-9_-]{24}\/message\.txt\)$/,
    );
    const token = /\/f\/([^/]+)\//.exec(r.text)![1]!;
    expect(store.lookup(token)!.size).toBe(Buffer.byteLength(text));
    expect(r.clipped).toMatch(/^1 of \d+ lines sent; full message at https:/);
  });
});

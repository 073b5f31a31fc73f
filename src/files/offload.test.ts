import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELF, PNG_1X1, pngOf } from '../../test/support/files.js';
import { buildMixed, readMimeEntity } from '../mime/index.js';
import { offloadEntity, offloadFiles } from './offload.js';
import { startTempFileStore, type TempFileStore } from '../../test/support/temp-file-store.js';
import type { FileStore } from './store.js';

let temp: TempFileStore;
let store: FileStore;

beforeAll(async () => {
  temp = await startTempFileStore({ inlineMaxBytes: 1000, maxBytes: 100_000 });
  store = temp.store;
});

afterAll(() => temp.stop());

const tokenOf = (url: string) => new URL(url).pathname.split('/')[2]!;

describe('offloadFiles', () => {
  it('keeps files over inlineMaxBytes as links, the small ones inside, refusals with their reason', async () => {
    const big = pngOf(5000);
    const r = await offloadFiles(
      store,
      [
        { filename: 'small.png', contentType: 'image/png', content: PNG_1X1 },
        { filename: 'big.png', contentType: 'image/png', content: big },
        { filename: 'huge.png', contentType: 'image/png', content: pngOf(100_001) },
        { filename: 'evil.png', contentType: 'image/png', content: Buffer.concat([ELF, Buffer.alloc(2000)]) },
      ],
      'im:a@x',
    );
    expect(r.inline.map((f) => f.filename)).toEqual(['small.png']);
    expect(r.links.map((f) => [f.filename, f.contentType, f.size])).toEqual([
      ['big.png', 'image/png', big.length],
    ]);
    expect(readFileSync(store.pathOf(store.lookup(tokenOf(r.links[0]!.url))!))).toEqual(big);
    expect(r.refused.map((f) => [f.filename, f.reason])).toEqual([
      ['huge.png', 'too-large'],
      ['evil.png', 'forbidden-type'],
    ]);
  });

  it('with no store, keeps every file inside', async () => {
    const r = await offloadFiles(null, [{ contentType: 'image/png', content: pngOf(5000) }]);
    expect([r.inline.length, r.links.length]).toEqual([1, 0]);
  });
});

describe('offloadEntity', () => {
  it('rewrites a multipart/mixed with a big part as text + small parts + a link part', async () => {
    const big = pngOf(4000);
    const m = buildMixed(
      'two files',
      [
        { filename: 'big.png', contentType: 'image/png', content: big },
        { filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('hi') },
      ],
      [],
      'bb',
    );
    const out = (await offloadEntity(store, m.contentType, undefined, m.body, {
      boundary: 'cc',
      owner: 'im:a@x',
    }))!;
    expect(out).not.toBeNull();
    const e = await readMimeEntity(out.contentType, undefined, out.body);
    expect(e.text).toBe('two files');
    expect(e.attachments.map((a) => [a.filename, a.type, a.octets, a.url !== undefined])).toEqual([
      ['a.txt', 'text/plain', 2, false],
      ['big.png', 'image/png', big.length, true],
    ]);
    expect(readFileSync(store.pathOf(store.lookup(tokenOf(e.attachments[1]!.url!))!))).toEqual(big);
  });

  it('leaves an entity with nothing over the limit alone, and notes a refused file in the text', async () => {
    const small = buildMixed(
      'x',
      [{ filename: 'a.png', contentType: 'image/png', content: PNG_1X1 }],
      [],
      'b',
    );
    expect(
      await offloadEntity(store, small.contentType, undefined, small.body, { boundary: 'c' }),
    ).toBeNull();
    const bad = buildMixed(
      'x',
      [{ filename: 'run.png', contentType: 'image/png', content: Buffer.concat([ELF, Buffer.alloc(3000)]) }],
      [],
      'b',
    );
    const out = (await offloadEntity(store, bad.contentType, undefined, bad.body, { boundary: 'c' }))!;
    const e = await readMimeEntity(out.contentType, undefined, out.body);
    expect(e.text).toMatch(
      /^x\n\n\[attachment "run\.png" not forwarded: files of type application\/x-elf are not accepted\]$/,
    );
    expect(e.attachments).toEqual([]);
  });
});

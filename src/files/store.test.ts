import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { filesSchema } from '../config/files-schema.js';
import { storageSchema } from '../config/storage-schema.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { FileStore, type FileStoreOptions } from './store.js';
import { FileRefusedError } from './types.js';
import { ELF, PNG_1X1 } from '../../test/support/files.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: FileStore[] = [];
const dbs: Store[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'file-store-'));
  dirs.push(d);
  return d;
}

async function make(
  files: Record<string, unknown> = {},
  extra: Partial<FileStoreOptions> = {},
): Promise<FileStore> {
  const s = new FileStore({
    config: filesSchema.parse({ dir: tempDir(), ...files }),
    storageConfig: storageSchema.parse({ backend: 'none' }),
    store: null,
    log,
    ...extra,
  });
  await s.start();
  s.setBaseUrl('http://files.test/');
  stores.push(s);
  return s;
}

async function refusal(p: Promise<unknown>): Promise<FileRefusedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileRefusedError);
  return err as FileRefusedError;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  for (const d of dbs.splice(0)) await d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('FileStore', () => {
  it('keeps bytes under its folder, typed by content, behind an unguessable link', async () => {
    const s = await make();
    const f = await s.put(PNG_1X1, {
      filename: '../../etc/cat.png',
      declaredType: 'image/jpeg',
      owner: 'im:a@x',
    });
    expect(f.contentType).toBe('image/png');
    expect(f.filename).toBe('cat.png');
    expect(f.size).toBe(PNG_1X1.length);
    const m = /^http:\/\/files\.test\/f\/([A-Za-z0-9_-]{24})\/cat\.png$/.exec(f.url);
    expect(m).not.toBeNull();
    const r = s.lookup(m![1]!)!;
    expect(readFileSync(s.pathOf(r))).toEqual(PNG_1X1);
    // The folder names no token: a listing gives no link away.
    expect(readdirSync(s.folder).join()).not.toContain(m![1]!);
    const other = await s.put(PNG_1X1, {});
    expect(other.url).not.toBe(f.url);
  });

  it('calls UTF-8 text text/plain and unknown binary application/octet-stream, whatever was declared', async () => {
    const s = await make();
    expect((await s.put(Buffer.from('héllo\nworld\n'), { declaredType: 'image/png' })).contentType).toBe(
      'text/plain',
    );
    const junk = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x10, 0x80, 0x00, 0x42]);
    expect((await s.put(junk, { filename: 'photo.png', declaredType: 'image/png' })).contentType).toBe(
      'application/octet-stream',
    );
  });

  it('refuses a file over files.maxBytes: too-large, and keeps nothing', async () => {
    const s = await make({ maxBytes: 100 });
    const e = await refusal(s.put(Buffer.alloc(101, 0x61), { filename: 'a.txt' }));
    expect(e.reason).toBe('too-large');
    expect(e.message).toContain('over the limit of 100');
    expect(s.count).toBe(0);
    expect((await s.put(Buffer.alloc(100, 0x61), {})).size).toBe(100);
  });

  it('refuses an executable named .png: forbidden-type', async () => {
    const reasons: string[] = [];
    const s = await make({}, { onRefused: (r) => reasons.push(r) });
    const e = await refusal(s.put(ELF, { filename: 'cute.png', declaredType: 'image/png' }));
    expect(e.reason).toBe('forbidden-type');
    expect(e.message).toContain('application/x-elf');
    expect(reasons).toEqual(['forbidden-type']);
    expect(s.count).toBe(0);
  });

  it('refuses over the hourly quota of one author, not of another; the hour after, it takes again', async () => {
    let now = 1_000_000;
    const s = await make({ perOwnerBytesPerHour: 150 }, { now: () => now });
    await s.put(Buffer.alloc(100, 0x61), { owner: 'im:a@x' });
    expect((await refusal(s.put(Buffer.alloc(100, 0x61), { owner: 'im:a@x' }))).reason).toBe('quota');
    await s.put(Buffer.alloc(100, 0x61), { owner: 'im:b@x' });
    now += 60 * 60 * 1000;
    await s.put(Buffer.alloc(100, 0x61), { owner: 'im:a@x' });
  });

  it('refuses past files.maxTotalBytes and files.maxFiles: full', async () => {
    const s = await make({ maxTotalBytes: 250 });
    await s.put(Buffer.alloc(200, 0x61), {});
    expect((await refusal(s.put(Buffer.alloc(100, 0x61), {}))).reason).toBe('full');
    const t = await make({ maxFiles: 1 });
    await t.put(Buffer.alloc(1, 0x61), {});
    expect((await refusal(t.put(Buffer.alloc(1, 0x61), {}))).reason).toBe('full');
  });

  it('keeps a long text as text/plain, bounded by files.maxLongTextBytes', async () => {
    const s = await make({ maxLongTextBytes: 20 });
    const f = await s.putText('ligne une\nligne deux', { owner: 'im:a@x' });
    expect(f).toMatchObject({ contentType: 'text/plain', filename: 'message.txt', size: 20 });
    expect((await refusal(s.putText('x'.repeat(21), {}))).reason).toBe('too-large');
  });

  it('forgets a file after files.maxAgeMs: the link is gone and the sweep removes the bytes', async () => {
    let now = 5_000_000;
    const s = await make({ maxAgeMs: 1000, sweepIntervalMs: 20 }, { now: () => now });
    const f = await s.put(PNG_1X1, {});
    const token = f.url.split('/')[4]!;
    const path = s.pathOf(s.lookup(token)!);
    expect(f.expiresAt).toBe(now + 1000);
    now += 1000;
    expect(s.lookup(token)).toBeUndefined();
    await expect.poll(() => existsSync(path)).toBe(false);
    expect(s.count).toBe(0);
  });

  it('keeps links across a restart on the same store; removes leftovers no record names', async () => {
    const dir = tempDir();
    const db = join(dir, 'gw.sqlite');
    const storage = storageSchema.parse({ backend: 'sqlite', path: db });
    const first = (await openStore(storage, { log }))!;
    const a = new FileStore({ config: filesSchema.parse({}), storageConfig: storage, store: first, log });
    await a.start();
    a.setBaseUrl('http://files.test');
    const f = await a.put(PNG_1X1, { filename: 'cat.png' });
    await a.stop();
    await first.close();
    // A crash between the write and the record, or a half-written temporary.
    writeFileSync(join(dir, 'files', 'a'.repeat(64)), 'orphan');
    writeFileSync(join(dir, 'files', '.tmp-1-1'), 'half');
    writeFileSync(join(dir, 'files', 'operator-notes.txt'), 'not ours');

    const second = await openStore(storage, { log });
    dbs.push(second!);
    const b = new FileStore({ config: filesSchema.parse({}), storageConfig: storage, store: second, log });
    stores.push(b);
    await b.start();
    expect(b.folder).toBe(join(dir, 'files'));
    const r = b.lookup(f.url.split('/')[4]!)!;
    expect(r).toMatchObject({ filename: 'cat.png', contentType: 'image/png', size: PNG_1X1.length });
    expect(readFileSync(b.pathOf(r))).toEqual(PNG_1X1);
    expect(readdirSync(join(dir, 'files')).sort()).toEqual(
      [b.pathOf(r).split('/').pop(), 'operator-notes.txt'].sort(),
    );
  });

  it('with no durable storage, works in a temporary folder removed at stop', async () => {
    const s = new FileStore({
      config: filesSchema.parse({}),
      storageConfig: storageSchema.parse({ backend: 'sqlite', path: ':memory:' }),
      store: null,
      log,
    });
    await s.start();
    await s.put(PNG_1X1, {});
    const folder = s.folder;
    expect(existsSync(folder)).toBe(true);
    await s.stop();
    expect(existsSync(folder)).toBe(false);
  });

  it('says disabled when files.enabled is false', async () => {
    const s = await make({ enabled: false });
    expect((await refusal(s.put(PNG_1X1, {}))).reason).toBe('disabled');
  });
});

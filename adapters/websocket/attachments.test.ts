/**
 * Attachments on the web (attachments.ts): the multipart/mixed entity a send with files becomes
 * (RFC 2046 5.1.3, 5.2.3), read back by the core's MIME reader; the links a send may name; and the
 * parts of an incoming message as the page's attachments, with a small in-memory file store in
 * place of the gateway's (src/files/types.ts FileStorePort).
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  FileRefusedError,
  renderContent,
  type FileMeta,
  type FileStorePort,
  type MimeAttachment,
  type StoredFile,
} from '../../src/index.js';
import { attachmentEntity, filesOfSend, KnownFiles, linkParts, wireAttachments } from './attachments.js';
import { buildMessage, readMessage, userInbox } from './translate.js';

const log = pino({ level: 'silent' });

class MemoryStore implements FileStorePort {
  readonly inlineMaxBytes = 1024;
  readonly maxBytes = 1 << 20;
  readonly publicBaseUrl = 'https://files.example.org/base';
  readonly puts: FileMeta[] = [];
  async put(bytes: Uint8Array, meta: FileMeta): Promise<StoredFile> {
    await Promise.resolve();
    if (bytes.byteLength > 100) throw new FileRefusedError('too-large', 'too large');
    this.puts.push(meta);
    return file(
      `https://files.example.org/f/t${this.puts.length}/x`,
      bytes[0] === 0x89 ? 'image/png' : 'text/plain',
      bytes.byteLength,
      meta.filename ?? 'file',
    );
  }
  putText(): Promise<StoredFile> {
    throw new Error('not used');
  }
}

function file(
  url: string,
  contentType: string,
  size: number,
  filename: string,
  expiresAt = Date.now() + 60_000,
): StoredFile {
  return { url, contentType, size, filename, expiresAt };
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

describe('a send with files (attachmentEntity)', () => {
  it('is multipart/mixed: the caption as text, each file as an external-body part naming its link', async () => {
    const photo = file('https://files.example.org/f/AbC/photo.png', 'image/png', 2048, 'phöto.png');
    const doc = file('https://files.example.org/f/DeF/notes.txt', 'text/plain', 12, 'notes "1".txt');
    const e = attachmentEntity('look\nhere', [photo, doc]);
    expect(e.type).toMatch(/^multipart\/mixed; boundary="=_web_[0-9a-f-]{36}"$/);
    expect(e.body).toContain(
      'Content-Type: message/external-body; access-type=URL; URL="https://files.example.org/f/AbC/photo.png"; size=2048; expiration=',
    );
    expect(e.body).toContain("filename*=UTF-8''ph%C3%B6to.png");
    expect(e.body).toContain('filename="notes \\"1\\".txt"');
    expect(e.body).toContain('look\r\nhere');
    const r = await renderContent(e.type, undefined, Buffer.from(e.body));
    expect(r.body).toBe('look\nhere');
    // Read back by the core (src/mime/external-body.ts): the linked files, with their links.
    expect(r.attachments.map((a) => [a.type, a.filename, a.octets, a.url])).toEqual([
      ['image/png', 'phöto.png', 2048, photo.url],
      ['text/plain', 'notes "1".txt', 12, doc.url],
    ]);
  });

  it('has an empty caption when there is no text', async () => {
    const e = attachmentEntity('', [file('https://f.example/f/a/b.png', 'image/png', 1, 'b.png')]);
    const r = await renderContent(e.type, undefined, Buffer.from(e.body));
    expect(r.body).toBe('');
    expect(r.attachments).toHaveLength(1);
  });

  it('names only live links of this store, with the stored name, type and size', () => {
    const known = new KnownFiles(10);
    const live = file('https://files.example.org/f/live/a.png', 'image/png', 5, 'a.png');
    known.add(live);
    known.add(file('https://files.example.org/f/old/b.png', 'image/png', 5, 'b.png', Date.now() - 1));
    expect(filesOfSend(known, [{ url: live.url }])).toEqual([live]);
    expect(filesOfSend(known, [{ url: live.url }, { url: 'https://evil.example/x.png' }])).toBe(
      "attachments.1.url: not a live link of this gateway's file store",
    );
    expect(filesOfSend(known, [{ url: 'https://files.example.org/f/old/b.png' }])).toMatch(
      /^attachments\.0\.url/,
    );
    expect(known.origins(new MemoryStore())).toEqual(['https://files.example.org']);
  });
});

describe('the files of an incoming message (wireAttachments)', () => {
  const inline = (content: Uint8Array, type: string, filename?: string): MimeAttachment => ({
    type,
    octets: content.byteLength,
    content,
    ...(filename === undefined ? {} : { filename }),
  });

  it('keeps an inline part in the store once, and the page gets the type the store found', async () => {
    const store = new MemoryStore();
    const known = new KnownFiles(10);
    const part = inline(PNG, 'application/octet-stream', 'pic.png');
    const first = await wireAttachments([part], store, known, 'im:a@mail.test', log);
    const again = await wireAttachments([part], store, known, 'im:a@mail.test', log);
    expect(first).toEqual([
      { name: 'pic.png', type: 'image/png', size: PNG.length, url: 'https://files.example.org/f/t1/x' },
    ]);
    expect(again).toEqual(first);
    expect(store.puts).toEqual([
      { owner: 'im:a@mail.test', declaredType: 'application/octet-stream', filename: 'pic.png' },
    ]);
    // A link the adapter kept may be sent on by a web user.
    expect(known.get(first[0]!.url!)).toBeDefined();
  });

  it('names a part the store refuses, or every part when the store is off, without a link', async () => {
    const big = inline(new Uint8Array(101), 'image/png', 'big.png');
    expect(await wireAttachments([big], new MemoryStore(), new KnownFiles(10), 'im:a@b', log)).toEqual([
      { name: 'big.png', type: 'image/png', size: 101 },
    ]);
    expect(
      await wireAttachments([inline(PNG, 'image/png')], null, new KnownFiles(10), 'im:a@b', log),
    ).toEqual([{ name: 'attachment', type: 'image/png', size: PNG.length }]);
  });

  it('never stores a linked file: the page gets its link, type and size', async () => {
    const store = new MemoryStore();
    const e = attachmentEntity('', [file('https://files.example.org/f/q/p.png', 'image/png', 9, 'p.png')]);
    const r = await renderContent(e.type, undefined, Buffer.from(e.body));
    const [a] = await wireAttachments(r.attachments, store, new KnownFiles(10), 'im:a@b', log);
    expect(a).toEqual({
      name: 'p.png',
      type: 'image/png',
      size: 9,
      url: 'https://files.example.org/f/q/p.png',
    });
    expect(store.puts).toHaveLength(0);
    // An external-body part naming no http(s) link (another access-type): named, never stored.
    const ftp = await wireAttachments(
      [
        {
          type: 'message/external-body',
          octets: 30,
          content: Buffer.from('Content-Type: image/gif\r\n\r\n'),
        },
      ],
      store,
      new KnownFiles(10),
      'im:a@b',
      log,
    );
    expect(ftp).toEqual([{ name: 'attachment', type: 'image/gif', size: 0 }]);
    expect(store.puts).toHaveLength(0);
  });
});

describe('readMessage and linkParts', () => {
  it('a message with an inline image: the text is the caption and the image a link', async () => {
    const boundary = 'b1';
    const body =
      `--${boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nthe cat\r\n` +
      `--${boundary}\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="cat.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(PNG).toString('base64')}\r\n` +
      `--${boundary}--\r\n`;
    const payload = buildMessage(
      userInbox('x', 'mail.test'),
      userInbox('bob', 'web.test'),
      '',
      new Date(),
      undefined,
      {
        type: `multipart/mixed; boundary=${boundary}`,
        body,
      },
    );
    const read = await readMessage(
      [
        ['Sender', 'im:x@mail.test'],
        ['Content-Type', 'message/cpim'],
      ],
      payload,
      new Date(),
    );
    expect(read.text).toBe('the cat');
    expect(read.parts?.map((p) => [p.type, p.filename, p.octets])).toEqual([
      ['image/png', 'cat.png', PNG.length],
    ]);
    const store = new MemoryStore();
    const m = await linkParts({ fileStore: () => store, files: new KnownFiles(10), ctx: { log } }, read);
    expect(m).not.toHaveProperty('parts');
    expect(m.attachments).toEqual([
      { name: 'cat.png', type: 'image/png', size: PNG.length, url: 'https://files.example.org/f/t1/x' },
    ]);
    expect(JSON.stringify(m)).not.toContain('content');
  });
});

/**
 * The upload handler (upload.ts) on a real loopback HTTP server, with a small in-memory file
 * store in place of the gateway's (src/files/types.ts FileStorePort): what it answers, what
 * reaches the store, and that refusals read nothing more than they must.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FileRefusedError,
  guardRequest,
  type FileMeta,
  type FileStorePort,
  type StoredFile,
} from '../../src/index.js';
import { KnownFiles } from './attachments.js';
import { parseWebSocketConfig, type WebSocketConfig } from './config.js';
import { TokenVerifier } from './tokens.js';
import { UploadHandler, uploadName } from './upload.js';

const TOKEN = 'alice-token-0123456789';
/** Every log line, for the test that no failure is reported where the client left. */
const logged: { level: number; msg: string }[] = [];
const log = pino(
  { level: 'debug' },
  { write: (line: string) => logged.push(JSON.parse(line) as { level: number; msg: string }) },
);

/** The store's double: keeps what it is given, refuses what starts with "MZ" (an executable). */
class MemoryStore implements FileStorePort {
  readonly inlineMaxBytes = 1024;
  readonly puts: { bytes: Uint8Array; meta: FileMeta }[] = [];
  /** When set, put waits for it (an upload in progress). */
  hold: Promise<void> | null = null;
  constructor(readonly maxBytes: number) {}
  async put(bytes: Uint8Array, meta: FileMeta): Promise<StoredFile> {
    if (this.hold !== null) await this.hold;
    if (bytes[0] === 0x4d && bytes[1] === 0x5a)
      throw new FileRefusedError('forbidden-type', 'executables are not kept');
    this.puts.push({ bytes, meta });
    return {
      url: `http://127.0.0.1:1/f/token${this.puts.length}/${meta.filename ?? 'file'}`,
      contentType: bytes[0] === 0x89 ? 'image/png' : 'text/plain',
      size: bytes.byteLength,
      filename: meta.filename ?? 'file',
      expiresAt: Date.now() + 60_000,
    };
  }
  putText(): Promise<StoredFile> {
    throw new Error('not used');
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A POST with `body` (one chunk, or several without a length: chunked), the answer read whole. */
function post(
  port: number,
  body: Buffer | Buffer[],
  headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
  path = '/upload?name=photo.png',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    // The server may close while the client still writes (a refusal): the answer still counts.
    req.on('error', (err) => (req.writableFinished ? reject(err) : undefined));
    if (Array.isArray(body)) {
      for (const b of body) req.write(b);
      req.end();
    } else req.end(body);
  });
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('POST /upload (upload.ts)', () => {
  let server: Server;
  let port: number;
  let store: MemoryStore | null;
  let known: KnownFiles;
  let handler: UploadHandler;
  const configure = (uploads: Record<string, unknown>): WebSocketConfig =>
    parseWebSocketConfig({ type: 'websocket', auth: { tokens: [{ user: 'alice', token: TOKEN }] }, uploads });
  let config = configure({});

  const setUp = (uploads: Record<string, unknown>, storeMax = 100): void => {
    config = configure(uploads);
    store = new MemoryStore(storeMax);
    known = new KnownFiles(100);
    const tokens = new TokenVerifier(config.auth);
    handler = new UploadHandler({
      config: () => config,
      check: (t) => tokens.check(t),
      files: () => store,
      known,
      log,
    });
  };

  beforeAll(async () => {
    server = createServer(guardRequest(log, (req, res) => handler.handle(req, res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => expect(handler.inProgress).toBe(0));

  it('keeps the file and answers 201 with the stored file; the link becomes known', async () => {
    setUp({});
    const r = await post(port, PNG, { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'image/jpeg' });
    expect(r.status).toBe(201);
    const file = JSON.parse(r.body) as StoredFile;
    expect(file).toMatchObject({ contentType: 'image/png', size: PNG.length, filename: 'photo.png' });
    expect(Buffer.from(store!.puts[0]!.bytes)).toEqual(PNG);
    expect(store!.puts[0]!.meta).toEqual({
      owner: 'im:alice@web.localhost',
      filename: 'photo.png',
      declaredType: 'image/jpeg',
    });
    expect(known.get(file.url)).toEqual(file);
  });

  it('401 without a token or with a wrong one; nothing is kept', async () => {
    setUp({});
    const none = await post(port, PNG, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await post(port, PNG, { Authorization: 'Bearer not-a-token-at-all-xx' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'auth-failed' });
    expect(store!.puts).toHaveLength(0);
  });

  it('413 from the declared length before reading, and as soon as a chunked body passes the cap', async () => {
    setUp({ maxBytes: 50 });
    const declared = await post(port, Buffer.alloc(51, 1));
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(JSON.parse(declared.body)).toEqual({
      error: 'too-large',
      message: 'files are limited to 50 octets',
    });
    const chunked = await post(port, [Buffer.alloc(30, 1), Buffer.alloc(30, 1)], {
      Authorization: `Bearer ${TOKEN}`,
      'Transfer-Encoding': 'chunked',
    });
    expect(chunked.status).toBe(413);
    expect(store!.puts).toHaveLength(0);
    // The limit is never above the store's own.
    setUp({ maxBytes: 500 }, 20);
    expect((await post(port, Buffer.alloc(21, 1))).status).toBe(413);
    expect((await post(port, Buffer.alloc(20, 1))).status).toBe(201);
  });

  it('a client that goes away mid-upload leaves nothing kept and nothing counted', async () => {
    setUp({});
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 80\r\n\r\n` +
        'x'.repeat(40),
    );
    await expect.poll(() => handler.inProgress).toBe(1);
    socket.destroy();
    await expect.poll(() => handler.inProgress).toBe(0);
    expect(store!.puts).toHaveLength(0);
    // Not a failure of the server: no warn line (pino level 40), a debug line (20) says it.
    await expect.poll(() => logged.filter((l) => l.msg === 'upload cut off by the client')).toHaveLength(1);
    expect(logged.filter((l) => l.level >= 40)).toEqual([]);
    expect((await post(port, PNG)).status).toBe(201);
  });

  it("415 for a type the store forbids, with the store's reason", async () => {
    setUp({});
    const r = await post(port, Buffer.from('MZ\x90\x00fake.exe'));
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body)).toEqual({ error: 'forbidden-type', message: 'executables are not kept' });
  });

  it('429 past the uploads per minute of a user, with Retry-After; others are not affected', async () => {
    setUp({ perMinute: 2 });
    expect((await post(port, PNG)).status).toBe(201);
    expect((await post(port, PNG)).status).toBe(201);
    const third = await post(port, PNG);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(third.body)).toMatchObject({ error: 'rate-limited' });
    expect(store!.puts).toHaveLength(2);
  });

  it('429 past the uploads per minute of an address, whoever signs in', async () => {
    setUp({ perAddressPerMinute: 2, perMinute: 10 });
    config = parseWebSocketConfig({
      ...config,
      auth: {
        tokens: [
          { user: 'alice', token: TOKEN },
          { user: 'bob', token: 'bob-token-0123456789' },
        ],
      },
    });
    handler = new UploadHandler({
      config: () => config,
      check: (t) => new TokenVerifier(config.auth).check(t),
      files: () => store,
      known,
      log,
    });
    expect((await post(port, PNG)).status).toBe(201);
    expect((await post(port, PNG, { Authorization: 'Bearer bob-token-0123456789' })).status).toBe(201);
    const third = await post(port, PNG, { Authorization: 'Bearer bob-token-0123456789' });
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body).message).toBe('at most 2 uploads a minute from one address');
  });

  it('429 past the uploads in progress of a user', async () => {
    setUp({ concurrentPerUser: 1 });
    let release!: () => void;
    store!.hold = new Promise((r) => (release = r));
    const first = post(port, PNG);
    await expect.poll(() => handler.inProgress).toBe(1);
    const second = await post(port, PNG);
    expect(second.status).toBe(429);
    expect(JSON.parse(second.body).message).toBe('at most 1 uploads at once');
    release();
    expect((await first).status).toBe(201);
  });

  it('503 when the file store is off or uploads are; 405 for another method', async () => {
    setUp({});
    store = null;
    expect((await post(port, PNG)).status).toBe(503);
    setUp({ enabled: false });
    const off = await post(port, PNG);
    expect(off.status).toBe(503);
    expect(JSON.parse(off.body)).toMatchObject({ error: 'disabled' });
    const get = await new Promise<number>((resolve) =>
      request({ host: '127.0.0.1', port, path: '/upload' }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).end(),
    );
    expect(get).toBe(405);
  });

  it('keeps only the last segment of ?name=, without control characters', () => {
    expect(uploadName('/upload?name=..%2F..%2Fetc%2Fpasswd')).toBe('passwd');
    expect(uploadName('/upload?name=a%0Ab.png')).toBe('ab.png');
    expect(uploadName('/upload?name=C%3A%5Cx%5Cy.txt')).toBe('y.txt');
    expect(uploadName('/upload')).toBeUndefined();
    expect(uploadName('/upload?name=')).toBeUndefined();
  });
});

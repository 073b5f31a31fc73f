/**
 * The file server on a real socket (127.0.0.1, a free port): GET, HEAD, one byte range, the
 * headers that keep a served file from acting as a page, the same 404 for unknown and expired
 * links, hostile paths and methods.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesSchema } from '../config/files-schema.js';
import { storageSchema } from '../config/storage-schema.js';
import { FileServer } from './server.js';
import { FileStore } from './store.js';
import { PNG_1X1, pngOf } from '../../test/support/files.js';

const log = pino({ level: 'silent' });
let now = 10_000_000;
let dir: string;
let store: FileStore;
let server: FileServer;
let base: string;
let port: number;

interface Got {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request written by hand: what a client library would refuse to send. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

const pathOf = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'file-server-'));
  store = new FileStore({
    config: filesSchema.parse({ dir, maxAgeMs: 60_000 }),
    storageConfig: storageSchema.parse({ backend: 'none' }),
    store: null,
    log,
    now: () => now,
  });
  await store.start();
  server = new FileServer({
    host: '127.0.0.1',
    port: 0,
    requestTimeoutMs: 5000,
    log,
    limits: { connectionsPerAddress: 64, warnIntervalMs: 10_000 },
    lookup: (t) => store.lookup(t),
    pathOf: (r) => store.pathOf(r),
  });
  port = (await server.listen()).port;
  base = `http://127.0.0.1:${port}`;
  store.setBaseUrl(base);
});

afterAll(async () => {
  await server.close();
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('FileServer', () => {
  it('serves a kept image: its bytes, its sniffed type, inline, nosniff and a sandboxing CSP', async () => {
    const f = await store.put(PNG_1X1, { filename: 'chat ☺.png', declaredType: 'text/html' });
    expect(f.url.startsWith(`${base}/f/`)).toBe(true);
    const r = await get(pathOf(f.url));
    expect(r.status).toBe(200);
    expect(r.body).toEqual(PNG_1X1);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.headers['content-length']).toBe(String(PNG_1X1.length));
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(r.headers['content-disposition']).toBe(
      `inline; filename="chat _.png"; filename*=UTF-8''chat%20%E2%98%BA.png`,
    );
    const head = await get(pathOf(f.url), {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(PNG_1X1.length));
  });

  it('serves what claims to be an image but is not as application/octet-stream, as an attachment', async () => {
    const f = await store.put(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 7]), {
      filename: 'x.png',
      declaredType: 'image/png',
    });
    const r = await get(pathOf(f.url));
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="x\.png"/);
  });

  it('serves a long text as text/plain; charset=utf-8, inline', async () => {
    const f = await store.putText('première ligne\nseconde ligne', {});
    const r = await get(pathOf(f.url));
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/^inline; filename="message\.txt"/);
    expect(r.body.toString('utf8')).toBe('première ligne\nseconde ligne');
  });

  it('answers one byte range with 206 and Content-Range; an unsatisfiable one 416', async () => {
    const big = pngOf(300 * 1024);
    const f = await store.put(big, { filename: 'big.png' });
    const p = pathOf(f.url);
    const mid = await get(p, { Range: 'bytes=1000-1999' });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 1000-1999/${big.length}`);
    expect(mid.body).toEqual(big.subarray(1000, 2000));
    const tail = await get(p, { Range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.body).toEqual(big.subarray(big.length - 10));
    const open = await get(p, { Range: `bytes=${big.length - 5}-` });
    expect(open.body).toEqual(big.subarray(big.length - 5));
    const past = await get(p, { Range: `bytes=${big.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${big.length}`);
    // Several ranges: ignored (RFC 9233 14.2), the whole file.
    const many = await get(p, { Range: 'bytes=0-1,5-6' });
    expect(many.status).toBe(200);
    expect(many.body).toEqual(big);
  });

  it('answers an unknown token and an expired one with the same 404', async () => {
    const f = await store.put(PNG_1X1, { filename: 'soon.png' });
    expect((await get(pathOf(f.url))).status).toBe(200);
    const unknown = await get(`/f/${'A'.repeat(24)}/soon.png`);
    now += 60_000;
    const expired = await get(pathOf(f.url));
    now -= 60_000;
    expect(expired.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(expired.body.toString()).toBe(unknown.body.toString());
    expect(expired.headers['content-type']).toBe(unknown.headers['content-type']);
  });

  it('refuses hostile paths and methods, and goes on serving', async () => {
    const f = await store.put(PNG_1X1, { filename: 'ok.png' });
    const token = pathOf(f.url).split('/')[2]!;
    for (const p of [
      '/f/../../../../etc/passwd',
      `/f/${token}/../../etc/passwd`,
      '/f/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      `/f/${token}%00/x`,
      `/f/${token.slice(0, 23)}/ok.png`,
      '/',
      '/f/',
    ])
      expect((await get(p)).status, p).toBe(404);
    expect(await raw(`GET /f/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 404/,
    );
    expect(await raw(`GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await raw(`GET ${pathOf(f.url)} HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 400/);
    const post = await get(pathOf(f.url), {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(pathOf(f.url))).body).toEqual(PNG_1X1);
    // The name segment is decoration: the token alone finds the file.
    expect((await get(`/f/${token}/other-name.exe`)).headers['content-type']).toBe('image/png');
  });
});

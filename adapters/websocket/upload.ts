/**
 * File upload from the page (issue 17, docs/adapters/web-chat.md "Attachments"): `POST /upload`
 * with the file as the request body, the sign-in token as `Authorization: Bearer` (RFC 6750 2.1;
 * the same token the page's `auth` frame carries, checked by the same TokenVerifier and counted
 * by the same sign-in throttle), the file's name in `?name=`. The body goes to the gateway's file
 * store (`FileStorePort.put`, src/files/types.ts), which decides the type from the content.
 *
 * Bounds (docs/architecture.md part 8: every input has a limit with a config key): the size is
 * capped while the body streams in (RFC 9110 15.5.14: 413 as soon as it is passed, the rest is
 * never read into memory and the connection is closed), uploads per minute per user and per
 * address and uploads in progress per user are counted (429 with Retry-After, RFC 6585 4).
 * Answers: 201 and the StoredFile as JSON; 401 without a valid token; 413, 415, 429; 503 when the
 * store is off. Every refusal is JSON `{ error, message }` that the page shows as it is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FileRefusedError,
  KeyedRateLimiter,
  type AuthAttempts,
  type FileStorePort,
  type Logger,
  type StoredFile,
} from '../../src/index.js';
import type { WebSocketConfig } from './config.js';
import type { KnownFiles } from './attachments.js';
import { claimedUser, type TokenCheck } from './tokens.js';

/** The upload endpoint's path on the adapter's HTTP server. */
export const UPLOAD_PATH = '/upload';
/** Longest file name kept from `?name=` (the store cleans it further). */
const MAX_NAME_CHARS = 200;

export interface UploadDeps {
  readonly config: () => WebSocketConfig;
  readonly check: (token: string) => TokenCheck | Promise<TokenCheck>;
  readonly files: () => FileStorePort | null;
  readonly known: KnownFiles;
  readonly log: Logger;
  readonly attempts?: AuthAttempts | undefined;
}

type Refusal = { status: number; error: string; message: string; retryAfterS?: number };

/** The largest upload: `uploads.maxBytes`, else the store's own limit (never above it). */
export function uploadLimit(config: WebSocketConfig, store: FileStorePort | null): number | null {
  if (store === null || !config.uploads.enabled) return null;
  const own = config.uploads.maxBytes;
  return own === undefined ? store.maxBytes : Math.min(own, store.maxBytes);
}

/** Reads the body up to `max` octets; 'too-large' as soon as one more arrives (then stops reading). */
export function readCapped(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        done();
        req.pause();
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onClose = (): void => {
      done();
      reject(new Error('the upload was cut off'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** The store's refusal as an HTTP answer. */
export function refusalOf(err: FileRefusedError): Refusal {
  switch (err.reason) {
    case 'too-large':
      return { status: 413, error: err.reason, message: err.message };
    case 'forbidden-type':
      return { status: 415, error: err.reason, message: err.message };
    case 'quota':
      return { status: 429, error: err.reason, message: err.message, retryAfterS: 60 };
    case 'full':
    case 'disabled':
      return { status: 503, error: err.reason, message: err.message };
  }
}

function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer +([A-Za-z0-9._~+/=-]{1,4096})\s*$/.exec(req.headers.authorization ?? '');
  return m === null ? null : m[1]!;
}

/** `?name=` of the request target, cleaned of paths and control characters; undefined when none. */
export function uploadName(target: string | undefined): string | undefined {
  const q = (target ?? '').indexOf('?');
  if (q < 0) return undefined;
  const raw = new URLSearchParams((target ?? '').slice(q + 1)).get('name');
  if (raw === null) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const name = (raw.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name === '' ? undefined : name.slice(0, MAX_NAME_CHARS);
}

export class UploadHandler {
  private readonly perUser: KeyedRateLimiter;
  private readonly perAddress: KeyedRateLimiter;
  /** Uploads in progress by user: only users with one in progress are held. */
  private readonly busy = new Map<string, number>();

  constructor(private readonly d: UploadDeps) {
    const c = d.config();
    const rate = (perMinute: number) => ({
      ratePerSecond: perMinute / 60,
      burst: perMinute,
      maxKeys: c.limits.maxConnections,
    });
    this.perUser = new KeyedRateLimiter(rate(c.uploads.perMinute));
    this.perAddress = new KeyedRateLimiter(rate(c.uploads.perAddressPerMinute));
  }

  /** Uploads in progress (for tests: nothing stays counted after an upload ends). */
  get inProgress(): number {
    let n = 0;
    for (const v of this.busy.values()) n += v;
    return n;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const ip = req.socket.remoteAddress ?? '';
    const store = this.d.files();
    const max = uploadLimit(this.d.config(), store);
    if (store === null || max === null)
      return this.refuse(req, res, { status: 503, error: 'disabled', message: 'file upload is off here' });
    const user = await this.signedIn(req, ip);
    if (typeof user !== 'string') return this.refuse(req, res, user);
    const declared = Number(req.headers['content-length']);
    // RFC 9110 8.6: the length is known before a byte is read; nothing is read at all.
    if (Number.isFinite(declared) && declared > max) return this.tooLarge(req, res, max);
    const over = this.overRate(user, ip);
    if (over !== null) return this.refuse(req, res, over);
    this.busy.set(user, (this.busy.get(user) ?? 0) + 1);
    try {
      let body: Buffer | 'too-large';
      try {
        body = await readCapped(req, max);
      } catch (err) {
        // The client went away mid-upload: nobody to answer, nothing kept (not a server failure).
        this.d.log.debug({ user, ip, reason: (err as Error).message }, 'upload cut off by the client');
        res.destroy();
        return;
      }
      if (body === 'too-large') return this.tooLarge(req, res, max);
      const type = req.headers['content-type'];
      const name = uploadName(req.url);
      const stored = await store.put(body, {
        owner: `im:${user}@${this.d.config().domain}`,
        ...(name === undefined ? {} : { filename: name }),
        ...(type === undefined ? {} : { declaredType: type }),
      });
      this.d.known.add(stored);
      this.answer(res, 201, stored);
    } catch (err) {
      if (err instanceof FileRefusedError) {
        this.d.log.info({ user, ip, reason: err.reason }, 'upload refused by the file store');
        return this.refuse(req, res, refusalOf(err));
      }
      throw err;
    } finally {
      const n = (this.busy.get(user) ?? 1) - 1;
      if (n > 0) this.busy.set(user, n);
      else this.busy.delete(user);
    }
  }

  /** The user the bearer token names, or the 401/429 refusal (the sign-in throttle's counts). */
  private async signedIn(req: IncomingMessage, ip: string): Promise<string | Refusal> {
    const token = bearer(req);
    if (token === null)
      return {
        status: 401,
        error: 'not-authenticated',
        message: 'send your sign-in token as a Bearer token',
      };
    const claimed = claimedUser(token);
    const wait = this.d.attempts?.throttle(ip, claimed) ?? 0;
    if (wait > 0)
      return {
        status: 429,
        error: 'auth-throttled',
        message: `too many failed sign-ins; retry in ${wait} ms`,
        retryAfterS: Math.ceil(wait / 1000),
      };
    const check = await this.d.check(token);
    if (!check.ok) {
      if (check.code === 'auth-failed') this.d.attempts?.failed(ip, claimed, check.reason);
      return { status: 401, error: check.code, message: check.reason };
    }
    return check.user;
  }

  private overRate(user: string, ip: string): Refusal | null {
    const u = this.d.config().uploads;
    if ((this.busy.get(user) ?? 0) >= u.concurrentPerUser)
      return {
        status: 429,
        error: 'rate-limited',
        message: `at most ${u.concurrentPerUser} uploads at once`,
        retryAfterS: 1,
      };
    if (!this.perAddress.take(ip))
      return {
        status: 429,
        error: 'rate-limited',
        message: `at most ${u.perAddressPerMinute} uploads a minute from one address`,
        retryAfterS: Math.ceil(this.perAddress.retryAfterMs(ip) / 1000),
      };
    if (!this.perUser.take(user))
      return {
        status: 429,
        error: 'rate-limited',
        message: `at most ${u.perMinute} uploads a minute`,
        retryAfterS: Math.ceil(this.perUser.retryAfterMs(user) / 1000),
      };
    return null;
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
    this.refuse(req, res, { status: 413, error: 'too-large', message: `files are limited to ${max} octets` });
  }

  /**
   * A refusal; when the body has not been read, the connection is closed after the answer so the
   * rest of it is never read (RFC 9112 9.6: `Connection: close`).
   */
  private refuse(req: IncomingMessage, res: ServerResponse, r: Refusal): void {
    const unread = !req.readableEnded;
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    if (r.retryAfterS !== undefined) headers['Retry-After'] = String(Math.max(1, r.retryAfterS));
    if (r.status === 401) headers['WWW-Authenticate'] = 'Bearer';
    if (unread) headers.Connection = 'close';
    res.writeHead(r.status, headers);
    // With `Connection: close`, Node closes the connection once the answer is out, unread body and all.
    res.end(JSON.stringify({ error: r.error, message: r.message }));
  }

  private answer(res: ServerResponse, status: number, file: StoredFile): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(file));
  }
}

/**
 * The HTTP file server (issue 17, docs/files.md): `GET`/`HEAD /f/<token>/<name>` serves a kept
 * file. Inside the gateway's HTTP boundary (src/http-boundary.ts, as src/ops/server.ts): a bad
 * request target or a second Host 400, other methods 405, an address over
 * `limits.connectionsPerAddress` 503. An unknown token and an expired one get the same 404, so a
 * prober learns nothing. The bytes are streamed from the disk, never read whole; one byte range
 * (RFC 9233) for big files. The type served is the one found from the content, with
 * `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, so nothing served
 * runs as a page of this origin; `Content-Disposition` (RFC 6266) is inline only for raster
 * images and plain text.
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListenError } from '../errors.js';
import { answerClientError, duplicateHost, guardRequest, requestPath } from '../http-boundary.js';
import type { Logger } from '../log.js';
import { ConnectionCounter, LogThrottle } from '../policy/index.js';
import { parseRange } from './range.js';
import type { FileRecord } from './records.js';
import { servedInline, TEXT_PLAIN } from './sniff.js';
import { isToken } from './token.js';

export interface FileServerOptions {
  readonly host: string;
  readonly port: number;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  readonly limits: { readonly connectionsPerAddress: number; readonly warnIntervalMs: number };
  /** A live record by token, or undefined (unknown or expired). */
  readonly lookup: (token: string) => FileRecord | undefined;
  readonly pathOf: (r: FileRecord) => string;
}

const TEXT_TYPE = 'text/plain; charset=utf-8';
/** Seconds a client refused for its address is asked to wait (RFC 9110 10.2.3). */
const RETRY_AFTER_S = 10;

/** RFC 6266 4.3 / RFC 8187: an ASCII fallback name and the UTF-8 one. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const utf8 = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

export class FileServer {
  private readonly server: Server;
  private readonly perAddress: ConnectionCounter;
  private readonly refusals: LogThrottle;
  private readonly refused = new WeakSet<Socket>();

  constructor(private readonly o: FileServerOptions) {
    const timeout = o.requestTimeoutMs;
    this.server = createServer(
      {
        headersTimeout: timeout,
        requestTimeout: timeout,
        connectionsCheckingInterval: Math.max(100, Math.min(30_000, timeout / 2)),
      },
      guardRequest(o.log, (req, res) => this.request(req, res)),
    );
    this.server.on('clientError', answerClientError(o.log, new LogThrottle(o.limits.warnIntervalMs)));
    this.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      socket.end(
        'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      socket.destroy();
    });
    this.perAddress = new ConnectionCounter(o.limits.connectionsPerAddress);
    this.refusals = new LogThrottle(o.limits.warnIntervalMs);
    this.server.on('connection', (socket: Socket) => this.count(socket));
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Issue 13: one address cannot take every connection; counted per TCP connection. */
  private count(socket: Socket): void {
    const release = this.perAddress.acquire(socket.remoteAddress ?? '');
    if (release !== null) {
      socket.once('close', release);
      return;
    }
    this.refused.add(socket);
    const suppressed = this.refusals.allow();
    if (suppressed >= 0)
      this.o.log.warn(
        { ip: socket.remoteAddress, limit: this.perAddress.maxPerAddress, suppressed },
        'file server connection refused: too many connections from this address',
      );
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.o;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(ListenError.from(err, host, port, 'files.listen.port'));
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        this.server.on('error', (err) => this.o.log.error({ err }, 'file server listener error'));
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private plain(
    res: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      'Content-Type': TEXT_TYPE,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    if (this.refused.has(req.socket))
      return this.plain(res, 503, 'too many connections from your address\n', {
        'Retry-After': String(RETRY_AFTER_S),
        Connection: 'close',
      });
    const path = requestPath(req.url);
    if (path === null || duplicateHost(req))
      return this.plain(res, 400, path === null ? 'bad request target\n' : 'more than one Host\n', {
        Connection: 'close',
      });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    // `/f/<token>` or `/f/<token>/<name>`: the name is decoration, the token finds the file.
    const m = /^\/f\/([^/]+)(?:\/[^/]*)?$/.exec(path);
    const record = m !== null && isToken(m[1]!) ? this.o.lookup(m[1]!) : undefined;
    if (record === undefined) return this.plain(res, 404, 'not found\n');
    this.serve(req, res, record);
  }

  private serve(req: IncomingMessage, res: ServerResponse, r: FileRecord): void {
    const range = parseRange(req.headers.range, r.size);
    const common: Record<string, string> = {
      'Content-Type': r.contentType === TEXT_PLAIN ? TEXT_TYPE : r.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': contentDisposition(
        servedInline(r.contentType) ? 'inline' : 'attachment',
        r.filename,
      ),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, max-age=300',
      'Referrer-Policy': 'no-referrer',
    };
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...common, 'Content-Type': TEXT_TYPE, 'Content-Range': `bytes */${r.size}` });
      res.end();
      return;
    }
    const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, r.size - 1];
    const length = r.size === 0 ? 0 : end - start + 1;
    const headers = { ...common, 'Content-Length': String(length) };
    if (range.kind === 'part') {
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${r.size}` });
    } else res.writeHead(200, headers);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(this.o.pathOf(r), { start, end });
    stream.on('error', (err) => {
      // Removed by the sweep between lookup and read, or a disk error: the response is cut.
      this.o.log.warn({ err: err.message }, 'kept file could not be read');
      res.destroy();
    });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }
}

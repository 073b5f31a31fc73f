/**
 * The HTTP file server (issue 17, docs/files.md): `GET`/`HEAD /f/<token>/<name>` serves a kept
 * file. Inside the gateway's HTTP boundary (src/read-only-http.ts, as src/ops/server.ts): a bad
 * request target or a second Host 400, other methods 405, an address over
 * `limits.connectionsPerAddress` 503. An unknown token and an expired one get the same 404, so a
 * prober learns nothing. The bytes are streamed from the disk, never read whole; one byte range
 * (RFC 9233) for big files. The type served is the one found from the content, with
 * `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, so nothing served
 * runs as a page of this origin; `Content-Disposition` (RFC 6266) is inline only for raster
 * images and plain text.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { ReadOnlyHttpServer } from '../read-only-http.js';
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
  private readonly http: ReadOnlyHttpServer;

  constructor(private readonly o: FileServerOptions) {
    this.http = new ReadOnlyHttpServer({
      name: 'file server',
      portKey: 'files.listen.port',
      host: o.host,
      port: o.port,
      requestTimeoutMs: o.requestTimeoutMs,
      log: o.log,
      limits: o.limits,
      handle: (req, res, path) => this.request(req, res, path),
    });
  }

  get listening(): boolean {
    return this.http.listening;
  }

  listen(): Promise<AddressInfo> {
    return this.http.listen();
  }

  close(): Promise<void> {
    return this.http.close();
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

  private request(req: IncomingMessage, res: ServerResponse, path: string): void {
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

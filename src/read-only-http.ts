/**
 * A GET/HEAD-only HTTP server inside the gateway's HTTP boundary (src/http-boundary.ts, issue
 * 13): the operations endpoint (src/ops/server.ts) and the file server (src/files/server.ts).
 * What both need before their own paths: a head not received within `requestTimeoutMs` is
 * answered 408 (Node's headersTimeout); an address over `limits.connectionsPerAddress` 503 with
 * Retry-After (RFC 9110 10.2.3), logged at warn with the address (throttled); a request target
 * that is not one, or a second Host, 400 (RFC 9112 3.2); methods other than GET and HEAD 405
 * (RFC 9110 15.5.6); CONNECT tunnels refused; a listen failure a ListenError naming the config key.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListenError } from './errors.js';
import { answerClientError, duplicateHost, guardRequest, requestPath } from './http-boundary.js';
import type { Logger } from './log.js';
import { ConnectionCounter, LogThrottle } from './policy/index.js';

export interface ReadOnlyHttpOptions {
  /** Says which server in log lines: `ops`, `file server`. */
  readonly name: string;
  /** The config key of the port, for a listen failure (`ops.port`, `files.listen.port`). */
  readonly portKey: string;
  readonly host: string;
  readonly port: number;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  readonly limits: { readonly connectionsPerAddress: number; readonly warnIntervalMs: number };
  /** A GET or HEAD that passed the checks, with its path (percent-encoding kept). */
  readonly handle: (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void>;
}

/** Seconds a client refused for its address is asked to wait (RFC 9110 10.2.3). */
const RETRY_AFTER_S = 10;
const TEXT_TYPE = 'text/plain; charset=utf-8';

export class ReadOnlyHttpServer {
  private readonly server: Server;
  private readonly perAddress: ConnectionCounter;
  private readonly refusals: LogThrottle;
  private readonly refused = new WeakSet<Socket>();

  constructor(private readonly o: ReadOnlyHttpOptions) {
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
    // No upgrades and no tunnels here: refused like any other request for something not served.
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
        `${this.o.name} connection refused: too many connections from this address`,
      );
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.o;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(ListenError.from(err, host, port, this.o.portKey));
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        this.server.on('error', (err) => this.o.log.error({ err }, `${this.o.name} listener error`));
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

  private request(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const plain = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': TEXT_TYPE, 'X-Content-Type-Options': 'nosniff', ...headers });
      res.end(text);
    };
    if (this.refused.has(req.socket))
      return plain(503, 'too many connections from your address\n', {
        'Retry-After': String(RETRY_AFTER_S),
        Connection: 'close',
      });
    const path = requestPath(req.url);
    if (path === null || duplicateHost(req))
      return plain(400, path === null ? 'bad request target\n' : 'more than one Host\n', {
        Connection: 'close',
      });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    return this.o.handle(req, res, path);
  }
}

/**
 * The operations endpoint's HTTP server (`ops: { host, port }`, docs/operations.md): `/health`,
 * `/ready` and `/metrics`, in the core so they exist whatever adapters run. Inside the same
 * boundary as the web adapter's server (src/http-boundary.ts, issue 13): a request target that is
 * not one or a second Host answers 400 (RFC 9112 3.2), methods other than GET and HEAD 405 (RFC
 * 9110 15.5.6), unknown paths 404, an unexpected failure 500 with a warn line; a head that does
 * not arrive within `ops.requestTimeoutMs` 408; an address over `limits.connectionsPerAddress`
 * 503 with Retry-After (RFC 9110 10.2.3), logged at warn with the address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { OpsConfig } from '../config/schema.js';
import { ListenError } from '../errors.js';
import { answerClientError, duplicateHost, guardRequest, requestPath } from '../http-boundary.js';
import type { Logger } from '../log.js';
import { ConnectionCounter, LogThrottle } from '../policy/index.js';
import type { Readiness } from './ready.js';

export interface OpsServerOptions {
  readonly config: OpsConfig;
  readonly log: Logger;
  readonly limits: { readonly connectionsPerAddress: number; readonly warnIntervalMs: number };
  /** Liveness: the gateway's state (anything but a crash answers). */
  readonly health: () => { readonly status: string; readonly state: string; readonly uptimeSeconds: number };
  readonly ready: () => Readiness;
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
}

/** Seconds a client refused for its address is asked to wait (RFC 9110 10.2.3). */
const RETRY_AFTER_S = 10;
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export class OpsServer {
  private readonly server: Server;
  private readonly perAddress: ConnectionCounter;
  private readonly refusals: LogThrottle;
  private readonly refused = new WeakSet<Socket>();

  constructor(private readonly o: OpsServerOptions) {
    const timeout = o.config.requestTimeoutMs;
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
        'ops connection refused: too many connections from this address',
      );
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.o.config;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(ListenError.from(err, host, port, 'ops.port'));
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        this.server.on('error', (err) => this.o.log.error({ err }, 'ops listener error'));
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

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.refused.has(req.socket)) {
      res.writeHead(503, {
        'Content-Type': TEXT_TYPE,
        'Retry-After': String(RETRY_AFTER_S),
        Connection: 'close',
      });
      res.end('too many connections from your address\n');
      return;
    }
    const path = requestPath(req.url);
    if (path === null || duplicateHost(req)) {
      res.writeHead(400, { 'Content-Type': TEXT_TYPE, Connection: 'close' });
      res.end(path === null ? 'bad request target\n' : 'more than one Host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (path) {
      case '/health':
        return send(200, JSON_TYPE, JSON.stringify(this.o.health()));
      case '/ready': {
        const r = this.o.ready();
        return send(r.ready ? 200 : 503, JSON_TYPE, JSON.stringify(r));
      }
      case '/metrics': {
        const m = await this.o.metrics();
        return send(200, m.contentType, m.text);
      }
      default:
        send(404, TEXT_TYPE, 'not found\n');
    }
  }
}

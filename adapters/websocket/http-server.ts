/**
 * The adapter's HTTP server: the page at `/`, `/health`, Prometheus `/metrics` and the WebSocket
 * endpoint (default `/ws`) on one port. The upgrade checks the Origin against the allow-list
 * before anything else (RFC 6455 10.2: a server that only serves its own pages must refuse other
 * origins; browsers always send Origin, other programs need not).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type Server as WsServer } from 'ws';
import {
  ConnectionCounter,
  ListenError,
  LogThrottle,
  type AdapterListenerLimits,
  type Logger,
} from '../../src/index.js';
import type { WebSocketConfig } from './config.js';
import {
  answerClientError,
  duplicateHost,
  guardRequest,
  guardUpgrade,
  refuseUpgrade,
  requestPath,
  upgraded,
} from './http-boundary.js';
import type { WebMetrics } from './metrics.js';
import type { PageAssets } from './page-build.js';
import { SessionSocket } from './session-socket.js';
import { UPLOAD_PATH, type UploadHandler } from './upload.js';

export interface WebServerOptions {
  readonly config: WebSocketConfig;
  readonly assets: PageAssets | null;
  readonly metrics: WebMetrics | null;
  readonly health: () => { readonly ok: boolean; readonly body: unknown };
  /** Where a request that failed unexpectedly is reported (warn). */
  readonly log: Logger;
  /** Whether another connection may open now (connection limit). */
  readonly admit: () => boolean;
  readonly onConnection: (ws: SessionSocket, req: IncomingMessage) => void;
  /** Connections per remote address (issue 13); absent = not enforced. */
  readonly limits?: AdapterListenerLimits;
  /** Issue 17: `POST /upload` (upload.ts); absent = 404. */
  readonly upload?: UploadHandler;
  /** Issue 17: origins the page may show images from (the file store's), for img-src. */
  readonly imageOrigins?: () => readonly string[];
}

/** Seconds a client refused for its address is asked to wait (RFC 9110 10.2.3). */
const RETRY_AFTER_S = 10;
/** A refused connection that sends no request within this long is closed. */
const REFUSED_GRACE_MS = 2000;

/** The page's policy; `img` adds the file store's origin (issue 17: previews of attachments). */
function contentSecurityPolicy(img: readonly string[]): string {
  const images = ["'self'", 'data:', ...img].join(' ');
  return `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src ${images}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** Same origin (the Origin's host is the Host the browser asked for), listed, or no Origin. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  const o = origin.toLowerCase().replace(/\/+$/, '');
  if (allowed.includes('*') || allowed.some((a) => a.toLowerCase().replace(/\/+$/, '') === o)) return true;
  try {
    return host !== undefined && new URL(o).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export class WebServer {
  private readonly server: Server;
  private readonly perAddress: ConnectionCounter | null;
  private readonly refusals: LogThrottle;
  /** Connections over their address's limit: every request on them is answered 503. */
  private readonly refused = new WeakSet<Socket>();
  private readonly wss: WsServer<typeof SessionSocket>;
  /** The page, told where the WebSocket endpoint is. */
  private readonly html: string | null;

  constructor(private readonly o: WebServerOptions) {
    this.wss = new WebSocketServer<typeof SessionSocket>({
      noServer: true,
      // Each connection's events go to its Session without listeners of its own (issue 18).
      WebSocket: SessionSocket,
      // RFC 6455 7.4.1: larger frames close the connection with 1009.
      maxPayload: o.config.limits.maxFrameBytes,
      perMessageDeflate: false,
      // Pings are answered by Session.answerPing (RFC 6455 5.5.3: the most recent of a burst).
      autoPong: false,
      clientTracking: false,
    });
    this.html = o.assets === null ? null : o.assets.html.replace('__WS_PATH__', o.config.http.path);
    // Every request and upgrade runs inside the boundary (http-boundary.ts).
    const { headersTimeoutMs, requestTimeoutMs } = o.config.http;
    this.server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        // Node looks for expired requests this often (default 30 s, longer than the timeouts).
        connectionsCheckingInterval: Math.max(100, Math.min(30_000, headersTimeoutMs / 2)),
      },
      guardRequest(o.log, (req, res) => this.request(req, res)),
    );
    this.server.on(
      'upgrade',
      guardUpgrade(o.log, (req, socket, head) => this.upgrade(req, socket, head)),
    );
    // RFC 9110 9.3.6: CONNECT asks for a tunnel this server does not offer. Without a listener
    // Node would drop the connection without an answer.
    this.server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
      refuseUpgrade(socket, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' }),
    );
    this.perAddress = o.limits === undefined ? null : new ConnectionCounter(o.limits.connectionsPerAddress);
    this.refusals = new LogThrottle(o.limits?.warnIntervalMs ?? 10_000);
    this.server.on(
      'clientError',
      answerClientError(o.log, new LogThrottle(o.limits?.warnIntervalMs ?? 10_000)),
    );
    if (this.perAddress !== null) this.server.on('connection', (socket: Socket) => this.count(socket));
  }

  /**
   * Issue 13: one address cannot take every connection. Counted per TCP connection (keep-alive
   * requests and WebSockets alike); one over the limit is not counted, answers its request 503
   * with Retry-After (RFC 9110 15.6.4) before any upgrade, and is closed.
   */
  private count(socket: Socket): void {
    if (this.perAddress === null || this.perAddress.hold(socket)) return;
    this.refused.add(socket);
    const suppressed = this.refusals.allow();
    if (suppressed >= 0)
      this.o.log.warn(
        { ip: socket.remoteAddress, limit: this.perAddress?.maxPerAddress, suppressed },
        'http connection refused: too many connections from this address',
      );
    setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
  }

  private tooMany(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.o.config.http;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(ListenError.from(err, host, port, 'http.port'));
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.tooMany(req.socket))
      return refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': String(RETRY_AFTER_S) });
    const path = requestPath(req.url);
    if (path === null || duplicateHost(req)) return refuseUpgrade(socket, 400, 'Bad Request');
    if (path !== this.o.config.http.path) return refuseUpgrade(socket, 404, 'Not Found');
    if (!originAllowed(req.headers.origin, req.headers.host, this.o.config.http.allowedOrigins))
      return refuseUpgrade(socket, 403, 'Forbidden');
    if (!this.o.admit()) return refuseUpgrade(socket, 503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded(socket);
      this.o.onConnection(ws, req);
    });
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.tooMany(req.socket)) {
      res.writeHead(503, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Retry-After': String(RETRY_AFTER_S),
        Connection: 'close',
      });
      res.end('too many connections from your address\n');
      return;
    }
    const path = requestPath(req.url);
    if (path === null || duplicateHost(req)) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(path === null ? 'bad request target\n' : 'more than one Host\n');
      return;
    }
    if (path === UPLOAD_PATH && this.o.upload !== undefined) {
      // Issue 17: as for the WebSocket, a browser on another origin may not upload (RFC 6454).
      if (!originAllowed(req.headers.origin, req.headers.host, this.o.config.http.allowedOrigins)) {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end('forbidden origin\n');
        return;
      }
      return this.o.upload.handle(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (status: number, type: string, body: string): void => {
      const csp = contentSecurityPolicy(this.o.imageOrigins?.() ?? []);
      res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': csp, ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const a = this.o.assets;
    if (this.html !== null && (path === '/' || path === '/index.html'))
      return send(200, 'text/html; charset=utf-8', this.html);
    if (a !== null && path === '/app.js') return send(200, 'text/javascript; charset=utf-8', a.js);
    if (a !== null && path === '/style.css') return send(200, 'text/css; charset=utf-8', a.css);
    if (path === '/health') {
      const h = this.o.health();
      return send(h.ok ? 200 : 503, 'application/json', JSON.stringify(h.body));
    }
    if (path === '/metrics' && this.o.metrics !== null) {
      const registry = this.o.metrics.registry;
      return send(200, registry.contentType, await registry.metrics());
    }
    send(404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

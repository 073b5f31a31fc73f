/**
 * The operations endpoint's HTTP server (`ops: { host, port }`, docs/operations.md): `/health`,
 * `/ready` and `/metrics`, in the core so they exist whatever adapters run. Inside the same
 * boundary as the web adapter's server (src/http-boundary.ts, issue 13): a request target that is
 * not one or a second Host answers 400 (RFC 9112 3.2), methods other than GET and HEAD 405 (RFC
 * 9110 15.5.6), unknown paths 404, an unexpected failure 500 with a warn line; a head that does
 * not arrive within `ops.requestTimeoutMs` 408; an address over `limits.connectionsPerAddress`
 * 503 with Retry-After (RFC 9110 10.2.3), logged at warn with the address: those checks are
 * src/read-only-http.ts's, shared with the file server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpsConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { ReadOnlyHttpServer } from '../read-only-http.js';
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

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export class OpsServer {
  private readonly http: ReadOnlyHttpServer;

  constructor(private readonly o: OpsServerOptions) {
    this.http = new ReadOnlyHttpServer({
      name: 'ops',
      portKey: 'ops.port',
      host: o.config.host,
      port: o.config.port,
      requestTimeoutMs: o.config.requestTimeoutMs,
      log: o.log,
      limits: o.limits,
      handle: (req, res, path) => this.request(req, res, path),
    });
  }

  listen(): Promise<AddressInfo> {
    return this.http.listen();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async request(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
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

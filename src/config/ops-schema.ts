/** The `ops:` section, split from schema.ts (issue 14, docs/operations.md). */
import { z } from 'zod';
import { port, host, positiveInt } from './fields.js';

/**
 * The operations endpoint (docs/operations.md): `/health`, `/ready` and `/metrics` over plain
 * HTTP, served by the core whatever adapters run. Loopback by default: metrics name accounts,
 * peers and adapters, so expose it only to the monitoring network. 9464 is the port commonly
 * used by Prometheus exporters, clear of the hub (7410/7411), the web page (8080) and SMTP (2525).
 */
export const opsSchema = z
  .strictObject({
    /** Serve the operations endpoint. */
    enabled: z.boolean().prefault(true).describe('serve /health, /ready and /metrics'),
    /** Address to listen on. */
    host: host
      .prefault('127.0.0.1')
      .describe('address the operations endpoint listens on (loopback by default)'),
    /** TCP port; 0 picks a free one (tests). */
    port: port.prefault(9464).describe('TCP port of the operations endpoint; 0 picks a free one'),
    /** A request whose head (or whole request) takes longer is answered 408 and closed. */
    requestTimeoutMs: positiveInt
      .prefault(10000)
      .describe('a request not received completely within this many milliseconds is answered 408'),
  })
  .describe('operations endpoint: health, readiness and Prometheus metrics (docs/operations.md)');

/**
 * The operations endpoint as a part of the gateway (docs/operations.md): built by createGateway
 * from the states it already holds, started first (so `/health` answers while adapters connect
 * and `/ready` says what is still missing) and stopped last.
 */
import type { AdapterHealth } from '../adapter.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Federation } from '../federation/federation.js';
import { component, type Logger } from '../log.js';
import type { GatewayMetrics } from '../metrics.js';
import { readiness, type GatewayState, type ListenerState, type Readiness } from './ready.js';
import { OpsServer } from './server.js';

export interface OpsOptions {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly state: () => GatewayState;
  readonly listeners: () => readonly ListenerState[];
  readonly adapters: () => readonly AdapterHealth[];
  readonly federation: Federation;
}

export interface Ops {
  /** Where `/health`, `/ready` and `/metrics` are served, once started. */
  readonly address: { host: string; port: number } | undefined;
  /** What `/ready` answers. */
  ready(): Readiness;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOps(o: OpsOptions): Ops {
  const log = component(o.log, 'ops');
  const startedAt = Date.now();
  const ready = (): Readiness =>
    readiness({
      gateway: o.state(),
      listeners: o.listeners(),
      adapters: o.adapters(),
      peers: o.federation.links().filter((p) => p.kind === 'static'),
    });
  const server = new OpsServer({
    config: o.config.ops,
    log,
    limits: {
      connectionsPerAddress: o.config.limits.connectionsPerAddress,
      warnIntervalMs: o.config.limits.warnIntervalMs,
    },
    health: () => ({
      status: 'ok',
      state: o.state(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    }),
    ready,
    metrics: async () => ({ contentType: o.metrics.contentType, text: await o.metrics.text() }),
  });
  let address: { host: string; port: number } | undefined;
  return {
    get address() {
      return address;
    },
    ready,
    async start() {
      const bound = await server.listen();
      address = { host: bound.address, port: bound.port };
      log.info(address, 'operations endpoint listening (/health, /ready, /metrics)');
    },
    async stop() {
      await server.close();
    },
  };
}

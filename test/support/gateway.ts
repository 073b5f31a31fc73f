/**
 * A real gateway for integration tests: createGateway() with hub listeners on free loopback
 * ports, accounts alice and bob (password = user name) under the domain `gw.test` unless the
 * test says otherwise, and log lines captured for assertions.
 */
import { Writable } from 'node:stream';
import type { AdapterDefinition } from '../../src/adapter.js';
import { checkConfig } from '../../src/config/load.js';
import { adapterChecks } from '../../src/config/adapter-config.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { connectHub, type HubClient, type HubClientOptions } from '../../src/hub/client.js';
import type { Answer } from '../../src/protocol/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { createRootLogger } from '../../src/log.js';
import { stopAfterEach } from './stop-after.js';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  readonly imtp: { host: string; port: number };
  readonly pitp: { host: string; port: number };
  /** Log lines so far, parsed. */
  logs(): Record<string, unknown>[];
  /** A hub client logged in with PLAIN as `user` (password = user name unless given). */
  client(
    user: string,
    protocol?: 'imtp' | 'pitp',
    onCommand?: (c: CommandFrame) => Answer | Promise<Answer>,
    extra?: Partial<HubClientOptions>,
  ): Promise<HubClient>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly domain?: string;
  /** Merged over the defaults (top-level keys replace). */
  readonly config?: Record<string, unknown>;
  readonly adapterDefinitions?: readonly AdapterDefinition<never>[];
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn';
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const domain = options.domain ?? 'gw.test';
  const raw = {
    gateway: { domains: [domain] },
    log: { level: options.logLevel ?? 'debug' },
    hub: {
      imtp: { host: '127.0.0.1', port: 0 },
      pitp: { host: '127.0.0.1', port: 0 },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: ['alice', 'bob', 'carol'].map((u) => ({
        user: u,
        password: u,
        identities: [`im:${u}@${domain}`, `pres:${u}@${domain}`],
      })),
    },
    // The operations endpoint on a free port: gateways of parallel tests never meet on 9464.
    ops: { host: '127.0.0.1', port: 0 },
    files: { listen: { host: '127.0.0.1', port: 0 } },
    // Issue 15: a store in memory, gone with the gateway; a test about restarts passes its own
    // `storage` (a file in a temporary folder).
    storage: { backend: 'sqlite', path: ':memory:' },
    ...options.config,
  };
  // Each adapter's section is checked by its own definition, as src/main.ts does.
  const adapterTypes = adapterChecks(options.adapterDefinitions ?? []);
  const config = checkConfig(raw, 'test', { env: {}, adapterTypes });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createRootLogger({ level: config.log.level, destination: stream });
  const gateway = createGateway(config, {
    log,
    ...(options.adapterDefinitions ? { adapterDefinitions: options.adapterDefinitions } : {}),
  });
  await gateway.start();
  const clients = new Set<HubClient>();
  const imtp = gateway.addresses.imtp!;
  const pitp = gateway.addresses.pitp!;
  return {
    gateway,
    config,
    imtp,
    pitp,
    logs: () =>
      lines
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async client(user, protocol = 'imtp', onCommand, extra = {}) {
      const at = protocol === 'imtp' ? imtp : pitp;
      const c = await connectHub({
        host: at.host,
        port: at.port,
        protocol,
        sasl: { mechanism: 'PLAIN', user, password: user },
        ...(onCommand ? { onCommand } : {}),
        ...extra,
      });
      clients.add(c);
      return c;
    },
    async stop() {
      await Promise.all([...clients].map((c) => c.close().catch(() => undefined)));
      await gateway.stop(2000);
    },
  };
}

/** startTestGateway, each gateway stopped after its test. */
export const useTestGateways = () => stopAfterEach(startTestGateway);

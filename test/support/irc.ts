/**
 * The IRC fixture: one real ngircd per test file (started in beforeAll, stopped by PID in
 * afterAll; two cores, so not one per test), gateways with the IRC adapter bridging `#dev` into
 * the room im:dev@gw.test, and plain IRC users. After each test the users quit, the gateways
 * stop, and the fixture waits until the server has no clients left, so that the next test finds
 * the nicks free. A test that kills the server gets a fresh one on the same port before the next.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { useTestCerts, type TestCerts } from './certs.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { ircUser, type IrcUser } from './irc-user.js';
import { sleep } from './net.js';
import { startNgircd, type Ngircd } from './ngircd.js';

export { ircUser, type IrcUser } from './irc-user.js';
export type { Ngircd } from './ngircd.js';

/** The test room: IRC `#dev` and the hub user carol. */
export const DEV_ROOM = {
  name: 'dev',
  address: 'im:dev@gw.test',
  members: ['im:%23dev@irc.test', 'im:carol@gw.test'],
} as const;

/** The adapter's entry in the gateway config, for the test network. */
export function ircAdapterConfig(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'irc',
    id: 'irc-test',
    domain: 'irc.test',
    server: { host: '127.0.0.1', port, tls: false },
    nick: 'gwbot',
    // Paced, but fast: ngircd has penalties off (docs/testing.md).
    flood: { enabled: true, burst: 200, linesPerSecond: 20000 },
    reconnect: { minDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 },
    startTimeoutMs: 5000,
    presence: { debounceMs: 0, pollMs: 200 },
    ...extra,
  };
}

export interface IrcGatewayOptions {
  /** Merged over the IRC adapter's entry (which bridges `#dev` into DEV_ROOM). */
  readonly irc?: Record<string, unknown>;
  /** More adapters' entries, after the IRC one, and their definitions. */
  readonly adapters?: readonly Record<string, unknown>[];
  readonly adapterDefinitions?: readonly AdapterDefinition<never>[];
  /** The gateway's rooms; DEV_ROOM when not given. */
  readonly rooms?: readonly unknown[];
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn';
  /** More top-level configuration (limits, hub, ...), merged over the above. */
  readonly config?: Record<string, unknown>;
}

/** A gateway with the IRC adapter on the IRC server at `port` (`#dev` bridged into DEV_ROOM). */
export function startIrcGateway(port: number, g: IrcGatewayOptions = {}): Promise<TestGateway> {
  return startTestGateway({
    adapterDefinitions: [ircAdapter as never, ...(g.adapterDefinitions ?? [])],
    logLevel: g.logLevel ?? 'warn',
    config: {
      adapters: [
        ircAdapterConfig(port, { channels: [{ name: '#dev', room: DEV_ROOM.address }], ...g.irc }),
        ...(g.adapters ?? []),
      ],
      rooms: g.rooms ?? [DEV_ROOM],
      ...g.config,
    },
  });
}

export interface IrcSuite {
  /** The running server (a fresh one after restart()). */
  readonly server: Ngircd;
  /** The test CA and server certificate, when the suite runs ngircd with TLS. */
  readonly certs: TestCerts;
  /** A gateway with the IRC adapter on this server; stopped after the test. */
  gateway(o?: IrcGatewayOptions): Promise<TestGateway>;
  /** A registered IRC user on this server; quits after the test. */
  user(nick: string): Promise<IrcUser>;
  /** After `server.kill()`: a fresh server on the same port(s). */
  restart(): Promise<Ngircd>;
}

/** Registers the suite's hooks; call at the top of a test file or describe block. */
export function useIrcServer(o: { tls?: boolean; nickLength?: number } = {}): IrcSuite {
  let server: Ngircd | undefined;
  const certsOf = o.tls ? useTestCerts() : undefined;
  const users: IrcUser[] = [];
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    const certs = certsOf?.();
    server = await startNgircd({
      ...(certs ? { tls: { certPath: certs.server.certPath, keyPath: certs.server.keyPath } } : {}),
      ...(o.nickLength === undefined ? {} : { nickLength: o.nickLength }),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    if (server && !server.alive()) server = await server.restart();
  });
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    for (const g of gateways.splice(0)) await g.stop();
    if (server?.alive()) await untilEmpty(server.port);
  });
  const suite: IrcSuite = {
    get server() {
      return server!;
    },
    get certs() {
      if (!certsOf) throw new Error('useIrcServer({ tls: true }) makes certificates');
      return certsOf();
    },
    async gateway(g = {}) {
      const gw = await startIrcGateway(server!.port, g);
      gateways.push(gw);
      return gw;
    },
    async user(nick) {
      const u = await ircUser(server!.port, nick);
      users.push(u);
      return u;
    },
    async restart() {
      server = await server!.restart();
      return server;
    },
  };
  return suite;
}

/** Waits until a probe user is alone on the server (LUSERS, RFC 2812 3.4.2: reply 251). */
async function untilEmpty(port: number, timeoutMs = 3000): Promise<void> {
  const probe = await ircUser(port, `probe${process.pid % 10000}`);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [line] = await probe.ask('LUSERS', / 251 /, / 251 /);
      const users = Number(/There are (\d+) users/.exec(line ?? '')?.[1] ?? NaN);
      if (users <= 1) return;
      if (Date.now() > until) throw new Error(`ngircd still has ${users - 1} clients after the test`);
      await sleep(20);
    }
  } finally {
    await probe.quit();
  }
}

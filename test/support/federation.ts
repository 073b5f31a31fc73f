/**
 * Gateways for federation tests: startTestGateway() (accounts alice, bob, carol with password =
 * user name) plus peer accounts, static peers, rooms and TLS listeners made from
 * test/support/certs.ts. Ports are 0 unless given (a restart reuses the old ones).
 */
import { afterEach } from 'vitest';
import { useTestCerts, type TestCerts } from './certs.js';
import { startTestGateway, type TestGateway } from './gateway.js';

export interface PeerAccount {
  readonly user: string;
  readonly password?: string;
  readonly peerDomain: string;
}

export interface FedGatewaySpec {
  readonly domain: string;
  readonly visitedToken?: string;
  readonly ports?: { readonly imtp: number; readonly pitp: number };
  /** TLS on both listeners (server certificate for localhost/127.0.0.1, client certs asked for). */
  readonly certs?: TestCerts;
  /** Client accounts (password = name); default alice, bob, carol. */
  readonly clients?: readonly string[];
  readonly peerAccounts?: readonly PeerAccount[];
  readonly peers?: readonly Record<string, unknown>[];
  readonly rooms?: readonly Record<string, unknown>[];
  readonly federation?: Record<string, unknown>;
  /** The `limits:` section (issue 19: per-peer bounds). */
  readonly limits?: Record<string, unknown>;
  /** Merged over `hub.limits` (issue 19: a small command window). */
  readonly hubLimits?: Record<string, unknown>;
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn';
}

export function fedGateway(spec: FedGatewaySpec): Promise<TestGateway> {
  const d = spec.domain;
  const tls = spec.certs && {
    cert: spec.certs.server.certPath,
    key: spec.certs.server.keyPath,
    ca: spec.certs.ca.certPath,
    requestClientCert: true,
  };
  const listener = (port: number) => ({ host: '127.0.0.1', port, ...(tls ? { tls } : {}) });
  return startTestGateway({
    domain: d,
    logLevel: spec.logLevel ?? 'debug',
    config: {
      gateway: { domains: [d], ...(spec.visitedToken ? { visitedToken: spec.visitedToken } : {}) },
      hub: {
        imtp: listener(spec.ports?.imtp ?? 0),
        pitp: listener(spec.ports?.pitp ?? 0),
        sasl: { mechanisms: ['PLAIN', 'EXTERNAL'], allowPlainWithoutTls: true },
        ...(spec.hubLimits ? { limits: spec.hubLimits } : {}),
        accounts: [
          ...(spec.clients ?? ['alice', 'bob', 'carol']).map((u) => ({
            user: u,
            password: u,
            identities: [`im:${u}@${d}`, `pres:${u}@${d}`],
          })),
          ...(spec.peerAccounts ?? []),
        ],
      },
      peers: spec.peers ?? [],
      rooms: spec.rooms ?? [],
      federation: { reconnect: { initialDelayMs: 50, maxDelayMs: 400 }, ...spec.federation },
      ...(spec.limits ? { limits: spec.limits } : {}),
    },
  });
}

/** A `peers:` entry for `gw`, authenticating with PLAIN as `user` (or EXTERNAL with a client cert). */
export function peerEntry(
  domains: readonly string[],
  gw: { imtp: { port: number }; pitp: { port: number } },
  auth: { user: string; password: string } | { external: 'alice' | 'bob' },
  certs?: TestCerts,
): Record<string, unknown> {
  const tls = certs && {
    ca: certs.ca.certPath,
    ...('external' in auth ? { cert: certs[auth.external].certPath, key: certs[auth.external].keyPath } : {}),
  };
  return {
    domains,
    host: '127.0.0.1',
    ports: { imtp: gw.imtp.port, pitp: gw.pitp.port },
    ...(tls ? { tls } : {}),
    sasl: 'external' in auth ? { mechanism: 'EXTERNAL' } : { mechanism: 'PLAIN', ...auth },
  };
}

export interface FederationSuite {
  /** The test CA and certificates, when the suite runs with TLS. */
  readonly certs: TestCerts;
  /** A gateway (with the suite's certificates, if any); stopped after the test. */
  start(spec: FedGatewaySpec): Promise<TestGateway>;
  /** Stops `g` now (a peer that goes away in the middle of a test). */
  stop(g: TestGateway): Promise<void>;
}

/**
 * The federation fixture: gateways linked over loopback TCP, each stopped after its test; with
 * `tls`, one set of test certificates for the whole file.
 */
export function useFederation(o: { tls?: boolean } = {}): FederationSuite {
  const certsOf = o.tls ? useTestCerts() : undefined;
  const running = new Set<TestGateway>();
  afterEach(async () => {
    await Promise.all([...running].map((g) => g.stop()));
    running.clear();
  });
  return {
    get certs() {
      if (!certsOf) throw new Error('useFederation({ tls: true }) makes certificates');
      return certsOf();
    },
    async start(spec) {
      const g = await fedGateway({ ...(certsOf ? { certs: certsOf() } : {}), ...spec });
      running.add(g);
      return g;
    },
    async stop(g) {
      running.delete(g);
      await g.stop();
    },
  };
}

/** Calls `fn` until it returns true, at most `tries` times `everyMs` apart. */
export async function eventually(
  fn: () => boolean | Promise<boolean>,
  tries = 100,
  everyMs = 20,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('condition not met in time');
}

/**
 * Gateway configurations of the benchmarks (raw, as gateway.config.yaml would hold them; the
 * gateway child checks them with checkConfig). Loopback only, free ports, log level `warn`.
 */

/** Relay limits: the benchmark keeps up to WINDOW sends unanswered, within maxOutstandingCommands. */
export const WINDOW = 1024;
const LIMITS = { maxOutstandingCommands: 4096 };

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

function accounts(domain: string, users: readonly string[]): Record<string, unknown>[] {
  return users.map((u) => ({
    user: u,
    password: u,
    identities: [`im:${u}@${domain}`, `pres:${u}@${domain}`],
  }));
}

/**
 * A single gateway for `domain` with accounts alice, bob and carol (password = name), plus
 * `load`, which may speak for every identity of the domain (many watchers from few accounts).
 */
export function gatewayConfig(
  domain: string,
  extra: {
    tls?: TlsFiles;
    peerAccounts?: readonly Record<string, unknown>[];
    peers?: readonly Record<string, unknown>[];
  } = {},
): Record<string, unknown> {
  const listener = {
    host: '127.0.0.1',
    port: 0,
    ...(extra.tls ? { tls: { cert: extra.tls.cert, key: extra.tls.key } } : {}),
  };
  return {
    gateway: { domains: [domain] },
    log: { level: 'warn' },
    hub: {
      imtp: listener,
      pitp: listener,
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: [
        ...accounts(domain, ['alice', 'bob', 'carol']),
        { user: 'load', password: 'load', identities: [`im:*@${domain}`, `pres:*@${domain}`] },
        ...(extra.peerAccounts ?? []),
      ],
      limits: LIMITS,
    },
    // The per-sender check stays on the relay path (its cost is measured), its rate out of the way;
    // every load client connects from 127.0.0.1, so the per-address limit is raised too.
    limits: { perSender: { messagesPerSecond: 1e9, burst: 1e9 }, connectionsPerAddress: 100_000 },
    peers: extra.peers ?? [],
    // The load generator's one sender stands for the many users of a real peer link: its share
    // of the link (issue 19, federation.perSourceOutstanding) is the whole window, so the
    // per-source bookkeeping is measured and nothing is refused.
    federation: { perSourceOutstanding: LIMITS.maxOutstandingCommands },
    ops: { host: '127.0.0.1', port: 0 },
    // The file server (issue 17) is on by default on 8090: a free port, so that two gateways of
    // one run (federation) can both start.
    files: { listen: { host: '127.0.0.1', port: 0 } },
    // Nothing kept (as before issue 15), so that these figures compare with earlier runs and two
    // gateways of one run never share ./data; bench/store.ts measures the store on and off.
    storage: { backend: 'none' },
  };
}

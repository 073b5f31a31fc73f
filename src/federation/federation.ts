/**
 * The routing table for foreign domains (docs/architecture.md part 2): a destination domain is served
 * here or by an adapter (the router knows those), else by a peer gateway: first the static
 * `peers:` table, then, when `federation.dns.enabled`, the server DNS names (draft §6.3, part 3
 * row 2; RFC 3861 §4/§6, docs/cpim.md rows 39, 54, 55; srv.ts). Each peer is one router Endpoint
 * (`domain` = the peer's domain) over two pooled links, IMTP and PITP (link.ts).
 *
 *   const fed = new Federation({ config, log });
 *   new Router({ ..., routes: fed.route, minStrength: fed.minStrength });
 *   await fed.start(); ... await fed.stop(2000);
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { GatewayConfig, PeerConfig, PeerSaslConfig, PeerTlsConfig } from '../config/schema.js';
import { connectHub, HubClientError, type ClientTlsOptions, type HubClientSasl } from '../hub/client.js';
import type { Protocol, Strength } from '../protocol/index.js';
import { component, type Logger } from '../log.js';
import type { Endpoint } from '../router/index.js';
import { nodeDnsLookup } from './dns.js';
import { DialError, PeerLink, type Dial, type LinkState } from './link.js';
import { discoverTargets, isFqdn, SERVER_SERVICE, type DnsLookup } from './srv.js';

export interface FederationOptions {
  readonly config: GatewayConfig;
  readonly log: Logger;
  /** DNS questions; default node:dns over `federation.dns.servers`. */
  readonly lookup?: DnsLookup;
  /** [0, 1) for RFC 2782 weights and backoff jitter; injected by tests. */
  readonly random?: () => number;
}

export interface PeerStatus {
  readonly peer: string;
  readonly kind: 'static' | 'dns';
  readonly imtp: LinkState;
  readonly pitp: LinkState;
}

/** A peer's two links: state and connection attempts failed since the last success. */
export interface PeerLinks {
  readonly peer: string;
  readonly kind: 'static' | 'dns';
  readonly imtp: { readonly state: LinkState; readonly failures: number };
  readonly pitp: { readonly state: LinkState; readonly failures: number };
}

interface Peer {
  readonly name: string;
  readonly kind: 'static' | 'dns';
  readonly endpoint: Endpoint;
  readonly links: Record<Protocol, PeerLink>;
  readonly minStrength: Strength | undefined;
}

/** Discovered peers kept at most; idle ones are forgotten first. */
const MAX_DISCOVERED = 256;

async function readTls(config: PeerTlsConfig | undefined): Promise<ClientTlsOptions | undefined> {
  if (config === undefined) return undefined;
  const read = async (path: string | undefined, what: string) => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (e) {
      throw new Error(
        `cannot read the peer TLS ${what} file ${path} (${(e as { code?: string }).code ?? 'error'})`,
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    read(config.ca, 'CA'),
    read(config.cert, 'certificate'),
    read(config.key, 'key'),
  ]);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(config.servername === undefined ? {} : { servername: config.servername }),
    rejectUnauthorized: config.verify,
  };
}

function saslOf(s: PeerSaslConfig): HubClientSasl {
  return s.mechanism === 'PLAIN'
    ? { mechanism: 'PLAIN', user: s.user, password: s.password }
    : s.authzid === undefined
      ? { mechanism: 'EXTERNAL' }
      : { mechanism: 'EXTERNAL', authzid: s.authzid };
}

export class Federation {
  private config: GatewayConfig;
  private rooms: { config: GatewayConfig | null; set: ReadonlySet<string> } = {
    config: null,
    set: new Set(),
  };
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly ownDomain: string;
  private staticPeers = new Map<string, Peer>();
  /** Each static peer by its configuration (as JSON): a reload keeps the links of unchanged ones. */
  private byConfig = new Map<string, Peer>();
  private readonly discovered = new Map<string, Peer>();
  private readonly tls = new Map<PeerTlsConfig, ClientTlsOptions | undefined>();
  private lookupImpl: DnsLookup | undefined;
  private stopped = false;

  constructor(options: FederationOptions) {
    this.config = options.config;
    this.log = component(options.log, 'federation');
    this.random = options.random ?? Math.random;
    this.ownDomain = options.config.gateway.visitedToken ?? options.config.gateway.domains[0]!;
    this.lookupImpl = options.lookup;
    for (const p of options.config.peers) {
      const peer = this.staticPeer(p);
      this.byConfig.set(JSON.stringify(p), peer);
      for (const d of p.domains) this.staticPeers.set(d, peer);
    }
  }

  private staticPeer(p: PeerConfig): Peer {
    return this.makePeer(p.domains[0]!, 'static', p.minStrength, (protocol) => this.staticDial(p, protocol));
  }

  /**
   * A reload's `peers:` (docs/operations-reload.md), in two steps: this reads the TLS files of
   * new and changed peers and throws when one cannot be read, changing nothing; the function it
   * returns swaps the table. A peer whose entry is unchanged keeps its links; a removed or
   * changed one has its links closed gracefully (outstanding commands answered, at most
   * `deadlineMs`); new ones connect on their first command, as at start. `config` (the whole
   * new configuration) also gives new links the new `hub.limits`.
   */
  async preparePeers(config: GatewayConfig): Promise<(deadlineMs: number) => Promise<string[]>> {
    const fresh = config.peers.filter((p) => !this.byConfig.has(JSON.stringify(p)));
    const material = new Map<PeerTlsConfig, ClientTlsOptions | undefined>();
    for (const p of fresh) if (p.tls !== undefined) material.set(p.tls, await readTls(p.tls));
    return async (deadlineMs) => {
      for (const [t, m] of material) this.tls.set(t, m);
      this.config = config;
      const byConfig = new Map<string, Peer>();
      const staticPeers = new Map<string, Peer>();
      for (const p of config.peers) {
        const key = JSON.stringify(p);
        const peer = this.byConfig.get(key) ?? this.staticPeer(p);
        byConfig.set(key, peer);
        for (const d of p.domains) staticPeers.set(d, peer);
      }
      const kept = new Set(byConfig.values());
      const gone = [...this.byConfig.values()].filter((p) => !kept.has(p));
      const changes = [
        ...gone.map((p) => `peer ${p.name} removed`),
        ...fresh.map((p) => `peer ${p.domains[0]!} added`),
      ];
      this.byConfig = byConfig;
      this.staticPeers = staticPeers;
      await Promise.all(
        gone.flatMap((p) => [p.links.imtp.close(deadlineMs), p.links.pitp.close(deadlineMs)]),
      );
      return changes;
    };
  }

  /** RouterOptions.routes: the peer serving `domain`, or null (the router answers target-not-found). */
  readonly route = (domain: string): Endpoint | null => {
    const d = domain.toLowerCase();
    const p = this.staticPeers.get(d);
    if (p !== undefined) return p.endpoint;
    if (!this.config.federation.dns.enabled || this.stopped || !isFqdn(d)) return null;
    return this.discoveredPeer(d).endpoint;
  };

  /** RouterOptions.minStrength: the route's minimum Astrength (draft §11.4 MAY, row 29). */
  readonly minStrength = (domain: string): Strength | undefined => {
    const d = domain.toLowerCase();
    const p = this.staticPeers.get(d) ?? this.discovered.get(d);
    return p?.minStrength;
  };

  /** This gateway's room addresses (lower-case), recomputed when a reload brings another config. */
  private roomAddresses(): ReadonlySet<string> {
    if (this.rooms.config !== this.config)
      this.rooms = {
        config: this.config,
        set: new Set(this.config.rooms.map((r) => r.address.trim().toLowerCase())),
      };
    return this.rooms.set;
  }

  /** Reads the TLS files of every peer, so a missing file stops the start, not a later send. */
  async start(): Promise<void> {
    // Issue 19: without TLS, the PLAIN password of the link (and every message) crosses in clear.
    for (const p of this.config.peers)
      if (p.tls === undefined)
        this.log.warn(
          { peer: p.domains[0], host: p.host },
          'peer link without TLS: its SASL PLAIN password and all its traffic go in clear (set peers[].tls)',
        );
    const dns = this.config.federation.dns;
    if (dns.enabled && dns.tls === undefined)
      this.log.warn(
        {},
        'links to discovered peers without TLS: their SASL PLAIN password and all traffic go in clear (set federation.dns.tls)',
      );
    const all = [...this.config.peers.map((p) => p.tls), this.config.federation.dns.tls];
    for (const t of all) if (t !== undefined && !this.tls.has(t)) this.tls.set(t, await readTls(t));
  }

  /** Closes every link, each after its outstanding commands are answered or `deadlineMs` passed. */
  async stop(deadlineMs = 5000): Promise<void> {
    this.stopped = true;
    const peers = new Set([...this.staticPeers.values(), ...this.discovered.values()]);
    await Promise.all(
      [...peers].flatMap((p) => [p.links.imtp.close(deadlineMs), p.links.pitp.close(deadlineMs)]),
    );
  }

  status(): PeerStatus[] {
    const peers = new Set([...this.staticPeers.values(), ...this.discovered.values()]);
    return [...peers].map((p) => ({
      peer: p.name,
      kind: p.kind,
      imtp: p.links.imtp.state,
      pitp: p.links.pitp.state,
    }));
  }

  /**
   * Each peer's links with their consecutive failures, for `/ready` and `/metrics`
   * (docs/operations.md): static peers first, in configuration order.
   */
  links(): PeerLinks[] {
    const peers = new Set([...this.staticPeers.values(), ...this.discovered.values()]);
    const of = (l: PeerLink) => ({ state: l.state, failures: l.consecutiveFailures });
    return [...peers].map((p) => ({
      peer: p.name,
      kind: p.kind,
      imtp: of(p.links.imtp),
      pitp: of(p.links.pitp),
    }));
  }

  private makePeer(
    name: string,
    kind: 'static' | 'dns',
    minStrength: Strength | undefined,
    dial: (protocol: Protocol) => Dial,
  ): Peer {
    const fed = this.config.federation;
    const link = (protocol: Protocol) =>
      new PeerLink({
        protocol,
        peer: name,
        ownDomain: this.ownDomain,
        dial: dial(protocol),
        reconnect: fed.reconnect,
        idleCloseMs: fed.idleCloseMs,
        log: this.log,
        random: this.random,
        perSourceOutstanding: () => this.config.federation.perSourceOutstanding,
        shareExempt: (source) => this.roomAddresses().has(source),
      });
    const links = { imtp: link('imtp'), pitp: link('pitp') };
    return {
      name,
      kind,
      minStrength,
      links,
      endpoint: {
        id: `peer:${name}`,
        domain: name,
        deliver: (op) => links[op.protocol].deliver(op),
        // Issue 18: the router's relay path, no promise per command (link.ts).
        relay: (op, sink) => links[op.protocol].relay(op, sink),
      },
    };
  }

  private material(t: PeerTlsConfig | undefined): ClientTlsOptions | undefined {
    if (t === undefined) return undefined;
    if (!this.tls.has(t))
      throw new DialError('unreachable', 'peer TLS files not loaded (federation not started)');
    return this.tls.get(t);
  }

  private connect(
    host: string,
    name: string,
    port: number,
    protocol: Protocol,
    tlsConfig: PeerTlsConfig | undefined,
    sasl: PeerSaslConfig,
    onCommand: Parameters<Dial>[0],
  ) {
    const tls = this.material(tlsConfig);
    // The certificate must name the host we meant (SRV target or configured host), not the address.
    const servername = tls?.servername ?? (isIP(name) === 0 ? name : undefined);
    return connectHub({
      host,
      port,
      protocol,
      ...(tls === undefined ? {} : { tls: servername === undefined ? tls : { ...tls, servername } }),
      sasl: saslOf(sasl),
      limits: this.config.hub.limits,
      log: this.log,
      onCommand,
    });
  }

  private staticDial(p: PeerConfig, protocol: Protocol): Dial {
    return async (onCommand) => {
      const port = p.ports[protocol] ?? this.config.federation.ports[protocol];
      try {
        return await this.connect(p.host, p.host, port, protocol, p.tls, p.sasl, onCommand);
      } catch (e) {
        throw new DialError('unreachable', `${p.host}:${port}: ${(e as Error).message}`);
      }
    };
  }

  private lookup(): DnsLookup {
    const dns = this.config.federation.dns;
    return (this.lookupImpl ??= nodeDnsLookup(dns));
  }

  /** A peer found through DNS (draft §6.3, RFC 3861 §4/§6): targets tried in order, at least two. */
  private discoveredPeer(domain: string): Peer {
    const known = this.discovered.get(domain);
    if (known !== undefined) return known;
    if (this.discovered.size >= MAX_DISCOVERED)
      for (const [d, p] of this.discovered)
        if (p.links.imtp.state !== 'up' && p.links.pitp.state !== 'up' && p.links.imtp.outstanding === 0)
          this.discovered.delete(d);
    const dns = this.config.federation.dns;
    const peer = this.makePeer(domain, 'dns', dns.minStrength, (protocol) => async (onCommand) => {
      const defaultPort = this.config.federation.ports[protocol];
      let targets;
      try {
        targets = await discoverTargets(
          domain,
          SERVER_SERVICE[protocol],
          defaultPort,
          this.lookup(),
          this.random,
        );
      } catch (e) {
        throw new DialError('unreachable', `DNS lookup for ${domain} failed: ${(e as Error).message}`);
      }
      if (targets === null || targets.length === 0)
        throw new DialError('no-server', `no ${protocol.toUpperCase()} server found for ${domain}`);
      const problems: string[] = [];
      for (const t of targets.slice(0, dns.maxTargets)) {
        try {
          const [address] = await this.lookup().addresses(t.name);
          if (address === undefined) {
            problems.push(`${t.name}: no address`);
            continue;
          }
          return await this.connect(address, t.name, t.port, protocol, dns.tls, dns.sasl!, onCommand);
        } catch (e) {
          problems.push(`${t.name}:${t.port}: ${e instanceof HubClientError ? e.message : String(e)}`);
        }
      }
      throw new DialError('unreachable', `no server of ${domain} answered (${problems.join('; ')})`);
    });
    this.discovered.set(domain, peer);
    return peer;
  }
}
